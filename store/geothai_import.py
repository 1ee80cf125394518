"""Provinces, districts and tambons from the ``geothai`` package.

Bangkok (province 10, khet/khwaeng) lies outside the planning cycle and is never loaded.
Nothing is committed here; the caller owns the transaction
(``with Session(engine) as s: import_geothai(s); s.commit()``).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

import geothai
from loguru import logger
from sqlmodel import Session, col

from plancycle.store.area_rows import ImportCounts, Progress, area_row, existing_areas, upsert
from plancycle.store.areas import BANGKOK, normalize_code
from plancycle.store.errors import AreaError, shown
from plancycle.store.models import Area

__all__ = ["geothai_source", "import_geothai"]


def geothai_source() -> str:
    """The ``source`` of areas loaded from geothai, e.g. ``geothai 3.2.1 (data 2026.10.23)``."""
    return f"geothai {version('geothai')} (data {geothai.DATA_VERSION})"


def import_geothai(
    session: Session,
    provinces: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> ImportCounts:
    """Load provinces, districts and tambons from ``geothai`` (every province but Bangkok,
    or only ``provinces``). Running it again adds nothing; changed names are updated."""
    wanted = _geothai_provinces(provinces)
    source = geothai_source()
    rows: list[dict[str, Any]] = []
    for province in wanted:
        rows.append(area_row(province.code, province.name_th, province.name_en, source=source))
    for province in wanted:
        for district in geothai.districts(province.code):
            rows.append(area_row(district.code, district.name_th, district.name_en, source=source))
    for row in [r for r in rows if r["level"] == "district"]:
        for tambon in geothai.subdistricts(row["code"]):
            rows.append(area_row(tambon.code, tambon.name_th, tambon.name_en, source=source))
    codes = [p.code for p in wanted]
    existing = existing_areas(
        session, col(Area.province_code).in_(codes) & (col(Area.level) != "village")
    )
    counts = upsert(session, rows, existing, progress)
    logger.info("geothai import ({codes}): {counts}", codes=len(codes), counts=counts)
    return counts


def _geothai_provinces(codes: Sequence[str] | None) -> list[Any]:
    every = {p.code: p for p in geothai.provinces()}
    if isinstance(codes, str):
        codes = [codes]
    if codes is None:
        return [p for code, p in sorted(every.items()) if code != BANGKOK]
    wanted = sorted({normalize_code(c) for c in codes})
    if BANGKOK in wanted:
        raise AreaError(
            "Bangkok (province 10) is outside the planning cycle and is not loaded",
            "กรุงเทพมหานคร (รหัส 10) อยู่นอกรอบการวางแผนนี้ จึงไม่นำเข้า",
        )
    unknown = [c for c in wanted if c not in every]
    if unknown:
        raise AreaError(
            f"Unknown province code(s): {shown(unknown)}; a province code has 2 digits, "
            f"e.g. 24 for Chachoengsao",
            f"ไม่พบรหัสจังหวัด: {shown(unknown)}; รหัสจังหวัดมี 2 หลัก เช่น 24 ฉะเชิงเทรา",
        )
    return [every[c] for c in wanted]
