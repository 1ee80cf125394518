"""When an instance left a step: the one rule, used for "N days after step X" deadlines,
for which steps count as done, and by definition migrations.

A step was left at the latest transition record whose ``from_state`` is the step, under
its current id or any id it had in an older version of the definition (records written
before a migration name the old ids; see :meth:`Catalog.former_names`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from plancycle.definitions.model import Catalog, Definition

__all__ = ["fold_left_at", "left_at", "state_names"]


def state_names(
    catalog: Catalog, definition: Definition, states: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Each of ``states`` with every id it has had (itself included)."""
    return {s: catalog.former_names(definition.id, definition.version, s) for s in states}


def fold_left_at(
    found: Mapping[str, datetime], names: Mapping[str, tuple[str, ...]]
) -> dict[str, datetime]:
    """From "last left at" per recorded id to "last left at" per current state."""
    out: dict[str, datetime] = {}
    for state, ids in names.items():
        times = [found[n] for n in ids if n in found]
        if times:
            out[state] = max(times)
    return out


def left_at(
    catalog: Catalog, definition: Definition, records: Iterable[tuple[str, datetime]]
) -> dict[str, datetime]:
    """Per state of ``definition`` the instance has left: when it last left it, from its
    ``(from_state, at)`` records."""
    last: dict[str, datetime] = {}
    for state, at in records:
        if state not in last or at > last[state]:
            last[state] = at
    return fold_left_at(last, state_names(catalog, definition, (s.id for s in definition.states)))
