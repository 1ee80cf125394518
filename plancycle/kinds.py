"""The closed sets of values the store's columns hold (:mod:`plancycle.store.models`
checks each column against its set, and migration 0005 makes the database refuse any
other value). They sit at the package's root, beside ``errors`` and ``text``, because the
definitions (ladder kinds), the store and the notifier all name them.

The values are stored data: never rename one.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "DayCount",
    "DayRoll",
    "Delivery",
    "EscalationKind",
    "Folded",
    "HolidayAction",
    "LastDelivery",
    "OutboxStatus",
    "check_in",
]


class OutboxStatus(StrEnum):
    """Where an outbox message is (``outbox_message.status``)."""

    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"
    DEAD = "dead"  # every attempt failed; kept, never retried
    HELD = "held"  # waits for its recipient's next digest (never sent alone)
    DIGESTED = "digested"  # went out inside a digest message (``digest_id``)


class Delivery(StrEnum):
    """How a contact is told (``contact.delivery``; NULL = the default for its role)."""

    IMMEDIATE = "immediate"  # each notice as it is due
    DIGEST = "digest"  # one message per working day listing everything due


class Folded(StrEnum):
    """A message that carries several notices (its payload's ``kind``)."""

    DIGEST = "digest"  # a digest contact's day: one per recipient per working day
    BUNDLE = "bundle"  # an immediate contact's notices from one sweep, sent at once


class HolidayAction(StrEnum):
    """A change the store makes to the Thai working-day calendar (``holiday_change.action``)."""

    ADD = "add"  # the day is a holiday (a special holiday the Cabinet declares)
    REMOVE = "remove"  # the day is a working day after all (an added day, or a package holiday)


class DayCount(StrEnum):
    """How a definition counts "N days" (a deadline ``after``, a ladder rung's offset)."""

    CALENDAR = "calendar"  # every day (the default: the letter's "7 วัน")
    WORKING = "working"  # working days of the store's calendar (workflow/workdays.py)


class DayRoll(StrEnum):
    """What a deadline falling on a day off becomes (``roll``; none: the day as written)."""

    NEXT_WORKING_DAY = "next_working_day"


class LastDelivery(StrEnum):
    """How the latest message to a contact went (from ``delivery_attempt``)."""

    DELIVERED = "delivered"  # the latest attempt handed it over
    FAILED = "failed"  # the latest attempt failed (its error kept)
    WAITING = "waiting"  # queued, not tried yet
    NEVER = "never"  # nothing was ever sent to it


class EscalationKind(StrEnum):
    """What rung of a step's ladder was reached (``escalation.kind``)."""

    OPENED = "opened"  # the step's window opened
    REMINDER = "reminder"  # before the deadline
    OVERDUE = "overdue"  # the first instant after the deadline day
    ESCALATION = "escalation"  # later, further up


def check_in(column: str, values: type[StrEnum]) -> str:
    """The SQL of a CHECK that ``column`` holds one of ``values``."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
