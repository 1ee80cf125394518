"""Parsing the deadline ladders file (``ladders.yaml``): named lists of rungs.

A process names its ladder (``ladder: moi``; ``default`` when left out). A rung
fires ``offset_days`` from the deadline day (negative: a reminder before it; counted in
calendar days, or working days with ``count: working``) and
notifies roles: role codes of ``roles.yaml``, or ``lead`` / ``supervisor`` for the
process's own responsible unit and its supervisor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from yaml.nodes import MappingNode, Node

from plancycle.definitions.deadlines import parse_day_count
from plancycle.definitions.errors import Problem
from plancycle.definitions.model import LADDER_KINDS, LadderRung, Role
from plancycle.definitions.nodes import Checker, Keys
from plancycle.kinds import EscalationKind

__all__ = ["LADDER_ROLES", "Ladders", "parse_ladders"]

Ladders = Mapping[str, tuple[LadderRung, ...]]
LADDER_ROLES = ("lead", "supervisor")
_ID = re.compile(r"[a-z][a-z0-9_]*")
_RUNG_KEYS: Keys = (("level", "kind", "offset_days", "notify"), ("count",))


def _notify(chk: Checker, node: Node | None, where: str, roles: Mapping[str, Role]) -> list[str]:
    out: list[str] = []
    for item in chk.sequence(node, f"{where} notify", empty_ok=False):
        code = chk.string(item, f"{where} notify")
        if code is None:
            continue
        if code not in roles and code not in LADDER_ROLES:
            chk.add(item, f"{where} notifies unknown role '{code}' (or use lead / supervisor)")
            continue
        out.append(code)
    return out


def _rung(chk: Checker, node: Node, where: str, roles: Mapping[str, Role]) -> LadderRung | None:
    m = chk.mapping(node, where, _RUNG_KEYS)
    if m is None:
        return None
    level = chk.integer(m.get("level"), f"{where} level", low=0, high=9)
    kind = chk.choice(m.get("kind"), f"{where} kind", LADDER_KINDS)
    offset = chk.integer(m.get("offset_days"), f"{where} offset_days", low=-60, high=60)
    notify = _notify(chk, m.get("notify"), where, roles)
    count = parse_day_count(chk, m.get("count"), f"{where} count")
    if level is None or kind is None or offset is None or not notify or count is None:
        return None
    if (kind == EscalationKind.REMINDER) != (offset < 0):
        chk.add(
            node,
            f"{where}: a reminder comes before the deadline (negative offset_days) "
            f"and only a reminder does",
        )
        return None
    rung_kind = EscalationKind(kind)
    return LadderRung(
        level=level, kind=rung_kind, offset_days=offset, notify=tuple(notify), count=count
    )


def _ladder(
    chk: Checker, name: str, node: Node, roles: Mapping[str, Role]
) -> tuple[LadderRung, ...]:
    rungs: list[LadderRung] = []
    for item in chk.sequence(node, f"ladder '{name}'", empty_ok=False):
        rung = _rung(chk, item, f"ladder '{name}' rung", roles)
        if rung is None:
            continue
        if rungs and (rung.level <= rungs[-1].level or rung.offset_days <= rungs[-1].offset_days):
            chk.add(item, f"ladder '{name}': rungs must rise in level and in offset_days")
            continue
        rungs.append(rung)
    return tuple(rungs)


def parse_ladders(
    path: Path, roles: Mapping[str, Role], problems: list[Problem]
) -> dict[str, tuple[LadderRung, ...]]:
    """Every ladder of the file, adding every problem to ``problems``."""
    chk = Checker(str(path), problems)
    top = chk.mapping(chk.compose(path), "the ladders file", (("ladders",), ()))
    if top is None:
        return {}
    node = top.get("ladders")
    if not isinstance(node, MappingNode):
        chk.add(node if node is not None else 1, "ladders must be a mapping of names to rungs")
        return {}
    out: dict[str, tuple[LadderRung, ...]] = {}
    for name, rungs in chk.pairs(node, "ladders", noun="ladder name").items():
        if _ID.fullmatch(name):
            out[name] = _ladder(chk, name, rungs, roles)
        else:
            chk.add(rungs, f"ladder name '{name}' is not a valid id ([a-z][a-z0-9_]*)")
    if "default" not in out:
        chk.add(node, "ladders: a ladder named 'default' is required")
    return out
