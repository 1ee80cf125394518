"""The overdue list: instances past their step's deadline, how many days late, and the
highest rung of the ladder the sweep has reached for that step, sorted in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.definitions.model import Catalog, Text
from plancycle.store.models import Area, Instance
from plancycle.workflow.overdue import RungReached, days_late, overdue_clause, rungs_reached
from plancycle.workflow.reports import InstanceFilter
from plancycle.workflow.views import text_dict

__all__ = ["SORTS", "OverdueRow", "overdue_rows"]

SORTS = ("days_late", "key", "due_at")


@dataclass(frozen=True, slots=True)
class OverdueRow:
    key: str
    process: str
    title: Text
    area_code: str
    area_name: Text
    state: str
    state_label: Text
    due_at: datetime | None  # never None in a list of late instances
    days_late: int
    rung: RungReached | None  # highest rung reached for this step: 1 overdue, 2.. escalations

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "process": self.process,
            "title": text_dict(self.title),
            "area": {"code": self.area_code, "name": text_dict(self.area_name)},
            "state": self.state,
            "state_label": text_dict(self.state_label),
            "due_at": self.due_at,
            "days_late": self.days_late,
            "escalation": self.rung.as_dict() if self.rung else None,
        }


def _order(sort: str, descending: bool) -> list[sa.UnaryExpression[Any]]:
    """In SQL: more days late is an earlier deadline (days late grow as due_at falls)."""
    key = col(Instance.key).desc() if descending else col(Instance.key).asc()
    if sort == "key":
        return [key]
    due = (
        col(Instance.due_at).asc()
        if (sort == "days_late") == descending
        else col(Instance.due_at).desc()
    )
    return [due, key]


@dataclass(frozen=True, slots=True)
class _Listed:
    """The columns of an instance the list shows (no ORM object per row)."""

    id: int
    version: int
    key: str
    definition_id: str
    definition_version: int
    area_code: str
    state: str
    due_at: datetime | None


_LISTED = (
    col(Instance.id),
    col(Instance.version),
    col(Instance.key),
    col(Instance.definition_id),
    col(Instance.definition_version),
    col(Instance.area_code),
    col(Instance.state),
    col(Instance.due_at),
)


def overdue_rows(
    db: sa.Engine,
    catalog: Catalog,
    flt: InstanceFilter,
    sort: str = "days_late",
    descending: bool = True,
) -> tuple[list[OverdueRow], int]:
    """One page (``flt.limit``, ``flt.offset``) of the instances late at ``flt.overdue_at``,
    sorted in the database as asked, and how many there are in all."""
    now = flt.overdue_at
    if now is None:
        raise ValueError("an overdue list needs the instant it is late at (flt.overdue_at)")
    where = [overdue_clause(now), *flt.area.clauses()]
    if flt.fiscal_year:
        where.append(col(Instance.fiscal_year) == flt.fiscal_year)
    if flt.process:
        where.append(col(Instance.definition_id) == flt.process)
    with Session(db) as session:
        total = session.exec(select(func.count()).select_from(Instance).where(*where)).one()
        query = sa.select(*_LISTED).where(*where).order_by(*_order(sort, descending))
        rows = [
            _Listed(*r) for r in session.execute(query.offset(flt.offset).limit(flt.limit)).all()
        ]
        rungs = rungs_reached(session, rows)
        codes = {i.area_code for i in rows}
        names = {
            a.code: Text(a.name_th, a.name_en or a.name_th)
            for a in session.exec(select(Area).where(col(Area.code).in_(codes))).all()
        }
    return [_row(catalog, i, names, rungs.get(i.id or 0), now) for i in rows], int(total)


def _row(
    catalog: Catalog,
    inst: _Listed,
    names: dict[str, Text],
    rung: RungReached | None,
    now: datetime,
) -> OverdueRow:
    definition = catalog.get(inst.definition_id, inst.definition_version)
    return OverdueRow(
        inst.key,
        inst.definition_id,
        definition.title,
        inst.area_code,
        names.get(inst.area_code, Text(inst.area_code, inst.area_code)),
        inst.state,
        definition.state(inst.state).label,
        inst.due_at,
        days_late(inst.due_at, now),
        rung,
    )
