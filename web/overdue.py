"""The overdue and escalation list: instances past their step's deadline, how many days
late, and the highest rung of the ladder the sweep has reached for that step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.definitions.model import Catalog, Text
from plancycle.store.models import Area, Escalation, Instance
from plancycle.web.detail import text_dict
from plancycle.workflow.notices import days_late
from plancycle.workflow.reports import InstanceFilter

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
    due_at: datetime
    days_late: int
    level: int | None  # highest rung reached for this step: 1 overdue, 2.. escalations
    kind: str | None
    escalated_at: datetime | None
    recipients: tuple[str, ...]

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
            "escalation": None
            if self.level is None
            else {
                "level": self.level,
                "kind": self.kind,
                "at": self.escalated_at,
                "recipients": list(self.recipients),
            },
        }


def _highest(session: Session, rows: list[Instance]) -> dict[int, Escalation]:
    """Per instance, its highest rung (level >= 1) for the step it is in now."""
    by_id = {i.id: i for i in rows}
    found: dict[int, Escalation] = {}
    for start in range(0, len(rows), 500):
        ids = [i.id for i in rows[start : start + 500]]
        query = select(Escalation).where(
            col(Escalation.instance_id).in_(ids), Escalation.level >= 1
        )
        for esc in session.exec(query).all():
            inst = by_id[esc.instance_id]
            best = found.get(esc.instance_id)
            if esc.step_seq == inst.version and (best is None or esc.level > best.level):
                found[esc.instance_id] = esc
    return found


def _order(sort: str, descending: bool) -> list[sa.ColumnElement]:
    """In SQL: more days late is an earlier deadline (days late grow as due_at falls)."""
    key = Instance.key.desc() if descending else Instance.key.asc()
    if sort == "key":
        return [key]
    due = Instance.due_at.asc() if (sort == "days_late") == descending else Instance.due_at.desc()
    return [due, key]


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
    assert now is not None, "an overdue list needs the instant it is late at"
    where = [Instance.due_at < now, Instance.completed_at.is_(None), *flt.area.clauses()]
    if flt.fiscal_year:
        where.append(Instance.fiscal_year == flt.fiscal_year)
    if flt.process:
        where.append(Instance.definition_id == flt.process)
    with Session(db) as session:
        total = session.exec(select(func.count()).select_from(Instance).where(*where)).one()
        query = select(Instance).where(*where).order_by(*_order(sort, descending))
        rows = list(session.exec(query.offset(flt.offset).limit(flt.limit)).all())
        escalations = _highest(session, rows)
        codes = {i.area_code for i in rows}
        names = {
            a.code: Text(a.name_th, a.name_en or a.name_th)
            for a in session.exec(select(Area).where(col(Area.code).in_(codes))).all()
        }
    return [_row(catalog, i, names, escalations.get(i.id), now) for i in rows], int(total)


def _row(
    catalog: Catalog, inst: Instance, names: dict[str, Text], esc: Escalation | None, now: datetime
) -> OverdueRow:
    definition = catalog.get(inst.definition_id, inst.definition_version)
    assert inst.due_at is not None
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
        esc.level if esc else None,
        esc.kind if esc else None,
        esc.at if esc else None,
        tuple(esc.recipients) if esc else (),
    )
