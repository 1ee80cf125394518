"""Notices folded into one message per recipient: the daily digest and the sweep's bundle.

A digest contact's notices wait in the outbox as ``held`` rows, due on a working morning
(``DeliveryRules``). :func:`build_digests`, run before each dispatch on a working day from
the morning's hour, turns every recipient's due held rows (one recipient is a channel and
an address) into one ``pending`` digest message, in one transaction per recipient:

1. insert the digest with its unique ``digest_key`` (Bangkok day, channel, address),
   ``ON CONFLICT DO NOTHING``: a second scheduler building the same digest inserts
   nothing, so no recipient ever gets two digests for one day;
2. mark the recipient's due held rows ``digested`` with the digest's id (``RETURNING``
   them, so the digest lists exactly the rows it took, however the builders interleave);
3. word the digest from those rows.

A held row the day's digest missed (written after it was built) moves to the next
working morning. The digest then goes through the dispatcher like any message: at least
once, with retries; the items it carries keep their rows and point at it. Nothing is lost.

An **immediate** contact's notices from a sweep are held too (marked ``BUNDLE_MARK``), due
at once on a working day (else the next working morning). :func:`build_bundles`, run by
the sweep when it has written them all, folds each recipient's due ones into one
``pending`` bundle worded like the digest but saying it is sent at once (the same two
steps, the rows taken first with ``RETURNING`` so a row joins one bundle only, and the
bundle's ``digest_key`` is its instant, channel and address). A recipient with a single
due notice gets that message as it is. The dispatcher's :func:`build_digests` also
bundles rows a sweep left held for longer than ``BUNDLE_GRACE`` (a sweep that died, or
notices due this morning), so nothing waits for ever.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from loguru import logger
from sqlalchemy.dialects import postgresql, sqlite

from plancycle.kinds import Folded, OutboxStatus
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.notifier.messages import render_digest
from plancycle.notifier.notice import Notice
from plancycle.notifier.outbox import BUNDLE_MARK
from plancycle.store.models import OutboxMessage
from plancycle.thai.fiscal import to_bangkok
from plancycle.workflow.overdue import days_late

__all__ = [
    "BUNDLE_GRACE",
    "DIGEST_KIND",
    "DigestReport",
    "build_bundles",
    "build_digests",
    "digest_key",
    "reword_digest",
]

_OUTBOX: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]
#: The ``kind`` in a digest message's payload.
DIGEST_KIND = Folded.DIGEST
#: How long the dispatcher leaves a sweep's held immediate notices to the sweep itself.
BUNDLE_GRACE = timedelta(minutes=10)


@dataclass
class DigestReport:
    """What one build did: digests written, notices folded into them, and notices moved
    to the next working morning because the day's digest had already gone; bundles
    written, notices in them, and single notices sent as they are."""

    digests: int = 0
    items: int = 0
    moved: int = 0
    bundles: int = 0
    bundled: int = 0
    single: int = 0


def _bundled() -> sa.ColumnElement[bool]:
    """A held row waiting for a bundle (an immediate contact's, from a sweep)."""
    mark = _OUTBOX.c.payload[BUNDLE_MARK].as_string()
    return sa.func.coalesce(mark, "") == Folded.BUNDLE.value


def digest_key(now: datetime, channel: str, address: str) -> str:
    """``2025-03-03|email|x@y``: one digest per Bangkok day per recipient."""
    return f"{to_bangkok(now).date().isoformat()}|{channel}|{address}"


def build_digests(db: sa.Engine, now: datetime, rules: DeliveryRules | None = None) -> DigestReport:
    """Build the digest of every recipient with held notices due by ``now`` (nothing on a
    day off or before the morning's hour), after the bundles a sweep left held for longer
    than ``BUNDLE_GRACE`` (:func:`build_bundles`); the report counts both."""
    rules = (rules or DeliveryRules()).for_run(db)
    report = build_bundles(db, now, rules, own=False)
    if not rules.is_sending_time(now):
        return report
    c = _OUTBOX.c
    due = sa.and_(c.status == OutboxStatus.HELD, c.next_attempt_at <= now, ~_bundled())
    with db.connect() as conn:
        recipients = conn.execute(
            sa.select(c.channel, c.address).where(due).distinct().order_by(c.channel, c.address)
        ).all()
    for channel, address in recipients:
        _build_one(db, now, rules, channel, address, report)
    if report.digests or report.moved:
        logger.info(
            "digests at {now}: {d} built, {i} notices in them, {m} moved to the next morning",
            now=now.isoformat(),
            d=report.digests,
            i=report.items,
            m=report.moved,
        )
    return report


def _build_one(
    db: sa.Engine,
    now: datetime,
    rules: DeliveryRules,
    channel: str,
    address: str,
    report: DigestReport,
) -> None:
    c = _OUTBOX.c
    mine = sa.and_(
        c.status == OutboxStatus.HELD,
        c.next_attempt_at <= now,
        c.channel == channel,
        c.address == address,
        ~_bundled(),
    )
    key = digest_key(now, channel, address)
    try:
        taken = _fold(db, now, rules, channel, address, key, mine, report)
    except _TakenElsewhere:
        return
    if taken:
        report.digests += 1
        report.items += taken


class _TakenElsewhere(Exception):
    """Another builder took the recipient's rows first: roll this digest back."""


def _fold(
    db: sa.Engine,
    now: datetime,
    rules: DeliveryRules,
    channel: str,
    address: str,
    key: str,
    mine: sa.ColumnElement[bool],
    report: DigestReport,
) -> int:
    """One recipient's digest in one transaction; how many notices it took."""
    c = _OUTBOX.c
    with db.begin() as conn:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        placeholder = (
            insert(_OUTBOX)
            .values(_digest_row(key, channel, address, now))
            .on_conflict_do_nothing(index_elements=["digest_key"])
            .returning(c.id)
        )
        digest_id = conn.execute(placeholder).scalar()
        if digest_id is None:  # the day's digest went already (here or in another scheduler)
            later = rules.morning(now + timedelta(seconds=1))
            moved = conn.execute(sa.update(_OUTBOX).where(mine).values(next_attempt_at=later))
            report.moved += moved.rowcount
            return 0
        taken = conn.execute(
            sa.update(_OUTBOX)
            .where(mine)
            .values(status=OutboxStatus.DIGESTED, digest_id=digest_id)
            .returning(c.id, c.role, c.area_code, c.payload)
        ).all()
        if not taken:  # another builder took them between our read and now
            raise _TakenElsewhere
        _word(conn, digest_id, key, Folded.DIGEST, taken, now, rules)
    return len(taken)


def _word(
    conn: sa.Connection,
    folded_id: int,
    key: str,
    kind: Folded,
    taken: Sequence[sa.Row[Any]],
    now: datetime,
    rules: DeliveryRules,
) -> None:
    """Word the digest or bundle ``folded_id`` from the rows it took."""
    notices = [_current(Notice.from_payload(row.payload), now) for row in taken]
    subject, body = render_digest(
        notices,
        now,
        link=rules.instance_url,
        inbox=rules.inbox_url(),
        immediate=kind == Folded.BUNDLE,
    )
    first = taken[0]
    conn.execute(
        sa.update(_OUTBOX)
        .where(_OUTBOX.c.id == folded_id)
        .values(
            subject=subject,
            body=body,
            role=first.role,
            area_code=first.area_code,
            payload={
                "key": key,
                "kind": kind.value,
                "count": len(taken),
                "message_ids": [row.id for row in taken],
                "items": [row.payload for row in taken],
            },
        )
    )


def build_bundles(
    db: sa.Engine,
    now: datetime,
    rules: DeliveryRules | None = None,
    *,
    own: bool = True,
) -> DigestReport:
    """Fold each immediate recipient's due held notices into one bundle sent at once (a
    single notice is released as it is). With ``own`` (the sweep at ``now``, after
    writing) the notices written at ``now`` are taken at once; others only once they
    are ``BUNDLE_GRACE`` old, so the dispatcher never splits a sweep still writing."""
    rules = rules or DeliveryRules()
    report = DigestReport()
    c = _OUTBOX.c
    ripe = c.created_at <= now - BUNDLE_GRACE
    if own:
        ripe = sa.or_(ripe, c.created_at == now)
    held = sa.and_(c.status == OutboxStatus.HELD, _bundled(), ripe)
    due = sa.and_(held, c.next_attempt_at <= now)
    # a bundle also takes the recipient's notices due later today (a weekend's, due this
    # working morning), so the day's first bundle carries them and no second one follows
    today = sa.and_(held, c.next_attempt_at < _next_day(now))
    with db.connect() as conn:
        recipients = conn.execute(
            sa.select(c.channel, c.address).where(due).distinct().order_by(c.channel, c.address)
        ).all()
    for channel, address in recipients:
        mine = sa.and_(today, c.channel == channel, c.address == address)
        try:
            _bundle_one(db, now, rules, channel, address, mine, report)
        except _TakenElsewhere:
            continue
    if report.bundles or report.single:
        logger.info(
            "bundles at {now}: {b} built, {i} notices in them, {s} sent alone",
            now=now.isoformat(),
            b=report.bundles,
            i=report.bundled,
            s=report.single,
        )
    return report


def _next_day(now: datetime) -> datetime:
    """The start of the Bangkok day after ``now``'s."""
    local = to_bangkok(now)
    return datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)


def _bundle_one(
    db: sa.Engine,
    now: datetime,
    rules: DeliveryRules,
    channel: str,
    address: str,
    mine: sa.ColumnElement[bool],
    report: DigestReport,
) -> None:
    """One recipient's bundle in one transaction. The rows are taken first (locked on
    PostgreSQL until commit, so a second builder finds none of them held)."""
    c = _OUTBOX.c
    key = f"{to_bangkok(now).isoformat()}|{channel}|{address}"
    with db.begin() as conn:
        taken = conn.execute(
            sa.update(_OUTBOX)
            .where(mine)
            .values(status=OutboxStatus.DIGESTED)
            .returning(c.id, c.role, c.area_code, c.payload)
        ).all()
        if not taken:
            return
        if len(taken) == 1:  # a single notice goes as it was worded
            conn.execute(
                sa.update(_OUTBOX)
                .where(c.id == taken[0].id)
                .values(status=OutboxStatus.PENDING, next_attempt_at=now)
            )
            report.single += 1
            return
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        row = {**_digest_row(key, channel, address, now), "payload": {"key": key}}
        bundle_id = conn.execute(
            insert(_OUTBOX)
            .values(row)
            .on_conflict_do_nothing(index_elements=["digest_key"])
            .returning(c.id)
        ).scalar()
        if bundle_id is None:  # this instant's bundle exists (a clock shared by two)
            raise _TakenElsewhere
        conn.execute(
            sa.update(_OUTBOX).where(c.id.in_([r.id for r in taken])).values(digest_id=bundle_id)
        )
        _word(conn, bundle_id, key, Folded.BUNDLE, taken, now, rules)
    report.bundles += 1
    report.bundled += len(taken)


def _current(notice: Notice, now: datetime) -> Notice:
    """The notice as of the digest: days late counted to ``now``."""
    return dataclasses.replace(notice, now=now, days_late=days_late(notice.due_at, now))


def _digest_row(key: str, channel: str, address: str, now: datetime) -> dict[str, Any]:
    return {
        "escalation_id": None,
        "channel": channel,
        "address": address,
        "role": "",
        "area_code": "",
        "subject": "",
        "body": "",
        "payload": {"key": key, "kind": Folded.DIGEST.value},
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "claimed_by": None,
        "claimed_until": None,
        "last_error": None,
        "created_at": now,
        "delivered_at": None,
        "digest_key": key,
        "digest_id": None,
    }


def reword_digest(
    message: OutboxMessage, rules: DeliveryRules | None = None, max_chars: int | None = None
) -> tuple[str, str]:
    """A digest's or bundle's (subject, body) again, cut to ``max_chars`` (for a channel
    with a limit, such as LINE's 5,000 characters): the most urgent items, "and N more"
    and the inbox link."""
    rules = rules or DeliveryRules()
    payload = message.payload or {}
    now = message.created_at
    notices = [_current(Notice.from_payload(p), now) for p in payload.get("items", [])]
    return render_digest(
        notices,
        now,
        link=rules.instance_url,
        inbox=rules.inbox_url(),
        max_chars=max_chars,
        immediate=payload.get("kind") == Folded.BUNDLE,
    )
