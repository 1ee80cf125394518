"""Progress per process for an area and for each area under it (the drill-down), with
the KPI compared to its target. The area's own figures come from
``workflow.reports.status``; the children's from one grouped query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from plancycle.definitions.model import Catalog
from plancycle.store.models import Instance
from plancycle.web.areas_view import child_level
from plancycle.workflow.reports import AreaFilter, ProcessStatus, status

__all__ = ["Rollup", "area_rollup", "children_rollup", "kpi_dict"]


def kpi_dict(row: ProcessStatus) -> dict | None:
    """The KPI read as "share of instances done" against the definition's target."""
    if row.kpi_target is None:
        return None
    actual = round(row.percent_done, 1)
    return {
        "target_percent": row.kpi_target,
        "actual_percent": actual,
        "met": actual >= row.kpi_target,
    }


def process_dict(row: ProcessStatus) -> dict:
    return {**row.as_dict(), "kpi": kpi_dict(row)}


@dataclass
class Rollup:
    code: str
    processes: list[ProcessStatus]

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.processes)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "overdue": self.overdue,
            "processes": [process_dict(p) for p in self.processes],
        }


def _filter(code: str) -> AreaFilter:
    return AreaFilter.of(code) if code else AreaFilter()


def area_rollup(
    db: sa.Engine, catalog: Catalog, fiscal_year: int, code: str, now: datetime
) -> Rollup:
    return Rollup(code, status(db, catalog, fiscal_year, _filter(code), now))


def children_rollup(
    db: sa.Engine,
    catalog: Catalog,
    fiscal_year: int,
    code: str,
    child_codes: Iterable[str],
    now: datetime,
) -> dict[str, Rollup]:
    """child code -> its progress per process (every child present, maybe empty)."""
    length = child_level(code)
    prefix = func.substr(Instance.area_code, 1, length)
    late = sa.case((sa.and_(Instance.due_at < now, Instance.completed_at.is_(None)), 1), else_=0)
    query = (
        select(
            prefix,
            Instance.definition_id,
            Instance.definition_version,
            Instance.state,
            func.count(),
            func.sum(late),
        )
        .where(Instance.fiscal_year == fiscal_year, *_filter(code).clauses())
        .group_by(prefix, Instance.definition_id, Instance.definition_version, Instance.state)
    )
    found: dict[str, dict[str, ProcessStatus]] = {c: {} for c in child_codes}
    with Session(db) as session:
        rows = session.exec(query).all()
    for child, pid, version, state, count, overdue in rows:
        if len(child) < length or child not in found:
            continue  # an instance of the area itself (a district's own plan), not a child's
        _add(found[child], catalog, pid, version, state, int(count), int(overdue or 0))
    order = {d.id: i for i, d in enumerate(catalog.latest())}
    return {
        child: Rollup(child, sorted(by.values(), key=lambda r: order.get(r.process, 99)))
        for child, by in found.items()
    }


def _add(
    into: dict[str, ProcessStatus],
    catalog: Catalog,
    pid: str,
    version: int,
    state: str,
    count: int,
    overdue: int,
) -> None:
    definition = catalog.get(pid, version)
    row = into.get(pid)
    if row is None:
        kpi = definition.kpi.target_percent if definition.kpi else None
        row = into[pid] = ProcessStatus(
            pid, definition.title.th, definition.title.en, kpi_target=kpi
        )
    row.total += count
    row.overdue += overdue
    row.by_state[state] = row.by_state.get(state, 0) + count
    if definition.state(state).final:
        row.done += count
