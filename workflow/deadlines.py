"""Deadline arithmetic: pure functions from a deadline spec and a fiscal year to an instant.

A deadline names a day; the instant is the end of that day in Asia/Bangkok
("by 31 March" = until 2025-03-31T23:59:59+07:00). ``after`` deadlines count
calendar days from the day the instance left the named state, or, when they name a
date ``field``, from the date recorded in it (the day of the event).

A waiting state (``wait: true``) has no deadline of its own but never hides one of the
letter: it carries the earliest deadline of the steps it blocks (those reachable from
it), so an instance still waiting when they pass is overdue and escalates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

from plancycle.definitions.model import Deadline, DeadlineKind, Definition, required
from plancycle.thai.fiscal import end_of_day, fy_date, month_end, quarter_range, to_bangkok

__all__ = ["deadline_day", "due_at", "state_due_at"]

_NO_DATES: Mapping[str, date] = {}


def deadline_day(
    spec: Deadline,
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date] = _NO_DATES,
) -> date | None:
    """The day a deadline falls on, or None when it depends on a step not yet done.
    ``dates``: the date fields recorded so far (latest value per field name)."""
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
        return start + timedelta(days=required(spec.days, "days"))
    raise ValueError(f"unknown deadline kind {spec.kind!r}")


def due_at(
    specs: Iterable[Deadline],
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date] = _NO_DATES,
) -> datetime | None:
    """The earliest of several deadlines, as an aware UTC instant (end of day, Bangkok)."""
    days = [d for s in specs if (d := deadline_day(s, fiscal_year, left_at, dates)) is not None]
    return end_of_day(min(days)).astimezone(UTC) if days else None


def due_source(
    specs: Iterable[Deadline], fiscal_year: int, left_at: Mapping[str, datetime]
) -> str | None:
    """Where the deadline that applies (the earliest) comes from: ``seed``, ``inferred`` or
    ``public``; None when it is untagged or not yet known."""
    days = [(d, s) for s in specs if (d := deadline_day(s, fiscal_year, left_at)) is not None]
    return min(days, key=lambda pair: pair[0])[1].source if days else None


def state_due_at(
    definition: Definition,
    state: str,
    fiscal_year: int,
    left_at: Mapping[str, datetime],
    dates: Mapping[str, date] = _NO_DATES,
) -> datetime | None:
    """When the step an instance is in must be done; None for final states or no deadline.
    A waiting state is due when the first of the steps it blocks is."""
    spec = definition.state(state)
    if spec.final:
        return None
    if spec.wait and not spec.due:
        blocked = [d for s in definition.blocked_steps(state) for d in s.due]
        return due_at(blocked, fiscal_year, left_at, dates)
    return due_at(spec.due, fiscal_year, left_at, dates)
