"""Delivering the outbox: claim due messages, send each, record every attempt.

``dispatch_once`` is one pass, safe to run from several processes at once:

1. **Claim** up to ``batch`` due messages (pending, ``next_attempt_at <= now``, not
   claimed or their lease expired) in one short transaction. PostgreSQL:
   ``SELECT … FOR UPDATE SKIP LOCKED``, then ``claimed_by``/``claimed_until`` are set,
   so two dispatchers never take the same row. SQLite: one
   ``UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING`` (SQLite has one writer).
2. **Send** each message outside any transaction, through the channel named by its
   ``channel`` column (a channel not configured is a failed attempt).
3. **Record** a :class:`DeliveryAttempt` and the message's new state in one
   transaction per message: delivered; or back to pending with backoff
   (``min(max_delay, base_delay * 2**(attempts-1))`` seconds) and the claim released;
   or ``dead`` once ``attempts`` reaches ``max_attempts``. A channel may ask for more:
   a wait of its own (``DeliveryError.retry_after``, HTTP 429's ``Retry-After``) in
   place of the backoff, or ``dead`` at once (``DeliveryError.permanent``: the
   receiver refused the message itself, and trying again cannot help). A retry of a
   morning kind or a digest that would fall on a day off waits for the next working
   morning (``DeliveryRules.retry_at``); other messages retry at their backoff.

Delivery is at least once: a dispatcher that dies after sending and before recording
leaves the claim to expire, and the message is sent again. Nothing is ever deleted.
Time is the ``now`` passed in; the clock is never read, except that a pass which has
spent half its lease (real seconds) hands the rest of its batch back unsent.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from loguru import logger

from plancycle.kinds import OutboxStatus
from plancycle.notifier.channels import Channel, DeliveryError
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.store.models import DeliveryAttempt, OutboxMessage

__all__ = [
    "dispatch_until_idle",
    "DispatchReport",
    "RetryPolicy",
    "claim_due",
    "dispatch_message",
    "dispatch_once",
]

_OUTBOX: sa.Table = OutboxMessage.__table__  # type: ignore[attr-defined]
_ATTEMPTS: sa.Table = DeliveryAttempt.__table__  # type: ignore[attr-defined]
_ERROR_MAX = 2000  # characters of an error kept in the store
_RETRY_AFTER_MAX = 86400.0  # the longest Retry-After honoured (seconds)


@dataclass
class DispatchReport:
    """What one pass did: messages claimed, and of those delivered, retried and dead.

    ``released`` counts claimed messages handed back unsent because the pass ran
    out of lease time."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    released: int = 0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry: exponential backoff with a ceiling."""

    max_attempts: int = 8
    base_delay: float = 60
    max_delay: float = 3600

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay <= 0 or self.max_delay < self.base_delay:
            raise ValueError(
                "max_attempts must be at least 1 and 0 < base_delay <= max_delay | "
                "max_attempts ต้องไม่น้อยกว่า 1 และ 0 < base_delay <= max_delay"
            )

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1: base_delay, 2: twice …)."""
        exponent = min(max(attempts - 1, 0), 62)  # 2**62 s is far past any ceiling
        return timedelta(seconds=min(self.max_delay, self.base_delay * 2**exponent))

    def wait(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """The wait after a failed attempt: what the receiver asked for (``Retry-After``,
        kept within 1 s and a day), else :meth:`delay`."""
        if retry_after is None:
            return self.delay(attempts)
        return timedelta(seconds=min(max(retry_after, 1.0), _RETRY_AFTER_MAX))


def dispatch_once(
    db: sa.Engine,
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    worker: str,
    batch: int = 100,
    max_attempts: int = 8,
    base_delay: float = 60,
    max_delay: float = 3600,
    lease_seconds: int = 300,
    rules: DeliveryRules | None = None,
) -> DispatchReport:
    """Claim up to ``batch`` due messages as ``worker``, send them and record the outcome
    (a retry timed by ``rules``' working calendar, the store's unless given)."""
    policy = RetryPolicy(max_attempts, base_delay, max_delay)
    rules = rules or DeliveryRules()
    started = time.monotonic()
    messages = claim_due(db, now, worker=worker, batch=batch, lease_seconds=lease_seconds)
    report = DispatchReport(claimed=len(messages))
    for i, message in enumerate(messages):
        if time.monotonic() - started > lease_seconds / 2:
            report.released = _release(db, [m.id for m in messages[i:]], worker)
            logger.warning(
                "dispatch {worker}: lease half spent, {n} messages handed back",
                worker=worker,
                n=report.released,
            )
            break
        failure = _send(channels, message)
        outcome = _record(db, message, failure, now, worker, policy, rules)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def dispatch_message(
    db: sa.Engine,
    channels: Mapping[str, Channel],
    message_id: int,
    now: datetime,
    *,
    worker: str,
    max_attempts: int = 1,
) -> str | None:
    """Deliver the one message ``message_id`` now, if it is due and no one holds it (a
    test message the contacts page queued): its outcome (``delivered``, ``retried`` or
    ``dead``; one attempt by default, so a failed test is not retried), or None when
    another dispatcher took it first."""
    policy = RetryPolicy(max_attempts)
    claimed = claim_due(db, now, worker=worker, batch=1, message_id=message_id)
    for message in claimed:
        failure = _send(channels, message)
        return _record(db, message, failure, now, worker, policy, DeliveryRules())
    return None


def claim_due(
    db: sa.Engine,
    now: datetime,
    *,
    worker: str,
    batch: int = 100,
    lease_seconds: int = 300,
    message_id: int | None = None,
) -> list[OutboxMessage]:
    """Claim up to ``batch`` due messages for ``worker`` until ``now + lease_seconds``
    (only ``message_id``, when given); the claimed rows as detached
    :class:`OutboxMessage` objects, oldest due first."""
    _check_claim_args(now, worker, batch, lease_seconds)
    c = _OUTBOX.c
    due = sa.and_(
        c.status == OutboxStatus.PENDING,
        c.next_attempt_at <= now,
        sa.or_(c.claimed_until.is_(None), c.claimed_until <= now),
        sa.true() if message_id is None else c.id == message_id,
    )
    pick = sa.select(c.id).where(due).order_by(c.next_attempt_at, c.id).limit(batch)
    with db.begin() as conn:
        if conn.dialect.name == "postgresql":
            ids = list(conn.execute(pick.with_for_update(skip_locked=True)).scalars())
            if not ids:
                return []
            target = c.id.in_(ids)
        else:
            target = c.id.in_(pick)
        claim = (
            sa.update(_OUTBOX)
            .where(target)
            .values(claimed_by=worker, claimed_until=now + timedelta(seconds=lease_seconds))
            .returning(*c)
        )
        rows = conn.execute(claim).mappings().all()
    messages = [OutboxMessage(**dict(row)) for row in rows]
    return sorted(messages, key=lambda m: (m.next_attempt_at, m.id or 0))


def _check_claim_args(now: datetime, worker: str, batch: int, lease_seconds: int) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(
            f"now={now.isoformat()} is naive: give an aware datetime (UTC) | เวลา now ต้องระบุเขตเวลา"
        )
    if not worker:
        raise ValueError("worker must name the dispatcher | ต้องระบุชื่อ worker")
    if batch < 1 or lease_seconds < 1:
        raise ValueError(
            "batch and lease_seconds must be at least 1 | batch และ lease_seconds ต้องไม่น้อยกว่า 1"
        )


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a send failed, and what the channel said about trying again."""

    error: str
    retry_after: float | None = None  # seconds the receiver asked us to wait
    permanent: bool = False  # trying again cannot help: dead at once


def _send(channels: Mapping[str, Channel], message: OutboxMessage) -> Failure | None:
    """None when ``message`` was handed over, else why not."""
    channel = channels.get(message.channel)
    if channel is None:
        return Failure(f"no channel {message.channel!r} configured")
    try:
        channel.send(message)
    except DeliveryError as exc:
        return Failure(exc.en, exc.retry_after, exc.permanent)
    except Exception as exc:  # a broken channel must not stall the batch or keep the claim
        logger.opt(exception=exc).error(
            "channel {channel} raised {type} (not DeliveryError) for message {id}",
            channel=message.channel,
            type=type(exc).__name__,
            id=message.id,
        )
        return Failure(f"{type(exc).__name__}: {exc}")
    return None


def _record(
    db: sa.Engine,
    message: OutboxMessage,
    failure: Failure | None,
    now: datetime,
    worker: str,
    policy: RetryPolicy,
    rules: DeliveryRules,
) -> str:
    """Write the attempt and the message's new state; "delivered", "retried" or "dead"."""
    attempts = message.attempts + 1
    error = None if failure is None else " ".join(failure.error.split())[:_ERROR_MAX]
    outcome, values = _outcome(attempts, failure, error, now, policy)
    if outcome == "retried":  # the store's calendar is read only when a retry is timed
        kind = str((message.payload or {}).get("kind", ""))
        values["next_attempt_at"] = rules.for_run(db).retry_at(kind, values["next_attempt_at"])
    c = _OUTBOX.c
    mine = sa.and_(c.id == message.id, c.status == OutboxStatus.PENDING)
    if error is not None:
        mine = sa.and_(mine, c.claimed_by == worker)  # never release another's claim
    with db.begin() as conn:
        conn.execute(
            sa.insert(_ATTEMPTS).values(
                message_id=message.id, at=now, worker=worker, ok=error is None, error=error
            )
        )
        updated = conn.execute(sa.update(_OUTBOX).where(mine).values(**values)).rowcount
    _log_attempt(message, attempts, outcome, error, values, lost=updated == 0)
    return outcome


def _outcome(
    attempts: int, failure: Failure | None, error: str | None, now: datetime, policy: RetryPolicy
) -> tuple[str, dict[str, Any]]:
    if failure is None:
        return "delivered", {
            "status": OutboxStatus.DELIVERED,
            "delivered_at": now,
            "attempts": attempts,
            "claimed_until": None,
        }
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_error": error,
        "claimed_by": None,
        "claimed_until": None,
    }
    if failure.permanent or attempts >= policy.max_attempts:
        return "dead", {**values, "status": OutboxStatus.DEAD}
    return "retried", {
        **values,
        "next_attempt_at": now + policy.wait(attempts, failure.retry_after),
    }


def _log_attempt(
    message: OutboxMessage,
    attempts: int,
    outcome: str,
    error: str | None,
    values: dict[str, Any],
    *,
    lost: bool,
) -> None:
    key = (message.payload or {}).get("key", "")
    level = {"delivered": "INFO", "retried": "WARNING", "dead": "ERROR"}[outcome]
    if outcome == "delivered":
        result = "delivered"
    elif outcome == "retried":
        result = f"failed, retry at {values['next_attempt_at'].isoformat()}: {error}"
    else:
        result = f"failed, dead after {attempts} attempts: {error}"
    if lost:
        result += " (the claim had been taken over: message state left as it was)"
    logger.bind(
        notice_key=key,
        message_id=message.id,
        channel=message.channel,
        address=message.address,
        ok=error is None,
        attempt=attempts,
    ).log(
        level,
        "delivery {key} #{id} via {channel} to {address}: ok={ok} attempt {attempt}: {result}",
        key=key,
        id=message.id,
        channel=message.channel,
        address=message.address,
        ok=error is None,
        attempt=attempts,
        result=result,
    )


def _release(db: sa.Engine, ids: list[int | None], worker: str) -> int:
    """Hand claimed, unsent messages back (only those ``worker`` still holds)."""
    c = _OUTBOX.c
    with db.begin() as conn:
        stmt = (
            sa.update(_OUTBOX)
            .where(c.id.in_(ids), c.claimed_by == worker, c.status == OutboxStatus.PENDING)
            .values(claimed_by=None, claimed_until=None)
        )
        return conn.execute(stmt).rowcount


def dispatch_until_idle(
    db: sa.Engine,
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    worker: str,
    budget_seconds: float = 50,
    rules: DeliveryRules | None = None,
    **options: float,
) -> DispatchReport:
    """Passes of :func:`dispatch_once` until nothing due is left or ``budget_seconds`` of
    real time are spent (so a busy day's thousands of messages go out in one run of the
    scheduler's job, yet the job never overruns its interval)."""
    total = DispatchReport()
    started = time.monotonic()
    while time.monotonic() - started < budget_seconds:
        report = dispatch_once(db, channels, now, worker=worker, rules=rules, **options)  # type: ignore[arg-type]
        for name in ("claimed", "delivered", "retried", "dead", "released"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        if report.claimed == 0 or report.delivered + report.retried + report.dead == 0:
            break
    return total
