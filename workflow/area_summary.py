"""What an area's page shows, read in one place: its progress per process, each area
under it, and the figures its charts draw (done by day, on time and late per area under
it, median days per step).

A province's or the nation's summary counts thousands of instances and reads every
record of the year for its step times (~0.3 s and ~4 s on the national store), and
hundreds of offices ask for it through the day. :class:`Summaries` keeps those two levels'
summaries in the process for ``seconds`` (``PLANCYCLE_SUMMARY_SECONDS``, 60 by default);
the page says when its figures were read. A server reads the nation's summary of the
default year as it starts (:meth:`Summaries.warm`), so the first person to open it does
not wait. A district's, a tambon's or a village's counts and progress are read on every
view, so an office sees its own work the moment it is done.

Step times (median days per step, the slowest areas) move with steps finished, not by
the minute, and read every record of the year: the nation's, a province's and a
district's are kept five times as long as the counts and read again in the background
while the kept ones are shown; their chart says when they were read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from plancycle.definitions.model import Catalog
from plancycle.thai.areacode import NATION, AreaLevel, level_of
from plancycle.workflow.chart_data import (
    ProgressLine,
    SlowArea,
    StepTime,
    Timeliness,
    progress_lines,
    step_times,
    timeliness,
)
from plancycle.workflow.kept_answers import KeptAnswers
from plancycle.workflow.kpi import kpi_counts
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.rollup import Rollup, area_rollup, children_rollup

__all__ = [
    "STEP_TIMES_FACTOR",
    "AreaSummary",
    "StepTimes",
    "Summaries",
    "area_summary",
    "kept_level",
    "leaf",
    "steps_kept",
]

STEP_TIMES_FACTOR = 5  # step times are kept this many times as long as the counts


@dataclass(frozen=True, slots=True)
class StepTimes:
    times: tuple[StepTime, ...]
    slowest: tuple[SlowArea, ...]
    as_of: datetime  # when they were read
    kept_seconds: float = 0  # how long they are served (0: read for this request)


@dataclass(frozen=True, slots=True)
class AreaSummary:
    code: str
    fiscal_year: int
    own: Rollup
    children: dict[str, Rollup]  # child code -> its progress (empty for a tambon, a village)
    lines: tuple[ProgressLine, ...]  # done by day, per process
    timeliness: tuple[Timeliness, ...]  # per area under it (empty for a tambon, a village)
    steps: StepTimes
    as_of: datetime  # when the counts were read
    kept_seconds: float  # how long they are served (0: read for this request)


def leaf(code: str) -> bool:
    """A tambon or a village: nothing under it to roll up or compare."""
    return level_of(code) in (AreaLevel.TAMBON, AreaLevel.VILLAGE)


def kept_level(code: str) -> bool:
    """The nation and the provinces: the levels whose counts are kept a while."""
    return code == NATION or level_of(code) is AreaLevel.PROVINCE


def steps_kept(code: str) -> bool:
    """The nation, the provinces and the districts: the levels whose step times are kept
    a while (a tambon's are a handful of records)."""
    return kept_level(code) or level_of(code) is AreaLevel.DISTRICT


def _steps(
    db: sa.Engine, catalog: Catalog, fiscal_year: int, code: str, now: datetime, kept: float = 0
) -> StepTimes:
    times, slowest = step_times(db, catalog, fiscal_year, AreaFilter.of(code))
    return StepTimes(tuple(times), tuple(slowest), now, kept)


def area_summary(
    db: sa.Engine,
    catalog: Catalog,
    fiscal_year: int,
    code: str,
    child_codes: Sequence[str],
    now: datetime,
    steps: StepTimes | None = None,
    kept_seconds: float = 0,
) -> AreaSummary:
    """The summary of ``code`` ("" the nation) read now (``steps``: its step times, when
    the caller has them)."""
    area = AreaFilter.of(code)
    kpis = kpi_counts(db, catalog, fiscal_year, area)  # read once: the area and its children
    return AreaSummary(
        code,
        fiscal_year,
        area_rollup(db, catalog, fiscal_year, code, now, kpis),
        {}
        if leaf(code)
        else children_rollup(db, catalog, fiscal_year, code, child_codes, now, kpis),
        tuple(progress_lines(db, catalog, fiscal_year, area)),
        () if leaf(code) else tuple(timeliness(db, fiscal_year, code, now)),
        steps if steps is not None else _steps(db, catalog, fiscal_year, code, now),
        now,
        kept_seconds,
    )


class Summaries:
    """Area summaries for one store and catalog: the nation's and the provinces' kept for
    ``seconds``; the step times of those and of the districts ``STEP_TIMES_FACTOR`` times
    as long; everything else read on every call."""

    def __init__(self, db: sa.Engine, catalog: Catalog, seconds: float) -> None:
        self.db, self.catalog, self.seconds = db, catalog, seconds
        self._counts: KeptAnswers[AreaSummary] = KeptAnswers(seconds)
        # read again in the background: on the national store they take seconds; one per
        # district, province and the nation of a year or two
        self._steps: KeptAnswers[StepTimes] = KeptAnswers(
            seconds * STEP_TIMES_FACTOR, size=2048, background=True
        )

    def step_times(self, fiscal_year: int, code: str, now: datetime) -> StepTimes | None:
        """The kept step times of ``code`` (None where they are read with the summary)."""
        if self.seconds <= 0 or not steps_kept(code):
            return None
        kept = self._steps.seconds
        return self._steps.get(
            (fiscal_year, code),
            now,
            lambda: _steps(self.db, self.catalog, fiscal_year, code, now, kept),
        ).value

    def get(
        self,
        fiscal_year: int,
        code: str,
        child_codes: Sequence[str],
        now: datetime,
        again: bool = False,
    ) -> AreaSummary:
        """The summary of ``code``; ``again``: its counts read now even when kept ones are
        fresh (a person asked for them), and kept from now."""

        def read() -> AreaSummary:
            steps = self.step_times(fiscal_year, code, now)
            kept = self.seconds if kept_level(code) else 0
            return area_summary(
                self.db, self.catalog, fiscal_year, code, child_codes, now, steps, kept
            )

        if not kept_level(code) or self.seconds <= 0:
            return read()
        return self._counts.get((fiscal_year, code), now, read, again).value

    def warm(self, fiscal_year: int, child_codes: Sequence[str], now: datetime) -> None:
        """Read the nation's summary now, to keep it (nothing when none is kept)."""
        if self.seconds > 0:
            self.get(fiscal_year, NATION, child_codes, now)

    def clear(self) -> None:
        self._counts.clear()
        self._steps.clear()
