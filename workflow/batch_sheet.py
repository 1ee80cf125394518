"""The batch sheet: a template written as XLSX or CSV, and a filled sheet read back.

Layout (row 1 is the header, by name):

- ``key`` (FY/PROCESS/AREA) and ``trigger``: required;
- one column per data field of the step, named as the field (``forum_date``);
- ``evidence.SLOT``: a file name, relative to the evidence folder the reader is given;
- ``note``;
- a column whose header starts with ``#`` is a helper (the area's name): never read;
- a row whose ``key`` cell starts with ``#`` is a comment (the template's second header
  row: each column's label in Thai and English), and an empty row is skipped.

Row numbers are the sheet's own (the header is row 1), as a spreadsheet program shows
them. CSV is UTF-8, with or without a byte-order mark (the template is written with one,
so spreadsheet programs read the Thai)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from plancycle.cells import safe_row
from plancycle.definitions.rows import ROW_COLUMNS
from plancycle.errors import PlancycleError
from plancycle.workflow.batch_template import Template

__all__ = [
    "BadSheet",
    "SheetFormat",
    "SheetRow",
    "format_of",
    "read_sheet",
    "template_csv",
    "template_xlsx",
]

KEY, TRIGGER, NOTE, EVIDENCE, HELPER = "key", "trigger", "note", "evidence.", "#"
AREA_HELPER = "#area"


class SheetFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class BadSheet(PlancycleError, ValueError):
    """A file that cannot be read as a batch sheet; nothing was checked or written."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    row: int
    key: str
    trigger: str
    data: dict[str, str] = field(default_factory=dict)
    evidence: tuple[tuple[str, str], ...] = ()  # (slot, file name)
    note: str | None = None


def format_of(path: Path) -> SheetFormat:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in tuple(SheetFormat):
        raise BadSheet(
            f"{path.name}: give a .csv or .xlsx file (not .{suffix or '?'})",
            f"{path.name}: ใช้ไฟล์ .csv หรือ .xlsx (ไม่ใช่ .{suffix or '?'})",
        )
    return SheetFormat(suffix)


# --- the template -------------------------------------------------------------------


def _columns(t: Template) -> list[tuple[str, str]]:
    """(header, label) of every column, in order."""
    step = t.step
    cols = [
        (KEY, "# รหัสรายการ ห้ามแก้ไข / key, do not change"),
        (AREA_HELPER, "ชื่อพื้นที่ (ไม่ถูกอ่าน) / area name (not read)"),
        (TRIGGER, f"ขั้น: {step.label.th} / step: {step.label.en}"),
    ]
    for f in step.data:
        th = f.label.th if f.label else f.name
        en = f.label.en if f.label else f.name
        star = " *" if f.required else ""
        cols.append((f.name, f"{th}{star} ({_HINT.get(f.type, f.type)}) / {en}{star}"))
    for s in step.evidence:
        # * refuses a row without the file; an expected one (severity warn) records the finding
        star = " *" if s.insisted else ""
        expected = s.required and not s.insisted
        th_hint, en_hint = ("ควรแนบ ชื่อไฟล์", "expected, file name") if expected else _FILE
        cols.append(
            (
                f"{EVIDENCE}{s.id}",
                f"{s.label.th}{star} ({th_hint}) / {s.label.en}{star} ({en_hint})",
            )
        )
    cols.append((NOTE, "บันทึกเพิ่มเติม / note"))
    return cols


_FILE = ("ชื่อไฟล์", "file name")
_HINT = {
    "int": "จำนวนเต็ม",
    "date": "วันที่ เช่น 20/01/2568",
    "bool": "ใช่/ไม่",
    "list": "คั่นด้วยจุลภาค",
    "str": "ข้อความ",
    # rows in one cell: one per line or ';', cells between '|'
    **{
        str(kind): "แถวละบรรทัด คั่นช่องด้วย | : " + " | ".join(c.th for c in cols)
        for kind, cols in ROW_COLUMNS.items()
    },
}


def _body(t: Template) -> Iterator[list[str]]:
    width = len(_columns(t)) - 3
    for r in t.rows:
        yield [r.key, r.area_name.th, t.step.trigger, *([""] * width)]


def template_csv(t: Template) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    cols = _columns(t)
    writer.writerow([h for h, _ in cols])
    writer.writerow([label for _, label in cols])
    writer.writerows(safe_row(row) for row in _body(t))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_LOCKED = PatternFill("solid", fgColor="EEEEEE")
_HEAD = PatternFill("solid", fgColor="DDEBF7")


def template_xlsx(t: Template) -> bytes:
    """The sheet, its key, area and trigger cells locked (the sheet is protected without
    a password: the other cells are open, rows may be deleted, sorted and filtered)."""
    book = Workbook()
    ws = book.active
    ws.title = t.process[:31]
    cols = _columns(t)
    ws.append([h for h, _ in cols])
    ws.append([label for _, label in cols])
    for row in _body(t):
        ws.append(safe_row(row))
    open_from = 4  # columns 1-3 (key, area, trigger) stay locked
    for i, (_, label) in enumerate(cols, 1):
        ws.cell(1, i).comment = Comment(label, "plancycle")
        ws.column_dimensions[get_column_letter(i)].width = 16 if i > 3 else 26
        for line in (1, 2):
            ws.cell(line, i).font = Font(bold=line == 1)
            ws.cell(line, i).fill = _HEAD
        for cell in ws.iter_rows(min_row=3, min_col=i, max_col=i):
            cell[0].protection = Protection(locked=i < open_from)
            if i < open_from:
                cell[0].fill = _LOCKED
    ws.freeze_panes = "D3"
    ws.protection.sheet = True
    for allowed in ("deleteRows", "sort", "autoFilter", "formatColumns", "formatRows"):
        setattr(ws.protection, allowed, False)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


# --- reading a filled sheet ---------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as the text the step data parser takes: a date as ISO, 25.0 as 25."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # the template's formula guard (plancycle.cells) put a ' before text that would be a formula
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _csv_rows(raw: bytes, name: str) -> Iterator[list[Any]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadSheet(
            f"{name}: byte {exc.start + 1} is not UTF-8; save the sheet as CSV UTF-8",
            f"{name}: ไบต์ที่ {exc.start + 1} ไม่ใช่ UTF-8; บันทึกไฟล์เป็น CSV UTF-8",
        ) from None
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx_rows(raw: bytes, name: str) -> Iterator[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise BadSheet(
            f"{name}: not an XLSX workbook; save it from the spreadsheet program as .xlsx",
            f"{name}: ไม่ใช่ไฟล์ XLSX; บันทึกจากโปรแกรมตารางคำนวณเป็น .xlsx",
        ) from None
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield list(values)
    finally:
        book.close()


def _header(cells: list[Any], name: str) -> list[str]:
    head = [_text(c) for c in cells]
    missing = [c for c in (KEY, TRIGGER) if c not in head]
    if missing:
        raise BadSheet(
            f"{name}: row 1 must name the columns; missing {', '.join(missing)} "
            "(fill the template made for the step, keeping its first row)",
            f"{name}: แถวที่ 1 ต้องเป็นชื่อคอลัมน์; ขาด {', '.join(missing)} "
            "(กรอกแบบฟอร์มที่สร้างสำหรับขั้นนั้น โดยคงแถวแรกไว้)",
        )
    return head


def _row(number: int, head: list[str], cells: list[Any]) -> SheetRow | None:
    values = {
        h: _text(c) for h, c in zip(head, cells, strict=False) if h and not h.startswith(HELPER)
    }
    key = values.get(KEY, "")
    if key.startswith(HELPER) or not any(values.values()):
        return None
    data = {
        h: v
        for h, v in values.items()
        if v and h not in (KEY, TRIGGER, NOTE) and not h.startswith(EVIDENCE)
    }
    files = tuple(
        (h[len(EVIDENCE) :], v) for h, v in values.items() if h.startswith(EVIDENCE) and v
    )
    return SheetRow(number, key, values.get(TRIGGER, ""), data, files, values.get(NOTE) or None)


def read_sheet(raw: bytes, name: str, fmt: SheetFormat) -> list[SheetRow]:
    """The rows of a filled sheet (``fmt``: csv or xlsx), numbered as the sheet numbers them."""
    lines: Iterable[list[Any]] = (
        _csv_rows(raw, name) if fmt == SheetFormat.CSV else _xlsx_rows(raw, name)
    )
    out: list[SheetRow] = []
    head: list[str] | None = None
    for number, cells in enumerate(lines, 1):
        if head is None:
            head = _header(cells, name)
            continue
        row = _row(number, head, cells)
        if row is not None:
            out.append(row)
    if head is None:
        raise BadSheet(f"{name}: the file is empty", f"{name}: ไฟล์ว่างเปล่า")
    return out
