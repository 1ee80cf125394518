"""What the area pages' charts show, each counted in the database (grouped queries and
window functions, never every instance read into Python):

- :func:`progress_lines`: per process, how many instances were done by each day of the
  year (the day of the record that brought each to a final state, ``completed_at``),
  with the process's last fixed deadline and its KPI target;
- :func:`timeliness`: per area under the area (district under a province, tambon under a
  district), the instances done on time, late (past a deadline at any step: a recorded
  overdue rung, or overdue now) and still open;
- :func:`step_times`: per process and step, the median days an instance spent in the
  step (from entering it to the record that left it), and the slowest areas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.definitions.model import Catalog, DeadlineKind, Definition
from plancycle.store.models import Area, Escalation, Instance, TransitionRecord
from plancycle.thai.areacode import child_length
from plancycle.workflow.deadlines import deadline_day
from plancycle.workflow.overdue import overdue_clause
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.sql_time import bangkok_day, day_value, days_between

__all__ = [
    "ProgressLine",
    "SlowArea",
    "StepTime",
    "Timeliness",
    "process_deadline",
    "progress_lines",
    "step_times",
    "timeliness",
]

SLOWEST = 5  # areas listed per process


@dataclass(frozen=True, slots=True)
class ProgressLine:
    """One process: ``points`` are (day, instances done by the end of that day), one per
    day on which any was done."""

    process: str
    title_th: str
    title_en: str
    total: int
    points: tuple[tuple[date, int], ...]
    deadline: date | None
    kpi_target: float | None

    @property
    def done(self) -> int:
        return self.points[-1][1] if self.points else 0


@dataclass(frozen=True, slots=True)
class Timeliness:
    code: str
    name_th: str
    name_en: str
    on_time: int
    late: int
    open: int


@dataclass(frozen=True, slots=True)
class StepTime:
    process: str
    state: str
    label_th: str
    label_en: str
    median_days: float
    count: int


@dataclass(frozen=True, slots=True)
class SlowArea:
    process: str
    area_code: str
    name_th: str
    name_en: str
    state: str
    label_th: str
    label_en: str
    days: float


def _order(catalog: Catalog) -> dict[str, int]:
    return {d.id: i for i, d in enumerate(catalog.latest())}


def process_deadline(definition: Definition, fiscal_year: int) -> date | None:
    """The last day a deadline of the letter names for the process (deadlines counted
    from another step are left out: they differ per instance)."""
    days = [
        d
        for state in definition.states
        for spec in state.due
        if spec.kind != DeadlineKind.AFTER and (d := deadline_day(spec, fiscal_year, {}))
    ]
    return max(days) if days else None


def progress_lines(
    db: sa.Engine, catalog: Catalog, fiscal_year: int, area: AreaFilter
) -> list[ProgressLine]:
    """Per process with instances in the area, done instances by day (cumulative)."""
    where = [col(Instance.fiscal_year) == fiscal_year, *area.clauses()]
    day = bangkok_day(col(Instance.completed_at))
    per_day = (
        select(Instance.definition_id, day, func.count())
        .where(*where, col(Instance.completed_at).is_not(None))
        .group_by(Instance.definition_id, day)
        .order_by(Instance.definition_id, day)
    )
    totals = select(Instance.definition_id, func.count()).where(*where)
    with Session(db) as session:
        done_rows = session.exec(per_day).all()
        total_rows = session.exec(totals.group_by(Instance.definition_id)).all()
    points: dict[str, list[tuple[date, int]]] = {}
    for pid, when, count in done_rows:
        line = points.setdefault(pid, [])
        line.append((day_value(when), (line[-1][1] if line else 0) + int(count)))
    out = []
    for pid, total in total_rows:
        definition = catalog.get(pid)
        out.append(
            ProgressLine(
                pid,
                definition.title.th,
                definition.title.en,
                int(total),
                tuple(points.get(pid, ())),
                process_deadline(definition, fiscal_year),
                definition.kpi.target_percent if definition.kpi else None,
            )
        )
    order = _order(catalog)
    return sorted(out, key=lambda p: order.get(p.process, len(order)))


def _names(session: Session, codes: list[str]) -> dict[str, Area]:
    if not codes:
        return {}
    return {a.code: a for a in session.exec(select(Area).where(col(Area.code).in_(codes))).all()}


def timeliness(db: sa.Engine, fiscal_year: int, code: str, now: datetime) -> list[Timeliness]:
    """Per area one level under ``code`` ("" the nation), its instances on time, late and
    open, in code order."""
    length = child_length(code)
    child = func.substr(Instance.area_code, 1, length)
    went_late = sa.exists().where(
        col(Escalation.instance_id) == col(Instance.id), col(Escalation.level) >= 1
    )
    late = sa.or_(went_late, overdue_clause(now))
    done = col(Instance.completed_at).is_not(None)
    query: Any = (
        select(
            child,
            func.count(),
            func.sum(sa.case((sa.and_(done, sa.not_(late)), 1), else_=0)),
            func.sum(sa.case((late, 1), else_=0)),
        )
        .where(
            col(Instance.fiscal_year) == fiscal_year,
            func.length(Instance.area_code) >= length,
            *AreaFilter.of(code).clauses(),
        )
        .group_by(child)
        .order_by(child)
    )
    with Session(db) as session:
        rows = session.exec(query).all()
        names = _names(session, [r[0] for r in rows])
    out = []
    for area_code, total, on_time, was_late in rows:
        named = names.get(area_code)
        on_time, was_late = int(on_time or 0), int(was_late or 0)
        out.append(
            Timeliness(
                area_code,
                named.name_th if named else area_code,
                (named.name_en or named.name_th) if named else area_code,
                on_time,
                was_late,
                int(total) - on_time - was_late,
            )
        )
    return out


def _spans(catalog: Catalog, fiscal_year: int, area: AreaFilter) -> Any:
    """(process, area_code, state, days) for every step an instance left: from the record
    that entered it (or the instance's creation) to the record that left it. Waiting
    states are left out: a wait is not an office's work."""
    entered = func.lag(TransitionRecord.at, 1, Instance.created_at).over(
        partition_by=col(TransitionRecord.instance_id), order_by=col(TransitionRecord.seq)
    )
    inner = (
        sa.select(
            col(Instance.definition_id).label("process"),
            col(Instance.area_code).label("area_code"),
            col(TransitionRecord.from_state).label("state"),
            days_between(entered, col(TransitionRecord.at)).label("days"),
        )
        .join(Instance, col(Instance.id) == col(TransitionRecord.instance_id))
        .where(col(Instance.fiscal_year) == fiscal_year, *area.clauses())
        .subquery()
    )
    # the window runs over all of an instance's records; the steps are picked after it
    keep = [
        sa.and_(inner.c.process == d.id, inner.c.state.in_([s.id for s in d.steps]))
        for d in catalog.latest()
        if d.steps
    ]
    return (
        sa.select(inner.c.process, inner.c.area_code, inner.c.state, inner.c.days)
        .where(sa.or_(*keep) if keep else sa.false())
        .subquery()
    )


def step_times(
    db: sa.Engine, catalog: Catalog, fiscal_year: int, area: AreaFilter
) -> tuple[list[StepTime], list[SlowArea]]:
    """The median days per process and step (in the definitions' step order), and per
    process the :data:`SLOWEST` slowest (area, step) spans, slowest first."""
    spans = _spans(catalog, fiscal_year, area)
    group = (spans.c.process, spans.c.state)
    ranked = sa.select(
        spans.c.process,
        spans.c.state,
        spans.c.days,
        func.row_number().over(partition_by=group, order_by=spans.c.days).label("rn"),
        func.count().over(partition_by=group).label("n"),
    ).subquery()
    middle = sa.or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    medians = (
        sa.select(ranked.c.process, ranked.c.state, func.avg(ranked.c.days), func.max(ranked.c.n))
        .where(middle)
        .group_by(ranked.c.process, ranked.c.state)
    )
    slow_rank = sa.select(
        spans.c.process,
        spans.c.area_code,
        spans.c.state,
        spans.c.days,
        func.row_number()
        .over(partition_by=spans.c.process, order_by=(spans.c.days.desc(), spans.c.area_code))
        .label("rn"),
    ).subquery()
    slowest = (
        sa.select(slow_rank.c.process, slow_rank.c.area_code, slow_rank.c.state, slow_rank.c.days)
        .where(slow_rank.c.rn <= SLOWEST)
        .order_by(slow_rank.c.process, slow_rank.c.rn)
    )
    with Session(db) as session:
        median_rows = session.execute(medians).all()
        slow_rows = session.execute(slowest).all()
        names = _names(session, sorted({r[1] for r in slow_rows}))
    order = _order(catalog)
    times = []
    for pid, state, days, n in median_rows:
        definition = catalog.get(pid)
        label = definition.state(state).label
        times.append(StepTime(pid, state, label.th, label.en, round(float(days), 1), int(n)))
    position = {
        (d.id, s.id): (order[d.id], i) for d in catalog.latest() for i, s in enumerate(d.states)
    }
    times.sort(key=lambda t: position.get((t.process, t.state), (len(order), 0)))
    slow = []
    for pid, code, state, days in slow_rows:
        label = catalog.get(pid).state(state).label
        named = names.get(code)
        slow.append(
            SlowArea(
                pid,
                code,
                named.name_th if named else code,
                (named.name_en or named.name_th) if named else code,
                state,
                label.th,
                label.en,
                round(float(days), 1),
            )
        )
    slow.sort(key=lambda s: (order.get(s.process, len(order)), -s.days, s.area_code))
    return times, slow
