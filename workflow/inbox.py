"""An actor's inbox: what its office must do now, soonest first, and what in its area
waits on another office.

``mine`` holds every open instance in the actor's area (its scope: a district sees its
district, a province its province) where the actor's role may do a step now, across
processes; ``waiting`` the instances whose next step belongs to a role the actor does
not hold, naming that role and, where contacts are known, the office. Both are grouped
by process and step, each group with its counts and its first ``limit`` instances
(after ``offset``): overdue first (most days late first), then by due instant.

Who may act is :mod:`plancycle.workflow.acting`'s rule, as SQL; lateness is
:mod:`plancycle.workflow.overdue`'s. :meth:`Inbox.as_dict` is the one machine-readable
shape (``plancycle inbox --json`` and ``GET /api/v1/inbox``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.definitions.model import Catalog, Definition, Text
from plancycle.notifier.contacts import ContactBook
from plancycle.store.models import Area, Contact, Instance
from plancycle.text import check_text
from plancycle.workflow.access import scoped
from plancycle.workflow.acting import (
    acting_clause,
    must_act,
    records_for,
    steps_for,
    waiting_clause,
)
from plancycle.workflow.errors import WorkflowError
from plancycle.workflow.notices import area_for_role
from plancycle.workflow.overdue import days_late, days_left, is_overdue, overdue_clause
from plancycle.workflow.reports import MAX_OFFSET, AreaFilter
from plancycle.workflow.views import text_dict

__all__ = [
    "DEFAULT_ROWS",
    "MAX_ROWS",
    "BadInboxFilter",
    "Inbox",
    "InboxActor",
    "InboxFilter",
    "InboxGroup",
    "InboxRow",
    "RecordFor",
    "Waiting",
    "inbox",
]

#: The most instances one group shows at a time (a province's groups hold thousands),
#: and how many it shows when not told (the CLI and the API alike).
MAX_ROWS = 500
DEFAULT_ROWS = 20


class BadInboxFilter(WorkflowError, ValueError):
    """A process or step the inbox cannot filter by."""


@dataclass(frozen=True, slots=True)
class InboxActor:
    """Whose inbox: an actor's id, role and area (None: nation-wide)."""

    id: str
    role: str
    area: str | None


@dataclass(frozen=True, slots=True)
class InboxFilter:
    fiscal_year: int
    area: AreaFilter = AreaFilter()  # within the actor's own (narrowed by ``inbox``)
    process: str | None = None
    state: str | None = None
    limit: int = DEFAULT_ROWS  # instances shown per group
    offset: int = 0  # skipped in each group


@dataclass(frozen=True, slots=True)
class Waiting:
    """An office another instance waits on: its role, the area it answers for, and who
    it is where contacts are known."""

    role: str
    label: Text
    area_code: str
    offices: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "label": text_dict(self.label),
            "area_code": self.area_code,
            "offices": list(self.offices),
        }


@dataclass(frozen=True, slots=True)
class RecordFor:
    """A step the actor's office may record on behalf of the role that performs it
    (บันทึกแทน; ``on_behalf`` in the definition): that role must otherwise act."""

    trigger: str
    label: Text
    role: str  # on behalf of whom
    role_label: Text

    def as_dict(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "label": text_dict(self.label),
            "on_behalf_of": self.role,
            "on_behalf_label": text_dict(self.role_label),
        }


@dataclass(frozen=True, slots=True)
class InboxRow:
    key: str
    area_code: str
    area_name: Text
    version: int
    due_at: datetime | None
    overdue: bool
    days_late: int
    days_left: int | None
    waiting_on: tuple[Waiting, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "area": {"code": self.area_code, "name": text_dict(self.area_name)},
            "version": self.version,
            "due_at": self.due_at,
            "overdue": self.overdue,
            "days_late": self.days_late,
            "days_left": self.days_left,
            "waiting_on": [w.as_dict() for w in self.waiting_on],
        }


@dataclass(frozen=True, slots=True)
class InboxGroup:
    """One process and step: how many instances are in it (and late), the steps the
    actor may do there (``triggers``; none in ``waiting``), the steps it may only record
    on behalf of another role (``records_for``: one done elsewhere, on paper, by the
    office that must otherwise act), the offices that must act (``roles``; in ``waiting``
    only), and one page of its instances."""

    process: str
    title: Text
    state: str
    state_label: Text
    total: int
    overdue: int
    triggers: tuple[tuple[str, Text], ...]
    roles: tuple[tuple[str, Text], ...]
    rows: tuple[InboxRow, ...]
    records_for: tuple[RecordFor, ...] = ()

    @property
    def on_behalf_of(self) -> RecordFor | None:
        """The first step recorded on behalf, naming whom (None: the actor's own steps)."""
        return self.records_for[0] if self.records_for else None

    def as_dict(self) -> dict[str, Any]:
        behalf = self.on_behalf_of
        return {
            "process": self.process,
            "title": text_dict(self.title),
            "state": self.state,
            "state_label": text_dict(self.state_label),
            "total": self.total,
            "overdue": self.overdue,
            "triggers": [{"trigger": t, "label": text_dict(x)} for t, x in self.triggers],
            "on_behalf_of": behalf.role if behalf else None,
            "on_behalf_label": text_dict(behalf.role_label) if behalf else None,
            "records_for": [x.as_dict() for x in self.records_for],
            "roles": [{"role": r, "label": text_dict(x)} for r, x in self.roles],
            "instances": [r.as_dict() for r in self.rows],
        }


@dataclass(frozen=True, slots=True)
class Inbox:
    actor: InboxActor
    role_label: Text
    flt: InboxFilter  # its area already narrowed to what the actor may see
    as_of: datetime  # UTC
    mine: tuple[InboxGroup, ...]
    waiting: tuple[InboxGroup, ...]

    def as_dict(self) -> dict[str, Any]:
        flt = self.flt
        return {
            "fiscal_year": flt.fiscal_year,
            "as_of": self.as_of,
            "actor": {
                "id": self.actor.id,
                "role": self.actor.role,
                "role_label": text_dict(self.role_label),
                "area": self.actor.area,
            },
            "area_code": flt.area.code,
            "process": flt.process,
            "state": flt.state,
            "limit": flt.limit,
            "offset": flt.offset,
            "mine": _list_dict(self.mine),
            "waiting": _list_dict(self.waiting),
        }


def _list_dict(groups: Sequence[InboxGroup]) -> dict[str, Any]:
    return {
        "total": sum(g.total for g in groups),
        "overdue": sum(g.overdue for g in groups),
        "groups": [g.as_dict() for g in groups],
    }


def inbox(
    db: sa.Engine, catalog: Catalog, actor: InboxActor, flt: InboxFilter, now: datetime
) -> Inbox:
    """The actor's inbox at ``now``; the filter's area is narrowed to the actor's own
    (asking for an area outside it is NotAllowed), an unknown process or step is
    BadInboxFilter."""
    _check(catalog, flt)
    area = scoped(actor.id, actor.area, flt.area)
    flt = InboxFilter(flt.fiscal_year, area, flt.process, flt.state, flt.limit, flt.offset)
    where = [
        col(Instance.fiscal_year) == flt.fiscal_year,
        col(Instance.completed_at).is_(None),
        *area.clauses(),
    ]
    if flt.process:
        where.append(col(Instance.definition_id) == flt.process)
    if flt.state:
        where.append(col(Instance.state) == flt.state)
    with Session(db) as session:
        mine = _groups(
            session, catalog, actor, flt, [*where, acting_clause(catalog, actor.role)], now
        )
        waiting = _groups(
            session, catalog, None, flt, [*where, waiting_clause(catalog, actor.role)], now
        )
        waiting = _with_offices(session, catalog, waiting)
    spec = catalog.roles.get(actor.role)
    label = spec.label if spec else Text(actor.role, actor.role)
    return Inbox(actor, label, flt, now.astimezone(UTC), mine, waiting)


def _check(catalog: Catalog, flt: InboxFilter) -> None:
    check_text(process=flt.process, state=flt.state)
    if not 1 <= flt.limit <= MAX_ROWS or not 0 <= flt.offset <= MAX_OFFSET:
        raise BadInboxFilter(
            f"show 1 to {MAX_ROWS} instances per group from an offset of 0 to {MAX_OFFSET:,} "
            f"(asked: {flt.limit} from {flt.offset})",
            f"แสดงได้กลุ่มละ 1 ถึง {MAX_ROWS} รายการ เริ่มที่ลำดับ 0 ถึง {MAX_OFFSET:,} "
            f"(ที่ขอ: {flt.limit} รายการ เริ่มที่ {flt.offset})",
        )
    if flt.process and flt.process not in catalog.ids():
        known = ", ".join(catalog.ids())
        raise BadInboxFilter(
            f"unknown process {flt.process!r}; give one of: {known}",
            f"ไม่รู้จักกระบวนการ {flt.process!r}; ระบุหนึ่งใน: {known}",
        )
    if flt.state:
        ids = [flt.process] if flt.process else list(catalog.ids())
        known_states = {
            s.id: None for i in ids for v in catalog.versions(i) for s in catalog.get(i, v).states
        }
        if flt.state not in known_states:
            listed = ", ".join(known_states)
            en = (
                f"process {flt.process!r} has no step {flt.state!r}"
                if flt.process
                else f"no process has a step {flt.state!r}"
            )
            th = (
                f"กระบวนการ {flt.process!r} ไม่มีขั้น {flt.state!r}"
                if flt.process
                else f"ไม่มีกระบวนการใดมีขั้น {flt.state!r}"
            )
            raise BadInboxFilter(f"{en}; give one of: {listed}", f"{th}; ระบุหนึ่งใน: {listed}")


def _groups(
    session: Session,
    catalog: Catalog,
    actor: InboxActor | None,
    flt: InboxFilter,
    where: list[sa.ColumnElement[bool]],
    now: datetime,
) -> tuple[InboxGroup, ...]:
    """The groups of the instances matching ``where``, the one holding the earliest
    deadline first; the actor's steps per group when it is the actor's own list."""
    merged = _counted(session, catalog, where, now)
    order = sorted(merged, key=lambda k: (merged[k].first is None, merged[k].first or now, k))
    pages = _pages(session, flt, where) if merged else {}
    names = _names(session, {i.area_code for page in pages.values() for i in page})
    out = []
    for process, state in order:
        count = merged[(process, state)]
        versions = count.versions
        rows = pages.get((process, state), [])
        newest = max(versions, key=lambda d: d.version)
        out.append(
            InboxGroup(
                process,
                newest.title,
                state,
                newest.state(state).label,
                count.total,
                count.overdue,
                _triggers(versions, state, actor),
                _roles(catalog, versions, state) if actor is None else (),
                tuple(_row(i, names, now) for i in rows),
                _records_for(catalog, versions, state, actor),
            )
        )
    return tuple(out)


@dataclass
class _Count:
    versions: list[Definition]
    total: int = 0
    overdue: int = 0
    first: datetime | None = None  # the earliest deadline in the group


def _counted(
    session: Session, catalog: Catalog, where: list[sa.ColumnElement[bool]], now: datetime
) -> dict[tuple[str, str], _Count]:
    """Per (process, state): its definition versions present, counts, first deadline."""
    late = func.sum(sa.case((overdue_clause(now), 1), else_=0))
    keys: list[Any] = [Instance.definition_id, Instance.definition_version, Instance.state]
    # sqlmodel's select() is typed for at most four fixed columns; a variable list of
    # them builds the same SQLAlchemy select
    query = (
        select(*keys, func.count(), late, func.min(col(Instance.due_at)))  # type: ignore[call-overload]
        .where(*where)
        .group_by(*keys)
    )
    merged: dict[tuple[str, str], _Count] = {}
    for process, version, state, total, overdue, first in session.exec(query).all():
        entry = merged.setdefault((process, state), _Count([]))
        entry.versions.append(catalog.get(process, version))
        entry.total += total
        entry.overdue += int(overdue or 0)
        if first is not None and (entry.first is None or first < entry.first):
            entry.first = first
    return merged


def _pages(
    session: Session, flt: InboxFilter, where: list[sa.ColumnElement[bool]]
) -> dict[tuple[str, str], list[Instance]]:
    """One page of every group in one query: numbered within its group (overdue first,
    the earliest deadline being the latest, then by due instant; no deadline last)."""
    number = (
        func.row_number()
        .over(
            partition_by=(col(Instance.definition_id), col(Instance.state)),
            order_by=(col(Instance.due_at).is_(None), col(Instance.due_at), col(Instance.key)),
        )
        .label("n")
    )
    numbered = select(col(Instance.id), number).where(*where).subquery()
    query = (
        select(Instance)
        .join(numbered, col(Instance.id) == numbered.c.id)
        .where(numbered.c.n > flt.offset, numbered.c.n <= flt.offset + flt.limit)
        .order_by(numbered.c.n)
    )
    pages: dict[tuple[str, str], list[Instance]] = {}
    for inst in session.exec(query).all():
        pages.setdefault((inst.definition_id, inst.state), []).append(inst)
    return pages


def _names(session: Session, codes: set[str]) -> dict[str, Text]:
    if not codes:
        return {}
    found = session.exec(select(Area).where(col(Area.code).in_(codes))).all()
    return {a.code: Text(a.name_th, a.name_en or a.name_th) for a in found}


def _row(inst: Instance, names: dict[str, Text], now: datetime) -> InboxRow:
    return InboxRow(
        inst.key,
        inst.area_code,
        names.get(inst.area_code, Text(inst.area_code, inst.area_code)),
        inst.version,
        inst.due_at,
        is_overdue(inst.due_at, inst.completed_at, now),
        days_late(inst.due_at, now),
        days_left(inst.due_at, now),
    )


def _triggers(
    versions: list[Definition], state: str, actor: InboxActor | None
) -> tuple[tuple[str, Text], ...]:
    if actor is None:
        return ()
    found: dict[str, Text] = {}
    for definition in sorted(versions, key=lambda d: -d.version):
        for t in steps_for(definition, state, actor.role):
            found.setdefault(t.trigger, t.label)
    return tuple(found.items())


def _records_for(
    catalog: Catalog, versions: list[Definition], state: str, actor: InboxActor | None
) -> tuple[RecordFor, ...]:
    """The steps the actor may record from ``state`` only on behalf of another role."""
    if actor is None:
        return ()
    found: dict[str, RecordFor] = {}
    for definition in sorted(versions, key=lambda d: -d.version):
        for t, of in records_for(definition, state, actor.role):
            spec = catalog.roles.get(of)
            label = spec.label if spec else Text(of, of)
            found.setdefault(t.trigger, RecordFor(t.trigger, t.label, of, label))
    return tuple(found.values())


def _roles(
    catalog: Catalog, versions: list[Definition], state: str
) -> tuple[tuple[str, Text], ...]:
    found: dict[str, Text] = {}
    for definition in versions:
        for role in must_act(definition, state):
            spec = catalog.roles.get(role)
            found.setdefault(role, spec.label if spec else Text(role, role))
    return tuple(found.items())


def _with_offices(
    session: Session, catalog: Catalog, groups: tuple[InboxGroup, ...]
) -> tuple[InboxGroup, ...]:
    """Each waiting row with the offices it waits on: the role, the area it answers for
    (a district chief of a tambon's instance: the district), and the contacts' names."""
    wanted = {
        (role, area_for_role(catalog, role, row.area_code))
        for g in groups
        for row in g.rows
        for role, _ in g.roles
    }
    book = ContactBook()
    if wanted:
        book = ContactBook(
            session.exec(
                select(Contact).where(
                    col(Contact.role).in_({r for r, _ in wanted}),
                    col(Contact.area_code).in_({a for _, a in wanted}),
                )
            ).all()
        )
    out = []
    for g in groups:
        rows = []
        for row in g.rows:
            waits = []
            for role, label in g.roles:
                code = area_for_role(catalog, role, row.area_code)
                waits.append(Waiting(role, label, code, tuple(book.offices(role, code))))
            rows.append(replace(row, waiting_on=tuple(waits)))
        out.append(replace(g, rows=tuple(rows)))
    return tuple(out)
