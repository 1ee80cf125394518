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
from plancycle.definitions.rows import BudgetClass

__all__ = [
    "ACTIVITY3_RULE",
    "GUARDS",
    "GUARD_WARNINGS_KEY",
    "Bounds",
    "GuardContext",
    "GuardParam",
    "GuardSpec",
    "Refusal",
    "district_composition",
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
    facts: Mapping[str, Any] = field(default_factory=dict)  # district_count, districts (codes)


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


def _rows(ctx: GuardContext, name: str) -> list[dict[str, Any]]:
    raw = ctx.data.get(name)
    return [r for r in raw if isinstance(r, dict)] if isinstance(raw, list) else []


def district_composition(params: Mapping[str, Any]) -> dict[str, int]:
    """The head count per district that ``participants_per_district``'s parameters name,
    by the attendance row's keys (the guard's limit and the Activity 1 KPI's bar)."""
    return {
        "socho_t_chairs": int(params["socho_t_chair"]),
        "socho_a_members": int(params["socho_a_member"]),
        "cd_officers": int(params["cd_officer"]),
    }


def participants_per_district(
    ctx: GuardContext,
    *,
    socho_t_chair: int,
    socho_a_member: int,
    cd_officer: int,
    field: str = "attendance",
) -> Refusal | None:
    """Activity 1, per district (never on province totals): each row names a district of
    the province once and brings at most 1 ศอช.ต. chair + 3 ศอช.อ. members + 1 CD officer
    (the letter's composition, which the budget pays for). A district with fewer attended
    but is not "developed": the KPI counts it so (the KPI module of the engine (workflow/kpi.py))."""
    rows = _rows(ctx, field)
    known = set(ctx.facts.get("districts") or ())
    cap = district_composition(
        {"socho_t_chair": socho_t_chair, "socho_a_member": socho_a_member, "cd_officer": cd_officer}
    )
    th_names = {
        "socho_t_chairs": "ประธาน ศอช.ต.",
        "socho_a_members": "กรรมการ ศอช.อ.",
        "cd_officers": "เจ้าหน้าที่พัฒนาชุมชน",
    }
    problems_th: list[str] = []
    problems_en: list[str] = []
    seen: set[str] = set()
    for row in rows:
        code = str(row.get("district", ""))
        if code in seen:
            problems_th.append(f"อำเภอ {code} ซ้ำ")
            problems_en.append(f"district {code} given twice")
        seen.add(code)
        if known and code not in known:
            problems_th.append(f"{code} ไม่ใช่อำเภอของจังหวัดนี้")
            problems_en.append(f"{code} is not a district of this province")
        for key, most in cap.items():
            got = int(row.get(key) or 0)
            if got > most:
                problems_th.append(f"อำเภอ {code}: {th_names[key]} {got} คน (ไม่เกิน {most})")
                problems_en.append(f"district {code}: {key} {got} (at most {most})")
    if not rows:
        problems_th.append("ไม่มีแถวของอำเภอใด")
        problems_en.append("no district row given")
    if not problems_en:
        return None
    per = socho_t_chair + socho_a_member + cd_officer
    return Refusal(
        "participants_per_district",
        f"ผู้เข้าร่วมต้องนับรายอำเภอ อำเภอละ {per} คน (ประธาน ศอช.ต. {socho_t_chair}"
        f" + กรรมการ ศอช.อ. {socho_a_member} + เจ้าหน้าที่พัฒนาชุมชน {cd_officer}): "
        + "; ".join(problems_th),
        f"participants are counted per district, {per} each ({socho_t_chair} ศอช.ต. chair"
        f" + {socho_a_member} ศอช.อ. members + {cd_officer} CD officer): " + "; ".join(problems_en),
        params={
            "socho_t_chair": socho_t_chair,
            "socho_a_member": socho_a_member,
            "cd_officer": cd_officer,
            "districts": len(known),
        },
        actual={"rows": len(rows), "problems": problems_en},
        fields=(field,),
    )


# The letter's sentence on Activity 3's spending (attachment 2), quoted in each refusal.
ACTIVITY3_RULE = Text(
    "การดำเนินโครงการ/กิจกรรม จักต้องเป็นกิจกรรมที่ส่งเสริมกระบวนการมีส่วนร่วมของประชาชน"
    "ในพื้นที่ตำบลเข้มแข็งฯ และไม่เป็นกิจกรรมที่เป็นการซื้อของแจกจ่าย หรือเป็นครุภัณฑ์",
    "The project/activity must promote people's participation in the strong tambon and must "
    "not be buying goods to hand out, nor durable articles",
)


def allowed_budget_lines(ctx: GuardContext, *, field: str = "budget_lines") -> Refusal | None:
    """Activity 3: no line of class ครุภัณฑ์ (durable articles), no line handed out to
    individuals (the letter's rule). The lines' total against the unit's allocation is
    ``within_allocation`` on the same field: a cap derived from the letter's totals."""
    rows = _rows(ctx, field)
    bad_th: list[str] = []
    bad_en: list[str] = []
    for n, row in enumerate(rows, start=1):
        item = str(row.get("item", ""))
        if row.get("budget_class") == BudgetClass.DURABLES:
            bad_th.append(f"แถวที่ {n} '{item}' เป็นครุภัณฑ์")
            bad_en.append(f"row {n} '{item}' is a durable article (ครุภัณฑ์)")
        if row.get("handout") is True:
            bad_th.append(f"แถวที่ {n} '{item}' เป็นการซื้อของแจกจ่าย")
            bad_en.append(f"row {n} '{item}' is handed out to individuals")
    total = sum(int(r.get("amount") or 0) for r in rows)
    if not rows:
        bad_th.append("ไม่มีรายการงบประมาณ")
        bad_en.append("no budget line given")
    if not bad_en:
        return None
    return Refusal(
        "allowed_budget_lines",
        f"{ACTIVITY3_RULE.th} — " + "; ".join(bad_th),
        f"{ACTIVITY3_RULE.en}: " + "; ".join(bad_en),
        params={"field": field},
        actual={"total": total, "problems": bad_en},
        fields=(field,),
    )


def within_allocation(ctx: GuardContext, *, field: str = "spent") -> Refusal | None:
    """Spending never above the unit's allocation (Activity 2: 3,900; Activity 3: 10,000 baht):
    an amount, or the total of a field of budget lines."""
    rows = ctx.data.get(field)
    if isinstance(rows, list):
        spent: int | None = sum(int(r.get("amount") or 0) for r in rows if isinstance(r, dict))
    else:
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
                    GuardParam("field", str, required=False),
                ),
                Text(
                    "ผู้เข้าร่วมต่ออำเภอ: ประธาน ศอช.ต., สมาชิก ศอช.อ., พัฒนากร",
                    "participants per district: ศอช.ต. chairs, ศอช.อ. members, CD officers",
                ),
            ),
            GuardSpec(
                "allowed_budget_lines",
                allowed_budget_lines,
                (GuardParam("field", str, required=False),),
                Text(
                    "รายการงบไม่เป็นครุภัณฑ์ และไม่ซื้อของแจกจ่ายให้บุคคล",
                    "budget lines: no durable articles, nothing handed out",
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
