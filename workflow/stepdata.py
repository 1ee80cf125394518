"""Checking and typing the data a coordinator gives with a step (``--data k=v``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from plancycle.definitions.model import DataField
from plancycle.thai.dates import ThaiDateError, parse_date
from plancycle.thai.digits import from_thai_digits
from plancycle.workflow.errors import BadStepInput

__all__ = ["coerce_step_data", "parse_pairs"]

_TRUE = {"true", "yes", "y", "1", "ใช่", "จริง"}
_FALSE = {"false", "no", "n", "0", "ไม่", "ไม่ใช่", "เท็จ"}


def parse_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """``["participants=25", "spent=3900"]`` -> a dict; a pair without ``=`` is refused."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadStepInput(
                f"--data {pair!r} is not NAME=VALUE (e.g. --data participants=25)",
                f"--data {pair!r} ไม่อยู่ในรูป ชื่อ=ค่า (เช่น --data participants=25)",
            )
        out[name.strip()] = value.strip()
    return out


def _to_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = from_thai_digits(str(value)).replace(",", "").strip()
    return int(text) if text.lstrip("-").isdigit() else None


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return text in _TRUE if text in _TRUE | _FALSE else None


def _to_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _to_date(value: Any) -> str | None:
    try:
        return parse_date(str(value)).isoformat()
    except ThaiDateError:
        return None


_COERCE: dict[str, Callable[[Any], Any]] = {
    "str": str,
    "int": _to_int,
    "bool": _to_bool,
    "list": _to_list,
    "date": _to_date,
}


def _coerce(field: DataField, value: Any) -> Any:
    typed = _COERCE[field.type](value)
    if typed is None:
        raise BadStepInput(
            f"{field.name}={value!r} is not a valid {field.type}",
            f"{field.name}={value!r} ไม่ใช่ค่าชนิด {field.type} ที่ถูกต้อง",
        )
    return typed


def coerce_step_data(fields: Sequence[DataField], given: Mapping[str, Any]) -> dict[str, Any]:
    """Type every given value by its declared field; report unknown and missing names at once."""
    by_name = {f.name: f for f in fields}
    problems_en: list[str] = []
    problems_th: list[str] = []
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        allowed = ", ".join(by_name) or "none"
        problems_en.append(f"unknown data {', '.join(unknown)} (this step takes: {allowed})")
        problems_th.append(f"ไม่รู้จักข้อมูล {', '.join(unknown)} (ขั้นนี้รับ: {allowed})")
    missing = [f.name for f in fields if f.required and given.get(f.name) in (None, "")]
    if missing:
        problems_en.append(f"missing data {', '.join(missing)} (give --data NAME=VALUE)")
        problems_th.append(f"ขาดข้อมูล {', '.join(missing)} (ใส่ --data ชื่อ=ค่า)")
    if problems_en:
        raise BadStepInput("; ".join(problems_en), "; ".join(problems_th))
    return {name: _coerce(by_name[name], value) for name, value in given.items() if value != ""}
