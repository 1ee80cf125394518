"""Named guards: the seed's rules, looked up by name from definitions (never eval'd).

One registry, :data:`GUARDS`, holds each guard's function, its parameters (names, types,
whether required) and a description in Thai and English: the definition loader checks
guard references against it and the engine runs them through :func:`run_guard`.

A guard is a pure function of a :class:`GuardContext` and the parameters the
definition gives it. It returns ``None`` when the step may proceed, or a
:class:`Refusal` holding the facts: the guard, its parameters, the values it found, the
data fields that would put it right, and a sentence in each language. The sentences
name no shell's input syntax: the CLI, the web form and the API each add how to give
the fields in their own terms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from plancycle.definitions.model import Text

__all__ = [
    "GUARDS",
    "GUARD_WARNINGS_KEY",
    "Bounds",
    "GuardContext",
    "GuardParam",
    "GuardSpec",
    "Refusal",
    "field_bounds",
    "run_guard",
    "warning_record",
]

GUARD_WARNINGS_KEY = "_warnings"
"""The key of a record's data under which the failed rules of severity ``warn`` are kept
(a data field's name starts with a letter, so it cannot clash)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a guard stopped a step: its facts, and the sentence in both languages."""

    guard: str
    th: str
    en: str
    params: Mapping[str, Any] = field(default_factory=dict)
    actual: Mapping[str, Any] = field(default_factory=dict)  # the values the guard found
    fields: tuple[str, ...] = ()  # the step's data fields that would put it right


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What a guard may look at: the step's data and facts about the instance's area."""

    data: Mapping[str, Any]
    allocation: int | None = None  # the unit's budget (baht), from the definition
    facts: Mapping[str, Any] = field(default_factory=dict)  # e.g. district_count


Guard = Callable[..., Refusal | None]


@dataclass(frozen=True, slots=True)
class Bounds:
    """The least and the greatest value a guard lets a number field hold (None: no limit),
    for a form to say before anything is sent; the guard itself still decides."""

    min: int | None = None
    max: int | None = None

    def narrowed(self, other: Bounds) -> Bounds:
        """Both limits at once: the greater least value, the smaller greatest."""
        lows = [v for v in (self.min, other.min) if v is not None]
        highs = [v for v in (self.max, other.max) if v is not None]
        return Bounds(max(lows) if lows else None, min(highs) if highs else None)


# (the guard's parameters, the unit's allocation) -> the bounds it sets, per field
BoundsOf = Callable[[Mapping[str, Any], int | None], dict[str, Bounds]]


@dataclass(frozen=True, slots=True)
class GuardParam:
    """A parameter a definition gives a guard."""

    name: str
    type: type
    required: bool = True


@dataclass(frozen=True, slots=True)
class GuardSpec:
    """A guard as the registry holds it."""

    name: str
    run: Guard
    params: tuple[GuardParam, ...]
    description: Text
    bounds: BoundsOf | None = None  # the number fields it limits, if it limits any

    @property
    def required(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params if p.required)

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params)

    def param(self, name: str) -> GuardParam:
        return next(p for p in self.params if p.name == name)


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
        f"ต้องมีผู้เข้าร่วมอย่างน้อย {min} คน (ระบุ {shown})",
        f"needs at least {min} participants, got {got if got is not None else 'none'}",
        params={"min": min},
        actual={"participants": got},
        fields=("participants",),
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
        params={
            "socho_t_chair": socho_t_chair,
            "socho_a_member": socho_a_member,
            "cd_officer": cd_officer,
            "district_count": districts,
        },
        actual={k: got for k, (_, got) in short.items()},
        fields=tuple(short),
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
        actual={"purchase_categories": bad, "forbidden_words": words},
    )


def within_allocation(ctx: GuardContext, *, field: str = "spent") -> Refusal | None:
    """Spending never above the unit's allocation (Activity 2: 3,900; Activity 3: 10,000 baht)."""
    spent = _as_int(ctx, field)
    limit = ctx.allocation
    if spent is None:
        return Refusal(
            "within_allocation",
            "ต้องระบุยอดเบิกจ่าย (บาท)",
            "the amount spent (baht) is missing",
            params={"field": field, "allocation": limit},
            actual={field: None},
            fields=(field,),
        )
    if limit is None or 0 <= spent <= limit:
        return None
    return Refusal(
        "within_allocation",
        f"ยอดเบิกจ่าย {spent:,} บาท เกินงบที่ได้รับจัดสรร {limit:,} บาท",
        f"spent {spent:,} baht is more than the allocation of {limit:,} baht",
        params={"field": field, "allocation": limit},
        actual={field: spent},
    )


GUARDS: Mapping[str, GuardSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            GuardSpec(
                "min_participants",
                min_participants,
                (GuardParam("min", int),),
                Text("ผู้เข้าร่วมอย่างน้อย min คน", "at least min participants"),
                lambda params, _: {"participants": Bounds(min=params["min"])},
            ),
            GuardSpec(
                "participants_per_district",
                participants_per_district,
                (
                    GuardParam("socho_t_chair", int),
                    GuardParam("socho_a_member", int),
                    GuardParam("cd_officer", int),
                ),
                Text(
                    "ผู้เข้าร่วมต่ออำเภอ: ประธาน ศอช.ต., สมาชิก ศอช.อ., พัฒนากร",
                    "participants per district: ศอช.ต. chairs, ศอช.อ. members, CD officers",
                ),
            ),
            GuardSpec(
                "no_forbidden_purchases",
                no_forbidden_purchases,
                (),
                Text(
                    "ไม่ซื้อของแจกจ่ายและไม่เป็นครุภัณฑ์",
                    "no goods to hand out and no durable articles",
                ),
            ),
            GuardSpec(
                "within_allocation",
                within_allocation,
                (GuardParam("field", str, required=False),),
                Text("เบิกจ่ายไม่เกินงบที่ได้รับจัดสรร", "spending within the allocation"),
                lambda params, allocation: {params.get("field", "spent"): Bounds(0, allocation)},
            ),
        )
    }
)


def field_bounds(
    guards: Iterable[tuple[str, Mapping[str, Any]]], allocation: int | None
) -> dict[str, Bounds]:
    """The bounds the named guards (name, parameters) set on a step's number fields."""
    out: dict[str, Bounds] = {}
    for name, params in guards:
        spec = GUARDS[name]
        for field_name, bounds in (spec.bounds(params, allocation) if spec.bounds else {}).items():
            out[field_name] = out.get(field_name, Bounds()).narrowed(bounds)
    return out


def run_guard(name: str, params: Mapping[str, Any], ctx: GuardContext) -> Refusal | None:
    """Run the guard called ``name``; the loader has already checked it exists."""
    return GUARDS[name].run(ctx, **dict(params))


def warning_record(refusal: Refusal) -> dict[str, Any]:
    """A rule of severity ``warn`` that a step did not meet, as its record keeps it."""
    return {"guard": refusal.guard, "th": refusal.th, "en": refusal.en}
