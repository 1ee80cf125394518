"""Loading and checking the YAML process definitions.

Files are parsed with ``yaml.compose`` (SafeLoader) into nodes, so every value
keeps its line number; nothing is ever evaluated. Every problem of every file is
collected and reported at once in a single :class:`DefinitionError`.

The work is shared out: :mod:`~plancycle.definitions.nodes` reads and checks YAML
nodes, :mod:`~plancycle.definitions.roles` reads role files,
:mod:`~plancycle.definitions.document` reads one definition file (with
:mod:`~plancycle.definitions.states`, :mod:`~plancycle.definitions.transitions`
and :mod:`~plancycle.definitions.deadlines`) and :mod:`~plancycle.definitions.graph`
checks its states and transitions together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from plancycle.definitions.budget import budget_findings  # re-exported: also importable here
from plancycle.definitions.document import Parsed, parse_definition
from plancycle.definitions.errors import DefinitionError, Problem
from plancycle.definitions.ladders import Ladders, parse_ladders
from plancycle.definitions.migrations import check_migrations
from plancycle.definitions.model import Catalog, Definition, Role
from plancycle.definitions.roles import parse_roles

__all__ = [
    "DATA_DIR",
    "LADDERS_FILE",
    "ROLES_FILE",
    "budget_findings",
    "check_migrations",
    "default_paths",
    "load_catalog",
    "load_definition_file",
    "load_roles_file",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
ROLES_FILE = "roles.yaml"
LADDERS_FILE = "ladders.yaml"


def default_paths() -> list[Path]:
    """Every ``*.yaml`` of the package's data folder, sorted by name."""
    return sorted(DATA_DIR.glob("*.yaml"))


def load_roles_file(path: Path | str) -> dict[str, Role]:
    """The roles of one role file; raises :class:`DefinitionError` on any problem."""
    problems: list[Problem] = []
    roles = parse_roles(Path(path), problems)
    if problems:
        raise DefinitionError(problems)
    return roles


def _roles_mapping(roles: Mapping[str, Role] | Iterable[Role]) -> Mapping[str, Role]:
    if isinstance(roles, Mapping):
        return roles
    return {r.code: r for r in roles}


def load_definition_file(
    path: Path | str,
    roles: Mapping[str, Role] | Iterable[Role],
    ladders: Ladders | None = None,
) -> Definition:
    """One definition file, checked against ``roles``, the ladders (default: the
    package's) and the guard registry.

    Raises :class:`DefinitionError` listing every problem of the file.
    """
    problems: list[Problem] = []
    roles = _roles_mapping(roles)
    if ladders is None:
        ladders = parse_ladders(DATA_DIR / LADDERS_FILE, roles, problems)
    parsed = parse_definition(Path(path), roles, problems, ladders)
    if problems or parsed.definition is None:
        raise DefinitionError(sorted(problems, key=lambda p: p.line))
    return parsed.definition


def _expand(paths: Iterable[Path | str]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        out.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    return out


def _all_roles(role_files: list[Path], problems: list[Problem]) -> dict[str, Role]:
    """The roles of every role file; a role in two files is a problem of the later one."""
    roles: dict[str, Role] = {}
    for path in role_files:
        for code, role in parse_roles(path, problems).items():
            if code in roles:
                problems.append(
                    Problem(str(path), 1, f"role '{code}' is also declared in another role file")
                )
                continue
            roles[code] = role
    return roles


def _all_definitions(
    definition_files: list[Path],
    roles: Mapping[str, Role],
    ladders: Ladders,
    problems: list[Problem],
) -> tuple[list[Definition], list[Parsed]]:
    """The definitions of every file, and what each file yielded (also when it had
    problems); an (id, version) given twice is a problem."""
    definitions: list[Definition] = []
    kept: list[Parsed] = []
    seen: dict[tuple[str, int], tuple[Path, int]] = {}
    for path in definition_files:
        parsed = parse_definition(path, roles, problems, ladders)
        if parsed.id is not None and parsed.version is not None:
            key = (parsed.id, parsed.version)
            if key in seen:
                first, line = seen[key]
                problems.append(
                    Problem(
                        str(path),
                        parsed.id_line,
                        f"definition '{parsed.id}' version {parsed.version} is "
                        f"already defined in {first}:{line}",
                    )
                )
                continue
            seen[key] = (path, parsed.id_line)
        kept.append(parsed)
        if parsed.definition is not None:
            definitions.append(parsed.definition)
    return definitions, kept


def load_catalog(paths: Iterable[Path | str] | None = None) -> Catalog:
    """Load and check every definition and the roles.

    ``paths`` defaults to every ``*.yaml`` of the package's data folder; a folder in
    ``paths`` stands for its ``*.yaml`` files. Files named ``roles.yaml`` are role files;
    when none is given, the package's own role file is used. Raises one
    :class:`DefinitionError` listing every problem of every file.
    """
    files = _expand(default_paths() if paths is None else paths)
    role_files = [p for p in files if p.name == ROLES_FILE] or [DATA_DIR / ROLES_FILE]
    ladder_file = next((p for p in files if p.name == LADDERS_FILE), DATA_DIR / LADDERS_FILE)
    definition_files = [p for p in files if p.name not in (ROLES_FILE, LADDERS_FILE)]
    problems: list[Problem] = []
    roles = _all_roles(role_files, problems)
    ladders = parse_ladders(ladder_file, roles, problems)
    definitions, parsed = _all_definitions(definition_files, roles, ladders, problems)
    check_auto_rules(definitions, problems)
    check_informed_roles(definitions, roles, problems)
    check_migrations(parsed, definitions, problems)
    if problems:
        order = {str(p): i for i, p in enumerate([*role_files, ladder_file, *definition_files])}
        problems.sort(key=lambda pr: (order.get(pr.file, len(order)), pr.line))
        raise DefinitionError(problems)
    return Catalog(roles=MappingProxyType(roles), definitions=tuple(definitions))


def check_auto_rules(definitions: Iterable[Definition], problems: list[Problem]) -> None:
    """An automatic transition must wait on a process of the catalog, at one of its states."""
    newest = {d.id: d for d in sorted(definitions, key=lambda d: d.version)}
    for definition in definitions:
        for step in definition.transitions:
            rule = step.auto
            if rule is None:
                continue
            other = newest.get(rule.process)
            if other is None:
                message = f"transition '{step.trigger}' waits on unknown process '{rule.process}'"
            elif not other.has_state(rule.reached):
                message = (
                    f"transition '{step.trigger}' waits on state '{rule.reached}', "
                    f"which process '{rule.process}' does not have"
                )
            else:
                continue
            problems.append(Problem(str(definition.path), rule.line, message))


def check_informed_roles(
    definitions: Iterable[Definition], roles: Mapping[str, Role], problems: list[Problem]
) -> None:
    """A role declared ``informed_only`` is told, never asked: no step may name it."""
    for definition in definitions:
        for step in definition.transitions:
            for code in step.roles:
                role = roles.get(code)
                if role is not None and role.informed_only:
                    problems.append(
                        Problem(
                            str(definition.path),
                            1,
                            f"transition '{step.trigger}' names role '{code}', which "
                            "roles.yaml declares informed_only: remove it from the step "
                            "or drop informed_only",
                        )
                    )
