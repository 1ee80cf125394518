"""Deadline arithmetic: pure functions from a deadline spec and a fiscal year to an instant.

A deadline names a day; the instant is the end of that day in Asia/Bangkok
("by 31 March" = until 2025-03-31T23:59:59+07:00). ``after`` deadlines count
calendar days (or working days, ``count: working``) from the day the instance left the
named state, or, when they name a date ``field``, from the date recorded in it (the day
of the event). A deadline declaring ``roll: next_working_day`` that falls on a day off
moves to the next working day. Working days are the store's calendar
(:func:`plancycle.workflow.holidays.load_calendar`), passed in as ``calendar``.

A waiting state (``wait: true``) has no deadline of its own but never hides one of the
letter: it carries the earliest deadline of the steps it blocks (those reachable from
it), so an instance still waiting when they pass is overdue and escalates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from plancycle.definitions.model import Deadline, DeadlineKind, Definition, required
from plancycle.kinds import DayCount, DayRoll
from plancycle.thai.dates import format_date
from plancycle.thai.fiscal import end_of_day, fy_date, month_end, quarter_range, to_bangkok
from plancycle.workflow.workdays import DayOff, WorkCalendar

__all__ = [
    "PLAIN_CALENDAR",
    "DueDay",
    "deadline_day",
    "due_at",
    "due_day",
    "moved_text",
    "state_due_at",
    "state_due_day",
]

_NO_DATES: Mapping[str, date] = {}
#: weekends and the package's Thai public holidays, without the store's changes: for
#: callers with no store (a definition read from files); the others pass the store's
PLAIN_CALENDAR = WorkCalendar()


@dataclass(frozen=True, slots=True)
class DueDay:
    """The day a deadline is written for and the day it is due (``day``): later when a
    ``roll`` moved it off ``moved_by``, a day off."""

    written: date
    day: date
    moved_by: DayOff | None = None


def due_day(
    spec: Deadline,
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date] = _NO_DATES,
    calendar: WorkCalendar = PLAIN_CALENDAR,
) -> DueDay | None:
    """The day a deadline falls on and why it moved, or None when it depends on a step
    not yet done."""
    written = _written_day(spec, fiscal_year, left_at, dates, calendar)
    if written is None:
        return None
    if spec.roll == DayRoll.NEXT_WORKING_DAY:
        off = calendar.day_off(written)
        if off is not None:
            return DueDay(written, calendar.next_working_day(written), off)
    return DueDay(written, written)


def deadline_day(
    spec: Deadline,
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date] = _NO_DATES,
    calendar: WorkCalendar = PLAIN_CALENDAR,
) -> date | None:
    """The day a deadline is due (after any roll), or None when it depends on a step not
    yet done. ``dates``: the date fields recorded so far (latest value per field name)."""
    due = due_day(spec, fiscal_year, left_at, dates, calendar)
    return due.day if due is not None else None


def _written_day(
    spec: Deadline,
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date],
    calendar: WorkCalendar,
) -> date | None:
    """The day a deadline names before any roll."""
    if spec.kind == DeadlineKind.FY_DATE:
        return fy_date(fiscal_year, required(spec.month, "month"), required(spec.day, "day"))
    if spec.kind == DeadlineKind.MONTH_END:
        return month_end(fiscal_year, required(spec.month, "month"))
    if spec.kind == DeadlineKind.QUARTER_END:
        return quarter_range(fiscal_year, required(spec.quarter, "quarter"))[1]
    if spec.kind == DeadlineKind.QUARTER_START:
        return quarter_range(fiscal_year, required(spec.quarter, "quarter"))[0]
    if spec.kind == DeadlineKind.AFTER:
        left = left_at.get(required(spec.after, "after"))
        if left is None:
            return None
        start = to_bangkok(left).date()
        if spec.date_field is not None:
            # the field is required (definitions/graph.py); only a record made before it was
            # (an earlier definition, or a migration that added it) lacks it and counts from
            # the day the instance left ``after``
            start = dates.get(spec.date_field, start)
        days = required(spec.days, "days")
        if spec.count == DayCount.WORKING:
            return calendar.add_working_days(start, days)
        return start + timedelta(days=days)
    raise ValueError(f"unknown deadline kind {spec.kind!r}")


def _earliest(
    specs: Iterable[Deadline],
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date],
    calendar: WorkCalendar,
) -> tuple[DueDay, Deadline] | None:
    """The deadline that applies (the earliest due day) and its spec."""
    days = [
        (d, s)
        for s in specs
        if (d := due_day(s, fiscal_year, left_at, dates, calendar)) is not None
    ]
    return min(days, key=lambda pair: pair[0].day) if days else None


def due_at(
    specs: Iterable[Deadline],
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date] = _NO_DATES,
    calendar: WorkCalendar = PLAIN_CALENDAR,
) -> datetime | None:
    """The earliest of several deadlines, as an aware UTC instant (end of day, Bangkok)."""
    first = _earliest(specs, fiscal_year, left_at, dates, calendar)
    return end_of_day(first[0].day).astimezone(UTC) if first else None


def due_source(
    specs: Iterable[Deadline],
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    calendar: WorkCalendar = PLAIN_CALENDAR,
) -> str | None:
    """Where the deadline that applies (the earliest) comes from: ``seed``, ``inferred`` or
    ``public``; None when it is untagged or not yet known."""
    first = _earliest(specs, fiscal_year, left_at, _NO_DATES, calendar)
    return first[1].source if first else None


def _state_specs(definition: Definition, state: str) -> list[Deadline]:
    """The deadlines a state is due by: its own, or, for a waiting state, those of the
    steps it blocks; none for a final state."""
    spec = definition.state(state)
    if spec.final:
        return []
    if spec.wait and not spec.due:
        return [d for s in definition.blocked_steps(state) for d in s.due]
    return list(spec.due)


def state_due_at(
    definition: Definition,
    state: str,
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date] = _NO_DATES,
    calendar: WorkCalendar = PLAIN_CALENDAR,
) -> datetime | None:
    """When the step an instance is in must be done; None for final states or no deadline.
    A waiting state is due when the first of the steps it blocks is."""
    return due_at(_state_specs(definition, state), fiscal_year, left_at, dates, calendar)


def state_due_day(
    definition: Definition,
    state: str,
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date] = _NO_DATES,
    calendar: WorkCalendar = PLAIN_CALENDAR,
) -> DueDay | None:
    """The day a state is due, as written and after any roll (for showing why it moved)."""
    first = _earliest(_state_specs(definition, state), fiscal_year, left_at, dates, calendar)
    return first[0] if first else None


def moved_text(due: DueDay, lang: str = "th") -> str:
    """Why a rolled deadline moved, e.g. ``ครบกำหนด 31 มี.ค. 2568 → 1 เม.ย. 2568 (วันที่ 31 เป็น
    วันอาทิตย์)`` / ``due 31 Mar 2568 → 1 Apr 2568 (the 31st is a Sunday)``; the day alone
    when it did not move."""
    th = lang == "th"
    day = format_date(due.day, "medium", lang=lang)
    if due.moved_by is None:
        return f"ครบกำหนด {day}" if th else f"due {day}"
    written = format_date(due.written, "medium", lang=lang)
    n = due.written.day
    if th:
        return f"ครบกำหนด {written} → {day} (วันที่ {n} เป็น{due.moved_by.name_th})"
    return f"due {written} → {day} ({due.written:%d %b} is {due.moved_by.name_en})"
