"""The Thai working-day calendar: which days an office works, and how days are counted.

A day is a working day unless it is a Saturday, a Sunday, a Thai public holiday (the
``holidays`` package, country TH, Thai names) or a day the store adds (the Cabinet adds
special holidays at short notice); a day the store removes is a working day again even if
the package names it. :class:`WorkCalendar` is pure: it is given the store's additions and
removals and answers from memory, so the sweep, the ladder, the notifier and the pages
all count days the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from plancycle.thai.fiscal import BANGKOK

__all__ = [
    "DEFAULT_SEND_TIME",
    "DayOff",
    "DayOffKind",
    "WorkCalendar",
]

#: When reminders and digests go out on a working day (Asia/Bangkok), unless configured.
DEFAULT_SEND_TIME = time(8, 30)


class DayOffKind(StrEnum):
    """Why a day is not a working day."""

    WEEKEND = "weekend"
    PUBLIC = "public"  # a Thai public holiday from the ``holidays`` package
    ADDED = "added"  # a day the store adds


@dataclass(frozen=True, slots=True)
class DayOff:
    """A day no office works, and why: ``name_th`` is what a Thai reader is told."""

    day: date
    kind: DayOffKind
    name_th: str
    name_en: str


_WEEKEND_TH = {5: "วันเสาร์", 6: "วันอาทิตย์"}
_WEEKEND_EN = {5: "Saturday", 6: "Sunday"}


@lru_cache(maxsize=64)
def _public(year: int) -> dict[date, tuple[str, str]]:
    """Thai public holidays of one CE year: day -> (Thai name, English name)."""
    th = holidays.country_holidays("TH", years=year, language="th")
    en = holidays.country_holidays("TH", years=year, language="en_US")
    return {d: (name, en.get(d) or name) for d, name in th.items()}


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: weekends and Thai public holidays off, with the store's changes.

    ``added`` maps a day to its Thai name (a special holiday); ``removed`` holds days the
    package names that are working days after all.
    """

    added: Mapping[date, str] = field(default_factory=dict)
    removed: frozenset[date] = frozenset()

    def day_off(self, day: date) -> DayOff | None:
        """Why ``day`` is not a working day, or None when it is one."""
        if day in self.removed:
            return None
        if day in self.added:
            return DayOff(day, DayOffKind.ADDED, self.added[day], self.added[day])
        public = _public(day.year).get(day)
        if public is not None:
            return DayOff(day, DayOffKind.PUBLIC, public[0], public[1])
        if day.weekday() >= 5:
            return DayOff(
                day, DayOffKind.WEEKEND, _WEEKEND_TH[day.weekday()], _WEEKEND_EN[day.weekday()]
            )
        return None

    def is_working_day(self, day: date) -> bool:
        return self.day_off(day) is None

    def next_working_day(self, day: date, *, include: bool = True) -> date:
        """``day`` itself when it is a working day (``include``), else the next one."""
        d = day if include else day + timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (before it when ``n`` < 0); ``n`` = 0
        gives ``day``."""
        step = timedelta(days=1 if n >= 0 else -1)
        d, left = day, abs(n)
        while left:
            d += step
            if self.is_working_day(d):
                left -= 1
        return d

    def days_off(self, start: date, end: date) -> Iterator[DayOff]:
        """Every day from ``start`` to ``end`` (inclusive) that is not a working day."""
        d = start
        while d <= end:
            off = self.day_off(d)
            if off is not None:
                yield off
            d += timedelta(days=1)

    def next_send_at(self, after: datetime, at: time = DEFAULT_SEND_TIME) -> datetime:
        """The first working-day morning at ``at`` (Asia/Bangkok) not before ``after``,
        as an aware datetime in Asia/Bangkok: what falls due on a holiday, a weekend or
        after the morning's hour waits for the next working morning."""
        local = after.astimezone(BANGKOK)
        day = local.date()
        if local.timetz().replace(tzinfo=None) > at:
            day += timedelta(days=1)
        day = self.next_working_day(day)
        return datetime.combine(day, at, tzinfo=BANGKOK)
