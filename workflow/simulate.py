"""A whole fiscal year on a virtual clock, with simulated coordinators (some late).

Every working step gets a planned completion day when it becomes current: an
on-time coordinator finishes somewhere between the day the step opens and its
deadline; a late one (``late_rate``) finishes 1-30 days after it. Each simulated
day the coordinators whose day has come advance their step (through the engine,
with evidence and data that pass the guards), then the sweep runs at 09:00 and
escalates what is late. Month by month the caller gets the progress per process,
the overdue count and the notifications sent.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, required
from plancycle.kinds import EscalationKind
from plancycle.store.models import Instance
from plancycle.thai.fiscal import BANGKOK, fy_range, start_of_day
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.deadlines import deadline_day
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import WorkflowError
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.rollup import ProcessStatus, status
from plancycle.workflow.sweep_apply import run_sweep
from plancycle.workflow.walk import walk

__all__ = ["MonthRow", "SimSettings", "simulate"]


@dataclass(frozen=True, slots=True)
class SimSettings:
    fiscal_year: int
    province: str
    late_rate: float = 0.2
    seed: int = 2568
    until: date | None = None  # stop after this day (default: the fiscal year's last)

    def __post_init__(self) -> None:
        if not 0 <= self.late_rate <= 1:
            raise ValueError("late_rate must lie between 0 and 1")


@dataclass
class MonthRow:
    month: date  # first day of the month
    processes: list[ProcessStatus]
    overdue: int
    sent: Counter[str] = field(default_factory=Counter)  # kind -> notices with recipients
    advances: int = 0
    automatic: int = 0


@dataclass
class _Plan:
    """When each instance's current step will be done: (key, version) -> day."""

    days: dict[tuple[str, int], date] = field(default_factory=dict)


class Coordinators:
    """Decides when each step is done, and by whom."""

    def __init__(
        self, catalog: Catalog, settings: SimSettings, actors: Mapping[str, dict[str, str]]
    ):
        self.catalog = catalog
        self.settings = settings
        self.rng = random.Random(settings.seed)
        self.actors = actors  # area code (district, province or "") -> role -> actor id
        self.plan = _Plan()

    def day_for(self, inst: Instance, today: date) -> date | None:
        """The day this step will be done (planned once per step occurrence)."""
        known = self.plan.days.get((inst.key, inst.version))
        if known is not None:
            return known
        definition = self.catalog.get(inst.definition_id, inst.definition_version)
        state = definition.state(inst.state)
        if state.final or state.wait:
            return None
        opens = (
            required(deadline_day(state.opens, inst.fiscal_year, {}), f"{state.id} opens")
            if state.opens
            else today
        )
        start = max(today, opens)
        due = inst.due_at.astimezone(BANGKOK).date() if inst.due_at else start + timedelta(14)
        if self.rng.random() < self.settings.late_rate:
            day = max(due, start) + timedelta(days=self.rng.randint(1, 30))
        else:
            day = start + timedelta(days=self.rng.randint(0, max((due - start).days, 0)))
        self.plan.days[(inst.key, inst.version)] = day
        return day

    def actors_for(self, inst: Instance) -> dict[str, str]:
        merged: dict[str, str] = {}
        for area in ("", inst.province_code, inst.district_code or ""):
            merged.update(self.actors.get(area, {}))
        return merged


def simulate(
    engine: Engine,
    settings: SimSettings,
    actors: Mapping[str, dict[str, str]],
    evidence_file: Path,
    on_month: Callable[[MonthRow], None],
    on_day: Callable[[int, int], None] | None = None,
) -> list[MonthRow]:
    """Run the fiscal year day by day; ``engine.clock`` must be a ManualClock."""
    clock = engine.clock
    if not isinstance(clock, ManualClock):
        raise TypeError("simulate needs an engine with a ManualClock")
    first, last = fy_range(settings.fiscal_year)
    last = min(last, settings.until or last)
    people = Coordinators(engine.catalog, settings, actors)
    months: list[MonthRow] = []
    row = MonthRow(first, [], 0)
    days = (last - first).days + 1
    for n in range(days):
        today = first + timedelta(days=n)
        if today.day == 1 and n:
            months.append(_close(engine, settings, row, clock.now(), on_month))
            row = MonthRow(today, [], 0)
        row.advances += _work(engine, people, today, evidence_file)
        clock.set(datetime.combine(today, time(9), BANGKOK))
        report = run_sweep(engine)
        row.sent.update({k: v for k, v in report.notices.items() if k != EscalationKind.OPENED})
        row.automatic += report.advanced
        if on_day:
            on_day(n + 1, days)
    clock.set(start_of_day(last + timedelta(days=1)))
    months.append(_close(engine, settings, row, clock.now(), on_month))
    return months


def _work(engine: Engine, people: Coordinators, today: date, evidence: Path) -> int:
    """Every coordinator whose day has come does the current step; returns how many."""
    done = 0
    engine.clock.set(datetime.combine(today, time(10), BANGKOK))  # type: ignore[attr-defined]
    for inst in _open_instances(engine, people.settings):
        day = people.day_for(inst, today)
        if day is None or day > today:
            continue
        try:
            walk(engine, inst.key, people.actors_for(inst), evidence, max_steps=1)
        except (WorkflowError, LookupError):
            continue  # someone else (the scheduler) moved it, or nobody holds the role
        done += 1
    return done


def _open_instances(engine: Engine, settings: SimSettings) -> list[Instance]:
    with Session(engine.db) as session:
        return list(
            session.exec(
                select(Instance).where(
                    col(Instance.fiscal_year) == settings.fiscal_year,
                    col(Instance.province_code) == settings.province,
                    col(Instance.completed_at).is_(None),
                )
            ).all()
        )


def _close(
    engine: Engine,
    settings: SimSettings,
    row: MonthRow,
    now: datetime,
    on_month: Callable[[MonthRow], None],
) -> MonthRow:
    row.processes = status(
        engine.db, engine.catalog, settings.fiscal_year, AreaFilter(province=settings.province), now
    )
    row.overdue = sum(p.overdue for p in row.processes)
    on_month(row)
    return row
