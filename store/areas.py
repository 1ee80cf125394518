"""Loading and querying areas: provinces, districts and tambons from the ``geothai``
package; villages from a CSV file (no package carries them) or generated as samples;
and the named target lists of the activities.

Every function takes an open ``Session`` and leaves the transaction to the caller:
nothing is committed here, so several loads can be one unit of work
(``with Session(engine) as s: import_geothai(s); s.commit()``). Functions that check
their input check all of it before writing anything.

Codes may be written with Thai digits (``๒๔๐๑๐๑``); they are stored with ASCII digits.
Bangkok (province 10, khet/khwaeng) lies outside the planning cycle and is never loaded.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import geothai
import sqlalchemy as sa
from loguru import logger
from plancycle.store.errors import AreaError, RowProblem, VillageImportError
from plancycle.store.models import AREA_LEVELS, Area, AreaTarget
from sqlmodel import Session, col, func, select

__all__ = [
    "ACTIVITY2",
    "BANGKOK",
    "LEVELS",
    "STRONG_TAMBON",
    "ImportCounts",
    "Progress",
    "RowProblem",
    "activity2_targets",
    "area_counts",
    "children",
    "default_strong_tambons",
    "designate_strong_tambon",
    "district_count",
    "generate_sample_villages",
    "geothai_source",
    "get_area",
    "import_geothai",
    "import_villages_csv",
    "normalize_code",
    "read_codes_file",
    "set_target_list",
    "strong_tambons",
    "synthetic_national_villages",
    "target_codes",
    "write_villages_csv",
]

#: ``progress(done, total)``, called as work advances (for progress bars).
Progress = Callable[[int, int], None]

BANGKOK = "10"
ACTIVITY2 = "activity2"
STRONG_TAMBON = "strong_tambon"
LEVELS: tuple[str, ...] = ("province", "district", "tambon", "village")
SAMPLE_SOURCE = "sample"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_CHUNK = 2000
_MAX_SHOWN = 20


@dataclass
class ImportCounts:
    """Areas added per level, and existing areas updated (names or source changed)."""

    provinces: int = 0
    districts: int = 0
    tambons: int = 0
    villages: int = 0
    updated: int = 0

    @property
    def added(self) -> int:
        return self.provinces + self.districts + self.tambons + self.villages

    def _count_added(self, level: str) -> None:
        name = {"province": "provinces", "district": "districts", "tambon": "tambons"}
        attr = name.get(level, "villages")
        setattr(self, attr, getattr(self, attr) + 1)

    def __str__(self) -> str:
        return (
            f"added {self.provinces} provinces, {self.districts} districts, "
            f"{self.tambons} tambons, {self.villages} villages; updated {self.updated}"
        )


# ---------------------------------------------------------------- codes


def normalize_code(text: str) -> str:
    """A code as stored: surrounding spaces dropped, Thai digits made ASCII."""
    return text.strip().lstrip("\ufeff").translate(_THAI_DIGITS)


def _level(code: str) -> str | None:
    return AREA_LEVELS.get(len(code)) if code.isdigit() and code.isascii() else None


def _shown(codes: Sequence[str]) -> str:
    head = ", ".join(codes[:_MAX_SHOWN])
    more = len(codes) - _MAX_SHOWN
    return f"{head} … and {more} more" if more > 0 else head


def _chunks(
    rows: Sequence[dict[str, Any]], size: int = _CHUNK
) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# ---------------------------------------------------------------- writing areas


def _area_row(
    code: str, name_th: str, name_en: str | None, *, source: str, is_sample: bool = False
) -> dict[str, Any]:
    level = AREA_LEVELS[len(code)]
    return {
        "code": code,
        "level": level,
        "name_th": name_th,
        "name_en": name_en,
        "parent_code": code[: len(code) - 2] if level != "province" else None,
        "province_code": code[:2],
        "is_sample": is_sample,
        "source": source,
    }


_COMPARED = ("name_th", "name_en", "parent_code", "is_sample", "source")
_IS_SAMPLE = _COMPARED.index("is_sample")


def _existing(session: Session, where: sa.ColumnElement[bool]) -> dict[str, tuple[Any, ...]]:
    columns = [col(Area.code), *(getattr(Area, name) for name in _COMPARED)]
    return {row[0]: tuple(row[1:]) for row in session.exec(sa.select(*columns).where(where))}


def _upsert(
    session: Session,
    rows: Sequence[dict[str, Any]],
    existing: dict[str, tuple[Any, ...]],
    progress: Progress | None,
) -> ImportCounts:
    """Insert the new rows (in the given, parents-first order) and update the changed ones."""
    counts = ImportCounts()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        before = existing.get(row["code"])
        if before is None:
            new.append(row)
            counts._count_added(row["level"])
        elif before != tuple(row.get(name, old) for name, old in zip(_COMPARED, before, strict=False)):
            changed.append({k: v for k, v in row.items() if k in ("code", *_COMPARED)})
    total = len(rows)
    done = total - len(new) - len(changed)
    _report(progress, done, total)
    for batch in _chunks(new):
        session.exec(sa.insert(Area), params=list(batch))
        done += len(batch)
        _report(progress, done, total)
    for batch in _chunks(changed):
        session.exec(sa.update(Area), params=list(batch))
        done += len(batch)
        _report(progress, done, total)
    counts.updated = len(changed)
    return counts


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


# ---------------------------------------------------------------- geothai


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
        rows.append(_area_row(province.code, province.name_th, province.name_en, source=source))
    for province in wanted:
        for district in geothai.districts(province.code):
            rows.append(_area_row(district.code, district.name_th, district.name_en, source=source))
    for row in [r for r in rows if r["level"] == "district"]:
        for tambon in geothai.subdistricts(row["code"]):
            rows.append(_area_row(tambon.code, tambon.name_th, tambon.name_en, source=source))
    codes = [p.code for p in wanted]
    existing = _existing(
        session, col(Area.province_code).in_(codes) & (col(Area.level) != "village")
    )
    counts = _upsert(session, rows, existing, progress)
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
            f"Unknown province code(s): {_shown(unknown)}; a province code has 2 digits, "
            f"e.g. 24 for Chachoengsao",
            f"ไม่พบรหัสจังหวัด: {_shown(unknown)}; รหัสจังหวัดมี 2 หลัก เช่น 24 ฉะเชิงเทรา",
        )
    return [every[c] for c in wanted]


# ---------------------------------------------------------------- villages from CSV


@dataclass(frozen=True, slots=True)
class _VillageRow:
    code: str
    name_th: str
    name_en: str | None


_REQUIRED = ("code", "name_th")


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
    tambons = set(session.exec(select(Area.code).where(Area.level == "tambon")).all())
    rows, has_name_en = _read_villages(path, tambons)
    provinces = sorted({r.code[:2] for r in rows})
    existing = _existing(
        session, col(Area.province_code).in_(provinces) & (col(Area.level) == "village")
    )
    source = f"file:{path.name}"
    area_rows = []
    for r in rows:
        name_th = r.name_th or f"หมู่ที่ {int(r.code[6:])}"
        row = _area_row(r.code, name_th, r.name_en, source=source, is_sample=is_sample)
        if not has_name_en and r.code in existing:
            del row["name_en"]  # the file says nothing about English names: keep them
        area_rows.append(row)
    counts = _upsert(session, area_rows, existing, progress)
    logger.info("villages from {path}: {counts}", path=str(path), counts=counts)
    return counts


def _read_villages(path: Path, tambons: set[str]) -> tuple[list[_VillageRow], bool]:
    """The file's village rows, each checked; raises VillageImportError listing every bad row."""
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(reader, path)
    index = {name: i for i, name in reversed(list(enumerate(header)))}
    rows: list[_VillageRow] = []
    problems: list[RowProblem] = []
    first_seen: dict[str, int] = {}
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        line = reader.line_num
        raw = fields[index["code"]].strip() if len(fields) > index["code"] else ""
        problem = _check_village(line, raw, fields, header, tambons, first_seen)
        if problem is not None:
            problems.append(problem)
            continue
        rows.append(
            _VillageRow(
                normalize_code(raw),
                _field(fields, index, "name_th") or "",
                _field(fields, index, "name_en"),
            )
        )
    if problems:
        raise VillageImportError(path.name, problems)
    return rows, "name_en" in index


def _field(fields: list[str], index: dict[str, int], name: str) -> str | None:
    i = index.get(name)
    if i is None or i >= len(fields):
        return None
    return fields[i].strip() or None


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AreaError(
            f"Cannot read {str(path)!r}: {exc.strerror or exc}",
            f"อ่านไฟล์ {str(path)!r} ไม่ได้: {exc.strerror or exc}",
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise VillageImportError(
            path.name,
            [
                RowProblem(
                    line,
                    "",
                    "the file is not UTF-8 (perhaps TIS-620/Windows-874); save it as 'CSV UTF-8'",
                    "ไฟล์ไม่ได้เข้ารหัส UTF-8 (อาจเป็น TIS-620/Windows-874) ให้บันทึกเป็น 'CSV UTF-8'",
                )
            ],
        ) from exc


def _header(reader: Any, path: Path) -> list[str]:
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        header = [f.strip().lower() for f in fields]
        missing = [name for name in _REQUIRED if name not in header]
        if missing:
            raise VillageImportError(
                path.name,
                [
                    RowProblem(
                        reader.line_num,
                        "",
                        f"missing header column(s) {', '.join(missing)}; the first line must be "
                        f"code,name_th[,name_en]",
                        f"ไม่มีคอลัมน์ {', '.join(missing)} ในหัวตาราง; บรรทัดแรกต้องเป็น "
                        f"code,name_th[,name_en]",
                    )
                ],
            )
        return header
    raise VillageImportError(
        path.name,
        [
            RowProblem(
                1,
                "",
                "the file is empty; the first line must be code,name_th[,name_en]",
                "ไฟล์ว่าง; บรรทัดแรกต้องเป็น code,name_th[,name_en]",
            )
        ],
    )


def _check_village(
    line: int,
    raw: str,
    fields: list[str],
    header: list[str],
    tambons: set[str],
    first_seen: dict[str, int],
) -> RowProblem | None:
    """The one problem of a row (the first found), or None for a good row."""

    def bad(en: str, th: str) -> RowProblem:
        return RowProblem(line, raw, en, th)

    code = normalize_code(raw)
    if any(extra.strip() for extra in fields[len(header) :]):
        return bad(
            f"{len(fields)} fields but the header has {len(header)}; put names that "
            f"contain commas in double quotes",
            f"มี {len(fields)} ช่อง แต่หัวตารางมี {len(header)} ช่อง; ชื่อที่มีจุลภาคให้ใส่ในเครื่องหมายคำพูด",
        )
    if not code:
        return bad("code is empty", "ไม่มีรหัสหมู่บ้าน")
    if not (code.isdigit() and code.isascii()):
        return bad(f"code {raw!r} must contain digits only", f"รหัส {raw!r} ต้องเป็นตัวเลขเท่านั้น")
    if len(code) != 8:
        return bad(
            f"code {raw!r} has {len(code)} digits; a village code has 8 "
            f"(6-digit tambon code + 2-digit village number)",
            f"รหัส {raw!r} มี {len(code)} หลัก; รหัสหมู่บ้านมี 8 หลัก (รหัสตำบล 6 หลัก + หมู่ที่ 2 หลัก)",
        )
    if code.endswith("00"):
        return bad(
            f"village number 00 in {code} is not valid; use 01-99",
            f"หมู่ที่ 00 ในรหัส {code} ใช้ไม่ได้; ต้องเป็น 01-99",
        )
    if code[:6] not in tambons:
        return bad(
            f"tambon {code[:6]} of village {code} is not in the store; import its "
            f"province from geothai first",
            f"ไม่พบตำบล {code[:6]} ของหมู่บ้าน {code}; นำเข้าจังหวัดจาก geothai ก่อน",
        )
    if code in first_seen:
        return bad(
            f"code {code} is repeated; first on line {first_seen[code]}",
            f"รหัส {code} ซ้ำ; พบครั้งแรกที่บรรทัด {first_seen[code]}",
        )
    first_seen[code] = line
    return None


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


# ---------------------------------------------------------------- sample villages


def _sample_count(seed: int, tambon: str) -> int:
    """4..16 villages, fixed by the seed and the tambon alone (adding tambons moves nothing)."""
    return random.Random(f"{seed}:{tambon}").randint(4, 16)


def _sample_row(tambon: str, number: int) -> dict[str, Any]:
    return _area_row(
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
    tambons = _tambons(session, province)
    if not tambons:
        raise AreaError(
            f"No tambons of province {province} in the store; import the province from "
            f"geothai first",
            f"ไม่พบตำบลของจังหวัด {province}; นำเข้าจังหวัดจาก geothai ก่อน",
        )
    rows = [_sample_row(t, n) for t in tambons for n in range(1, _sample_count(seed, t) + 1)]
    existing = _existing(
        session, (col(Area.province_code) == province) & (col(Area.level) == "village")
    )
    rows = [r for r in rows if r["code"] not in existing or existing[r["code"]][_IS_SAMPLE]]
    return _upsert(session, rows, existing, progress)


def synthetic_national_villages(
    session: Session,
    total: int = 75_000,
    seed: int = 2568,
    progress: Progress | None = None,
) -> ImportCounts:
    """About ``total`` sample villages spread unevenly over every tambon in the store
    (for benchmarks). Codes already present are skipped."""
    tambons = _tambons(session, None)
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
    return _upsert(session, rows, {}, progress)


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


def _tambons(session: Session, province: str | None) -> list[str]:
    query = select(Area.code).where(Area.level == "tambon").order_by(col(Area.code))
    if province is not None:
        query = query.where(Area.province_code == province)
    return list(session.exec(query).all())


# ---------------------------------------------------------------- target lists


def set_target_list(session: Session, list_name: str, codes: Iterable[str]) -> int:
    """Replace the target list ``list_name`` with ``codes`` (tambons); returns its size.

    Every code must be a tambon in the store, and the strong-tambon list may hold one
    tambon per district; otherwise ``AreaError`` names the bad codes and nothing changes.
    """
    if not list_name.strip():
        raise AreaError(
            "A target list needs a name, e.g. activity2", "รายการเป้าหมายต้องมีชื่อ เช่น activity2"
        )
    wanted = sorted({normalize_code(c) for c in codes if c.strip()})
    districts = _tambon_districts(session, wanted)
    unknown = [c for c in wanted if c not in districts]
    if unknown:
        raise _not_tambons(session, list_name, unknown)
    if list_name == STRONG_TAMBON:
        _one_per_district(wanted, districts)
    session.exec(sa.delete(AreaTarget).where(col(AreaTarget.list_name) == list_name))
    for batch in _chunks([{"list_name": list_name, "area_code": c} for c in wanted]):
        session.exec(sa.insert(AreaTarget), params=list(batch))
    return len(wanted)


def _tambon_districts(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """tambon code -> district code, for those of ``codes`` that are tambons in the store."""
    found: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        part = codes[start : start + 500]
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
        f"the store: {_shown(described)}",
        f"ไม่ได้เปลี่ยนรายการ {list_name!r}: {len(unknown)} รหัสไม่ใช่ตำบลในฐานข้อมูล: {_shown(described)}",
    )


def _one_per_district(codes: Sequence[str], districts: dict[str, str]) -> None:
    by_district: dict[str, list[str]] = {}
    for code in codes:
        by_district.setdefault(districts[code], []).append(code)
    clashes = [f"{d}: {', '.join(c)}" for d, c in sorted(by_district.items()) if len(c) > 1]
    if clashes:
        raise AreaError(
            f"A district has one strong tambon; these districts have several: {_shown(clashes)}",
            f"อำเภอหนึ่งมีตำบลเข้มแข็งได้ตำบลเดียว อำเภอเหล่านี้มีมากกว่าหนึ่ง: {_shown(clashes)}",
        )


def target_codes(session: Session, list_name: str) -> list[str]:
    """The codes of a target list, sorted."""
    query = select(AreaTarget.area_code).where(AreaTarget.list_name == list_name)
    return sorted(session.exec(query).all())


def _list_codes(session: Session, list_name: str, province: str | None) -> list[str]:
    query = select(AreaTarget.area_code).where(AreaTarget.list_name == list_name)
    if province is not None:
        query = query.where(col(AreaTarget.area_code).startswith(normalize_code(province)))
    return sorted(session.exec(query).all())


def activity2_targets(session: Session, province: str | None = None) -> list[str]:
    """Activity 2's target tambons: the imported "activity2" list when it holds any
    tambon (anywhere), otherwise every tambon in the store; of ``province`` when given."""
    has_list = session.exec(
        select(AreaTarget.area_code).where(AreaTarget.list_name == ACTIVITY2).limit(1)
    ).first()
    if has_list is not None:
        return _list_codes(session, ACTIVITY2, province)
    return _tambons(session, normalize_code(province) if province else None)


def designate_strong_tambon(session: Session, tambon_code: str) -> str | None:
    """Make ``tambon_code`` the strong tambon of its district (Activity 3); returns the
    tambon it replaces, or None when the district had none (or had this one already)."""
    code = normalize_code(tambon_code)
    area = session.get(Area, code)
    if area is None or area.level != "tambon":
        raise _not_tambons(session, STRONG_TAMBON, [code])
    current = _strong_of_district(session, area.parent_code or "")
    if current == [code]:
        return None
    if current:
        session.exec(
            sa.delete(AreaTarget).where(
                col(AreaTarget.list_name) == STRONG_TAMBON, col(AreaTarget.area_code).in_(current)
            )
        )
    session.add(AreaTarget(list_name=STRONG_TAMBON, area_code=code))
    session.flush()
    return current[0] if current else None


def _strong_of_district(session: Session, district: str) -> list[str]:
    query = (
        select(AreaTarget.area_code)
        .join(Area, col(Area.code) == col(AreaTarget.area_code))
        .where(AreaTarget.list_name == STRONG_TAMBON, Area.parent_code == district)
    )
    return sorted(session.exec(query).all())


def strong_tambons(session: Session, province: str | None = None) -> list[str]:
    """The strong tambons (one per district at most), of ``province`` when given."""
    return _list_codes(session, STRONG_TAMBON, province)


def default_strong_tambons(session: Session, province: str | None = None) -> int:
    """Designate, for every district that has none, its first tambon by code.

    A placeholder so that a cycle can start: the province must replace these with the
    tambons it really chose (``designate_strong_tambon``). Returns how many were set.
    """
    query = select(Area.parent_code, func.min(Area.code)).where(Area.level == "tambon")
    if province is not None:
        query = query.where(Area.province_code == normalize_code(province))
    firsts = dict(session.exec(query.group_by(col(Area.parent_code))).all())
    covered = {
        parent
        for (parent,) in session.exec(
            sa.select(Area.parent_code)
            .join(AreaTarget, col(Area.code) == col(AreaTarget.area_code))
            .where(AreaTarget.list_name == STRONG_TAMBON)
        )
    }
    chosen = sorted(code for district, code in firsts.items() if district not in covered)
    for batch in _chunks([{"list_name": STRONG_TAMBON, "area_code": c} for c in chosen]):
        session.exec(sa.insert(AreaTarget), params=list(batch))
    if chosen:
        logger.warning(
            "designated {n} placeholder strong tambons (first tambon of each district); "
            "the province must confirm or replace them",
            n=len(chosen),
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
        if _level(code) is None:
            bad.append(f"line {number}: {raw.strip()!r}")
        else:
            codes.setdefault(code)
    if bad:
        raise AreaError(
            f"{path.name}: not area codes (2, 4, 6 or 8 digits): {_shown(bad)}",
            f"{path.name}: ไม่ใช่รหัสพื้นที่ (ตัวเลข 2, 4, 6 หรือ 8 หลัก): {_shown(bad)}",
        )
    return list(codes)


# ---------------------------------------------------------------- queries


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
