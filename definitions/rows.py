"""Step data given as rows: Activity 3's budget lines and Activity 1's attendance per district.

A data field of type ``budget_lines`` or ``district_attendance`` holds a list of rows; it
is stored as a list of JSON objects (:meth:`BudgetLine.as_json`). Every shell gives the
rows as one text (:data:`ROW_SEPARATORS` between rows, ``|`` between cells, in the order
of :data:`ROW_COLUMNS`) or, through the API, as a JSON list of objects. :func:`read_rows`
reads either and says, in Thai and English, which row and cell is wrong and how to write it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from plancycle.definitions.model import Text
from plancycle.definitions.row_kinds import RowKind
from plancycle.thai.digits import from_thai_digits

__all__ = [
    "CELL_SEPARATOR",
    "EXAMPLES",
    "ROW_COLUMNS",
    "ROW_SEPARATORS",
    "BudgetClass",
    "BudgetLine",
    "DistrictAttendance",
    "RowError",
    "RowKind",
    "read_rows",
    "rows_text",
]

CELL_SEPARATOR = "|"
ROW_SEPARATORS = ("\n", ";")


class BudgetClass(StrEnum):
    """The government budget classes (งบดำเนินงาน / ครุภัณฑ์) a project line belongs to."""

    COMPENSATION = "compensation"  # ค่าตอบแทน
    SERVICES = "services"  # ค่าใช้สอย
    MATERIALS = "materials"  # ค่าวัสดุ
    DURABLES = "durables"  # ครุภัณฑ์

    @property
    def label(self) -> Text:
        return _CLASS_LABELS[self]


_CLASS_LABELS = {
    BudgetClass.COMPENSATION: Text("ค่าตอบแทน", "compensation"),
    BudgetClass.SERVICES: Text("ค่าใช้สอย", "services"),
    BudgetClass.MATERIALS: Text("ค่าวัสดุ", "materials"),
    BudgetClass.DURABLES: Text("ครุภัณฑ์", "durable articles"),
}

# The cells of a row, in the order a typed row gives them: (key, Thai, English).
ROW_COLUMNS: Mapping[RowKind, tuple[Text, ...]] = {
    RowKind.BUDGET_LINES: (
        Text("รายการ", "item"),
        Text("จำนวนเงิน (บาท)", "amount (baht)"),
        Text("ประเภทงบ (ค่าตอบแทน/ค่าใช้สอย/ค่าวัสดุ/ครุภัณฑ์)", "budget class"),
        Text("แจกให้บุคคล (ใช่/ไม่)", "handed out to individuals (yes/no)"),
    ),
    RowKind.DISTRICT_ATTENDANCE: (
        Text("รหัสอำเภอ", "district code"),
        Text("ประธาน ศอช.ต.", "ศอช.ต. chairs"),
        Text("กรรมการ ศอช.อ.", "ศอช.อ. members"),
        Text("เจ้าหน้าที่พัฒนาชุมชน", "CD officers"),
    ),
}

EXAMPLES: Mapping[RowKind, str] = {
    RowKind.BUDGET_LINES: "ค่าวัสดุอบรม | 3000 | ค่าวัสดุ | ไม่; ค่าอาหาร | 5000 | ค่าใช้สอย | ไม่",
    RowKind.DISTRICT_ATTENDANCE: "2401 | 1 | 3 | 1; 2402 | 1 | 3 | 1",
}

_YES = {"yes", "y", "true", "1", "ใช่", "แจก"}
_NO = {"no", "n", "false", "0", "ไม่", "ไม่ใช่", "ไม่แจก", ""}


class RowError(ValueError):
    """A row that cannot be read: ``en`` and ``th`` say which and why."""

    def __init__(self, en: str, th: str) -> None:
        super().__init__(en)
        self.en = en
        self.th = th


@dataclass(frozen=True, slots=True)
class BudgetLine:
    item: str
    amount: int
    budget_class: BudgetClass
    handout: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "amount": self.amount,
            "budget_class": str(self.budget_class),
            "handout": self.handout,
        }


@dataclass(frozen=True, slots=True)
class DistrictAttendance:
    district: str
    socho_t_chairs: int
    socho_a_members: int
    cd_officers: int

    def as_json(self) -> dict[str, Any]:
        return {
            "district": self.district,
            "socho_t_chairs": self.socho_t_chairs,
            "socho_a_members": self.socho_a_members,
            "cd_officers": self.cd_officers,
        }


_KEYS: Mapping[RowKind, tuple[str, ...]] = {
    RowKind.BUDGET_LINES: ("item", "amount", "budget_class", "handout"),
    RowKind.DISTRICT_ATTENDANCE: ("district", "socho_t_chairs", "socho_a_members", "cd_officers"),
}


def _count(text: Any, n: int, col: Text, *, blank: int | None = None) -> int:
    raw = from_thai_digits(str(text)).replace(",", "").strip()
    if not raw and blank is not None:
        return blank
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        raise RowError(
            f"row {n}: {col.en} {text!r} is not a whole number of 0 or more",
            f"แถวที่ {n}: {col.th} {text!r} ไม่ใช่จำนวนเต็มตั้งแต่ 0 ขึ้นไป",
        )
    return int(raw)


def _class(text: Any, n: int) -> BudgetClass:
    word = str(text).strip().lower()
    for cls in BudgetClass:
        if word in (cls.value, cls.label.th, cls.label.en.lower()):
            return cls
    names = "/".join(c.label.th for c in BudgetClass)
    raise RowError(
        f"row {n}: budget class {text!r} is unknown; write one of {names} "
        f"(or {', '.join(c.value for c in BudgetClass)})",
        f"แถวที่ {n}: ประเภทงบ {text!r} ไม่รู้จัก เขียนอย่างใดอย่างหนึ่ง: {names}",
    )


def _flag(value: Any, n: int) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _YES | _NO:
        return word in _YES
    raise RowError(
        f"row {n}: 'handed out' {value!r} is not yes or no (ใช่/ไม่)",
        f"แถวที่ {n}: 'แจกให้บุคคล' {value!r} ต้องเป็น ใช่ หรือ ไม่",
    )


def _cells(kind: RowKind, row: Any, n: int) -> list[Any]:
    keys = _KEYS[kind]
    if isinstance(row, Mapping):
        return [row.get(k, "") for k in keys]
    cells = [c.strip() for c in row.split(CELL_SEPARATOR)] if isinstance(row, str) else list(row)
    if kind is RowKind.BUDGET_LINES and len(cells) == 3:
        cells.append("")  # "handed out" left off: no
    if len(cells) != len(keys):
        names = " | ".join(c.th for c in ROW_COLUMNS[kind])
        names_en = " | ".join(c.en for c in ROW_COLUMNS[kind])
        raise RowError(
            f"row {n}: {len(cells)} cells where {len(keys)} are needed: {names_en} "
            f"(e.g. {EXAMPLES[kind]})",
            f"แถวที่ {n}: มี {len(cells)} ช่อง ต้องมี {len(keys)} ช่อง: {names} (เช่น {EXAMPLES[kind]})",
        )
    return cells


def _one(kind: RowKind, row: Any, n: int) -> BudgetLine | DistrictAttendance:
    cells = _cells(kind, row, n)
    cols = ROW_COLUMNS[kind]
    if kind is RowKind.BUDGET_LINES:
        item = str(cells[0]).strip()
        if not item:
            raise RowError(f"row {n}: the item is empty", f"แถวที่ {n}: ไม่ได้ระบุรายการ")
        return BudgetLine(
            item, _count(cells[1], n, cols[1]), _class(cells[2], n), _flag(cells[3], n)
        )
    code = from_thai_digits(str(cells[0])).strip()
    if not re.fullmatch(r"[0-9]{4}", code):
        raise RowError(
            f"row {n}: district code {cells[0]!r} is not 4 digits (e.g. 2401)",
            f"แถวที่ {n}: รหัสอำเภอ {cells[0]!r} ต้องเป็นตัวเลข ๔ หลัก (เช่น 2401)",
        )
    return DistrictAttendance(code, *(_count(cells[i], n, cols[i]) for i in (1, 2, 3)))


def read_rows(kind: RowKind, value: Any) -> list[BudgetLine] | list[DistrictAttendance]:
    """The rows ``value`` gives: a text of rows, or a list of objects or of cell lists."""
    if isinstance(value, str):
        text = value
        for sep in ROW_SEPARATORS[1:]:
            text = text.replace(sep, ROW_SEPARATORS[0])
        raw: Sequence[Any] = [r for r in text.split(ROW_SEPARATORS[0]) if r.strip()]
    elif isinstance(value, list | tuple):
        raw = value
    else:
        raise RowError(
            f"{value!r} is not a list of rows (e.g. {EXAMPLES[kind]})",
            f"{value!r} ไม่ใช่รายการแถว (เช่น {EXAMPLES[kind]})",
        )
    rows = [_one(kind, r, n) for n, r in enumerate(raw, start=1)]
    if kind is RowKind.BUDGET_LINES:
        return [r for r in rows if isinstance(r, BudgetLine)]
    return [r for r in rows if isinstance(r, DistrictAttendance)]


def rows_text(kind: RowKind, stored: Sequence[Mapping[str, Any]], lang: str = "th") -> str:
    """Stored rows as the text one types them in (a form's kept value, a sheet cell)."""
    out = []
    for row in stored:
        cells = [row.get(k, "") for k in _KEYS[kind]]
        if kind is RowKind.BUDGET_LINES:
            cls = BudgetClass(cells[2]) if cells[2] in set(BudgetClass) else None
            cells[2] = cls.label.pick(lang) if cls else cells[2]
            cells[3] = (
                ("ใช่" if lang == "th" else "yes") if cells[3] else ("ไม่" if lang == "th" else "no")
            )
        out.append(" | ".join(str(c) for c in cells))
    return "; ".join(out)
