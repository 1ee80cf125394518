"""Buddhist Era years, Thai fiscal years and quarters, and Bangkok day boundaries.

Thai fiscal year N (BE) runs from 1 October of CE year N-544 to 30 September of
CE year N-543: FY2568 = 2024-10-01 .. 2025-09-30. Quarters: Q1 Oct-Dec, Q2 Jan-Mar,
Q3 Apr-Jun, Q4 Jul-Sep.

A deadline "by 31 March" lasts until 31 March 23:59:59 Asia/Bangkok inclusive
(``end_of_day``); ``is_past(deadline, now)`` is true once ``now > deadline``.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from typing import TypeGuard
from zoneinfo import ZoneInfo

from plancycle.thai.errors import ThaiError
from plancycle.thai.months import EN_MONTHS, TH_MONTHS

__all__ = [
    "BANGKOK",
    "BE_OFFSET",
    "FY_MAX_BE",
    "FY_MIN_BE",
    "UTC",
    "FiscalDateError",
    "FiscalYearError",
    "NaiveDatetimeError",
    "bangkok_date",
    "be_to_ce",
    "ce_to_be",
    "end_of_day",
    "fiscal_year_of",
    "fy_date",
    "fy_range",
    "is_past",
    "month_end",
    "quarter_of",
    "quarter_range",
    "start_of_day",
    "to_bangkok",
    "to_utc",
]

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
FY_MIN_BE = 2500
FY_MAX_BE = 2700

_QUARTER_FIRST_MONTH = {1: 10, 2: 1, 3: 4, 4: 7}


class FiscalYearError(ThaiError):
    """A fiscal year outside BE 2500-2700 (or not a whole number)."""

    def __init__(self, value: object) -> None:
        self.value = value
        hint_en, hint_th = _year_hint(value)
        problem_en, problem_th = (
            ("is outside the accepted range", "อยู่นอกช่วงที่รับได้")
            if _is_int(value)
            else ("is not a whole number in the accepted range", "ไม่ใช่จำนวนเต็มในช่วงที่รับได้")
        )
        super().__init__(
            f"fiscal year {value!r} {problem_en} BE {FY_MIN_BE}-{FY_MAX_BE}; "
            f"give a Buddhist Era year such as 2568{hint_en}",
            f"ปีงบประมาณ {value!r} {problem_th} (พ.ศ. {FY_MIN_BE}-{FY_MAX_BE}); "
            f"ระบุปี พ.ศ. เช่น 2568{hint_th}",
        )


class FiscalDateError(ThaiError):
    """A month, day or quarter that does not exist in a fiscal year."""


class NaiveDatetimeError(ThaiError):
    """A datetime without a time zone where an instant is needed."""

    def __init__(self, value: datetime) -> None:
        self.value = value
        super().__init__(
            f"datetime {value.isoformat()} has no time zone; give an aware datetime "
            f"(for example with tzinfo=Asia/Bangkok or UTC)",
            f"วันเวลา {value.isoformat()} ไม่มีเขตเวลา; ระบุเขตเวลาด้วย (เช่น Asia/Bangkok หรือ UTC)",
        )


def _is_int(value: object) -> TypeGuard[int]:
    """True for a real int (bool excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _year_hint(value: object) -> tuple[str, str]:
    """A 'did you mean BE ...' hint when the value looks like a CE year."""
    if _is_int(value) and FY_MIN_BE <= value + BE_OFFSET <= FY_MAX_BE:
        be = value + BE_OFFSET
        return (
            f" ({value} looks like a CE year; BE {be}?)",
            f" ({value} น่าจะเป็นปี ค.ศ.; หมายถึง พ.ศ. {be} หรือไม่)",
        )
    return "", ""


def be_to_ce(year_be: int) -> int:
    """The Christian Era year of a Buddhist Era year (BE = CE + 543)."""
    return year_be - BE_OFFSET


def ce_to_be(year_ce: int) -> int:
    """The Buddhist Era year of a Christian Era year (BE = CE + 543)."""
    return year_ce + BE_OFFSET


def _check_fy(fy_be: int) -> int:
    """``fy_be`` itself when it is a whole BE year in range, else FiscalYearError."""
    if not _is_int(fy_be) or not FY_MIN_BE <= fy_be <= FY_MAX_BE:
        raise FiscalYearError(fy_be)
    return fy_be


def _check_int(value: object, what_en: str, what_th: str, low: int, high: int) -> int:
    if not _is_int(value) or not low <= value <= high:
        raise FiscalDateError(
            f"{what_en} {value!r} does not exist; give {low}-{high}",
            f"ไม่มี{what_th} {value!r}; ระบุ {low}-{high}",
        )
    return value


def _require_aware(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise NaiveDatetimeError(dt)
    return dt


def to_bangkok(dt: datetime) -> datetime:
    """The same instant in Asia/Bangkok; a naive datetime raises NaiveDatetimeError."""
    return _require_aware(dt).astimezone(BANGKOK)


def to_utc(dt: datetime) -> datetime:
    """The same instant in UTC; a naive datetime raises NaiveDatetimeError."""
    return _require_aware(dt).astimezone(UTC)


def bangkok_date(d: date | datetime) -> date:
    """The calendar day of ``d`` in Bangkok (an aware datetime is converted first;
    a naive datetime raises NaiveDatetimeError; a date is returned as is)."""
    if isinstance(d, datetime):
        return to_bangkok(d).date()
    return d


def _ce_year_in_fy(fy_be: int, month: int) -> int:
    """The CE year in which ``month`` of fiscal year ``fy_be`` falls."""
    return be_to_ce(fy_be) - (1 if month >= 10 else 0)


def fiscal_year_of(d: date | datetime) -> int:
    """The BE fiscal year containing ``d`` (aware datetimes are read in Bangkok)."""
    day = bangkok_date(d)
    fy = ce_to_be(day.year) + (1 if day.month >= 10 else 0)
    return _check_fy(fy)


def quarter_of(d: date | datetime) -> int:
    """The fiscal quarter 1-4 of ``d``: Q1 Oct-Dec, Q2 Jan-Mar, Q3 Apr-Jun, Q4 Jul-Sep."""
    day = bangkok_date(d)
    return (day.month - 10) % 12 // 3 + 1


def fy_range(fy_be: int) -> tuple[date, date]:
    """The first and last day of fiscal year ``fy_be`` (1 Oct .. 30 Sep)."""
    ce = be_to_ce(_check_fy(fy_be))
    return date(ce - 1, 10, 1), date(ce, 9, 30)


def month_end(fy_be: int, month: int) -> date:
    """The last day of ``month`` (1-12) as it falls inside fiscal year ``fy_be``."""
    _check_fy(fy_be)
    _check_int(month, "month", "เดือนที่", 1, 12)
    year = _ce_year_in_fy(fy_be, month)
    return date(year, month, calendar.monthrange(year, month)[1])


def fy_date(fy_be: int, month: int, day: int) -> date:
    """The day ``day`` of ``month`` inside fiscal year ``fy_be`` (Oct-Dec in the prior CE year)."""
    last = month_end(fy_be, month)
    if not _is_int(day):
        raise FiscalDateError(
            f"day {day!r} is not a whole number; give 1-{last.day}",
            f"วันที่ {day!r} ไม่ใช่จำนวนเต็ม; ระบุ 1-{last.day}",
        )
    if not 1 <= day <= last.day:
        raise FiscalDateError(
            f"day {day!r} does not exist in {EN_MONTHS[month - 1]} {last.year} "
            f"(fiscal year {fy_be}); that month has {last.day} days",
            f"ไม่มีวันที่ {day!r} ในเดือน{TH_MONTHS[month - 1]} พ.ศ. {ce_to_be(last.year)} "
            f"(ปีงบประมาณ {fy_be}); เดือนนี้มี {last.day} วัน",
        )
    return last.replace(day=day)


def quarter_range(fy_be: int, q: int) -> tuple[date, date]:
    """The first and last day of quarter ``q`` (1-4) of fiscal year ``fy_be``."""
    _check_fy(fy_be)
    _check_int(q, "quarter", "ไตรมาสที่", 1, 4)
    first_month = _QUARTER_FIRST_MONTH[q]
    return fy_date(fy_be, first_month, 1), month_end(fy_be, first_month + 2)


def start_of_day(d: date | datetime) -> datetime:
    """00:00:00 Asia/Bangkok on day ``d`` (an aware datetime counts as its Bangkok day)."""
    return datetime.combine(bangkok_date(d), time(0, 0, 0), tzinfo=BANGKOK)


def end_of_day(d: date | datetime) -> datetime:
    """23:59:59 Asia/Bangkok on day ``d``: the last instant of a "by <day>" deadline."""
    return datetime.combine(bangkok_date(d), time(23, 59, 59), tzinfo=BANGKOK)


def is_past(deadline: datetime, now: datetime) -> bool:
    """True when ``now`` is strictly after ``deadline`` (both must be aware)."""
    return _require_aware(now) > _require_aware(deadline)
