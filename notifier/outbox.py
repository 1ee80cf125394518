"""Writing notifications into the outbox, in the same transaction as their escalation.

One :class:`OutboxMessage` per address the recipient role has at its area; a role
with no contact there still gets one message, on the ``log`` channel, addressed
``role@area`` (``role@TH`` nation-wide), so nothing is lost and the gap shows in the
logs. The dispatcher (``plancycle.notifier.dispatch``) delivers them later.

A notice's messages are due when :class:`DeliveryRules` says (a working morning, or at
once for an overdue notice or an escalation to an immediate contact on a working day);
those of a digest contact are ``held`` for its next digest (``plancycle.notifier.digest``).
A sweep's messages to an immediate contact are ``held`` too, marked ``BUNDLE_MARK``, until
the sweep folds each recipient's into one message (a single one is sent as it is).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session

from plancycle.kinds import Delivery, Folded, OutboxStatus
from plancycle.notifier.contacts import ContactBook
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.notifier.messages import render
from plancycle.notifier.notice import Notice
from plancycle.store.models import OutboxMessage, table_of

__all__ = [
    "BUNDLE_MARK",
    "add_messages",
    "enqueue",
    "fallback_address",
    "message_rows",
    "outbox_rows",
    "timed",
]

#: The payload key of a held message waiting for its sweep's bundle (value ``bundle``).
BUNDLE_MARK = "fold"

# One Core statement for every batch: executed with a list of rows it is compiled once
# (SQLAlchemy caches it) and sent as one executemany, without an ORM object per row.
_INSERT = sa.insert(table_of(OutboxMessage))


def fallback_address(role: str, area_for_role: str) -> str:
    """The log-channel address of a role with no contact: ``district_chief@2401``."""
    return f"{role}@{area_for_role or 'TH'}"


def outbox_rows(
    escalation_id: int | None,
    notice: Notice,
    area_for_role: str,
    book: ContactBook,
    now: datetime,
    rules: DeliveryRules | None = None,
    *,
    bundle: bool = False,
) -> list[dict[str, Any]]:
    """The messages for ``notice``, one per contact of ``notice.role`` at
    ``area_for_role``, as rows of ``outbox_message`` for :func:`add_messages`: each due
    when ``rules`` say for its contact's delivery, held when that is a digest (or, with
    ``bundle``, for the sweep's bundle when it is immediate)."""
    rules = rules or DeliveryRules()
    subject, body = render(notice, rules.instance_url(notice.key))
    rows = message_rows(
        escalation_id, notice.role, area_for_role, subject, body, notice.payload(), book, now
    )
    return timed(rows, notice.kind, book, now, rules, bundle=bundle)


def timed(
    rows: list[dict[str, Any]],
    kind: str,
    book: ContactBook,
    now: datetime,
    rules: DeliveryRules,
    *,
    bundle: bool = False,
) -> list[dict[str, Any]]:
    """``rows`` (of :func:`message_rows`) due when ``rules`` say for a message of ``kind``
    to each contact's delivery: a digest contact's held for its digest; with ``bundle``,
    an immediate contact's held (marked) for the sweep's bundle."""
    for row in rows:
        delivery = book.delivery(row["role"], row["area_code"], row["channel"], row["address"])
        row["next_attempt_at"] = rules.send_at(kind, delivery, now)
        if delivery == Delivery.DIGEST:
            row["status"] = OutboxStatus.HELD
        elif bundle:
            row["status"] = OutboxStatus.HELD
            row["payload"] = {**row["payload"], BUNDLE_MARK: Folded.BUNDLE.value}
    return rows


def message_rows(
    escalation_id: int | None,
    role: str,
    area_for_role: str,
    subject: str,
    body: str,
    payload: dict[str, Any],
    book: ContactBook,
    now: datetime,
) -> list[dict[str, Any]]:
    """One ``outbox_message`` row per contact of ``role`` at ``area_for_role`` (the log
    channel's ``role@area`` when it has none), due at ``now``: any message, an
    escalation's notice or a reviewer's (a step sent back)."""
    targets = book.lookup(role, area_for_role)
    if not targets:
        address = fallback_address(role, area_for_role)
        logger.warning(
            "no contact for {role} at {area}: notice {key} goes to the log as {address}",
            role=role,
            area=area_for_role or "TH",
            key=payload.get("key"),
            address=address,
        )
        targets = [("log", address)]
    return [
        {
            "escalation_id": escalation_id,
            "channel": channel,
            "address": address,
            "role": role,
            "area_code": area_for_role,
            "subject": subject,
            "body": body,
            "payload": payload,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "claimed_by": None,
            "claimed_until": None,
            "last_error": None,
            "created_at": now,
            "delivered_at": None,
            "digest_key": None,
            "digest_id": None,
        }
        for channel, address in targets
    ]


def add_messages(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert rows made by :func:`outbox_rows` in one statement; how many. Nothing is
    committed: the caller's transaction also holds their escalations."""
    if rows:
        session.execute(_INSERT, rows)
    return len(rows)


def enqueue(
    session: Session,
    escalation_id: int | None,
    notice: Notice,
    area_for_role: str,
    book: ContactBook,
    now: datetime,
    rules: DeliveryRules | None = None,
) -> int:
    """Add the messages for ``notice`` (one per contact of ``notice.role`` at
    ``area_for_role``) to ``session``'s transaction, due as ``rules`` say; how many were
    added. Nothing is committed: the caller's transaction also holds the escalation."""
    return add_messages(
        session, outbox_rows(escalation_id, notice, area_for_role, book, now, rules)
    )
