"""The letter's national counts against the instances a year holds.

Each definition's ``budget.units`` is the number of areas the letter funds nationwide
(Activity 2: 7,036 tambons; Activity 3: 878 strong tambons; Activity 1: 76 provinces).
GeoThai holds 7,256 tambons, so a year started without Activity 2's list holds more
instances than the letter counts. ``cycle start`` warns when it happens, and ``status``
and the KPI (``workflow/rollup.py``) flag any national count that differs, in a store
that holds the nation (a province's store is not compared with national figures).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, func, select

from plancycle.definitions.model import Definition, Text
from plancycle.store.models import Area

__all__ = [
    "LETTER_PROVINCES",
    "count_differs",
    "holds_nation",
    "letter_units",
    "no_activity2_list",
    "targets_import_command",
]

#: the provinces the letter's activities cover (GeoThai's 76; Bangkok is outside the cycle)
LETTER_PROVINCES = 76


def holds_nation(db: sa.Engine) -> bool:
    """Whether the store holds every province (a province's own store is not compared
    with the nation's figures)."""
    query = select(func.count()).select_from(Area).where(Area.level == "province")
    with Session(db) as session:
        return session.exec(query).one() >= LETTER_PROVINCES


def letter_units(definition: Definition) -> int | None:
    """How many areas the letter counts nationwide for this process (None: it does not say)."""
    return definition.budget.units if definition.budget else None


def targets_import_command(fiscal_year: int, lang: str = "en") -> str:
    """The command that imports a year's Activity 2 list (its file named in ``lang``)."""
    file = "ไฟล์" if lang == "th" else "FILE"
    return f"plancycle areas targets import {file} --fy {fiscal_year}"


def no_activity2_list(
    definition: Definition, fiscal_year: int, province: str | None, codes: list[str]
) -> Text:
    """``cycle start``'s warning for an Activity 2 started without the year's list: every
    tambon of the store becomes a target."""
    units = letter_units(definition)
    count, command = len(codes), targets_import_command(fiscal_year)
    command_th = targets_import_command(fiscal_year, "th")
    where_en = f"province {province}'s {count:,}" if province else f"GeoThai's {count:,}"
    where_th = (
        f"ทั้ง {count:,} ตำบลของจังหวัด {province}" if province else f"ทั้ง {count:,} ตำบลของ GeoThai"
    )
    letter_en = f" where the letter counts {units:,} nationwide" if units else ""
    letter_th = f" ขณะที่หนังสือกำหนด {units:,} ตำบลทั่วประเทศ" if units else ""
    return Text(
        f"{definition.title.th} ({definition.id}): ปี {fiscal_year} ยังไม่มีรายการตำบลเป้าหมาย "
        f"จึงสร้างรายการให้{where_th}{letter_th}; นำเข้ารายการด้วย `{command_th}` "
        f"ก่อนเริ่มรอบงาน",
        f"{definition.id}: FY{fiscal_year} has no target list, so one instance is created for "
        f"each of {where_en} tambons{letter_en}; import the list with `{command}` before "
        f"starting the cycle",
    )


def count_differs(definition: Definition, count: int) -> Text | None:
    """The finding when a national instance count is not the letter's, else None."""
    units = letter_units(definition)
    if units is None or count == units:
        return None
    return Text(
        f"{definition.title.th} ({definition.id}): ทั่วประเทศมี {count:,} รายการ "
        f"แต่หนังสือกำหนด {units:,}",
        f"{definition.id}: {count:,} instances nationwide, the letter counts {units:,}",
    )
