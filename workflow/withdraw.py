"""Withdrawing an instance created by mistake, and moving an Activity 3 instance to the
district's new strong tambon.

Neither deletes anything. Withdrawing appends a record to the instance's chain (trigger
``withdraw``: who, in which role, when and why; the state stays) and sets
``instance.withdrawn_at``; a withdrawn instance is left out of every count, list, KPI,
sweep and inbox (``AreaFilter.clauses``) and cannot be advanced, but ``show`` and
``history`` still open it. Moving (``retarget``) changes the key and area of an
instance that has no record yet (its chain starts from its key), and leaves a record
saying from where; an instance with records keeps its key, and the refusal says how to
replace it: withdraw it, then start the cycle again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.builtin_actors import BuiltinRole
from plancycle.definitions.model import Text
from plancycle.store.chain import Move, StaleInstance, append_transition
from plancycle.store.models import ONE_PER_DISTRICT_PROCESSES, Actor, Instance
from plancycle.store.targets import designate_strong_tambon
from plancycle.thai.areacode import AreaCode, in_area
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.errors import (
    Conflict,
    NotAllowed,
    UnknownActor,
    UnknownInstance,
    WorkflowError,
)

__all__ = [
    "ADMIN_ROLE",
    "ADMIN_DATE_FIELDS",
    "ADMIN_FIELD_LABELS",
    "ADMIN_TRIGGER_LABELS",
    "LOCAL_ADMIN",
    "MIN_REASON",
    "WITHDRAW_ROLES",
    "AdminTrigger",
    "MissingReason",
    "NotWithdrawable",
    "NotWithdrawer",
    "Retargeted",
    "counted_clause",
    "designate_strong",
    "may_withdraw",
    "retarget_strong",
    "withdraw_instance",
    "withdrawn_refusal",
]


class AdminTrigger(StrEnum):
    """Records that change no state: the replay of the audit passes over them."""

    WITHDRAW = "withdraw"
    RETARGET = "retarget"
    RECALENDAR = "recalendar"  # a holiday added or removed moved the step's deadline
    EXTEND = "extend_deadline"  # a step's deadline moved later (workflow/extensions.py)


#: how the history names these records
ADMIN_TRIGGER_LABELS = {
    AdminTrigger.WITHDRAW.value: Text("ถอนรายการ (ไม่นับรวม)", "withdrawn (not counted)"),
    AdminTrigger.RETARGET.value: Text("ย้ายไปตำบลเข้มแข็งใหม่", "moved to the new strong tambon"),
    AdminTrigger.RECALENDAR.value: Text(
        "เลื่อนกำหนดส่งตามปฏิทินวันหยุด", "deadline moved by the holiday calendar"
    ),
    AdminTrigger.EXTEND.value: Text("ขยายกำหนดเวลา", "deadline extended"),
}

#: how the history names the values of these records
ADMIN_FIELD_LABELS = {
    "reason": Text("เหตุผล", "reason"),
    "from_area": Text("จากตำบล", "from tambon"),
    "to_area": Text("ไปตำบล", "to tambon"),
    "from_key": Text("รหัสรายการเดิม", "former key"),
    "calendar_day": Text("วันที่เปลี่ยนในปฏิทิน", "calendar day changed"),
    "due_from": Text("กำหนดส่งเดิม", "former deadline"),
    "due_to": Text("กำหนดส่งใหม่", "new deadline"),
    "until": Text("กำหนดเวลาใหม่", "new deadline"),
    "area": Text("ขยายทั้งพื้นที่", "for the whole area"),
    "extension": Text("เลขที่การขยาย", "extension no."),
}

#: the values of these records that name a day (shown in BE)
ADMIN_DATE_FIELDS = frozenset({(AdminTrigger.EXTEND.value, "until")})

#: the role and id a change made without a token (the store's local administrator) is
#: recorded as
ADMIN_ROLE = BuiltinRole.ADMIN.value
LOCAL_ADMIN = "local-admin"

#: who may withdraw: the administrator (anywhere) and a provincial CD office (its province)
WITHDRAW_ROLES = frozenset({ADMIN_ROLE, "provincial_cd_office"})
MIN_REASON = 5


class NotWithdrawable(WorkflowError):
    """An instance that cannot be withdrawn or moved as asked."""

    exit_code = 5


class MissingReason(WorkflowError):
    """No reason, or one too short, for withdrawing ``key``; worded for the command line
    (a web shell words it for its own field: ``web/wording.py``)."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"give the reason for withdrawing {key} with --reason (at least {MIN_REASON} "
            f"characters), e.g. --reason 'not on the letter's target list'",
            f"ระบุเหตุผลที่ถอน {key} ด้วย --reason (อย่างน้อย {MIN_REASON} ตัวอักษร) "
            f"เช่น --reason 'ไม่อยู่ในรายการเป้าหมายตามหนังสือ'",
        )


class NotWithdrawer(NotAllowed):
    """An actor whose role or area may not withdraw an instance of ``area``; the facts
    kept so a page can name the roles by their labels."""

    def __init__(self, actor_id: str, role: str, actor_area: str | None, area: str) -> None:
        self.actor_id, self.role, self.actor_area, self.area = actor_id, role, actor_area, area
        roles = ", ".join(sorted(WITHDRAW_ROLES))
        super().__init__(
            f"actor {actor_id!r} (role {role}, area {actor_area or 'nation'}) may not "
            f"withdraw instances of area {area}; ask an actor of role {roles} over that area",
            f"ผู้ใช้ {actor_id!r} ถอนรายการของพื้นที่ {area} ไม่ได้; ให้ผู้ดูแลระบบหรือ"
            f"สำนักงานพัฒนาชุมชนจังหวัดของพื้นที่นั้นเป็นผู้ถอน",
        )


def may_withdraw(role: str, actor_area: str | None, area: str) -> bool:
    """Whether an actor of ``role`` over ``actor_area`` may withdraw an instance of ``area``."""
    return role in WITHDRAW_ROLES and in_area(actor_area, area)


def counted_clause() -> sa.ColumnElement[bool]:
    """The instances that count: those not withdrawn."""
    return col(Instance.withdrawn_at).is_(None)


def withdrawn_refusal(key: str) -> NotWithdrawable:
    """The refusal of a step on a withdrawn instance."""
    return NotWithdrawable(
        f"{key} was withdrawn and is not counted; nothing can be recorded on it "
        f"(see `plancycle history {key}` for who withdrew it and why)",
        f"{key} ถูกถอนออกแล้วและไม่นับรวม จึงบันทึกขั้นตอนไม่ได้ (ดูผู้ถอนและเหตุผลด้วย `plancycle history {key}`)",
    )


def _actor(session: Session, actor_id: str, area: str) -> Actor:
    actor = session.get(Actor, actor_id)
    if actor is None or not actor.active:
        raise UnknownActor(actor_id, "inactive" if actor else "unknown")
    if not may_withdraw(actor.role, actor.area_code, area):
        raise NotWithdrawer(actor_id, actor.role, actor.area_code, area)
    return actor


def withdraw_instance(
    db: sa.Engine, key: str, actor_id: str, reason: str, now: datetime
) -> Instance:
    """Withdraw ``key``: a record (who, role, when, ``reason``) and ``withdrawn_at``."""
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise MissingReason(key)
    with Session(db, expire_on_commit=False) as session, session.begin():
        inst = session.exec(select(Instance).where(col(Instance.key) == key)).first()
        if inst is None:
            raise UnknownInstance(key)
        actor = _actor(session, actor_id, inst.area_code)
        if inst.withdrawn_at is not None:
            raise NotWithdrawable(
                f"{key} was already withdrawn; nothing changed",
                f"{key} ถูกถอนไปแล้ว ไม่มีการเปลี่ยนแปลง",
            )
        move = Move(
            trigger=AdminTrigger.WITHDRAW.value,
            to_state=inst.state,
            actor_id=actor.id,
            role=actor.role,
            at=now,
            due_at=inst.due_at,
            final=inst.completed_at is not None,
            data={"reason": reason},
        )
        try:
            append_transition(session, inst, move)
        except StaleInstance:
            raise Conflict(key, inst.state) from None
        session.execute(
            sa.update(Instance).where(col(Instance.id) == inst.id).values(withdrawn_at=now)
        )
        session.expire(inst)
        session.refresh(inst)
        return inst


@dataclass(frozen=True)
class Retargeted:
    """An instance moved from one tambon to another (``old_key`` → ``new_key``)."""

    old_key: str
    new_key: str


@dataclass(frozen=True, slots=True)
class _Head:
    id: int | None
    key: str
    state: str
    version: int
    head_hash: str | None


def retarget_strong(
    session: Session,
    fiscal_year: int,
    old_code: str,
    new_code: str,
    acted_by: tuple[str, str],
    now: datetime,
) -> list[Retargeted]:
    """Move the year's counted one-per-district instances of ``old_code`` to ``new_code``
    (the district's new strong tambon), inside the caller's transaction; refused, naming
    what to do, when an instance already holds records. ``acted_by`` is (actor, role)."""
    moved: list[Retargeted] = []
    for process in ONE_PER_DISTRICT_PROCESSES:
        old_key = instance_key(fiscal_year, process, old_code)
        inst = session.exec(
            select(Instance).where(col(Instance.key) == old_key, counted_clause())
        ).first()
        if inst is None:
            continue
        if inst.head_hash is not None:
            raise _has_records(inst, new_code)
        new_key = instance_key(fiscal_year, process, new_code)
        session.execute(
            sa.update(Instance)
            .where(col(Instance.id) == inst.id, col(Instance.version) == inst.version)
            .values(key=new_key, area_code=new_code, district_code=AreaCode(new_code).district)
        )
        head = _Head(inst.id, new_key, inst.state, inst.version, None)
        move = Move(
            trigger=AdminTrigger.RETARGET.value,
            to_state=inst.state,
            actor_id=acted_by[0],
            role=acted_by[1],
            at=now,
            due_at=inst.due_at,
            final=False,
            data={"from_area": old_code, "to_area": new_code, "from_key": old_key},
        )
        append_transition(session, head, move)
        moved.append(Retargeted(old_key, new_key))
    return moved


def _has_records(inst: Instance, new_code: str) -> NotWithdrawable:
    steps = inst.version - 1
    fy = inst.fiscal_year
    return NotWithdrawable(
        f"{inst.key} already holds {steps} recorded step(s), and a record's key cannot change; "
        f"the strong tambon was not changed. To replace it: `plancycle instances withdraw "
        f"{inst.key} --reason ...`, then `plancycle areas strong set {new_code} --fy {fy}` "
        f"and `plancycle cycle start {fy}`",
        f"{inst.key} บันทึกไปแล้ว {steps} ขั้น และรหัสของบันทึกเปลี่ยนไม่ได้ จึงไม่ได้เปลี่ยนตำบลเข้มแข็ง; "
        f"หากต้องการเปลี่ยน: `plancycle instances withdraw {inst.key} --reason ...` แล้ว "
        f"`plancycle areas strong set {new_code} --fy {fy}` และ `plancycle cycle start {fy}`",
    )


def designate_strong(
    db: sa.Engine,
    fiscal_year: int,
    codes: list[str],
    acted_by: tuple[str, str],
    now: datetime,
) -> list[tuple[str, str | None]]:
    """Make each of ``codes`` its district's strong tambon for the year, moving a started
    instance that has no record yet (:func:`retarget_strong`); all or nothing. Returns
    (code, the tambon it replaced or None)."""
    done: list[tuple[str, str | None]] = []
    with Session(db) as session, session.begin():
        for code in codes:
            previous = designate_strong_tambon(session, fiscal_year, code)
            if previous is not None:
                retarget_strong(session, fiscal_year, previous, code, acted_by, now)
            done.append((code, previous))
    return done
