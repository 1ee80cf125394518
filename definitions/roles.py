"""Parsing a role file (``roles.yaml``): the roles transitions and definitions may name."""

from __future__ import annotations

from pathlib import Path

from plancycle.definitions.errors import Problem
from plancycle.definitions.model import LEVELS, Role
from plancycle.definitions.nodes import Checker, Keys

__all__ = ["parse_roles"]

_ROLE_KEYS: Keys = (("code", "th", "en", "level"), ("informed_only", "note"))


def parse_roles(path: Path, problems: list[Problem]) -> dict[str, Role]:
    """The complete roles of one role file, adding every problem to ``problems``."""
    chk = Checker(str(path), problems)
    root = chk.compose(path)
    top = chk.mapping(root, "the role file", (("roles",), ()))
    roles: dict[str, Role] = {}
    if top is None:
        return roles
    lines: dict[str, int] = {}
    for item in chk.sequence(top.get("roles"), "roles", empty_ok=False):
        m = chk.mapping(item, "role", _ROLE_KEYS)
        if m is None:
            continue
        code = chk.ident(m.get("code"), "role code")
        where = f"role '{code}'" if code else "role"
        label = chk.th_en(m, where)
        level = chk.choice(m.get("level"), f"{where}: level", LEVELS)
        informed = bool(chk.flag(m, "informed_only", f"{where}: informed_only"))
        note = chk.text(m["note"], f"{where}: note") if "note" in m else None
        if informed and note is None:
            chk.add(item, f"{where} is informed only: give a 'note' saying what it is told")
        if code is None or not chk.first_time(lines, code, item, f"role '{code}'"):
            continue
        if label is not None and level is not None:
            roles[code] = Role(code, label, level, informed_only=informed, note=note)
    return roles
