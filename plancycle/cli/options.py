"""Parsing what people type: area codes and BE years, in Thai or Arabic digits; output
files that can be written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TextIO

from plancycle.errors import PlancycleError
from plancycle.thai.areacode import AreaCode
from plancycle.thai.dates import format_date, parse_instant
from plancycle.thai.digits import from_thai_digits, is_arabic_digits
from plancycle.thai.fiscal import FY_MAX_BE, FY_MIN_BE, fy_range

__all__ = [
    "BadOption",
    "area_code",
    "cannot_write",
    "fiscal_year",
    "instant_in_cycle",
    "open_output",
]

_YEAR_DIGITS = 6  # more is far outside any fiscal year (and too long to read as a number)


class BadOption(PlancycleError):
    """A command-line value that cannot be used."""


def area_code(text: str | None, *, level: str | None = None) -> str | None:
    """A DOPA code (2/4/6/8 digits, Thai digits accepted), checked against ``level``."""
    if text is None:
        return None
    return AreaCode.parse(text, level=level).code


def fiscal_year(text: str) -> int:
    """A fiscal year in BE (2568 or ๒๕๖๘); a CE year is refused with the BE year to use."""
    raw = from_thai_digits(text).strip()
    if not is_arabic_digits(raw):
        raise BadOption(
            f"{text!r} is not a fiscal year; give the BE year in Arabic or Thai digits, "
            f"e.g. 2568 or ๒๕๖๘",
            f"{text!r} ไม่ใช่ปีงบประมาณ; ระบุปี พ.ศ. เป็นเลขอารบิกหรือเลขไทย เช่น 2568 หรือ ๒๕๖๘",
        )
    if len(raw.lstrip("0")) > _YEAR_DIGITS:
        raise BadOption(
            f"{text!r} is outside the fiscal years plancycle runs (BE {FY_MIN_BE}-{FY_MAX_BE})",
            f"{text!r} อยู่นอกช่วงปีงบประมาณที่รองรับ (พ.ศ. {FY_MIN_BE}-{FY_MAX_BE})",
        )
    year = int(raw)
    if 1900 <= year < 2400:
        raise BadOption(
            f"{year} looks like a CE year; fiscal years are given in BE: FY {year + 543} runs "
            f"1 Oct {year - 1} to 30 Sep {year}",
            f"{year} เป็นปี ค.ศ.; ระบุปีงบประมาณเป็น พ.ศ. เช่น {year + 543}",
        )
    if not FY_MIN_BE <= year <= FY_MAX_BE:
        raise BadOption(
            f"{year} is outside the fiscal years plancycle runs (BE {FY_MIN_BE}-{FY_MAX_BE})",
            f"ปี {year} อยู่นอกช่วงที่รองรับ (พ.ศ. {FY_MIN_BE}-{FY_MAX_BE})",
        )
    return year


def instant_in_cycle(text: str, option: str) -> datetime:
    """An instant (any form parse_instant reads) within the fiscal years plancycle runs,
    for an option that moves the clock (``--as-of``): far years are refused, as the
    deadlines counted from them would leave the calendar."""
    when = parse_instant(text)
    first, last = fy_range(FY_MIN_BE)[0], fy_range(FY_MAX_BE)[1]
    if not first <= when.date() <= last:
        span_en = (
            f"BE {FY_MIN_BE}-{FY_MAX_BE}: {first.day} {first:%b %Y} to {last.day} {last:%b %Y}"
        )
        span_th = f"พ.ศ. {FY_MIN_BE}-{FY_MAX_BE}: {format_date(first)} ถึง {format_date(last)}"
        raise BadOption(
            f"{option} {text!r} is outside the fiscal years plancycle runs ({span_en}); "
            f"give a date within them",
            f"{option} {text!r} อยู่นอกช่วงปีงบประมาณที่รองรับ ({span_th}); ระบุวันที่ในช่วงนั้น",
        )
    return when


def cannot_write(path: Path, exc: OSError) -> BadOption:
    """The error for an output file ``path`` that cannot be written (``exc`` says why)."""
    shown = str(path)
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return BadOption(
            f"{shown!r} is a folder; give a file name to write, e.g. {str(path / 'out.txt')!r}",
            f"{shown!r} เป็นโฟลเดอร์; ระบุชื่อไฟล์ที่จะเขียน เช่น {str(path / 'out.txt')!r}",
        )
    if isinstance(exc, FileNotFoundError):
        return BadOption(
            f"cannot write {shown!r}: the folder {str(path.parent)!r} does not exist; create "
            f"it first or give a file in an existing folder",
            f"เขียน {shown!r} ไม่ได้: ไม่มีโฟลเดอร์ {str(path.parent)!r}; สร้างโฟลเดอร์ก่อน "
            f"หรือระบุไฟล์ในโฟลเดอร์ที่มีอยู่",
        )
    why = exc.strerror or str(exc)
    return BadOption(
        f"cannot write {shown!r} ({why}); give a file in a folder you can write to",
        f"เขียน {shown!r} ไม่ได้ ({why}); ระบุไฟล์ในโฟลเดอร์ที่เขียนได้",
    )


def open_output(path: Path) -> TextIO:
    """``path`` opened for writing UTF-8 text, or BadOption saying why it cannot be."""
    try:
        return path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise cannot_write(path, exc) from None
