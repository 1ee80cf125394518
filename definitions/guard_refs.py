"""Parsing a transition's guard references against the guard registry (``guards.GUARDS``):
names, parameter names and parameter types."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode

from plancycle.definitions.guards import GUARDS, GuardSpec
from plancycle.definitions.model import SOURCES, GuardRef, GuardSeverity
from plancycle.definitions.nodes import Checker, did_you_mean

__all__ = ["parse_guard"]


def parse_guard(chk: Checker, node: Node, where: str) -> GuardRef | None:
    """One guard reference ``{name: NAME, PARAM: VALUE, ...}``, checked against the registry."""
    if not isinstance(node, MappingNode):
        chk.add(
            node, f"{where}: a guard must be a mapping like {{name: min_participants, min: 20}}"
        )
        return None
    pairs = chk.pairs(node, where, noun="guard key", show_first=False)
    if "name" not in pairs:
        chk.add(node, f"{where}: guard has no 'name'")
        return None
    name = chk.string(pairs.pop("name"), f"{where}: guard name")
    if name is None:
        return None
    if name not in GUARDS:
        tip = did_you_mean(name, GUARDS, f"known: {', '.join(sorted(GUARDS))}")
        chk.add(node, f"{where} names unknown guard '{name}'{tip}")
        return None
    spec = GUARDS[name]
    at = f"{where}: guard '{name}'"
    severity = _tag(chk, pairs, "severity", at, tuple(GuardSeverity)) or GuardSeverity.REFUSE
    source = _tag(chk, pairs, "source", at, SOURCES) or "seed"
    params = _guard_params(chk, pairs, at, spec)
    missing = sorted(spec.required - set(pairs))
    for key in missing:
        chk.add(node, f"{where}: guard '{name}' needs parameter '{key}'")
    if params is None or missing:
        return None
    if severity == GuardSeverity.WARN and source == "seed":
        chk.add(
            node,
            f"{at} is written in the letter (source: seed): it refuses; only a rule derived "
            "from the letter (source: inferred) may be declared severity: warn",
        )
        return None
    return GuardRef(
        name=name,
        params=MappingProxyType(params),
        severity=GuardSeverity(severity),
        source=source,
    )


def _tag(
    chk: Checker, pairs: dict[str, Node], key: str, where: str, options: tuple[str, ...]
) -> str | None:
    """``severity`` / ``source`` of a guard reference (taken out of its parameters)."""
    node = pairs.pop(key, None)
    return None if node is None else chk.choice(node, f"{where} {key}", options)


def _guard_params(
    chk: Checker, pairs: Mapping[str, Node], where: str, spec: GuardSpec
) -> dict[str, Any] | None:
    """A guard's parameters; ``None`` (after recording why) when any of them is wrong."""
    ok = True
    params: dict[str, Any] = {}
    for key, value_node in pairs.items():
        if key not in spec.accepted:
            allowed = ", ".join(sorted(spec.accepted)) or "none"
            chk.add(value_node, f"{where} takes no parameter '{key}' (parameters: {allowed})")
            ok = False
            continue
        value = chk.scalar(value_node, f"{where} parameter '{key}'")
        if value is None:
            if isinstance(value_node, ScalarNode) and not chk.told(value_node):
                chk.add(value_node, f"{where} parameter '{key}' has no value")
            ok = False
            continue
        if not _is_a(value, spec.param(key).type):
            wanted = spec.param(key).type.__name__
            chk.add(value_node, f"{where} parameter '{key}' must be {wanted}, got {value!r}")
            ok = False
            continue
        params[key] = value
    return params if ok else None


def _is_a(value: Any, wanted: type) -> bool:
    """``value`` is of the parameter's type (a YAML ``true`` is no number)."""
    return isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))
