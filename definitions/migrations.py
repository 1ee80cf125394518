"""``migrates_from``: how running instances of an older version of a process move to this one.

```yaml
migrates_from:
  version: 1
  states: {coordinate: coordinate, evaluate: assess, done: done}
```

The file-level checks (:func:`parse_migration`) need only the file itself: the keys, an
older ``version``, and every mapped-to state being a state of this version. The
catalog-level checks (:func:`check_migrations`, run by ``load_catalog`` once every file is
read) need the old version: it must exist, every key must be one of its states, and a
final state must map to a final state.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from yaml.nodes import MappingNode, Node, ScalarNode

from plancycle.definitions.errors import Problem
from plancycle.definitions.model import Definition, Migration
from plancycle.definitions.nodes import Checker, Keys, did_you_mean, line_of
from plancycle.definitions.states import StateDraft

if TYPE_CHECKING:
    from plancycle.definitions.document import Parsed

__all__ = ["check_migrations", "parse_migration"]

_MIGRATION_KEYS: Keys = (("version", "states"), ())
_WHERE = "migrates_from"


def _version(chk: Checker, node: Node | None, own_version: int | None) -> int | None:
    version = chk.integer(node, f"{_WHERE}: version", low=1)
    if version is None or own_version is None or version < own_version:
        return version
    chk.add(
        node,  # type: ignore[arg-type]
        f"{_WHERE}: version {version} is not older than this file's version {own_version}; "
        f"give the older version whose running instances move to version {own_version}",
    )
    return None


def _target(chk: Checker, old: str, node: Node, own_states: Collection[str]) -> str | None:
    """The new state an old state maps to; a name that is not a state of this version is
    recorded as a problem but kept, so that the old states are still checked."""
    new = chk.ident(node, f"{_WHERE}: the new state for '{old}'")
    if new is not None and own_states and new not in own_states:
        tip = did_you_mean(new, own_states, f"states: {', '.join(own_states)}")
        chk.add(
            node,
            f"{_WHERE}: '{old}' maps to '{new}', which is not a state of this version{tip}",
        )
    return new


def _state_map(
    chk: Checker, node: Node | None, own_states: Collection[str]
) -> tuple[dict[str, str], dict[str, int]] | None:
    """(old state -> new state, old state -> line) of every readable pair; None when
    there is none."""
    if node is None:
        return None  # reported as a missing key
    if not isinstance(node, MappingNode):
        chk.add(
            node,
            f"{_WHERE}: states must be a mapping of old state to new state, "
            f"e.g. {{coordinate: coordinate, old_step: new_step}}",
        )
        return None
    if not node.value:
        chk.add(node, f"{_WHERE}: states must map at least one old state")
    mapping: dict[str, str] = {}
    lines: dict[str, int] = {}
    for old, value_node in chk.pairs(node, f"{_WHERE}: states", noun="old state").items():
        key = _key_node(node, old)
        key_ok = chk.ident(key, f"{_WHERE}: old state") is not None
        new = _target(chk, old, value_node, own_states)
        if key_ok and new is not None:
            mapping[old], lines[old] = new, line_of(key)
    return (mapping, lines) if mapping else None


def _key_node(node: MappingNode, key: str) -> Node:
    return next(k for k, _ in node.value if isinstance(k, ScalarNode) and k.value == key)


def parse_migration(
    chk: Checker, node: Node | None, own_version: int | None, states: Iterable[StateDraft]
) -> Migration | None:
    """The optional ``migrates_from`` section, checked against this file's own states."""
    m = chk.mapping(node, _WHERE, _MIGRATION_KEYS)
    if m is None:
        return None
    version = _version(chk, m.get("version"), own_version)
    own_states = [s.id for s in states if s.id is not None]
    mapped = _state_map(chk, m.get("states"), own_states)
    if version is None or mapped is None:
        return None
    mapping, lines = mapped
    return Migration(
        version=version,
        states=mapping,
        line=line_of(node),  # type: ignore[arg-type]
        version_line=line_of(m["version"]),
        state_lines=lines,
    )


# --------------------------------------------------------------------------- #
# Across the catalog
# --------------------------------------------------------------------------- #


def check_migrations(
    parsed: Iterable[Parsed], definitions: Iterable[Definition], problems: list[Problem]
) -> None:
    """Each ``migrates_from`` must name an existing older version of the same process and
    only states of it; a final old state must map to a final state.

    ``parsed`` is what every file yielded, also a file with problems of its own (its
    mapping is checked all the same); ``definitions`` are the files without problems. An
    old version whose own file has problems is not reported again."""
    parsed = list(parsed)
    index = {d.key: d for d in definitions}
    declared = {(p.id, p.version) for p in parsed}
    for item in parsed:
        migration = item.migration
        if migration is None or item.id is None:
            continue
        old = index.get((item.id, migration.version))
        if old is not None:
            _check_states(str(item.path), item.definition, old, migration, problems)
        elif (item.id, migration.version) not in declared:
            have = sorted(
                v for i, v in declared if i == item.id and v is not None and v != item.version
            )
            problems.append(
                Problem(
                    str(item.path),
                    migration.version_line,
                    f"{_WHERE}: process '{item.id}' has no version {migration.version} "
                    f"(other versions: {', '.join(map(str, have)) or 'none'}); give an older "
                    f"version that exists (file data/{item.id}.v<N>.yaml)",
                )
            )


def _check_states(
    file: str,
    new: Definition | None,
    old: Definition,
    migration: Migration,
    problems: list[Problem],
) -> None:
    """Every key a state of the old version; a final old state maps to a final new one
    (checked when this file has no other problems)."""
    old_states = [s.id for s in old.states]
    for old_state, new_state in migration.states.items():
        line = migration.state_lines.get(old_state, migration.line)
        if not old.has_state(old_state):
            tip = did_you_mean(old_state, old_states, f"states: {', '.join(old_states)}")
            message = (
                f"{_WHERE}: '{old_state}' is not a state of {old.id} version {old.version}{tip}"
            )
        elif new is not None and old.state(old_state).final and not new.state(new_state).final:
            message = (
                f"{_WHERE}: '{old_state}' is final in version {old.version} but '{new_state}' "
                f"is not final: a completed instance stays completed; map it to a final state"
            )
        else:
            continue
        problems.append(Problem(file, line, message))
