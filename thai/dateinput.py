"""A date a person gives, and a date the store holds.

``read_date`` is the one reader of a date field, wherever the value comes from: ``--data``
on the command line, a web form, the API's JSON, a row of a CSV or XLSX upload. Text is
read by :func:`~plancycle.thai.dates.parse_date` (Thai month names full or abbreviated,
Thai or Arabic digits, d/m/y day first, ISO; a 4-digit year from 2400 is BE in every form,
so ``2568-01-20`` is 20 January 2025); a spreadsheet cell that already holds a date or a
datetime passes through as its day.

``stored_date`` reads back what a record holds (ISO ``yyyy-mm-dd``, CE). Stores written
before ISO text with a BE year was read as BE may hold such a year as CE (``2568-01-20``
for 20 January 2025): a stored year from 2400 is read as that BE year, so reports show
the date that was meant rather than BE 3111.
"""

from __future__ import annotations

from datetime import date, datetime

from plancycle.thai.dates import BE_FROM, ThaiDateError, format_date, parse_date
from plancycle.thai.fiscal import bangkok_date, be_to_ce
from plancycle.thai.months import EN_MONTHS_ABBR

__all__ = ["TYPED_FORMS", "format_range", "read_date", "stored_date"]

# The forms a message names, each an example of one day (20 January 2025)
TYPED_FORMS: tuple[str, ...] = (
    "20 ม.ค. 68",
    "20 มกราคม 2568",
    "๒๐ ม.ค. ๖๘",
    "20/01/2568",
    "20-01-2568",
    "2025-01-20",
    "2568-01-20",
)


def read_date(value: object) -> date:
    """The day ``value`` names: text in any form ``parse_date`` reads, or a date or
    datetime (an aware datetime counts as its Bangkok day, a naive one as its own day,
    which is what a spreadsheet's date cell gives); ThaiDateError otherwise."""
    if isinstance(value, datetime):
        return bangkok_date(value) if value.tzinfo is not None else value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        kind = type(value).__name__
        raise ThaiDateError(
            value, f"expected text or a date, got {kind}", f"ต้องเป็นข้อความหรือวันที่ แต่ได้ {kind}"
        )
    return parse_date(value)


def stored_date(value: object) -> date | None:
    """The day a record's date value names; None when it names none.

    A stored year from 2400 is a BE year that an earlier version read as CE."""
    if isinstance(value, datetime):
        return bangkok_date(value) if value.tzinfo is not None else value.date()
    if isinstance(value, date):
        return value
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else None
        if day is not None and day.year >= BE_FROM:
            return day.replace(year=be_to_ce(day.year))
    except ValueError:  # not ISO, or a 29 February of a BE year that is no leap year in CE
        return None
    return day


def format_range(first: date, last: date, *, lang: str = "th", thai_digits: bool = False) -> str:
    """A range of days in BE: "1 ต.ค. 2567 – 30 ก.ย. 2568"; in English with the CE days
    after it: "1 Oct 2567 – 30 Sep 2568 BE (1 Oct 2024 – 30 Sep 2025)"."""

    be = " – ".join(
        format_date(d, "medium", lang=lang, thai_digits=thai_digits) for d in (first, last)
    )
    if lang == "th":
        return be
    ce = " – ".join(f"{d.day} {EN_MONTHS_ABBR[d.month - 1]} {d.year}" for d in (first, last))
    return f"{be} BE ({ce})"
