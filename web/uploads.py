"""An advance as it arrives over HTTP (a multipart form, from the API or the instance
page): the trigger, a note, step data, the version the caller saw, and evidence files,
handed to the engine as the uploads' own file objects (the store streams them into the
evidence folder, hashing and counting as it copies).

Fields: ``trigger``; ``note``; ``expected_version`` (or an ``If-Match: "N"`` header);
``data`` (a JSON object) and/or ``data.NAME`` fields; files ``evidence.SLOT`` (for a
named slot) or ``evidence`` (the step's slots in order).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData, UploadFile

from plancycle.store.evidence import EvidenceInput
from plancycle.thai.digits import is_arabic_digits
from plancycle.workflow.errors import BadStepInput

__all__ = [
    "AdvanceForm",
    "evidence_inputs",
    "form_data",
    "form_version",
    "parse_advance_form",
]

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')  # Thai (with its marks) stays


@dataclass
class AdvanceForm:
    trigger: str
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None
    files: list[tuple[str | None, UploadFile]] = field(default_factory=list)
    on_behalf_of: str | None = None  # the role the step is recorded for (บันทึกแทน)


def _version(text: str | None) -> int | None:
    text = (text or "").strip().removeprefix("W/").strip('"')
    if not text:
        return None
    if not is_arabic_digits(text) or len(text) > 18:
        raise BadStepInput(
            f"expected_version / If-Match must be the instance's version number, not {text!r}",
            f"expected_version / If-Match ต้องเป็นเลขรุ่นของรายการ ไม่ใช่ {text!r}",
        )
    return int(text)


MAX_DATA_DEPTH = 8  # step data is a flat object; a list inside it is as deep as it goes
MAX_NUMBER_CHARS = 40  # a count or an amount in baht, written out in full
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _too_deep(text: str) -> bool:
    depth = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DATA_DEPTH:
            return True
    return False


def _number(text: str) -> Any:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadStepInput(
            f"a number in data has {len(text):,} characters; at most {MAX_NUMBER_CHARS} are taken",
            f"ตัวเลขใน data ยาว {len(text):,} ตัวอักษร; รับได้ไม่เกิน {MAX_NUMBER_CHARS}",
        )
    return float(text) if any(c in text for c in ".eE") else int(text)


def _no_constant(text: str) -> Any:
    raise BadStepInput(
        f"data may not hold {text}; write a number", f"data มี {text} ไม่ได้; โปรดใส่ตัวเลข"
    )


def _json_data(text: str) -> dict[str, Any]:
    """The JSON object in ``data``: nesting deeper than MAX_DATA_DEPTH and numbers longer
    than MAX_NUMBER_CHARS are refused before they are built."""
    if _too_deep(text):
        raise BadStepInput(
            f"data is nested more than {MAX_DATA_DEPTH} levels deep",
            f"data ซ้อนกันเกิน {MAX_DATA_DEPTH} ชั้น",
        )
    try:
        value = json.loads(
            text, parse_int=_number, parse_float=_number, parse_constant=_no_constant
        )
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise BadStepInput(
            'data must be a JSON object, e.g. {"participants": 25}',
            'data ต้องเป็นวัตถุ JSON เช่น {"participants": 25}',
        )
    return value


def parse_advance_form(form: FormData, if_match: str | None = None) -> AdvanceForm:
    trigger = str(form.get("trigger") or "").strip()
    if not trigger:
        raise BadStepInput("the field 'trigger' is required", "ต้องระบุช่อง 'trigger' (ขั้นที่จะทำ)")
    note = str(form.get("note") or "").strip() or None
    out = AdvanceForm(
        trigger,
        note,
        expected_version=form_version(form, if_match),
        on_behalf_of=str(form.get("on_behalf_of") or "").strip() or None,
    )
    for name, value in form.multi_items():
        # an empty file input sends a part with no file name: nothing chosen
        is_file = isinstance(value, UploadFile) and bool(value.filename)
        if is_file and (name == "evidence" or name.startswith("evidence.")):
            out.files.append((name.partition(".")[2] or None, value))  # type: ignore[arg-type]
    out.data = form_data(form)
    return out


ROWS_PREFIX = "rows."  # rows.<field>.<row>.<cell>: one cell of a field of rows


def _cell(cells: dict[str, dict[int, dict[int, str]]], name: str, value: str) -> None:
    data_name, _, rest = name.partition(".")
    row, _, cell = rest.partition(".")
    if row.isdigit() and cell.isdigit():
        cells.setdefault(data_name, {}).setdefault(int(row), {})[int(cell)] = value.strip()


def rows_typed(rows: dict[int, dict[int, str]]) -> str:
    """A form's table of cells as the text of rows every shell gives (one row per line,
    cells between '|'); a row whose cells are all blank is left out."""
    lines = []
    for n in sorted(rows):
        cells = [rows[n].get(i, "") for i in range(max(rows[n]) + 1)]
        if any(cells):
            lines.append(" | ".join(c.replace("|", "/") for c in cells))
    return "\n".join(lines)


def form_version(form: FormData, if_match: str | None = None) -> int | None:
    """The instance version the form was filled in on (``expected_version`` or If-Match)."""
    return _version(str(form.get("expected_version") or "") or if_match)


def form_data(form: FormData) -> dict[str, Any]:
    """A form's step data: ``data`` (a JSON object), ``data.NAME`` fields and the cells of
    a field of rows (``rows.NAME.ROW.CELL``)."""
    data: dict[str, Any] = {}
    cells: dict[str, dict[int, dict[int, str]]] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            continue
        if name == "data" and value.strip():
            data.update(_json_data(value))
        elif name.startswith("data."):
            data[name[5:]] = value
        elif name.startswith(ROWS_PREFIX):
            _cell(cells, name.removeprefix(ROWS_PREFIX), value)
    for name, rows in cells.items():
        data[name] = rows_typed(rows)
    return data


def _safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", Path(name).name).strip(" .")
    return cleaned[:120] or "upload"


def evidence_inputs(files: list[tuple[str | None, UploadFile]]) -> list[EvidenceInput]:
    """The uploads as the engine takes them: slot, a safe file name (kept in the record)
    and the upload's own file object, read from its start."""
    out: list[EvidenceInput] = []
    for slot, upload in files:
        upload.file.seek(0)
        out.append(EvidenceInput(slot, _safe_name(upload.filename or "upload"), upload.file))
    return out
