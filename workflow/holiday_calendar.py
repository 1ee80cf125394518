"""The store's working-day calendar: the one loader every caller uses.

:func:`load_calendar` (an ORM session) and :func:`read_calendar` (a DB-API cursor inside
the engine's transaction) give the :class:`~plancycle.workflow.workdays.WorkCalendar` of
weekends and the package's Thai public holidays with the store's ``holiday_change`` rows
applied: the newest change of a day holds. Changes are made by
:func:`plancycle.workflow.holidays.change_holiday`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from plancycle.kinds import HolidayAction
from plancycle.store.driver import Driver
from plancycle.workflow.workdays import WorkCalendar

__all__ = ["calendar_of", "load_calendar", "read_calendar"]

_ROWS = "SELECT day, action, name_th FROM holiday_change ORDER BY id"


def calendar_of(rows: Iterable[Sequence[Any]]) -> WorkCalendar:
    """The calendar of ``(day, action, name_th)`` rows in the order they were made."""
    added: dict[date, str] = {}
    removed: set[date] = set()
    for day_text, action, name in rows:
        day = date.fromisoformat(str(day_text))
        added.pop(day, None)
        removed.discard(day)
        if action == HolidayAction.ADD:
            added[day] = name or ""
        else:
            removed.add(day)
    return WorkCalendar(added=added, removed=frozenset(removed))


def load_calendar(session: Session) -> WorkCalendar:
    """The store's working-day calendar."""
    return calendar_of(session.connection().exec_driver_sql(_ROWS).all())


def read_calendar(cursor: Any, driver: Driver) -> WorkCalendar:
    """The store's working-day calendar, on a DB-API cursor (the engine's transaction)."""
    cursor.execute(driver.sql(_ROWS))
    return calendar_of(cursor.fetchall())
