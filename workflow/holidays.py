"""The administrators' changes to the store's working-day calendar
(:mod:`plancycle.workflow.holiday_calendar` loads it).

:func:`change_holiday` adds or removes a day (an administrator only; a bad day refused
with nothing changed), and in the same transaction
moves the stored deadline of every open instance whose deadline the change moves (a
``roll`` or a working-day count), each with a ``recalendar`` record on its audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, Deadline, DeadlineKind, Definition
from plancycle.kinds import DayCount, HolidayAction
from plancycle.store.chain import Move, append_transition
from plancycle.store.escalations import carry_over
from plancycle.store.models import (
    Actor,
    DeadlineExtension,
    HolidayChange,
    Instance,
    TransitionRecord,
)
from plancycle.thai.dates import format_date
from plancycle.thai.fiscal import start_of_day, to_bangkok
from plancycle.workflow.datefields import recorded_dates
from plancycle.workflow.errors import BadStepInput, NotAllowed, UnknownActor
from plancycle.workflow.extensions import extension_rows, step_due
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.leftat import left_at
from plancycle.workflow.withdraw import ADMIN_ROLE, AdminTrigger
from plancycle.workflow.workdays import DayOffKind, WorkCalendar

__all__ = [
    "BadHoliday",
    "HolidayDone",
    "change_holiday",
    "holiday_changes",
]


class BadHoliday(BadStepInput):
    """A holiday change that cannot be made as given."""


@dataclass(frozen=True, slots=True)
class HolidayDone:
    """What a change did: the day, and the keys of the instances whose deadline moved."""

    day: date
    action: HolidayAction
    moved: tuple[str, ...]


def holiday_changes(session: Session) -> list[HolidayChange]:
    """Every change made to the calendar, oldest first."""
    return list(session.exec(select(HolidayChange).order_by(col(HolidayChange.id))).all())


def _be(day: date) -> str:
    return format_date(day, lang="th")


def _check(calendar: WorkCalendar, day: date, action: HolidayAction, name_th: str | None) -> None:
    """Refuse a change that is not one: naming the day and what to do instead."""
    off = calendar.day_off(day)
    iso, be = day.isoformat(), _be(day)
    if action == HolidayAction.ADD:
        if not (name_th or "").strip():
            raise BadHoliday(
                f'give the holiday\'s Thai name: plancycle holidays add {iso} "วันหยุดพิเศษ"',
                f'ระบุชื่อวันหยุดภาษาไทย: plancycle holidays add {iso} "วันหยุดพิเศษ"',
            )
        if off is not None:
            raise BadHoliday(
                f"{iso} is already a day off ({off.name_en}); nothing to add",
                f"{be} เป็นวันหยุดอยู่แล้ว ({off.name_th}); ไม่ต้องเพิ่ม",
            )
        return
    if off is None:
        raise BadHoliday(
            f"{iso} is already a working day; nothing to remove (see plancycle holidays list)",
            f"{be} เป็นวันทำการอยู่แล้ว; ไม่มีวันหยุดให้ลบ (ดู plancycle holidays list)",
        )
    if off.kind == DayOffKind.WEEKEND:
        raise BadHoliday(
            f"{iso} is a {off.name_en}, not a holiday; only holidays can be removed",
            f"{be} เป็น{off.name_th} ไม่ใช่วันหยุดราชการ; ลบได้เฉพาะวันหยุด",
        )


def _calendar_bound(spec: Deadline) -> bool:
    """Whether a deadline's day depends on the working-day calendar."""
    return spec.roll is not None or (
        spec.kind == DeadlineKind.AFTER and spec.count == DayCount.WORKING
    )


def _bound_states(definition: Definition) -> set[str]:
    out = set()
    for state in definition.states:
        specs = state.due
        if state.wait and not state.due:
            specs = tuple(d for s in definition.blocked_steps(state.id) for d in s.due)
        if any(_calendar_bound(d) for d in specs):
            out.add(state.id)
    return out


def _move_deadlines(
    session: Session,
    catalog: Catalog,
    calendar: WorkCalendar,
    day: date,
    acted_by: tuple[str, str],
    now: datetime,
) -> list[str]:
    """Store the new deadline of every open instance the calendar change moves."""
    moved: list[str] = []
    # a deadline due before ``day`` was counted over earlier days only (a roll moves a day
    # forward, a working-day count ends at its deadline): ``day`` cannot move it
    open_rows = session.exec(
        select(Instance).where(
            col(Instance.completed_at).is_(None),
            col(Instance.withdrawn_at).is_(None),
            col(Instance.due_at) >= start_of_day(day).astimezone(UTC),
        )
    ).all()
    bound: dict[tuple[str, int], set[str]] = {}
    extended: dict[tuple[int, str, str], list[DeadlineExtension]] = {}  # read once per step
    for inst in open_rows:
        definition = catalog.get(inst.definition_id, inst.definition_version)
        states = bound.setdefault((definition.id, definition.version), _bound_states(definition))
        if inst.state not in states:
            continue
        records = session.exec(
            select(TransitionRecord)
            .where(col(TransitionRecord.instance_id) == inst.id)
            .order_by(col(TransitionRecord.seq))
        ).all()
        left = left_at(catalog, definition, [(r.from_state, r.at) for r in records])
        at = (inst.fiscal_year, definition.id, inst.state)
        if at not in extended:
            extended[at] = extension_rows(session, *at)
        due = step_due(
            session,
            definition,
            inst,
            inst.state,
            left,
            recorded_dates(records),
            calendar=calendar,
            extensions=extended[at],
        )
        if due == inst.due_at:
            continue
        data = {
            "calendar_day": day.isoformat(),
            "due_from": to_bangkok(inst.due_at).date().isoformat() if inst.due_at else None,
            "due_to": to_bangkok(due).date().isoformat() if due else None,
        }
        move = Move(
            trigger=AdminTrigger.RECALENDAR.value,
            to_state=inst.state,
            actor_id=acted_by[0],
            role=acted_by[1],
            at=now,
            due_at=due,
            final=False,
            data=data,
            entered_at=inst.state_entered_at,
        )
        append_transition(session, inst, move)
        carry_over(session, [inst.id or 0], {})
        moved.append(inst.key)
    return moved


def _admin(session: Session, actor_id: str) -> Actor:
    """The acting administrator; refused (nothing changed) for anyone else."""
    actor = session.get(Actor, actor_id)
    if actor is None or not actor.active:
        raise UnknownActor(actor_id, "inactive" if actor else "unknown")
    if actor.role != ADMIN_ROLE:
        raise NotAllowed(
            f"actor {actor_id!r} has role {actor.role!r}; only an administrator (role "
            f"'{ADMIN_ROLE}') may change the holiday calendar: give --by an administrator's id",
            f"ผู้ใช้ {actor_id!r} ไม่ใช่ผู้ดูแลระบบ; เฉพาะผู้ดูแลระบบ (บทบาท {ADMIN_ROLE}) "
            f"เท่านั้นที่แก้ไขปฏิทินวันหยุดได้: ระบุ --by เป็นรหัสผู้ดูแลระบบ",
        )
    return actor


def change_holiday(
    db: sa.Engine,
    catalog: Catalog,
    day: date,
    action: HolidayAction,
    name_th: str | None,
    actor_id: str,
    now: datetime,
) -> HolidayDone:
    """Add ``day`` as a holiday named ``name_th``, or remove it (a working day after all),
    as the administrator ``actor_id``; all or nothing."""
    name = name_th.strip() if name_th else None
    with Session(db) as session, session.begin():
        actor = _admin(session, actor_id)
        _check(load_calendar(session), day, action, name)
        session.add(
            HolidayChange(
                day=day.isoformat(),
                action=action.value,
                name_th=name if action == HolidayAction.ADD else None,
                actor_id=actor.id,
                role=actor.role,
                at=now,
            )
        )
        session.flush()
        calendar = load_calendar(session)
        moved = _move_deadlines(session, catalog, calendar, day, (actor.id, actor.role), now)
    return HolidayDone(day, action, tuple(moved))
