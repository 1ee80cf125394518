"""Step times for the area pages, reused while they are costly to compute.

:func:`chart_data.step_times` reads every record of the area's year (a window over each
instance's records): ~2 s for the nation with 500,000 records on PostgreSQL, against a
few milliseconds for a district. An answer that took longer than :data:`SLOW` to compute
is kept in the process for up to :data:`KEEP`, then computed again; a quick one is never
kept, so every page of a district, a tambon or a small store shows the records of the
moment. Kept per store, catalog, fiscal year and area; never served past :data:`KEEP`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import sqlalchemy as sa

from plancycle.definitions.model import Catalog
from plancycle.workflow.chart_data import SlowArea, StepTime, step_times
from plancycle.workflow.reports import AreaFilter

__all__ = ["KEEP", "SLOW", "StepTimesCache", "cached_step_times"]

SLOW = 0.25  # seconds: an answer that took longer is kept
KEEP = 300.0  # seconds: how long a kept answer is served

Answer = tuple[list[StepTime], list[SlowArea]]


class StepTimesCache:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        slow: float = SLOW,
        keep: float = KEEP,
        compute: Callable[[sa.Engine, Catalog, int, AreaFilter], Answer] = step_times,
    ) -> None:
        self.clock, self.slow, self.keep, self.compute = clock, slow, keep, compute
        self.kept: dict[tuple[int, int, int, str], tuple[float, Answer]] = {}
        self.lock = threading.Lock()

    def __call__(
        self, db: sa.Engine, catalog: Catalog, fiscal_year: int, area: AreaFilter
    ) -> Answer:
        key = (id(db), id(catalog), fiscal_year, area.code)
        with self.lock:
            found = self.kept.get(key)
        if found and self.clock() - found[0] < self.keep:
            return found[1]
        started = self.clock()
        answer = self.compute(db, catalog, fiscal_year, area)
        with self.lock:
            if self.clock() - started > self.slow:
                self.kept[key] = (started, answer)
            else:
                self.kept.pop(key, None)
        return answer


cached_step_times = StepTimesCache()
