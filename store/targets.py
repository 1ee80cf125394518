"""The named target lists of the activities, one per fiscal year (BE): Activity 2's
target tambons (``activity2``) and Activity 3's strong tambons (``strong_tambon``, one
per district), and reading lists of codes from files. The letter's lists are "ประจำปี
๒๕๖๘": a year never inherits another year's list.

Codes may be written with Thai digits (``๒๔๐๑๐๑``); they are stored with ASCII digits.
Nothing is committed here; the caller owns the transaction. Functions that check their
input check all of it before writing anything.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session, col, func, select

from plancycle.store.area_rows import chunks
from plancycle.store.areas import normalize_code, tambon_codes
from plancycle.store.errors import AreaError, shown
from plancycle.store.models import Area, AreaTarget
from plancycle.thai.areacode import level_of

__all__ = [
    "ACTIVITY2",
    "STRONG_TAMBON",
    "ListImport",
    "activity2_targets",
    "default_strong_tambons",
    "designate_strong_tambon",
    "has_list",
    "read_codes_file",
    "set_target_list",
    "strong_of_district",
    "strong_tambons",
    "target_codes",
]

ACTIVITY2 = "activity2"
STRONG_TAMBON = "strong_tambon"


@dataclass(frozen=True)
class ListImport:
    """What replacing a target list did: the tambons kept, and the codes of provinces not
    in the store that were skipped (a province-only store importing the national list)."""

    kept: int
    skipped: dict[str, int] = field(default_factory=dict)  # province code -> codes skipped

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def set_target_list(
    session: Session,
    fiscal_year: int,
    list_name: str,
    codes: Iterable[str],
    *,
    skip_other_provinces: bool = False,
) -> ListImport:
    """Replace fiscal year ``fiscal_year``'s target list ``list_name`` with ``codes``.

    Every code must be a tambon in the store, and the strong-tambon list may hold one
    tambon per district; otherwise ``AreaError`` names the bad codes and nothing changes.
    With ``skip_other_provinces``, codes of provinces that are not in the store at all are
    counted (per province) and skipped, not refused: a province's store takes the
    national list as it is published.
    """
    if not list_name.strip():
        raise AreaError(
            "A target list needs a name, e.g. activity2", "รายการเป้าหมายต้องมีชื่อ เช่น activity2"
        )
    wanted = sorted({normalize_code(c) for c in codes if c.strip()})
    skipped: dict[str, int] = {}
    if skip_other_provinces:
        wanted, skipped = _split_by_province(session, wanted)
    districts = _tambon_districts(session, wanted)
    unknown = [c for c in wanted if c not in districts]
    if unknown:
        raise _not_tambons(session, list_name, unknown)
    if list_name == STRONG_TAMBON:
        _one_per_district(wanted, districts)
    session.exec(
        sa.delete(AreaTarget).where(
            col(AreaTarget.list_name) == list_name, col(AreaTarget.fiscal_year) == fiscal_year
        )
    )
    _insert_targets(session, fiscal_year, list_name, wanted)
    return ListImport(len(wanted), skipped)


def _split_by_province(session: Session, codes: list[str]) -> tuple[list[str], dict[str, int]]:
    """(the codes of provinces in the store, province -> count of the others)."""
    present = set(session.exec(select(Area.code).where(Area.level == "province")).all())
    kept = [c for c in codes if c[:2] in present]
    skipped: dict[str, int] = {}
    for code in codes:
        if code[:2] not in present:
            skipped[code[:2]] = skipped.get(code[:2], 0) + 1
    return kept, dict(sorted(skipped.items()))


def _insert_targets(
    session: Session, fiscal_year: int, list_name: str, codes: Sequence[str]
) -> None:
    rows = [{"fiscal_year": fiscal_year, "list_name": list_name, "area_code": c} for c in codes]
    for batch in chunks(rows):
        session.exec(sa.insert(AreaTarget), params=list(batch))


def _tambon_districts(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """tambon code -> district code, for those of ``codes`` that are tambons in the store."""
    found: dict[str, str] = {}
    for part in chunks(codes, 500):
        query = select(Area.code, Area.parent_code).where(
            col(Area.code).in_(part), Area.level == "tambon"
        )
        found.update({code: parent or "" for code, parent in session.exec(query)})
    return found


def _not_tambons(session: Session, list_name: str, unknown: list[str]) -> AreaError:
    query = select(Area.code, Area.level).where(col(Area.code).in_(unknown[:500]))
    levels = dict(session.exec(query).all())
    described = [f"{c} ({levels[c]})" if c in levels else c for c in unknown]
    return AreaError(
        f"Target list {list_name!r} not changed: {len(unknown)} code(s) are not tambons in "
        f"the store: {shown(described)}",
        f"ไม่ได้เปลี่ยนรายการ {list_name!r}: {len(unknown)} รหัสไม่ใช่ตำบลในฐานข้อมูล: {shown(described)}",
    )


def _one_per_district(codes: Sequence[str], districts: dict[str, str]) -> None:
    by_district: dict[str, list[str]] = {}
    for code in codes:
        by_district.setdefault(districts[code], []).append(code)
    clashes = [f"{d}: {', '.join(c)}" for d, c in sorted(by_district.items()) if len(c) > 1]
    if clashes:
        raise AreaError(
            f"A district has one strong tambon; these districts have several: {shown(clashes)}",
            f"อำเภอหนึ่งมีตำบลเข้มแข็งได้ตำบลเดียว อำเภอเหล่านี้มีมากกว่าหนึ่ง: {shown(clashes)}",
        )


def target_codes(session: Session, fiscal_year: int, list_name: str) -> list[str]:
    """The codes of a fiscal year's target list, sorted."""
    return _list_codes(session, fiscal_year, list_name, None)


def _list_codes(
    session: Session, fiscal_year: int, list_name: str, province: str | None
) -> list[str]:
    query = select(AreaTarget.area_code).where(
        AreaTarget.list_name == list_name, AreaTarget.fiscal_year == fiscal_year
    )
    if province is not None:
        query = query.where(col(AreaTarget.area_code).startswith(normalize_code(province)))
    return sorted(session.exec(query).all())


def has_list(session: Session, fiscal_year: int, list_name: str) -> bool:
    """Whether the fiscal year's list ``list_name`` holds any area (anywhere)."""
    query = select(AreaTarget.area_code).where(
        AreaTarget.list_name == list_name, AreaTarget.fiscal_year == fiscal_year
    )
    return session.exec(query.limit(1)).first() is not None


def activity2_targets(session: Session, fiscal_year: int, province: str | None = None) -> list[str]:
    """Activity 2's target tambons of the year: its imported "activity2" list when it holds
    any tambon (anywhere), otherwise every tambon in the store; of ``province`` when given."""
    if has_list(session, fiscal_year, ACTIVITY2):
        return _list_codes(session, fiscal_year, ACTIVITY2, province)
    return tambon_codes(session, province or None)


def designate_strong_tambon(session: Session, fiscal_year: int, tambon_code: str) -> str | None:
    """Make ``tambon_code`` the strong tambon of its district for the year (Activity 3);
    returns the tambon it replaces, or None when the district had none (or had this one
    already). The caller moves a started instance (``workflow/targets_move.py``)."""
    code = normalize_code(tambon_code)
    area = session.get(Area, code)
    if area is None or area.level != "tambon":
        raise _not_tambons(session, STRONG_TAMBON, [code])
    current = strong_of_district(session, fiscal_year, area.parent_code or "")
    if current == [code]:
        return None
    if current:
        session.exec(
            sa.delete(AreaTarget).where(
                col(AreaTarget.list_name) == STRONG_TAMBON,
                col(AreaTarget.fiscal_year) == fiscal_year,
                col(AreaTarget.area_code).in_(current),
            )
        )
    session.add(AreaTarget(fiscal_year=fiscal_year, list_name=STRONG_TAMBON, area_code=code))
    session.flush()
    return current[0] if current else None


def strong_of_district(session: Session, fiscal_year: int, district: str) -> list[str]:
    """The strong tambon(s) of a district for the year (at most one)."""
    query = (
        select(AreaTarget.area_code)
        .join(Area, col(Area.code) == col(AreaTarget.area_code))
        .where(
            AreaTarget.list_name == STRONG_TAMBON,
            AreaTarget.fiscal_year == fiscal_year,
            Area.parent_code == district,
        )
    )
    return sorted(session.exec(query).all())


def strong_tambons(session: Session, fiscal_year: int, province: str | None = None) -> list[str]:
    """The year's strong tambons (one per district at most), of ``province`` when given."""
    return _list_codes(session, fiscal_year, STRONG_TAMBON, province)


def default_strong_tambons(session: Session, fiscal_year: int, province: str | None = None) -> int:
    """Designate, for every district that has none this year, its first tambon by code.

    A placeholder so that a cycle can start: the province must replace these with the
    tambons it really chose (``designate_strong_tambon``). Returns how many were set.
    """
    query = select(Area.parent_code, func.min(Area.code)).where(Area.level == "tambon")
    if province is not None:
        query = query.where(Area.province_code == normalize_code(province))
    firsts = dict(session.exec(query.group_by(col(Area.parent_code))).all())
    covered = set(
        session.exec(
            select(col(Area.parent_code))
            .join(AreaTarget, col(Area.code) == col(AreaTarget.area_code))
            .where(
                col(AreaTarget.list_name) == STRONG_TAMBON,
                col(AreaTarget.fiscal_year) == fiscal_year,
            )
        )
    )
    chosen = sorted(code for district, code in firsts.items() if district not in covered)
    _insert_targets(session, fiscal_year, STRONG_TAMBON, chosen)
    if chosen:
        logger.warning(
            "designated {n} placeholder strong tambons for FY{fy} (first tambon of each "
            "district); the province must confirm or replace them",
            n=len(chosen),
            fy=fiscal_year,
        )
    return len(chosen)


def read_codes_file(path: str | Path) -> list[str]:
    """Codes from a file: one per line, or a CSV with a ``code`` column. Thai digits are
    accepted; blank lines and ``#`` comments are skipped; repeats are dropped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AreaError(
            f"Cannot read codes from {str(path)!r}: {exc}",
            f"อ่านรหัสจากไฟล์ {str(path)!r} ไม่ได้: {exc}",
        ) from exc
    lines = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]
    if not lines:
        return []
    first = [cell.strip().lower() for cell in next(csv.reader([lines[0][1]]))]
    if "code" in first:
        column = first.index("code")
        values = [
            (number, cells[column] if len(cells) > column else "")
            for number, cells in ((n, next(csv.reader([line]))) for n, line in lines[1:])
        ]
    elif len(first) > 1:
        raise AreaError(
            f"{path.name}: a CSV file needs a header with a 'code' column",
            f"{path.name}: ไฟล์ CSV ต้องมีหัวตารางที่มีคอลัมน์ 'code'",
        )
    else:
        values = [(number, line.split("#", 1)[0]) for number, line in lines]
    return _checked_codes(path, values)


def _checked_codes(path: Path, values: list[tuple[int, str]]) -> list[str]:
    codes: dict[str, None] = {}
    bad: list[str] = []
    for number, raw in values:
        code = normalize_code(raw)
        if level_of(code) is None:
            bad.append(f"line {number}: {raw.strip()!r}")
        else:
            codes.setdefault(code)
    if bad:
        raise AreaError(
            f"{path.name}: not area codes (2, 4, 6 or 8 digits): {shown(bad)}",
            f"{path.name}: ไม่ใช่รหัสพื้นที่ (ตัวเลข 2, 4, 6 หรือ 8 หลัก): {shown(bad)}",
        )
    return list(codes)
