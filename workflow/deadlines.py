"""Deadline arithmetic: pure functions from a deadline spec and a fiscal year to an instant.

A deadline names a day; the instant is the end of that day in Asia/Bangkok
("by 31 March" = until 2025-03-31T23:59:59+07:00). ``after`` deadlines count
calendar days from the moment the instance left the named state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

from plancycle.definitions.model import Deadline, DeadlineKind, Definition, required
from plancycle.thai.fiscal import end_of_day, fy_date, month_end, quarter_range, to_bangkok

__all__ = ["deadline_day", "due_at", "state_due_at"]


def deadline_day(spec: Deadline, fiscal_year: int, left_at: Mapping[str, datetime]) -> date | None:
    """The day a deadline falls on, or None when it depends on a step not yet done."""
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
        return to_bangkok(left).date() + timedelta(days=required(spec.days, "days"))
    raise ValueError(f"unknown deadline kind {spec.kind!r}")


def due_at(
    specs: Iterable[Deadline], fiscal_year: int, left_at: Mapping[str, datetime]
) -> datetime | None:
    """The earliest of several deadlines, as an aware UTC instant (end of day, Bangkok)."""
    days = [d for s in specs if (d := deadline_day(s, fiscal_year, left_at)) is not None]
    return end_of_day(min(days)).astimezone(UTC) if days else None


def due_source(
    specs: Iterable[Deadline], fiscal_year: int, left_at: Mapping[str, datetime]
) -> str | None:
    """Where the deadline that applies (the earliest) comes from: ``seed``, ``inferred`` or
    ``public``; None when it is untagged or not yet known."""
    days = [(d, s) for s in specs if (d := deadline_day(s, fiscal_year, left_at)) is not None]
    return min(days, key=lambda pair: pair[0])[1].source if days else None


def state_due_at(
    definition: Definition, state: str, fiscal_year: int, left_at: Mapping[str, datetime]
) -> datetime | None:
    """When the step an instance is in must be done; None for final states or no deadline."""
    spec = definition.state(state)
    if spec.final:
        return None
    return due_at(spec.due, fiscal_year, left_at)
