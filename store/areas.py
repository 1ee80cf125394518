"""Areas in the store: provinces, districts, tambons and villages, and their codes.

Loading them lives elsewhere: ``geothai_import`` (provinces, districts, tambons),
``villages`` (villages from CSV or as samples) and ``targets`` (the activities' target
lists). Every function takes an open ``Session``; nothing here writes.

Codes may be written with Thai digits (``๒๔๐๑๐๑``); they are stored with ASCII digits.
Bangkok (province 10, khet/khwaeng) lies outside the planning cycle and is never loaded.
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from plancycle.store.models import Area
from plancycle.thai.areacode import AreaLevel

__all__ = [
    "BANGKOK",
    "LEVELS",
    "area_counts",
    "children",
    "district_count",
    "get_area",
    "normalize_code",
    "tambon_codes",
]

BANGKOK = "10"
LEVELS: tuple[str, ...] = tuple(str(level) for level in AreaLevel)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def normalize_code(text: str) -> str:
    """A code as stored: surrounding spaces dropped, Thai digits made ASCII."""
    return text.strip().lstrip("\ufeff").translate(_THAI_DIGITS)


def area_counts(session: Session, province: str | None = None) -> dict[str, int]:
    """How many areas of each level (every level present, zero when none)."""
    query = select(Area.level, func.count()).group_by(col(Area.level))
    if province is not None:
        query = query.where(Area.province_code == normalize_code(province))
    found = dict(session.exec(query).all())
    return {level: int(found.get(level, 0)) for level in LEVELS}


def get_area(session: Session, code: str) -> Area | None:
    """The area of ``code`` (Thai digits accepted), or None."""
    return session.get(Area, normalize_code(code))


def children(session: Session, code: str) -> list[Area]:
    """The areas directly under ``code``, by code."""
    query = select(Area).where(Area.parent_code == normalize_code(code)).order_by(col(Area.code))
    return list(session.exec(query).all())


def district_count(session: Session, province: str) -> int:
    """How many districts the province has in the store."""
    query = (
        select(func.count())
        .select_from(Area)
        .where(Area.level == "district", Area.province_code == normalize_code(province))
    )
    return int(session.exec(query).one())


def tambon_codes(session: Session, province: str | None = None) -> list[str]:
    """The codes of the tambons in the store (of ``province`` when given), sorted."""
    query = select(Area.code).where(Area.level == "tambon").order_by(col(Area.code))
    if province is not None:
        query = query.where(Area.province_code == normalize_code(province))
    return list(session.exec(query).all())
