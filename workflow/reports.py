"""Read-side views: progress per process, instance lists and an instance's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from plancycle.definitions.model import Catalog
from plancycle.store.models import Instance, TransitionRecord
from plancycle.text import check_text
from plancycle.workflow.errors import UnknownInstance

__all__ = [
    "MAX_OFFSET",
    "AreaFilter",
    "InstanceFilter",
    "ProcessStatus",
    "get_instance",
    "history",
    "list_instances",
    "status",
]


@dataclass(frozen=True, slots=True)
class AreaFilter:
    """At most one of province (2 digits), district (4) or tambon (6)."""

    province: str | None = None
    district: str | None = None
    tambon: str | None = None

    @classmethod
    def of(cls, code: str) -> AreaFilter:
        """The filter for one area code: 2 digits a province, 4 a district, 6+ a tambon."""
        if len(code) == 2:
            return cls(province=code)
        if len(code) == 4:
            return cls(district=code)
        return cls(tambon=code)  # a prefix: a village code narrows to the village

    def clauses(self) -> list[sa.ColumnElement[bool]]:
        out: list[sa.ColumnElement[bool]] = []
        if self.province:
            out.append(Instance.province_code == self.province)
        if self.district:
            out.append(Instance.district_code == self.district)
        if self.tambon:
            lo, hi = self.tambon, self.tambon + "\uffff"
            out.append(sa.and_(Instance.area_code >= lo, Instance.area_code < hi))
        return out


@dataclass
class ProcessStatus:
    process: str
    title_th: str
    title_en: str
    total: int = 0
    done: int = 0
    overdue: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    kpi_target: int | None = None

    @property
    def percent_done(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0

    def as_dict(self) -> dict:
        return {
            "process": self.process,
            "title_th": self.title_th,
            "title_en": self.title_en,
            "total": self.total,
            "done": self.done,
            "overdue": self.overdue,
            "percent_done": round(self.percent_done, 1),
            "by_state": self.by_state,
            "kpi_target_percent": self.kpi_target,
        }


def status(
    db: sa.Engine, catalog: Catalog, fiscal_year: int, area: AreaFilter, now: datetime
) -> list[ProcessStatus]:
    """Counts per state, done and overdue, per process, in process order of the catalog."""
    where = [Instance.fiscal_year == fiscal_year, *area.clauses()]
    overdue = sa.case((sa.and_(Instance.due_at < now, Instance.completed_at.is_(None)), 1), else_=0)
    query = (
        select(
            Instance.definition_id,
            Instance.definition_version,
            Instance.state,
            func.count(),
            func.sum(overdue),
        )
        .where(*where)
        .group_by(Instance.definition_id, Instance.definition_version, Instance.state)
    )
    found: dict[str, ProcessStatus] = {}
    with Session(db) as session:
        for pid, version, state, count, late in session.exec(query).all():
            definition = catalog.get(pid, version)
            row = found.get(pid) or found.setdefault(
                pid,
                ProcessStatus(
                    pid,
                    definition.title.th,
                    definition.title.en,
                    kpi_target=definition.kpi.target_percent if definition.kpi else None,
                ),
            )
            row.total += count
            row.overdue += int(late or 0)
            row.by_state[state] = row.by_state.get(state, 0) + count
            if definition.state(state).final:
                row.done += count
    order = {d.id: i for i, d in enumerate(catalog.latest())}
    return sorted(found.values(), key=lambda r: order.get(r.process, len(order)))


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
        where.append(Instance.fiscal_year == flt.fiscal_year)
    if flt.process:
        where.append(Instance.definition_id == flt.process)
    if flt.state:
        where.append(Instance.state == flt.state)
    if flt.overdue_at:
        where += [Instance.due_at < flt.overdue_at, Instance.completed_at.is_(None)]
    with Session(db) as session:
        total = session.exec(select(func.count()).select_from(Instance).where(*where)).one()
        rows = session.exec(
            select(Instance)
            .where(*where)
            .order_by(Instance.key)
            .offset(min(flt.offset, MAX_OFFSET))
            .limit(flt.limit)
        ).all()
        return list(rows), int(total)


def get_instance(db: sa.Engine, key: str) -> Instance:
    check_text(key=key)
    with Session(db) as session:
        inst = session.exec(select(Instance).where(Instance.key == key)).first()
        if inst is None:
            raise UnknownInstance(key)
        return inst


def history(db: sa.Engine, key: str) -> tuple[Instance, list[TransitionRecord]]:
    """An instance and its transition records, oldest first."""
    inst = get_instance(db, key)
    with Session(db) as session:
        records = session.exec(
            select(TransitionRecord)
            .where(TransitionRecord.instance_id == inst.id)
            .order_by(TransitionRecord.seq)
        ).all()
        return inst, list(records)
