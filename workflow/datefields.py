"""Which days a date field takes: every day of the instance's fiscal year (1 October -
30 September, Asia/Bangkok), or the narrower window its definition declares
(``window: {from: SPEC, to: SPEC}`` on the field). The one home of that rule: step data,
the advance form's hint and the sample data of walks and simulations ask it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from plancycle.definitions.model import DataField, Deadline
from plancycle.store.models import TransitionRecord
from plancycle.thai.dateinput import stored_date
from plancycle.thai.fiscal import fy_date, fy_range
from plancycle.workflow.deadlines import deadline_day

__all__ = ["DateRange", "allowed_dates", "recorded_dates", "sample_date"]

_SAMPLE_MONTH, _SAMPLE_DAY = 1, 15  # the day a sample walk enters, when the range has it


@dataclass(frozen=True, slots=True)
class DateRange:
    """The first and last day a field takes; ``declared``: the field's own window, not
    the whole fiscal year."""

    first: date
    last: date
    fiscal_year: int
    declared: bool

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    def clamp(self, day: date) -> date:
        return min(max(day, self.first), self.last)


def _bound(spec: Deadline | None, fiscal_year: int, default: date) -> date:
    if spec is None:
        return default
    day = deadline_day(spec, fiscal_year, {})
    return default if day is None else day


def allowed_dates(field: DataField, fiscal_year: int) -> DateRange:
    """The days ``field`` takes in an instance of ``fiscal_year`` (BE)."""
    first, last = fy_range(fiscal_year)
    window = field.window
    if window is None:
        return DateRange(first, last, fiscal_year, declared=False)
    return DateRange(
        _bound(window.start, fiscal_year, first),
        _bound(window.end, fiscal_year, last),
        fiscal_year,
        declared=True,
    )


def sample_date(field: DataField, fiscal_year: int) -> date:
    """A day a sample walk may enter: 15 January of the fiscal year, moved into the range."""
    wanted = fy_date(fiscal_year, _SAMPLE_MONTH, _SAMPLE_DAY)
    return allowed_dates(field, fiscal_year).clamp(wanted)


def recorded_dates(records: Iterable[TransitionRecord]) -> dict[str, date]:
    """The latest day recorded in each date-like data field of ``records`` (in order), for
    "N days after the date recorded at step X" deadlines."""
    out: dict[str, date] = {}
    for r in records:
        for name, value in (r.data or {}).items():
            day = stored_date(value) if isinstance(value, str) else None
            if day is not None:
                out[name] = day
    return out
