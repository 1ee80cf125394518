"""When a notice goes out, and the links it carries.

- A **digest** contact's notices wait (``held``) for its next working morning, when
  ``plancycle.notifier.digest`` folds them into one message per recipient.
- An **immediate** contact hears of an opened window or a reminder on the next working
  morning too; an overdue notice or an escalation goes at once on a working day, and on
  the next working morning when it falls on a weekend or a holiday.

An immediate contact's notices from one sweep go as one message (the sweep's bundle,
``plancycle.notifier.digest``). A failed message retried (:meth:`DeliveryRules.retry_at`)
waits for the next working morning when its retry falls on a day off, if it is a morning
kind or a digest; an overdue notice, an escalation, a send-back or a bundle is retried at
its backoff whatever the day (it was sent on a working day, and a long weekend must not
hide it).

Nothing is sent on a day off: the working morning is
:meth:`plancycle.workflow.workdays.WorkCalendar.next_send_at` (08:30 Asia/Bangkok unless
``PLANCYCLE_SEND_TIME`` says otherwise). Links are built on ``PLANCYCLE_BASE_URL``; without
it messages carry no link (the host is never guessed) and the log says so once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time
from urllib.parse import quote

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session

from plancycle.kinds import Delivery, EscalationKind, Folded
from plancycle.settings import Settings
from plancycle.thai.fiscal import to_bangkok
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.workdays import DEFAULT_SEND_TIME, WorkCalendar

__all__ = ["INBOX_PATH", "MORNING_KINDS", "RETRY_IN_THE_MORNING", "DeliveryRules"]

#: Kinds an immediate contact still hears of on the working morning only.
MORNING_KINDS = frozenset({EscalationKind.OPENED, EscalationKind.REMINDER})
#: Message kinds whose retry never lands on a day off (it waits for the working morning).
RETRY_IN_THE_MORNING = frozenset({*MORNING_KINDS, Folded.DIGEST})
INBOX_PATH = "/inbox"
_warned = False


@dataclass(frozen=True)
class DeliveryRules:
    """The working calendar, the morning's hour and the base URL links are built on.

    Unless a ``calendar`` is given (``fixed``), each sweep and each digest run reads the
    store's calendar afresh (:meth:`for_run`), so a holiday added while the scheduler
    runs counts from its next run."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    send_time: time = DEFAULT_SEND_TIME
    base_url: str | None = None
    fixed: bool = False  # the calendar was given: never read the store's

    @classmethod
    def of(cls, settings: Settings, calendar: WorkCalendar | None = None) -> DeliveryRules:
        """From ``PLANCYCLE_SEND_TIME`` and ``PLANCYCLE_BASE_URL``; with no ``calendar``
        each run uses the store's (``load_calendar``)."""
        return cls(
            calendar or WorkCalendar(), settings.send_time, settings.base_url, calendar is not None
        )

    def for_run(self, db: sa.Engine) -> DeliveryRules:
        """These rules with the store's calendar as it is now (unless ``fixed``)."""
        if self.fixed:
            return self
        with Session(db) as session:
            return replace(self, calendar=load_calendar(session))

    def morning(self, now: datetime) -> datetime:
        """The first working morning not before ``now`` (aware, Asia/Bangkok)."""
        return self.calendar.next_send_at(now, self.send_time)

    def is_sending_time(self, now: datetime) -> bool:
        """A working day at or after its morning hour (Bangkok)."""
        local = to_bangkok(now)
        return self.calendar.is_working_day(local.date()) and local.time() >= self.send_time

    def send_at(self, kind: str, delivery: Delivery, now: datetime) -> datetime:
        """When a notice of ``kind`` written at ``now`` may go to a contact told by
        ``delivery`` (a digest contact's notice then joins that morning's digest)."""
        if delivery == Delivery.DIGEST or kind in MORNING_KINDS:
            return self.morning(now)
        if self.calendar.is_working_day(to_bangkok(now).date()):
            return now
        return self.morning(now)

    def retry_at(self, kind: str, at: datetime) -> datetime:
        """When a failed message of ``kind`` whose backoff ends at ``at`` is tried again:
        ``at``, or the next working morning when ``at`` falls on a day off and the kind
        waits for mornings (:data:`RETRY_IN_THE_MORNING`)."""
        if kind in RETRY_IN_THE_MORNING and not self.calendar.is_working_day(to_bangkok(at).date()):
            return self.morning(at)
        return at

    def instance_url(self, key: str) -> str | None:
        """``https://host/instances/2568/activity2/240101`` for the instance ``key``."""
        if not self._has_base():
            return None
        return f"{self.base_url}/instances/{quote(key)}"

    def inbox_url(self) -> str | None:
        return f"{self.base_url}{INBOX_PATH}" if self._has_base() else None

    def _has_base(self) -> bool:
        global _warned
        if self.base_url:
            return True
        if not _warned:
            _warned = True
            logger.warning(
                "PLANCYCLE_BASE_URL is not set: messages carry no links (set it to the web "
                "app's address, e.g. https://plan.example.go.th)"
            )
        return False
