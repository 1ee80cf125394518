"""Named guards: the seed's rules, looked up by name from definitions (never eval'd).

A guard is a pure function of a :class:`GuardContext` and the parameters the
definition gives it. It returns ``None`` when the step may proceed, or a
:class:`Refusal` with a Thai and an English sentence that a coordinator can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GUARDS", "GUARD_PARAMS", "GuardContext", "Refusal", "run_guard"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a guard stopped a step, in both languages."""

    guard: str
    th: str
    en: str


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What a guard may look at: the step's data and facts about the instance's area."""

    data: Mapping[str, Any]
    allocation: int | None = None  # the unit's budget (baht), from the definition
    facts: Mapping[str, Any] = field(default_factory=dict)  # e.g. district_count


Guard = Callable[..., Refusal | None]

# Spending categories a project may not contain (Activity 3 rule of the seed).
FORBIDDEN_CATEGORIES = {"handout_goods": "ซื้อของแจกจ่าย", "durable_articles": "ครุภัณฑ์"}
FORBIDDEN_WORDS = ("ครุภัณฑ์", "ซื้อของแจก", "แจกจ่าย")


def _as_int(ctx: GuardContext, name: str) -> int | None:
    value = ctx.data.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def min_participants(ctx: GuardContext, *, min: int) -> Refusal | None:  # noqa: A002
    """Activity 2: a workshop counts only with at least ``min`` participants."""
    got = _as_int(ctx, "participants")
    if got is not None and got >= min:
        return None
    shown = "ไม่ได้ระบุ" if got is None else str(got)
    return Refusal(
        "min_participants",
        f"ต้องมีผู้เข้าร่วมอย่างน้อย {min} คน (ระบุ {shown}); ใส่ --data participants=จำนวน",
        f"needs at least {min} participants, got {got if got is not None else 'none'}; "
        f"give --data participants=N",
    )


def participants_per_district(
    ctx: GuardContext, *, socho_t_chair: int, socho_a_member: int, cd_officer: int
) -> Refusal | None:
    """Activity 1: per district 1 ศอช.ต. chair + 3 ศอช.อ. members + 1 CD officer."""
    districts = int(ctx.facts.get("district_count") or 0)
    wanted = {
        "socho_t_chairs": socho_t_chair * districts,
        "socho_a_members": socho_a_member * districts,
        "cd_officers": cd_officer * districts,
    }
    short = {k: (v, _as_int(ctx, k)) for k, v in wanted.items() if (_as_int(ctx, k) or 0) < v}
    if not short:
        return None
    detail = ", ".join(
        f"{k} {got if got is not None else 0}/{need}" for k, (need, got) in short.items()
    )
    per = socho_t_chair + socho_a_member + cd_officer
    return Refusal(
        "participants_per_district",
        f"ผู้เข้าร่วมไม่ครบอำเภอละ {per} คน ({districts} อำเภอ): {detail}",
        f"participants short of {per} per district ({districts} districts): {detail}",
    )


def no_forbidden_purchases(ctx: GuardContext) -> Refusal | None:
    """Activity 3: no buying goods to hand out and no durable articles (ครุภัณฑ์)."""
    raw = ctx.data.get("purchase_categories") or []
    categories = [raw] if isinstance(raw, str) else list(raw)
    bad = [c for c in categories if c in FORBIDDEN_CATEGORIES]
    text = str(ctx.data.get("project_description") or "")
    words = [w for w in FORBIDDEN_WORDS if w in text]
    if not bad and not words:
        return None
    found = ", ".join(bad + words)
    return Refusal(
        "no_forbidden_purchases",
        f"โครงการต้องไม่ซื้อของแจกจ่ายหรือเป็นครุภัณฑ์ (พบ: {found})",
        f"the project may not buy goods to hand out or durable articles (found: {found})",
    )


def within_allocation(ctx: GuardContext, *, field: str = "spent") -> Refusal | None:
    """Spending never above the unit's allocation (Activity 2: 3,900; Activity 3: 10,000 baht)."""
    spent = _as_int(ctx, field)
    limit = ctx.allocation
    if spent is None:
        return Refusal(
            "within_allocation",
            f"ต้องระบุยอดเบิกจ่าย (--data {field}=บาท)",
            f"the amount spent is missing; give --data {field}=BAHT",
        )
    if limit is None or 0 <= spent <= limit:
        return None
    return Refusal(
        "within_allocation",
        f"ยอดเบิกจ่าย {spent:,} บาท เกินงบที่ได้รับจัดสรร {limit:,} บาท",
        f"spent {spent:,} baht is more than the allocation of {limit:,} baht",
    )


GUARDS: Mapping[str, Guard] = {
    "min_participants": min_participants,
    "participants_per_district": participants_per_district,
    "no_forbidden_purchases": no_forbidden_purchases,
    "within_allocation": within_allocation,
}

# Parameter names each guard accepts (required, optional); the definition loader checks these.
GUARD_PARAMS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    "min_participants": (frozenset({"min"}), frozenset()),
    "participants_per_district": (
        frozenset({"socho_t_chair", "socho_a_member", "cd_officer"}),
        frozenset(),
    ),
    "no_forbidden_purchases": (frozenset(), frozenset()),
    "within_allocation": (frozenset(), frozenset({"field"})),
}


def run_guard(name: str, params: Mapping[str, Any], ctx: GuardContext) -> Refusal | None:
    """Run the guard called ``name``; the loader has already checked it exists."""
    return GUARDS[name](ctx, **dict(params))
