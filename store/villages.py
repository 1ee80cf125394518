"""Villages: loaded from a CSV file (no package carries them), written back to one, or
generated as sample data (for a province, or spread over the nation for benchmarks).

Nothing is committed here; the caller owns the transaction.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from loguru import logger
from sqlmodel import Session, col, select

from plancycle.store.area_rows import (
    IS_SAMPLE,
    ImportCounts,
    Progress,
    area_row,
    existing_areas,
    upsert,
)
from plancycle.store.areas import normalize_code, tambon_codes
from plancycle.store.errors import AreaError
from plancycle.store.models import Area
from plancycle.store.village_csv import read_villages
from plancycle.thai.areacode import AreaCode, AreaLevel

__all__ = [
    "generate_sample_villages",
    "import_villages_csv",
    "synthetic_national_villages",
    "write_villages_csv",
]

SAMPLE_SOURCE = "sample"


def import_villages_csv(
    session: Session,
    path: str | Path,
    *,
    is_sample: bool = False,
    progress: Progress | None = None,
) -> ImportCounts:
    """Load villages from a CSV file (UTF-8, BOM or not) with header ``code,name_th[,name_en]``.

    Every row is checked first; if any is bad, ``VillageImportError`` lists one problem
    per bad row and nothing is written. Villages already in the store get the file's
    names (so importing the same file twice changes nothing).
    """
    path = Path(path)
    tambons = set(session.exec(select(Area.code).where(Area.level == AreaLevel.TAMBON)).all())
    rows, has_name_en = read_villages(path, tambons)
    provinces = sorted({AreaCode(r.code).province for r in rows})
    existing = existing_areas(
        session, col(Area.province_code).in_(provinces) & (col(Area.level) == AreaLevel.VILLAGE)
    )
    source = f"file:{path.name}"
    area_rows = []
    for r in rows:
        name_th = r.name_th or f"หมู่ที่ {int(r.code[6:])}"
        row = area_row(r.code, name_th, r.name_en, source=source, is_sample=is_sample)
        if not has_name_en and r.code in existing:
            del row["name_en"]  # the file says nothing about English names: keep them
        area_rows.append(row)
    counts = upsert(session, area_rows, existing, progress)
    logger.info("villages from {path}: {counts}", path=str(path), counts=counts)
    return counts


def write_villages_csv(session: Session, path: str | Path, province: str | None = None) -> int:
    """Write villages (of ``province``, or all) in the import format; returns the row count.

    The file is UTF-8 with a BOM so that spreadsheet programs show Thai correctly.
    """
    query = select(Area).where(Area.level == "village").order_by(col(Area.code))
    if province is not None:
        query = query.where(Area.province_code == normalize_code(province))
    count = 0
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["code", "name_th", "name_en"])
        for area in session.exec(query):
            writer.writerow([area.code, area.name_th, area.name_en or ""])
            count += 1
    return count


def _sample_count(seed: int, tambon: str) -> int:
    """4..16 villages, fixed by the seed and the tambon alone (adding tambons moves nothing)."""
    return random.Random(f"{seed}:{tambon}").randint(4, 16)


def _sample_row(tambon: str, number: int) -> dict[str, Any]:
    return area_row(
        f"{tambon}{number:02d}",
        f"หมู่ที่ {number}",
        f"Village {number}",
        source=SAMPLE_SOURCE,
        is_sample=True,
    )


def generate_sample_villages(
    session: Session,
    province: str = "24",
    *,
    seed: int = 2568,
    progress: Progress | None = None,
) -> ImportCounts:
    """Sample villages ``หมู่ที่ 1..N`` for every tambon of ``province`` in the store
    (N in 4..16, fixed by ``seed`` and the tambon code). Villages already imported from
    a file are left as they are."""
    province = normalize_code(province)
    tambons = tambon_codes(session, province)
    if not tambons:
        raise AreaError(
            f"No tambons of province {province} in the store; import the province from "
            f"geothai first",
            f"ไม่พบตำบลของจังหวัด {province}; นำเข้าจังหวัดจาก geothai ก่อน",
        )
    rows = [_sample_row(t, n) for t in tambons for n in range(1, _sample_count(seed, t) + 1)]
    existing = existing_areas(
        session, (col(Area.province_code) == province) & (col(Area.level) == AreaLevel.VILLAGE)
    )
    rows = [r for r in rows if r["code"] not in existing or existing[r["code"]][IS_SAMPLE]]
    return upsert(session, rows, existing, progress)


def synthetic_national_villages(
    session: Session,
    total: int = 75_000,
    seed: int = 2568,
    progress: Progress | None = None,
) -> ImportCounts:
    """About ``total`` sample villages spread unevenly over every tambon in the store
    (for benchmarks). Codes already present are skipped."""
    tambons = tambon_codes(session, None)
    if not tambons:
        raise AreaError(
            "No tambons in the store; import areas from geothai first",
            "ยังไม่มีตำบลในฐานข้อมูล; นำเข้าจาก geothai ก่อน",
        )
    if not 0 <= total <= 99 * len(tambons):
        raise AreaError(
            f"total {total:,} is out of range: 0 to {99 * len(tambons):,} "
            f"(99 villages for each of {len(tambons):,} tambons)",
            f"จำนวน {total:,} อยู่นอกช่วง 0 ถึง {99 * len(tambons):,}",
        )
    counts = _spread(total, len(tambons), random.Random(seed))
    existing = set(session.exec(select(Area.code).where(Area.level == "village")).all())
    rows = [
        _sample_row(t, n)
        for t, c in zip(tambons, counts, strict=False)
        for n in range(1, c + 1)
        if f"{t}{n:02d}" not in existing
    ]
    return upsert(session, rows, {}, progress)


def _spread(total: int, slots: int, rng: random.Random) -> list[int]:
    """``total`` split over ``slots`` by random weights (largest remainder), each at most 99."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(slots)]
    scale = total / sum(weights)
    quotas = [w * scale for w in weights]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(slots), key=lambda i: counts[i] - quotas[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return [min(c, 99) for c in counts]
