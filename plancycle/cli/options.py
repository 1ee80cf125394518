"""Parsing what people type: area codes and BE years, in Thai or Arabic digits."""

from __future__ import annotations

from plancycle.errors import PlancycleError
from plancycle.thai.digits import from_thai_digits

__all__ = ["BadOption", "area_code", "fiscal_year"]

_LEVELS = {2: "province", 4: "district", 6: "tambon", 8: "village"}


class BadOption(PlancycleError):
    """A command-line value that cannot be used."""


def area_code(text: str | None, *, level: str | None = None) -> str | None:
    """A DOPA code (2/4/6/8 digits, Thai digits accepted), checked against ``level``."""
    if text is None:
        return None
    code = from_thai_digits(text).strip()
    if not code.isdigit() or len(code) not in _LEVELS:
        raise BadOption(
            f"{text!r} is not an area code: give 2 digits for a province (24), 4 for a district "
            f"(2401), 6 for a tambon (240101) or 8 for a village",
            f"{text!r} ไม่ใช่รหัสพื้นที่: จังหวัด 2 หลัก (24) อำเภอ 4 หลัก (2401) ตำบล 6 หลัก "
            f"(240101) หมู่บ้าน 8 หลัก",
        )
    if level and _LEVELS[len(code)] != level:
        raise BadOption(
            f"{text!r} is a {_LEVELS[len(code)]} code, but a {level} code is needed here",
            f"{text!r} เป็นรหัสระดับ {_LEVELS[len(code)]} แต่ที่นี่ต้องใช้รหัสระดับ {level}",
        )
    return code


def fiscal_year(text: str) -> int:
    """A fiscal year in BE (2568 or ๒๕๖๘); a CE year is refused with the BE year to use."""
    raw = from_thai_digits(text).strip()
    if not raw.isdigit():
        raise BadOption(
            f"{text!r} is not a fiscal year; give the BE year, e.g. 2568",
            f"{text!r} ไม่ใช่ปีงบประมาณ; ระบุปี พ.ศ. เช่น 2568",
        )
    year = int(raw)
    if 1900 <= year < 2400:
        raise BadOption(
            f"{year} looks like a CE year; fiscal years are given in BE: FY {year + 543} runs "
            f"1 Oct {year - 1} to 30 Sep {year}",
            f"{year} เป็นปี ค.ศ.; ระบุปีงบประมาณเป็น พ.ศ. เช่น {year + 543}",
        )
    if not 2500 <= year <= 2700:
        raise BadOption(
            f"{year} is outside the fiscal years plancycle runs (BE 2500-2700)",
            f"ปี {year} อยู่นอกช่วงที่รองรับ (พ.ศ. 2500-2700)",
        )
    return year
