"""Reading a village CSV file (``code,name_th[,name_en]``, UTF-8 with or without a BOM)
and checking every row of it, so that a bad file is reported whole and nothing is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plancycle.store.areas import normalize_code
from plancycle.store.errors import AreaError, RowProblem, VillageImportError
from plancycle.text import text_problem
from plancycle.thai.areacode import AreaCode, AreaLevel, level_of

__all__ = ["VillageRow", "read_villages"]


@dataclass(frozen=True, slots=True)
class VillageRow:
    """A checked row of a village file: its code as stored, and its names."""

    code: str
    name_th: str
    name_en: str | None


_REQUIRED = ("code", "name_th")


def read_villages(path: Path, tambons: set[str]) -> tuple[list[VillageRow], bool]:
    """The file's village rows, each checked; raises VillageImportError listing every bad row."""
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(reader, path)
    index = {name: i for i, name in reversed(list(enumerate(header)))}
    rows: list[VillageRow] = []
    problems: list[RowProblem] = []
    first_seen: dict[str, int] = {}
    for fields in reader:
        if _blank(fields):
            continue
        line = reader.line_num
        raw = _field(fields, index, "code") or ""
        problem = _unstorable(line, raw, fields, header) or _check_village(
            line, raw, fields, header, tambons, first_seen
        )
        if problem is not None:
            problems.append(problem)
            continue
        rows.append(
            VillageRow(
                normalize_code(raw),
                _field(fields, index, "name_th") or "",
                _field(fields, index, "name_en"),
            )
        )
    if problems:
        raise VillageImportError(path.name, problems)
    return rows, "name_en" in index


def _blank(fields: list[str]) -> bool:
    return not any(f.strip() for f in fields)


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
        if _blank(fields):
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


def _unstorable(line: int, raw: str, fields: list[str], header: list[str]) -> RowProblem | None:
    """A field of the row holding text the store cannot keep (NUL, not UTF-8), if any."""
    for name, value in zip(header, fields, strict=False):
        problem = text_problem(value, name)
        if problem is not None:
            return RowProblem(line, raw, *problem)
    return None


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
    if level_of(code) is not AreaLevel.VILLAGE:
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
    tambon = AreaCode(code).tambon
    if tambon not in tambons:
        return bad(
            f"tambon {tambon} of village {code} is not in the store; import its "
            f"province from geothai first",
            f"ไม่พบตำบล {tambon} ของหมู่บ้าน {code}; นำเข้าจังหวัดจาก geothai ก่อน",
        )
    if code in first_seen:
        return bad(
            f"code {code} is repeated; first on line {first_seen[code]}",
            f"รหัส {code} ซ้ำ; พบครั้งแรกที่บรรทัด {first_seen[code]}",
        )
    first_seen[code] = line
    return None
