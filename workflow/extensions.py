"""Deadline extensions: the provincial CD office (or an administrator) moves a step's
deadline later, for one instance or for every instance of a process in an area.

The one rule (:func:`effective_due`): of the extensions of the instance's process, step
and fiscal year that reach it, an instance's own beats an area's, a narrower area (a
district) beats a wider one (the province), and among equals the latest record wins; the
deadline is the later of the step's own and the chosen extension's day (an extension
never shortens one). ``Instance.due_at`` holds the result: an extension updates it in its
own transaction for every instance in the step, and the engine applies the rule when an
instance enters a step later, so the sweep, the inbox, the overdue list and the pages,
which all read ``due_at``, agree.

Each instance an extension moves gets a chained ``extend_deadline`` record (who, role,
when, the new day, the reason; the state stays), so it is in ``history`` and the audit.
The ladder restarts from the new deadline (:func:`carried_levels`): the record starts a
new step occurrence, into which only the rungs already reached whose time under the new
deadline has already passed (and the window's opening) are carried; every other rung is
reached again when its time under the new deadline comes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, Definition
from plancycle.errors import Wording
from plancycle.store.chain import Move, StaleInstance, append_transition
from plancycle.store.escalations import carry_levels
from plancycle.store.models import Actor, Area, DeadlineExtension, Escalation, Instance
from plancycle.thai.areacode import in_area
from plancycle.thai.dates import format_date
from plancycle.thai.fiscal import end_of_day, fiscal_year_of, fy_range, to_bangkok
from plancycle.workflow.deadlines import state_due_at
from plancycle.workflow.errors import (
    Conflict,
    NotAllowed,
    OutOfScope,
    UnknownActor,
    UnknownInstance,
    WorkflowError,
)
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.sweep import OPENED_LEVEL, rung_time
from plancycle.workflow.withdraw import ADMIN_ROLE, MIN_REASON, AdminTrigger, counted_clause
from plancycle.workflow.workdays import WorkCalendar

__all__ = [
    "EXTEND_ROLES",
    "ExtendRequest",
    "Extended",
    "NotExtendable",
    "NotExtender",
    "carried_levels",
    "effective_due",
    "extend_deadline",
    "step_due",
    "extension_dict",
    "extension_rows",
    "governing",
    "list_extensions",
    "may_extend",
]

#: who may extend: the administrator (anywhere) and a provincial CD office (its province)
EXTEND_ROLES = frozenset({ADMIN_ROLE, "provincial_cd_office"})


class ExtensionLike(Protocol):
    """What the rule reads of an extension record."""

    @property
    def id(self) -> int | None: ...
    @property
    def instance_key(self) -> str | None: ...
    @property
    def area_code(self) -> str | None: ...
    @property
    def until(self) -> datetime: ...


def _rank(ext: ExtensionLike) -> tuple[int, int, int]:
    return (1 if ext.instance_key else 0, len(ext.area_code or ""), ext.id or 0)


def governing(
    extensions: Iterable[ExtensionLike], key: str, area_code: str
) -> ExtensionLike | None:
    """The extension that decides the deadline of instance ``key`` (of ``area_code``):
    its own before an area's, the narrower area before the wider, the latest record last.
    ``extensions`` must all be of the instance's process, step and fiscal year."""
    reaching = [
        e
        for e in extensions
        if e.instance_key == key or (e.area_code is not None and in_area(e.area_code, area_code))
    ]
    return max(reaching, key=_rank) if reaching else None


def effective_due(
    base: datetime | None, extensions: Iterable[ExtensionLike], key: str, area_code: str
) -> datetime | None:
    """The deadline of instance ``key``'s step: the step's own (``base``), unless an
    extension reaching it (:func:`governing`) falls later."""
    chosen = governing(extensions, key, area_code)
    if chosen is None:
        return base
    until = chosen.until.astimezone(UTC)
    return until if base is None or until > base else base


def carried_levels(
    definition: Definition, done: set[int], new_due: datetime, now: datetime
) -> set[int]:
    """The rungs of the step occurrence before an extension that the new occurrence keeps:
    the window's opening, and each rung reached whose time under ``new_due`` is already
    past (it is not sent again). Rungs whose time under ``new_due`` lies ahead are
    reached again then (the overdue flag among them, so it clears at once)."""
    keep = {OPENED_LEVEL} & done
    keep |= {r.level for r in definition.ladder if r.level in done and rung_time(r, new_due) <= now}
    return keep


class NotExtendable(WorkflowError):
    """An extension refused for what it asks (the date, the step, the instance). Its
    sentences name no shell's input; the CLI adds the option to give (``option``, by a
    wording that has ``options``: ``plancycle/cli/wording.py``)."""

    exit_code = 2

    def __init__(self, en: str, th: str, option: str | None = None) -> None:
        super().__init__(en, th)
        self.option = option

    def worded(self, wording: Wording) -> tuple[str, str]:
        if self.option and getattr(wording, "options", False):
            return f"{self.en} ({self.option})", f"{self.th} ({self.option})"
        return self.en, self.th


class NotExtender(NotAllowed):
    """An actor whose role or area may not extend deadlines of ``area``."""

    def __init__(self, actor_id: str, role: str, actor_area: str | None, area: str) -> None:
        self.actor_id, self.role, self.actor_area, self.area = actor_id, role, actor_area, area
        roles = ", ".join(sorted(EXTEND_ROLES))
        super().__init__(
            f"actor {actor_id!r} (role {role}, area {actor_area or 'nation'}) may not extend "
            f"deadlines in area {area}; ask an actor of role {roles} over that area",
            f"ผู้ใช้ {actor_id!r} ขยายกำหนดเวลาในพื้นที่ {area} ไม่ได้; ให้ผู้ดูแลระบบหรือ"
            f"สำนักงานพัฒนาชุมชนจังหวัดของพื้นที่นั้นเป็นผู้ขยาย",
        )


def may_extend(role: str, actor_area: str | None, area: str) -> bool:
    """Whether an actor of ``role`` over ``actor_area`` may extend deadlines in ``area``."""
    return role in EXTEND_ROLES and in_area(actor_area, area)


@dataclass(frozen=True)
class ExtendRequest:
    """One extension asked for: of instance ``key``'s step, or of ``process``'s step in
    ``area`` (a province or district code) in ``fiscal_year`` (default: the year of now)."""

    actor_id: str
    state: str
    until: date
    reason: str
    key: str | None = None
    process: str | None = None
    area: str | None = None
    fiscal_year: int | None = None


@dataclass(frozen=True)
class Extended:
    """An extension recorded, and the instances it moved now (key, deadline before)."""

    id: int
    process: str
    state: str
    fiscal_year: int
    scope: str  # the instance key or the area code
    until: datetime
    moved: tuple[tuple[str, datetime | None], ...]


def _be(d: datetime | date, lang: str) -> str:
    return format_date(d, "medium", lang=lang)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise NotExtendable(
            f"give the reason for the extension (at least {MIN_REASON} characters), "
            f"e.g. 'flooding in the district'",
            f"ระบุเหตุผลที่ขยายกำหนดเวลา (อย่างน้อย {MIN_REASON} ตัวอักษร) เช่น 'เกิดอุทกภัยในพื้นที่อำเภอ'",
            "--reason",
        )
    return reason


def _actor(session: Session, actor_id: str, area: str) -> Actor:
    actor = session.get(Actor, actor_id)
    if actor is None or not actor.active:
        raise UnknownActor(actor_id, "inactive" if actor else "unknown")
    if not may_extend(actor.role, actor.area_code, area):
        raise NotExtender(actor_id, actor.role, actor.area_code, area)
    return actor


def _step(definition: Definition, state: str) -> None:
    steps = [s.id for s in definition.states if not s.final]
    if state not in steps:
        raise NotExtendable(
            f"{definition.id} has no step {state!r} with a deadline to extend; its steps: "
            f"{', '.join(steps)}",
            f"{definition.id} ไม่มีขั้น {state!r} ที่มีกำหนดเวลาให้ขยาย; ขั้นของกระบวนการนี้: "
            f"{', '.join(steps)}",
            "--step",
        )


def _until(until: date, fiscal_year: int, now: datetime) -> datetime:
    first, last = fy_range(fiscal_year)
    if not first <= until <= last:
        raise NotExtendable(
            f"the new deadline {_be(until, 'en')} lies outside fiscal year {fiscal_year} "
            f"({_be(first, 'en')} - {_be(last, 'en')}); give a day inside it",
            f"กำหนดเวลาใหม่ {_be(until, 'th')} อยู่นอกปีงบประมาณ {fiscal_year} "
            f"({_be(first, 'th')} - {_be(last, 'th')}); ระบุวันในปีงบประมาณนี้",
            "--until",
        )
    due = end_of_day(until).astimezone(UTC)
    if due < now:
        raise NotExtendable(
            f"the new deadline {_be(until, 'en')} has already passed; give a later day",
            f"กำหนดเวลาใหม่ {_be(until, 'th')} ผ่านไปแล้ว; ระบุวันที่ช้ากว่านี้",
            "--until",
        )
    return due


def _not_later(key: str, current: datetime, until: date) -> NotExtendable:
    return NotExtendable(
        f"{key}: the new deadline {_be(until, 'en')} is not after the current one "
        f"({_be(current, 'en')}); an extension moves a deadline later",
        f"{key}: กำหนดเวลาใหม่ {_be(until, 'th')} ไม่ช้ากว่ากำหนดเวลาปัจจุบัน "
        f"({_be(current, 'th')}); การขยายต้องเลื่อนกำหนดเวลาออกไป",
        "--until",
    )


def extension_rows(
    session: Session, fiscal_year: int, process: str, state: str
) -> list[DeadlineExtension]:
    query = select(DeadlineExtension).where(
        col(DeadlineExtension.fiscal_year) == fiscal_year,
        col(DeadlineExtension.definition_id) == process,
        col(DeadlineExtension.state) == state,
    )
    return list(session.exec(query).all())


def step_due(
    session: Session,
    definition: Definition,
    inst: Instance,
    state: str,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date] | None = None,
    *,
    calendar: WorkCalendar | None = None,
    extensions: Iterable[ExtensionLike] | None = None,
) -> datetime | None:
    """The deadline of ``inst`` in ``state``: the definition's, counted on the store's
    working-day calendar, as the step's extensions move it (:func:`effective_due`). The one
    composition of the two for callers on a session (a send-back, a definition migration,
    a calendar change); ``calendar`` and ``extensions`` when the caller already read them
    for many instances. (The engine does the same on its DB-API cursor.)"""
    cal = calendar if calendar is not None else load_calendar(session)
    base = state_due_at(definition, state, inst.fiscal_year, left_at, dates or {}, cal)
    found = (
        extensions
        if extensions is not None
        else extension_rows(session, inst.fiscal_year, definition.id, state)
    )
    return effective_due(base, found, inst.key, inst.area_code)


def extend_deadline(db: sa.Engine, catalog: Catalog, req: ExtendRequest, now: datetime) -> Extended:
    """Record ``req`` and move every instance it reaches now, in one transaction; refused
    (nothing changed) for a bad date, step, reason, instance or actor."""
    reason = _reason(req.reason)
    with Session(db, expire_on_commit=False) as session, session.begin():
        if req.key is not None:
            targets, ext = _for_instance(session, catalog, req, reason, now)
        else:
            targets, ext = _for_area(session, catalog, req, reason, now)
        session.add(ext)
        session.flush()
        rows = extension_rows(session, ext.fiscal_year, ext.definition_id, ext.state)
        moved: list[tuple[str, datetime | None]] = []
        for inst in targets:
            if governing(rows, inst.key, inst.area_code) is not ext:
                continue  # its own, or a narrower area's, extension decides
            _move(session, catalog, inst, ext, now)
            moved.append((inst.key, inst.due_at))
        scope = ext.instance_key or ext.area_code or ""
        return Extended(
            ext.id or 0,
            ext.definition_id,
            ext.state,
            ext.fiscal_year,
            scope,
            ext.until,
            tuple(moved),
        )


def _for_instance(
    session: Session, catalog: Catalog, req: ExtendRequest, reason: str, now: datetime
) -> tuple[list[Instance], DeadlineExtension]:
    key = req.key or ""
    inst = session.exec(select(Instance).where(col(Instance.key) == key)).first()
    if inst is None:
        raise UnknownInstance(key)
    actor = session.get(Actor, req.actor_id)
    if actor is not None and not in_area(actor.area_code, inst.area_code):
        raise OutOfScope(key, actor.area_code, inst.area_code)
    actor = _actor(session, req.actor_id, inst.area_code)
    definition = catalog.get(inst.definition_id, inst.definition_version)
    _step(definition, req.state)
    if inst.withdrawn_at is not None or inst.completed_at is not None:
        why = "withdrawn" if inst.withdrawn_at is not None else "finished"
        why_th = "ถูกถอนแล้ว" if inst.withdrawn_at is not None else "เสร็จสิ้นแล้ว"
        raise NotExtendable(
            f"{key} is {why}; there is no deadline to extend",
            f"{key} {why_th} จึงไม่มีกำหนดเวลาให้ขยาย",
        )
    if inst.state != req.state:
        label = definition.state(inst.state).label
        raise NotExtendable(
            f"{key} is at step {inst.state!r} ({label.en}), not {req.state!r}; extend the step "
            f"it is at, or, for a later step, the deadline of {inst.definition_id} in its "
            f"district or province",
            f"{key} อยู่ที่ขั้น “{label.th}” ({inst.state}) ไม่ใช่ {req.state!r}; ขยายขั้นที่อยู่ตอนนี้ "
            f"หรือสำหรับขั้นถัดไป ขยายกำหนดเวลาของ {inst.definition_id} ทั้งอำเภอหรือทั้งจังหวัด",
            "--step",
        )
    until = _until(req.until, inst.fiscal_year, now)
    if inst.due_at is not None and until <= inst.due_at:
        raise _not_later(key, inst.due_at, req.until)
    ext = _record(actor, inst.fiscal_year, inst.definition_id, req, reason, until, now)
    ext.instance_key = key
    return [inst], ext


def _for_area(
    session: Session, catalog: Catalog, req: ExtendRequest, reason: str, now: datetime
) -> tuple[list[Instance], DeadlineExtension]:
    code, process = req.area or "", req.process or ""
    if not process or not code:
        raise NotExtendable(
            "give the instance key, or the process and the area (a district or province code)",
            "ระบุรหัสรายการ หรือกระบวนการและพื้นที่ (รหัสอำเภอหรือจังหวัด)",
            "KEY | --process P --area CODE",
        )
    area = session.get(Area, code)
    if area is None or area.level not in ("province", "district"):
        raise NotExtendable(
            f"area {code!r} is not a known province or district; give a 2-digit province or "
            f"4-digit district code",
            f"ไม่พบจังหวัดหรืออำเภอรหัส {code!r}; ระบุรหัสจังหวัด 2 หลักหรือรหัสอำเภอ 4 หลัก",
            "--area",
        )
    actor = _actor(session, req.actor_id, code)
    if process not in catalog.ids():
        raise NotExtendable(
            f"no process {process!r}; processes: {', '.join(catalog.ids())}",
            f"ไม่มีกระบวนการ {process!r}; กระบวนการที่มี: {', '.join(catalog.ids())}",
            "--process",
        )
    fiscal_year = req.fiscal_year or fiscal_year_of(to_bangkok(now))
    _step(catalog.get(process), req.state)
    until = _until(req.until, fiscal_year, now)
    query = select(Instance).where(
        col(Instance.fiscal_year) == fiscal_year,
        col(Instance.definition_id) == process,
        col(Instance.state) == req.state,
        col(Instance.area_code).startswith(code),
        col(Instance.completed_at).is_(None),
        counted_clause(),
    )
    targets = list(session.exec(query.order_by(col(Instance.key))).all())
    rows = extension_rows(session, fiscal_year, process, req.state)
    for inst in targets:
        ruler = governing(rows, inst.key, inst.area_code)
        if ruler is not None and _rank(ruler)[:2] > (0, len(code)):
            continue  # a narrower extension keeps deciding it
        if inst.due_at is not None and until <= inst.due_at:
            raise _not_later(inst.key, inst.due_at, req.until)
    ext = _record(actor, fiscal_year, process, req, reason, until, now)
    ext.area_code = code
    return targets, ext


def _record(
    actor: Actor,
    fiscal_year: int,
    process: str,
    req: ExtendRequest,
    reason: str,
    until: datetime,
    now: datetime,
) -> DeadlineExtension:
    return DeadlineExtension(
        at=now,
        actor_id=actor.id,
        role=actor.role,
        fiscal_year=fiscal_year,
        definition_id=process,
        state=req.state,
        until=until,
        reason=reason,
    )


def _move(
    session: Session, catalog: Catalog, inst: Instance, ext: DeadlineExtension, now: datetime
) -> None:
    """The instance's record of ``ext``, its new deadline, and its ladder restarted."""
    definition = catalog.get(inst.definition_id, inst.definition_version)
    data: dict[str, object] = {
        "until": to_bangkok(ext.until).date().isoformat(),
        "reason": ext.reason,
        "extension": ext.id,
    }
    if ext.area_code:
        data["area"] = ext.area_code
    move = Move(
        trigger=AdminTrigger.EXTEND.value,
        to_state=inst.state,
        actor_id=ext.actor_id,
        role=ext.role,
        at=now,
        due_at=ext.until,
        final=False,
        data=data,
        entered_at=inst.state_entered_at,
    )
    try:
        append_transition(session, inst, move)
    except StaleInstance:
        raise Conflict(inst.key, inst.state) from None
    done = set(
        session.exec(
            select(Escalation.level).where(
                col(Escalation.instance_id) == inst.id, col(Escalation.step_seq) == inst.version
            )
        ).all()
    )
    keep = carried_levels(definition, done, ext.until, now)
    carry_levels(session, inst.id or 0, inst.version, sorted(keep))


def list_extensions(
    db: sa.Engine,
    *,
    area: str | None = None,
    fiscal_year: int | None = None,
    key: str | None = None,
) -> list[DeadlineExtension]:
    """The extensions recorded, oldest first: those of ``area`` (an extension of an
    instance or area inside it, or of a wider area holding it), of a year, of an instance."""
    with Session(db) as session:
        query = select(DeadlineExtension).order_by(col(DeadlineExtension.id))
        if fiscal_year:
            query = query.where(col(DeadlineExtension.fiscal_year) == fiscal_year)
        rows = list(session.exec(query).all())
    if key is not None:
        area_of = key.rsplit("/", 1)[-1]
        rows = [
            r
            for r in rows
            if r.instance_key == key
            or (
                r.area_code is not None
                and in_area(r.area_code, area_of)
                and key.split("/")[1] == r.definition_id
            )
        ]
    if area:
        rows = [r for r in rows if _touches(r, area)]
    return rows


def _touches(ext: DeadlineExtension, area: str) -> bool:
    code = (
        ext.area_code if ext.area_code is not None else (ext.instance_key or "").rsplit("/", 1)[-1]
    )
    return code.startswith(area) or area.startswith(code)


def extension_dict(x: DeadlineExtension) -> dict[str, object]:
    """An extension as the CLI's --json and the API give it."""
    return {
        "id": x.id,
        "at": x.at,
        "actor_id": x.actor_id,
        "role": x.role,
        "fiscal_year": x.fiscal_year,
        "process": x.definition_id,
        "step": x.state,
        "instance_key": x.instance_key,
        "area_code": x.area_code,
        "until": to_bangkok(x.until).date().isoformat(),
        "until_at": x.until,
        "reason": x.reason,
    }
