"""Read-side queries: instance lists by area, process, state and lateness; one instance
and its history. Progress roll-ups live in ``rollup``, one instance's view in ``views``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.store.models import Instance, TransitionRecord
from plancycle.text import check_text
from plancycle.thai.areacode import AreaLevel, level_of
from plancycle.workflow.errors import UnknownInstance
from plancycle.workflow.overdue import overdue_clause
from plancycle.workflow.withdraw import counted_clause

__all__ = [
    "MAX_OFFSET",
    "AreaFilter",
    "InstanceFilter",
    "get_instance",
    "history",
    "list_instances",
]


@dataclass(frozen=True, slots=True)
class AreaFilter:
    """At most one of province (2 digits), district (4) or tambon (6)."""

    province: str | None = None
    district: str | None = None
    tambon: str | None = None

    @classmethod
    def of(cls, code: str) -> AreaFilter:
        """The filter for one area code: "" the nation, then by the code's level (a
        tambon's filter is a prefix: a village code narrows it to the village)."""
        level = level_of(code)
        if not code:
            return cls()
        if level is AreaLevel.PROVINCE:
            return cls(province=code)
        if level is AreaLevel.DISTRICT:
            return cls(district=code)
        return cls(tambon=code)

    @property
    def code(self) -> str:
        """The narrowest area asked for ("" for the nation)."""
        return self.tambon or self.district or self.province or ""

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        """The area's instances that count: a withdrawn instance is in no list or count."""
        out: list[sa.ColumnElement[bool]] = [counted_clause()]
        if self.province:
            out.append(col(Instance.province_code) == self.province)
        if self.district:
            out.append(col(Instance.district_code) == self.district)
        if self.tambon:
            lo, hi = self.tambon, self.tambon + "\uffff"
            out.append(sa.and_(col(Instance.area_code) >= lo, col(Instance.area_code) < hi))
        return out


#: The largest offset into an instance list (far past the last instance; the databases'
#: integers end at 2**63 - 1, and a larger offset would not reach them).
MAX_OFFSET = 1_000_000_000


@dataclass(frozen=True, slots=True)
class InstanceFilter:
    fiscal_year: int | None = None
    process: str | None = None
    state: str | None = None
    area: AreaFilter = AreaFilter()
    overdue_at: datetime | None = None  # only instances late at this instant
    limit: int = 100
    offset: int = 0


def list_instances(db: sa.Engine, flt: InstanceFilter) -> tuple[list[Instance], int]:
    """The instances matching the filter (ordered by key) and how many match in all."""
    check_text(process=flt.process, state=flt.state)
    where: list[sa.ColumnElement[bool]] = list(flt.area.clauses())
    if flt.fiscal_year:
        where.append(col(Instance.fiscal_year) == flt.fiscal_year)
    if flt.process:
        where.append(col(Instance.definition_id) == flt.process)
    if flt.state:
        where.append(col(Instance.state) == flt.state)
    if flt.overdue_at:
        where.append(overdue_clause(flt.overdue_at))
    with Session(db) as session:
        total = session.exec(select(func.count()).select_from(Instance).where(*where)).one()
        rows = session.exec(
            select(Instance)
            .where(*where)
            .order_by(col(Instance.key))
            .offset(min(flt.offset, MAX_OFFSET))
            .limit(flt.limit)
        ).all()
        return list(rows), int(total)


def get_instance(db: sa.Engine, key: str) -> Instance:
    check_text(key=key)
    with Session(db) as session:
        inst = session.exec(select(Instance).where(col(Instance.key) == key)).first()
        if inst is None:
            raise UnknownInstance(key)
        return inst


def history(db: sa.Engine, key: str) -> tuple[Instance, list[TransitionRecord]]:
    """An instance and its transition records, oldest first."""
    inst = get_instance(db, key)
    with Session(db) as session:
        records = session.exec(
            select(TransitionRecord)
            .where(col(TransitionRecord.instance_id) == inst.id)
            .order_by(col(TransitionRecord.seq))
        ).all()
        return inst, list(records)
