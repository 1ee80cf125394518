"""Checking and typing the data a coordinator gives with a step.

Every shell hands the values as it got them (the CLI's and the web form's text, the API's
JSON values, the cells of an uploaded sheet) to :func:`coerce_step_data`: a date field is
read by :func:`~plancycle.thai.dateinput.read_date` and must fall within the days
:func:`~plancycle.workflow.datefields.allowed_dates` gives for the instance's fiscal year."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from plancycle.definitions.model import DataField
from plancycle.definitions.rows import ROW_COLUMNS, RowError, RowKind, read_rows
from plancycle.thai.dateinput import TYPED_FORMS, read_date
from plancycle.thai.dates import ThaiDateError
from plancycle.thai.digits import from_thai_digits
from plancycle.workflow.datefields import allowed_dates
from plancycle.workflow.errors import BadData, BadValue, DateOutOfRange
from plancycle.workflow.inputs import field_ref

__all__ = ["coerce_step_data"]

_TRUE = {"true", "yes", "y", "1", "ใช่", "จริง"}
_FALSE = {"false", "no", "n", "0", "ไม่", "ไม่ใช่", "เท็จ"}
_INT_TEXT = re.compile(r"-?[0-9]+")  # after Thai digits became 0-9 and commas went
_INT_DIGITS = 15  # the most an int field takes (a count, or baht: a budget has fewer)
_TOO_LARGE: int = 10**_INT_DIGITS
_SHOWN = 30  # characters of a refused value quoted in the message


def _to_int(value: Any) -> int | None:
    """An int, or text of one in Arabic (0-9) or Thai (๐-๙) digits with an optional leading
    '-' and commas between thousands; None otherwise (other digits such as ² ٢ ２ too).
    Text of more than ``_INT_DIGITS`` digits gives ``±_TOO_LARGE``, which _coerce refuses."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = from_thai_digits(str(value)).replace(",", "").strip()
    if not _INT_TEXT.fullmatch(text):
        return None
    if len(text.lstrip("-").lstrip("0")) > _INT_DIGITS:
        return -_TOO_LARGE if text.startswith("-") else _TOO_LARGE
    return int(text)


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return text in _TRUE if text in _TRUE | _FALSE else None


def _to_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _read_date(field: DataField, value: Any) -> date:
    """The day ``value`` names, or BadValue naming what was typed, why it is not a date,
    the accepted forms and an example."""
    try:
        return read_date(value)
    except ThaiDateError as exc:
        forms = ", ".join(TYPED_FORMS)
        raise BadValue(
            field_ref(field),
            _shown(value),
            (
                f"is not a date: {exc.problem_en}; write it as one of {forms} "
                f"(day first; a 4-digit year from 2400 is BE)",
                f"ไม่ใช่วันที่: {exc.problem_th} เขียนแบบใดแบบหนึ่งต่อไปนี้ {forms} "
                f"(ขึ้นต้นด้วยวัน; ปี 4 หลักตั้งแต่ 2400 เป็น พ.ศ.)",
            ),
        ) from None


def _to_date(field: DataField, value: Any, fiscal_year: int) -> str:
    """The ISO text (CE) of the day ``value`` names, once it is one the field takes."""
    day = _read_date(field, value)
    allowed = allowed_dates(field, fiscal_year)
    if day not in allowed:
        raise DateOutOfRange(
            field_ref(field),
            _shown(value),
            day,
            (allowed.first, allowed.last),
            fiscal_year,
            allowed.declared,
        )
    return day.isoformat()


_HINTS = {
    "int": (
        " (give a whole number in Arabic or Thai digits, e.g. 25, -3, 1,250 or ๒๕)",
        " (ระบุจำนวนเต็มเป็นเลขอารบิกหรือเลขไทย เช่น 25, -3, 1,250 หรือ ๒๕)",
    ),
}

_COERCE: dict[str, Callable[[Any], Any]] = {
    "str": str,
    "int": _to_int,
    "bool": _to_bool,
    "list": _to_list,
}


def _shown(value: Any) -> str:
    """``value`` quoted for a message, cut short when long."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _to_rows(field: DataField, kind: RowKind, value: Any) -> list[dict[str, Any]]:
    """The rows ``value`` gives, as stored (JSON objects); BadValue naming the row."""
    try:
        return [row.as_json() for row in read_rows(kind, value)]
    except RowError as exc:
        columns = " | ".join(c.en for c in ROW_COLUMNS[kind])
        columns_th = " | ".join(c.th for c in ROW_COLUMNS[kind])
        raise BadValue(
            field_ref(field),
            _shown(value),
            (
                f"{exc.en}; give one row per line or separated by ';', cells separated by "
                f"'|': {columns}",
                f"{exc.th} ระบุแถวละบรรทัดหรือคั่นแถวด้วย ';' และคั่นช่องด้วย '|': {columns_th}",
            ),
        ) from None


def _coerce(field: DataField, value: Any, fiscal_year: int) -> Any:
    if field.type == "date":
        return _to_date(field, value, fiscal_year)
    if field.type in set(RowKind):
        return _to_rows(field, RowKind(field.type), value)
    typed = _COERCE[field.type](value)
    if typed is None:
        hint_en, hint_th = _HINTS.get(field.type, ("", ""))
        raise BadValue(
            field_ref(field),
            _shown(value),
            (
                f"is not a valid {field.type}{hint_en}",
                f"ไม่ใช่ค่าชนิด {field.type} ที่ถูกต้อง{hint_th}",
            ),
        )
    if field.type == "int" and not -_TOO_LARGE < typed < _TOO_LARGE:
        raise BadValue(
            field_ref(field),
            _shown(value),
            (
                f"is too large: give a whole number of at most {_INT_DIGITS} digits",
                f"มีค่ามากเกินไป: ระบุจำนวนเต็มไม่เกิน {_INT_DIGITS} หลัก",
            ),
        )
    return typed


def coerce_step_data(
    fields: Sequence[DataField], given: Mapping[str, Any], *, fiscal_year: int
) -> dict[str, Any]:
    """Type every given value by its declared field, for an instance of ``fiscal_year``
    (BE); report unknown and missing names at once."""
    by_name = {f.name: f for f in fields}
    unknown = sorted(set(given) - set(by_name))
    missing = [f for f in fields if f.required and given.get(f.name) in (None, "")]
    if unknown or missing:
        raise BadData([field_ref(f) for f in missing], unknown, [field_ref(f) for f in fields])
    return {
        name: _coerce(by_name[name], value, fiscal_year)
        for name, value in given.items()
        if value != ""
    }
