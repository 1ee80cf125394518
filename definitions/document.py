"""Parsing one definition file: its top-level keys, optional sections, states and transitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, TypeVar

from yaml.nodes import Node

from plancycle.definitions.deadlines import parse_deadline, window_is_reversed
from plancycle.definitions.errors import Problem
from plancycle.definitions.graph import check_graph
from plancycle.definitions.ladders import Ladders
from plancycle.definitions.migrations import parse_migration
from plancycle.definitions.model import (
    SCOPES,
    SOURCES,
    TARGETS,
    Budget,
    Definition,
    Kpi,
    KpiMeasure,
    Migration,
    Participants,
    Review,
    Role,
    Text,
    Window,
)
from plancycle.definitions.nodes import Checker, Keys, line_of
from plancycle.definitions.report_claims import check_report_claims
from plancycle.definitions.states import PendingAfter, StateDraft, parse_states
from plancycle.definitions.transitions import (
    TransitionDraft,
    parse_roles,
    parse_transitions,
    role_ref,
)

__all__ = ["Parsed", "parse_definition"]

_TOP_REQUIRED = (
    "id",
    "version",
    "title",
    "source",
    "scope",
    "targets",
    "lead_role",
    "supervisor_role",
    "states",
    "transitions",
)
_TOP_OPTIONAL = (
    "kpi",
    "budget",
    "participants",
    "window",
    "ladder",
    "migrates_from",
    "basis",
    "review",
)
_REVIEW_KEYS: Keys = ((), ("send_back", "correct"))
_KPI_KEYS: Keys = (
    ("th", "en", "target_percent"),
    ("measure", "basis", "process", "step", "field"),
)
_BUDGET_KEYS: Keys = (("total",), ("per_unit", "units", "seed_digits", "seed_words"))
_PARTICIPANTS_KEYS: Keys = ((), ("per_unit_min", "total", "unit"))
_WINDOW_KEYS: Keys = ((), ("opens", "closes"))
# Targets that are tambons, so they need scope 'tambon'.
_TAMBON_TARGETS = ("activity2", "strong_tambon")

_T = TypeVar("_T")


class _Sections(TypedDict):
    """The optional sections of a definition, as :class:`Definition` takes them."""

    kpi: Kpi | None
    budget: Budget | None
    participants: Participants | None
    window: Window | None


@dataclass(slots=True)
class Parsed:
    """What one definition file yielded, whether or not it had problems."""

    definition: Definition | None
    id: str | None
    version: int | None
    id_line: int
    path: Path | None = None
    # kept even when the file has other problems, so the catalog checks it all the same
    migration: Migration | None = None


# --------------------------------------------------------------------------- #
# Optional sections: kpi, budget, participants, window
# --------------------------------------------------------------------------- #


def _section(
    chk: Checker,
    m: Mapping[str, Node],
    key: str,
    keys: Keys,
    build: Callable[[Checker, dict[str, Node]], _T | None],
    *,
    if_empty: str | None = None,
) -> _T | None:
    """The optional section ``m[key]``, read by ``build`` once its keys are checked."""
    if key not in m:
        return None
    sm = chk.mapping(m[key], key, keys)
    if sm is None:
        return None
    if not sm and if_empty:
        chk.add(m[key], f"{key}: {if_empty}")
    return build(chk, sm)


def _percent(chk: Checker, node: Node | None) -> Any:
    pct = chk.scalar(node, "kpi: target_percent")
    if node is None or chk.told(node):
        return pct
    if not isinstance(pct, int | float) or isinstance(pct, bool) or not 0 < pct <= 100:
        chk.add(node, f"kpi: target_percent must be a number in 0-100, got {pct!r}")
        return None
    return pct


def _kpi(chk: Checker, km: dict[str, Node]) -> Kpi | None:
    label = chk.th_en(km, "kpi")
    pct = _percent(chk, km.get("target_percent"))
    measure = KpiMeasure.INSTANCES_DONE
    if "measure" in km:
        word = chk.string(km["measure"], "kpi: measure")
        if word not in set(KpiMeasure):
            names = ", ".join(KpiMeasure)
            chk.add(km["measure"], f"kpi: measure must be one of {names}, got {word!r}")
            return None
        measure = KpiMeasure(word)
    refs = {
        k: chk.ident(km[k], f"kpi: {k}") if k in km else None for k in ("process", "step", "field")
    }
    if measure is not KpiMeasure.INSTANCES_DONE and (refs["step"] is None or refs["field"] is None):
        chk.add(km["measure"], f"kpi: measure {measure} needs 'step' and 'field'")
        return None
    basis = chk.text(km["basis"], "kpi: basis") if "basis" in km else None
    if label is None or pct is None:
        return None
    return Kpi(
        label=label,
        target_percent=pct,
        measure=measure,
        basis=basis,
        process=refs["process"],
        step=refs["step"],
        field=refs["field"],
    )


def _budget(chk: Checker, bm: dict[str, Node]) -> Budget | None:
    nums = {
        k: chk.integer(bm.get(k), f"budget: {k}", low=0)
        for k in ("per_unit", "units", "total", "seed_digits")
    }
    words = chk.string(bm.get("seed_words"), "budget: seed_words")
    if nums["total"] is None:
        return None
    return Budget(
        per_unit=nums["per_unit"],
        units=nums["units"],
        total=nums["total"],
        seed_digits=nums["seed_digits"],
        seed_words=words,
    )


def _participants(chk: Checker, pm: dict[str, Node]) -> Participants:
    per = chk.integer(pm.get("per_unit_min"), "participants: per_unit_min", low=0)
    total = chk.integer(pm.get("total"), "participants: total", low=0)
    unit = chk.choice(pm.get("unit"), "participants: unit", SCOPES)
    return Participants(per_unit_min=per, total=total, unit=unit)


def _window(chk: Checker, wm: dict[str, Node]) -> Window:
    opens = parse_deadline(chk, wm.get("opens"), "window opens", allow_after=False)
    closes = parse_deadline(chk, wm.get("closes"), "window closes", allow_after=False)
    return Window(opens=opens, closes=closes)


def _checked_window(chk: Checker, m: Mapping[str, Node]) -> Window | None:
    window = _section(chk, m, "window", _WINDOW_KEYS, _window, if_empty="give opens and/or closes")
    if (
        window is not None
        and window.opens is not None
        and window.closes is not None
        and window_is_reversed(window.opens, window.closes)
    ):
        chk.add(
            m["window"],
            f"window opens ({window.opens.describe()}) after it closes "
            f"({window.closes.describe()})",
        )
    return window


# --------------------------------------------------------------------------- #
# The whole file
# --------------------------------------------------------------------------- #


def _header(chk: Checker, m: Mapping[str, Node], roles: Mapping[str, Role]) -> dict[str, Any]:
    """The required top-level values other than ``states`` and ``transitions``."""
    head = {
        "id": chk.ident(m.get("id"), "id"),
        "version": chk.integer(m.get("version"), "version", low=1),
        "title": chk.text(m.get("title"), "title"),
        "source": chk.choice(m.get("source"), "source", SOURCES),
        "scope": chk.choice(m.get("scope"), "scope", SCOPES),
        "targets": chk.choice(m.get("targets"), "targets", TARGETS),
    }
    scope, targets = head["scope"], head["targets"]
    if scope is not None and targets in _TAMBON_TARGETS and scope != "tambon":
        chk.add(
            m["targets"], f"targets '{targets}' are tambons: it needs scope 'tambon', not '{scope}'"
        )
    head["lead_role"] = role_ref(chk, m.get("lead_role"), "lead_role", roles)
    head["supervisor_role"] = role_ref(chk, m.get("supervisor_role"), "supervisor_role", roles)
    return head


def _review(chk: Checker, m: Mapping[str, Node], roles: Mapping[str, Role]) -> Review | None:
    """``review: {send_back: [ROLES], correct: true}``: who may send a completed step back,
    and whether the newest step's data may be corrected before the instance moves on."""
    rm = chk.mapping(m.get("review"), "review", _REVIEW_KEYS)
    if rm is None or "review" not in m:
        return None
    send_back = (
        parse_roles(chk, rm["send_back"], "review send_back", roles) if "send_back" in rm else []
    )
    correct = chk.flag(rm, "correct", "review correct")
    if correct is None:
        return None
    return Review(send_back=tuple(send_back), correct=correct)


def _ladder(chk: Checker, m: Mapping[str, Node], ladders: Ladders) -> dict[str, Any]:
    """The process's deadline ladder, by name (``default`` when not given)."""
    name = chk.ident(m["ladder"], "ladder") if "ladder" in m else "default"
    if name is None:
        return {}
    if name not in ladders:
        where = m.get("ladder", 1)
        chk.add(where, f"unknown ladder '{name}' (ladders: {', '.join(ladders) or 'none'})")
        return {}
    return {"ladder": ladders[name], "ladder_name": name}


def _basis(chk: Checker, node: Node | None) -> tuple[Text, ...]:
    """The regulations the process rests on: a list of ``{th: ..., en: ...}``."""
    texts = (chk.text(item, "basis") for item in chk.sequence(node, "basis", empty_ok=False))
    return tuple(t for t in texts if t is not None)


def _check_waits(
    chk: Checker, states: list[StateDraft], transitions: list[TransitionDraft]
) -> None:
    """A waiting state must have an automatic way out (it is nobody's step)."""
    for st in states:
        if (
            st.wait
            and not st.final
            and not any(
                t.auto is not None and any(src == st.id for src, _ in t.sources)
                for t in transitions
            )
        ):
            chk.add(st.line, f"state '{st.id}' waits but no automatic transition leaves it")


def parse_definition(
    path: Path, roles: Mapping[str, Role], problems: list[Problem], ladders: Ladders
) -> Parsed:
    """Parse and check one definition file, adding every problem to ``problems``."""
    chk = Checker(str(path), problems)
    before = len(problems)
    root = chk.compose(path)
    m = chk.mapping(root, "the definition", (_TOP_REQUIRED, _TOP_OPTIONAL))
    if m is None or root is None:
        return Parsed(None, None, None, 1)
    id_line = line_of(m["id"]) if "id" in m else line_of(root)
    head = _header(chk, m, roles)
    sections: _Sections = {
        "kpi": _section(chk, m, "kpi", _KPI_KEYS, _kpi),
        "budget": _section(chk, m, "budget", _BUDGET_KEYS, _budget),
        "participants": _section(
            chk,
            m,
            "participants",
            _PARTICIPANTS_KEYS,
            _participants,
            if_empty="give per_unit_min and/or total",
        ),
        "window": _checked_window(chk, m),
    }
    pending: list[PendingAfter] = []
    states = parse_states(chk, m.get("states"), pending)
    transitions = parse_transitions(chk, m.get("transitions"), roles)
    check_graph(chk, m.get("states"), states, transitions, pending)
    _check_waits(chk, states, transitions)
    check_report_claims(chk, transitions)
    ladder = _ladder(chk, m, ladders)
    review = _review(chk, m, roles)
    migrates_from = parse_migration(chk, m.get("migrates_from"), head["version"], states)
    basis = _basis(chk, m.get("basis"))

    if len(problems) > before:
        return Parsed(None, head["id"], head["version"], id_line, path, migrates_from)
    definition = Definition(
        **head,
        **sections,
        **ladder,
        states=tuple(s.build() for s in states),
        transitions=tuple(t.build() for t in transitions),
        path=path,
        migrates_from=migrates_from,
        basis=basis,
        review=review or Review(),
    )
    return Parsed(definition, head["id"], head["version"], id_line, path, migrates_from)
