"""Deadline specs (``fy_date``, ``quarter_end``, ``quarter_start``, ``month_end``, ``after``;
``after`` may name the date ``field`` recorded when that step was left, and count its
``days`` as ``count: working`` days). Any spec may declare ``roll: next_working_day``: a
day off moves to the next working day. The letter's dates stay as written unless a
definition says so, so a rolled deadline is ``source: inferred``.

Used for a state's ``due`` list and for a definition's ``window`` bounds; every
spec is relative to the fiscal year (or, for ``after``, to another state).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from yaml.nodes import Node, ScalarNode

from plancycle.definitions.model import (
    DEADLINE_KINDS,
    SOURCES,
    Deadline,
    DeadlineKind,
    required,
)
from plancycle.definitions.nodes import Checker
from plancycle.kinds import DayCount, DayRoll

__all__ = ["parse_day_count", "parse_deadline", "window_is_reversed"]

_FY_DATE = re.compile(r"(\d{1,2})-(\d{1,2})")
_NON_LEAP_YEAR = 2023
# Kinds that name a number inside the FY: (the Deadline field it fills, its highest value).
_FY_NUMBERS = {
    DeadlineKind.MONTH_END: ("month", 12),
    DeadlineKind.QUARTER_END: ("quarter", 4),
    DeadlineKind.QUARTER_START: ("quarter", 4),
}


def _fy_position(spec: Deadline) -> tuple[int, int] | None:
    """(month index in the FY 0-11, day) of a spec, for ordering window bounds."""
    if spec.kind == DeadlineKind.FY_DATE:
        return (
            (required(spec.month, "fy_date month") - 10) % 12,
            required(spec.day, "fy_date day"),
        )
    if spec.kind == DeadlineKind.MONTH_END:
        return ((required(spec.month, "month_end month") - 10) % 12, 31)
    if spec.kind == DeadlineKind.QUARTER_START:
        return (3 * (required(spec.quarter, "quarter_start quarter") - 1), 1)
    if spec.kind == DeadlineKind.QUARTER_END:
        return (3 * required(spec.quarter, "quarter_end quarter") - 1, 31)
    return None


def window_is_reversed(opens: Deadline | None, closes: Deadline | None) -> bool:
    """Whether a window would open after it closes (``False`` when that cannot be told)."""
    if not opens or not closes:
        return False
    a, b = _fy_position(opens), _fy_position(closes)
    return bool(a and b and a > b)


def _outside(chk: Checker, node: Node, where: str, what: str, reason: str) -> None:
    chk.add(node, f"{where}: {what} is outside the fiscal year: {reason}")


def _fy_date(chk: Checker, node: Node, where: str) -> Deadline | None:
    raw = chk.scalar(node, f"{where}: fy_date")
    if isinstance(raw, date):
        chk.add(
            node,
            f"{where}: fy_date must be a month and day 'MM-DD' relative to the "
            f"fiscal year, not an absolute date ({raw.isoformat()})",
        )
        return None
    match = _FY_DATE.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if not match:
        if isinstance(node, ScalarNode) and not chk.told(node):
            chk.add(node, f"{where}: fy_date must be 'MM-DD', got {raw!r}")
        return None
    month, day = int(match[1]), int(match[2])
    reason = _fy_date_problem(month, day)
    if reason:
        _outside(chk, node, where, f"fy_date '{raw}'", reason)
        return None
    return Deadline(kind=DeadlineKind.FY_DATE, month=month, day=day)


def _fy_date_problem(month: int, day: int) -> str | None:
    """Why ``MM-DD`` is not a day of every fiscal year, or ``None``."""
    if not 1 <= month <= 12:
        return "month must be 01-12"
    if (month, day) == (2, 29):
        return "29 February does not exist in every year"
    try:
        date(_NON_LEAP_YEAR, month, day)
    except ValueError:
        return "there is no such day"
    return None


def _fy_number(chk: Checker, node: Node, where: str, kind: DeadlineKind) -> Deadline | None:
    """``month_end: M``, ``quarter_end: Q`` or ``quarter_start: Q``."""
    unit, high = _FY_NUMBERS[kind]
    value = chk.integer(node, f"{where}: {kind}")
    if value is None:
        return None
    if not 1 <= value <= high:
        _outside(chk, node, where, f"{kind} {value}", f"{unit} must be 1-{high}")
        return None
    if unit == "month":
        return Deadline(kind=kind, month=value)
    return Deadline(kind=kind, quarter=value)


def _after(chk: Checker, node: Node, m: dict[str, Node], where: str) -> Deadline | None:
    after = chk.ident(m["after"], f"{where}: after")
    date_field = chk.ident(m["field"], f"{where}: field") if "field" in m else None
    if "days" not in m:
        chk.add(node, f"{where}: 'after' needs 'days'")
        return None
    days = chk.integer(m["days"], f"{where}: days")
    if days is not None and not 0 <= days <= 365:
        chk.add(m["days"], f"{where}: days {days} must be 0-365")
        return None
    count = _count(chk, m.get("count"), f"{where}: count")
    if after is None or days is None or count is None:
        return None
    return Deadline(
        kind=DeadlineKind.AFTER, after=after, days=days, date_field=date_field, count=count
    )


def _count(chk: Checker, node: Node | None, where: str) -> DayCount | None:
    """``count: calendar | working`` (calendar when left out); None after a problem."""
    if node is None:
        return DayCount.CALENDAR
    value = chk.choice(node, where, tuple(DayCount))
    return DayCount(value) if value is not None else None


def parse_day_count(chk: Checker, node: Node | None, where: str) -> DayCount | None:
    """A ladder rung's ``count`` (calendar when left out); None after a problem."""
    return _count(chk, node, where)


def _roll(chk: Checker, node: Node, where: str, source: str | None) -> DayRoll | None:
    """``roll: next_working_day``; None after a problem. A roll moves the letter's day, so
    its spec may not claim the letter (or a public source) wrote the moved day."""
    value = chk.choice(node, f"{where}: roll", tuple(DayRoll))
    if value is None:
        return None
    if source not in (None, "inferred"):
        chk.add(
            node,
            f"{where}: a deadline with 'roll' is not the day the letter writes; "
            f"tag it 'source: inferred' (it is {source!r})",
        )
        return None
    return DayRoll(value)


def _kind(
    chk: Checker, node: Node, m: dict[str, Node], where: str, allow_after: bool
) -> DeadlineKind | None:
    """The one kind a spec gives, or ``None`` after recording why there is not one."""
    kinds = [k for k in DEADLINE_KINDS if k in m]
    if not kinds:
        choices = DEADLINE_KINDS if allow_after else DEADLINE_KINDS[:-1]
        chk.add(node, f"{where}: give one of {', '.join(choices)}")
        return None
    if len(kinds) > 1:
        chk.add(node, f"{where}: give only one of {', '.join(kinds)}")
        return None
    for extra in ("days", "field", "count"):
        if kinds[0] != DeadlineKind.AFTER and extra in m:
            chk.add(m[extra], f"{where}: '{extra}' belongs only with 'after'")
            return None
    return kinds[0]


def parse_deadline(
    chk: Checker, node: Node | None, where: str, *, allow_after: bool
) -> Deadline | None:
    """One deadline spec; ``allow_after`` permits ``{after: STATE, days: N}`` (and ``field``).
    A spec may say where its day comes from: ``source: seed | inferred | public``."""
    kinds = (*DEADLINE_KINDS, "days", "field", "count") if allow_after else DEADLINE_KINDS[:-1]
    m = chk.mapping(node, where, ((), (*kinds, "source", "roll")))
    if m is None or node is None:
        return None
    source = chk.choice(m["source"], f"{where}: source", SOURCES) if "source" in m else None
    kind = _kind(chk, node, m, where, allow_after)
    if kind is None:
        return None
    if kind == DeadlineKind.FY_DATE:
        spec = _fy_date(chk, m[kind], where)
    elif kind == DeadlineKind.AFTER:
        spec = _after(chk, node, m, where)
    else:
        spec = _fy_number(chk, m[kind], where, kind)
    if spec is not None and "roll" in m:
        roll = _roll(chk, m["roll"], where, source)
        if roll is None:
            return None
        spec, source = replace(spec, roll=roll), "inferred"
    return replace(spec, source=source) if spec is not None and source else spec
