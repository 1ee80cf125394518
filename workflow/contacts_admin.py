"""Managing contacts where people are (the contacts page and the API): list with each
contact's last delivery, add, edit, delete, and send a test message through the outbox.

Who may: :func:`plancycle.workflow.access.check_manages_contacts` (a province office in
its province, an administrator in its area). A contact outside the caller's area is
answered as one that does not exist. The fields are checked by the one rule
(:func:`plancycle.notifier.contacts.check_contact`); a refusal lists every problem by
field and changes nothing. Every change is logged (who, what, before and after).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session, col, select

from plancycle.kinds import Delivery, LastDelivery, OutboxStatus
from plancycle.notifier.channels import Channel
from plancycle.notifier.contacts import (
    FIELDS,
    ContactFields,
    FieldProblem,
    check_contact,
    default_delivery,
)
from plancycle.notifier.dispatch import dispatch_message
from plancycle.store.models import Contact, DeliveryAttempt, OutboxMessage
from plancycle.thai.areacode import in_area
from plancycle.workflow.access import check_manages_contacts
from plancycle.workflow.errors import NotAllowed, WorkflowError

__all__ = [
    "ContactActor",
    "ContactFilter",
    "ContactInvalid",
    "ContactOutOfArea",
    "ContactView",
    "DeliveryStatus",
    "TEST_SUBJECT",
    "UnknownContact",
    "add_contact",
    "delete_contact",
    "edit_contact",
    "get_contact",
    "list_contacts",
    "send_test",
]

TEST_SUBJECT = "ข้อความทดสอบ / test message"
_TEST_WORKER = "contacts-test"


@dataclass(frozen=True, slots=True)
class ContactActor:
    """Who asks: id, role and area (None: nation-wide)."""

    id: str
    role: str
    area: str | None


@dataclass(frozen=True, slots=True)
class ContactFilter:
    area: str | None = None  # an area code: its contacts and those of the areas inside
    role: str | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """How the latest message to a contact went."""

    kind: LastDelivery
    at: datetime | None = None  # the latest attempt (or, waiting, when queued)
    error: str | None = None  # a failed attempt's error

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "at": self.at, "error": self.error}


@dataclass(frozen=True, slots=True)
class ContactView:
    contact: Contact
    status: DeliveryStatus

    @property
    def effective_delivery(self) -> Delivery:
        """How the contact is told: its own choice, else its role's default."""
        c = self.contact
        return Delivery(c.delivery) if c.delivery else default_delivery(c.area_code)

    def as_dict(self) -> dict[str, Any]:
        c = self.contact
        return {
            "id": c.id,
            "area_code": c.area_code,
            "role": c.role,
            "channel": c.channel,
            "address": c.address,
            "name": c.name,
            "delivery": c.delivery,
            "effective_delivery": self.effective_delivery.value,
            "last_delivery": self.status.as_dict(),
        }


class ContactInvalid(WorkflowError, ValueError):
    """A contact's fields with problems (``problems``, each naming its field)."""

    exit_code = 2

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__(
            "the contact was not saved: "
            + "; ".join(f"{p.field}: {p.en}" for p in problems)
            + ". Fix the fields named and save again",
            "ยังไม่ได้บันทึกผู้ติดต่อ: "
            + "; ".join(f"{_FIELD_TH.get(p.field, p.field)}: {p.th}" for p in problems)
            + " แก้ไขช่องที่ระบุแล้วบันทึกใหม่",
        )


class ContactOutOfArea(NotAllowed):
    """A contact's area outside the caller's: refused, and named as the area field's problem."""

    def __init__(self, refusal: NotAllowed) -> None:
        self.problems = [FieldProblem("area_code", refusal.en, refusal.th)]
        super().__init__(refusal.en, refusal.th)


class UnknownContact(WorkflowError, LookupError):
    exit_code = 3

    def __init__(self, contact_id: int) -> None:
        self.contact_id = contact_id
        super().__init__(
            f"no contact #{contact_id} in your area; see the list of contacts",
            f"ไม่พบผู้ติดต่อหมายเลข {contact_id} ในพื้นที่ของคุณ ดูรายการผู้ติดต่อ",
        )


#: how the Thai messages name the fields
_FIELD_TH = {
    "area_code": "รหัสพื้นที่",
    "role": "บทบาท",
    "channel": "ช่องทาง",
    "address": "ที่อยู่",
    "name": "ชื่อ",
    "delivery": "วิธีส่ง",
}


# --- reading -----------------------------------------------------------------


def list_contacts(db: sa.Engine, actor: ContactActor, flt: ContactFilter) -> list[ContactView]:
    """The contacts of the actor's area (narrowed by ``flt``), by area, role, channel."""
    check_manages_contacts(actor.id, actor.role, actor.area)
    area = flt.area or actor.area or ""
    if not in_area(actor.area, area):
        if not in_area(area, actor.area or ""):
            check_manages_contacts(actor.id, actor.role, actor.area, area)
        area = actor.area or ""  # asked for more than it may see: its own part
    query = select(Contact)
    if area:
        query = query.where(col(Contact.area_code).startswith(area))
    if flt.role:
        query = query.where(col(Contact.role) == flt.role)
    if flt.channel:
        query = query.where(col(Contact.channel) == flt.channel)
    query = query.order_by(
        col(Contact.area_code), col(Contact.role), col(Contact.channel), col(Contact.address)
    )
    with Session(db, expire_on_commit=False) as session:
        contacts = list(session.exec(query).all())
        statuses = _statuses(session, [c.id for c in contacts if c.id is not None])
    return [
        ContactView(c, statuses.get(c.id or 0, DeliveryStatus(LastDelivery.NEVER)))
        for c in contacts
    ]


def get_contact(db: sa.Engine, actor: ContactActor, contact_id: int) -> ContactView:
    check_manages_contacts(actor.id, actor.role, actor.area)
    with Session(db, expire_on_commit=False) as session:
        contact = _mine(session, actor, contact_id)
        status = _statuses(session, [contact_id]).get(contact_id)
    return ContactView(contact, status or DeliveryStatus(LastDelivery.NEVER))


def _mine(session: Session, actor: ContactActor, contact_id: int) -> Contact:
    """The contact, if it lies in the actor's area; one outside is as one that is not."""
    contact = session.get(Contact, contact_id)
    if contact is None or not in_area(actor.area, contact.area_code):
        raise UnknownContact(contact_id)
    return contact


def _statuses(session: Session, ids: list[int]) -> dict[int, DeliveryStatus]:
    """Each contact's last delivery: its latest attempt, else a message waiting."""
    if not ids:
        return {}
    c, m, a = Contact.__table__.c, OutboxMessage.__table__.c, DeliveryAttempt.__table__.c  # type: ignore[attr-defined]
    to_contact = sa.and_(
        m.channel == c.channel,
        m.address == c.address,
        m.role == c.role,
        m.area_code == c.area_code,
    )
    found: dict[int, DeliveryStatus] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        rank = (
            sa.func.row_number()
            .over(partition_by=c.id, order_by=(a.at.desc(), a.id.desc()))
            .label("rank")
        )
        latest = (
            sa.select(c.id.label("contact_id"), a.at, a.ok, a.error, rank)
            .select_from(Contact.__table__.join(OutboxMessage.__table__, to_contact))  # type: ignore[attr-defined]
            .join(DeliveryAttempt.__table__, a.message_id == m.id)  # type: ignore[attr-defined]
            .where(c.id.in_(chunk))
            .subquery()
        )
        for row in session.execute(sa.select(latest).where(latest.c.rank == 1)):
            kind = LastDelivery.DELIVERED if row.ok else LastDelivery.FAILED
            found[row.contact_id] = DeliveryStatus(kind, row.at, row.error)
        waiting = (
            sa.select(c.id, sa.func.min(m.created_at))
            .select_from(Contact.__table__.join(OutboxMessage.__table__, to_contact))  # type: ignore[attr-defined]
            .where(c.id.in_([i for i in chunk if i not in found]))
            .where(m.status == OutboxStatus.PENDING)
            .group_by(c.id)
        )
        for contact_id, at in session.execute(waiting):
            found[contact_id] = DeliveryStatus(LastDelivery.WAITING, at)
    return found


# --- writing -----------------------------------------------------------------


def add_contact(
    db: sa.Engine, actor: ContactActor, raw: Mapping[str, str | None], roles: Collection[str]
) -> ContactView:
    """Add a contact from the fields as typed; ContactInvalid / ContactOutOfArea list
    what is wrong, and nothing is written."""
    check_manages_contacts(actor.id, actor.role, actor.area)
    fields = _checked(actor, raw, roles)
    with Session(db, expire_on_commit=False) as session, session.begin():
        _refuse_duplicate(session, fields, None)
        contact = fields.contact()
        session.add(contact)
        session.flush()
    logger.info(
        "contact #{id} added by {actor}: {fields}",
        id=contact.id,
        actor=actor.id,
        fields=fields.row(),
    )
    return ContactView(contact, DeliveryStatus(LastDelivery.NEVER))


def edit_contact(
    db: sa.Engine,
    actor: ContactActor,
    contact_id: int,
    raw: Mapping[str, str | None],
    roles: Collection[str],
) -> ContactView:
    """Change the fields given in ``raw`` (the others stay as they are)."""
    check_manages_contacts(actor.id, actor.role, actor.area)
    with Session(db, expire_on_commit=False) as session, session.begin():
        contact = _mine(session, actor, contact_id)
        before = {f: getattr(contact, f) for f in FIELDS}
        merged = {f: (raw[f] if f in raw else before[f]) for f in FIELDS}
        fields = _checked(actor, merged, roles)
        _refuse_duplicate(session, fields, contact_id)
        for name, value in fields.row().items():
            setattr(contact, name, value)
        session.flush()
        status = _statuses(session, [contact_id]).get(contact_id)
    logger.info(
        "contact #{id} changed by {actor}: {before} -> {after}",
        id=contact_id,
        actor=actor.id,
        before=before,
        after=fields.row(),
    )
    return ContactView(contact, status or DeliveryStatus(LastDelivery.NEVER))


def delete_contact(db: sa.Engine, actor: ContactActor, contact_id: int) -> ContactView:
    """Delete the contact (its messages and their attempts stay, for the record); the
    contact as it was."""
    check_manages_contacts(actor.id, actor.role, actor.area)
    with Session(db, expire_on_commit=False) as session, session.begin():
        contact = _mine(session, actor, contact_id)
        status = _statuses(session, [contact_id]).get(contact_id)
        session.delete(contact)
    logger.info(
        "contact #{id} deleted by {actor}: {fields}",
        id=contact_id,
        actor=actor.id,
        fields={f: getattr(contact, f) for f in FIELDS},
    )
    return ContactView(contact, status or DeliveryStatus(LastDelivery.NEVER))


def send_test(
    db: sa.Engine,
    channels: Mapping[str, Channel],
    actor: ContactActor,
    contact_id: int,
    now: datetime,
) -> ContactView:
    """Queue a test message to the contact through the outbox and deliver it at once
    on its real channel (one attempt: a failure is kept with its error, not retried);
    the contact with its last delivery, this one's outcome."""
    check_manages_contacts(actor.id, actor.role, actor.area)
    with Session(db, expire_on_commit=False) as session, session.begin():
        contact = _mine(session, actor, contact_id)
        message = OutboxMessage(
            channel=contact.channel,
            address=contact.address,
            role=contact.role,
            area_code=contact.area_code,
            subject=TEST_SUBJECT,
            body=(
                f"ข้อความทดสอบจาก plancycle ส่งโดย {actor.id}: ถ้าได้รับข้อความนี้ "
                "ช่องทางนี้ใช้งานได้\n"
                f"A test message from plancycle, sent by {actor.id}: if it reached you, "
                "this channel works."
            ),
            payload={"test": True, "contact_id": contact_id, "by": actor.id},
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        session.add(message)
        session.flush()
        message_id = message.id
    if message_id is None:  # the insert gave no id: the store is not what we expect
        raise RuntimeError("the test message was not stored")
    outcome = dispatch_message(db, channels, message_id, now, worker=_TEST_WORKER)
    logger.info(
        "contact #{id}: test message {message} by {actor}: {outcome}",
        id=contact_id,
        message=message_id,
        actor=actor.id,
        outcome=outcome or "taken by a dispatcher",
    )
    return get_contact(db, actor, contact_id)


def _checked(
    actor: ContactActor, raw: Mapping[str, str | None], roles: Collection[str]
) -> ContactFields:
    fields, problems = check_contact(raw, roles)
    if fields is None:
        raise ContactInvalid(problems)
    try:
        check_manages_contacts(actor.id, actor.role, actor.area, fields.area_code)
    except NotAllowed as refusal:
        raise ContactOutOfArea(refusal) from None
    return fields


def _refuse_duplicate(session: Session, fields: ContactFields, own_id: int | None) -> None:
    same = session.exec(
        select(Contact.id).where(
            col(Contact.area_code) == fields.area_code,
            col(Contact.role) == fields.role,
            col(Contact.channel) == fields.channel,
            col(Contact.address) == fields.address,
        )
    ).first()
    if same is not None and same != own_id:
        raise ContactInvalid(
            [
                FieldProblem(
                    "address",
                    f"contact #{same} already has this area, role, channel and address; "
                    "edit that one instead",
                    f"มีผู้ติดต่อหมายเลข {same} ที่มีพื้นที่ บทบาท ช่องทาง และที่อยู่นี้แล้ว ให้แก้ไขรายการนั้นแทน",
                )
            ]
        )
