"""Loading and checking the YAML process definitions.

Files are parsed with ``yaml.compose`` (SafeLoader) into nodes, so every value
keeps its line number; nothing is ever evaluated. Every problem of every file is
collected and reported at once in a single :class:`DefinitionError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from plancycle.definitions.budget import budget_findings  # re-exported: also importable here
from plancycle.definitions.errors import DefinitionError, Problem
from plancycle.definitions.model import (
    DATA_TYPES,
    LEVELS,
    SCOPES,
    SOURCES,
    TARGETS,
    Budget,
    Catalog,
    DataField,
    Deadline,
    Definition,
    EvidenceSlot,
    GuardRef,
    Kpi,
    Participants,
    Role,
    State,
    Text,
    Transition,
    Window,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "DATA_DIR",
    "ROLES_FILE",
    "budget_findings",
    "default_paths",
    "load_catalog",
    "load_definition_file",
    "load_roles_file",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
ROLES_FILE = "roles.yaml"

_ID = re.compile(r"[a-z][a-z0-9_]*")
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/(\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*)")
_FY_DATE = re.compile(r"(\d{1,2})-(\d{1,2})")
# Names that would clash with attributes ``transitions`` puts on a model.
_RESERVED_TRIGGERS = frozenset({"trigger", "state", "get_graph", "machine"})

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
_TOP_OPTIONAL = ("kpi", "budget", "participants", "window")
_STATE_KEYS = (("id", "label", "source"), ("initial", "final", "due"))
_TRANSITION_KEYS = (("trigger", "label", "source", "dest", "roles"), ("guards", "evidence", "data"))
_EVIDENCE_KEYS = (("id", "label", "media_types"), ("required",))
_DATA_KEYS = (("name", "type", "label"), ("required",))
_TEXT_KEYS = (("th", "en"), ())
_KPI_KEYS = (("th", "en", "target_percent"), ())
_BUDGET_KEYS = (("total",), ("per_unit", "units", "seed_digits", "seed_words"))
_PARTICIPANTS_KEYS = ((), ("per_unit_min", "total", "unit"))
_WINDOW_KEYS = ((), ("opens", "closes"))
_ROLE_KEYS = (("code", "th", "en", "level"), ())
_DEADLINE_KINDS = ("fy_date", "quarter_end", "quarter_start", "month_end", "after")
_NON_LEAP_YEAR = 2023
# The C build of the same safe loader when libyaml is there (about 5x faster); both keep marks.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_paths() -> list[Path]:
    """Every ``*.yaml`` of the package's data folder, sorted by name."""
    return sorted(DATA_DIR.glob("*.yaml"))


# --------------------------------------------------------------------------- #
# Node helpers
# --------------------------------------------------------------------------- #


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Checker:
    """Reads one file's node tree, recording problems instead of raising."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self._constructor = yaml.SafeLoader("")

    def add(self, where: Node | int, message: str) -> None:
        line = where if isinstance(where, int) else _line(where)
        self.problems.append(Problem(self.file, line, message))

    # -- parsing ------------------------------------------------------------ #

    def compose(self, path: Path) -> Node | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.add(1, "file not found")
            return None
        except UnicodeDecodeError as exc:
            self.add(1, f"file is not UTF-8 text ({exc.reason})")
            return None
        except OSError as exc:
            self.add(1, f"cannot read the file ({exc.strerror or exc})")
            return None
        try:
            node = yaml.compose(text, Loader=_SAFE_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            what = " ".join(x for x in (exc.context, exc.problem) if x)
            self.add(line, f"YAML syntax error: {what}")
            return None
        except yaml.YAMLError as exc:
            self.add(1, f"YAML syntax error: {exc}")
            return None
        if node is None:
            self.add(1, "file is empty")
        return node

    def value(self, node: ScalarNode) -> Any:
        return self._constructor.construct_object(node, deep=True)

    # -- typed readers (return None after recording a problem) --------------- #

    def mapping(
        self, node: Node | None, where: str, keys: tuple[Sequence[str], Sequence[str]]
    ) -> dict[str, Node] | None:
        """Key -> value node, after checking for unknown, duplicate and missing keys."""
        if node is None:
            return None
        if not isinstance(node, MappingNode):
            self.add(node, f"{where} must be a mapping of keys to values")
            return None
        required, optional = keys
        allowed = tuple(required) + tuple(optional)
        out: dict[str, Node] = {}
        unknown: list[str] = []
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.add(key_node, f"{where}: keys must be plain names")
                continue
            if key in out:
                self.add(
                    key_node,
                    f"{where}: key '{key}' is given twice (first at line {_line(out[key])})",
                )
                continue
            if key not in allowed:
                unknown.append(key)
                hint = difflib.get_close_matches(key, allowed, n=1)
                tip = (
                    f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(allowed)})"
                )
                self.add(key_node, f"{where}: unknown key '{key}'{tip}")
                continue
            out[key] = value_node
        for key in required:
            if key in out:
                continue
            if difflib.get_close_matches(key, unknown, n=1):
                continue  # already reported as a misspelt key
            self.add(node, f"{where}: missing key '{key}'")
        return out

    def scalar(self, node: Node | None, where: str) -> Any:
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.add(node, f"{where} must be a single value, not a list or mapping")
            return None
        return self.value(node)

    def string(self, node: Node | None, where: str, *, empty_ok: bool = False) -> str | None:
        value = self.scalar(node, where)
        if node is None or value is None and not isinstance(node, ScalarNode):
            return None
        if not isinstance(value, str):
            self.add(node, f"{where} must be text, got {value!r}")
            return None
        if not empty_ok and not value.strip():
            self.add(node, f"{where} must not be empty")
            return None
        return value

    def ident(self, node: Node | None, where: str) -> str | None:
        value = self.string(node, where)
        if value is None:
            return None
        if not _ID.fullmatch(value):
            self.add(
                node,
                f"{where} '{value}' is not a valid id: use lower-case letters, digits "
                f"and '_', starting with a letter ([a-z][a-z0-9_]*)",
            )
            return None
        return value

    def integer(
        self, node: Node | None, where: str, *, low: int | None = None, high: int | None = None
    ) -> int | None:
        value = self.scalar(node, where)
        if node is None or not isinstance(node, ScalarNode):
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(node, f"{where} must be a whole number, got {value!r}")
            return None
        if low is not None and high is None and value < low:
            self.add(node, f"{where} must be at least {low}, got {value}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.add(node, f"{where} must be in {low}-{high}, got {value}")
            return None
        return value

    def boolean(self, node: Node | None, where: str) -> bool | None:
        value = self.scalar(node, where)
        if node is None or not isinstance(node, ScalarNode):
            return None
        if not isinstance(value, bool):
            self.add(node, f"{where} must be true or false, got {value!r}")
            return None
        return value

    def choice(self, node: Node | None, where: str, options: Sequence[str]) -> str | None:
        value = self.string(node, where)
        if value is None:
            return None
        if value not in options:
            self.add(node, f"{where} '{value}' must be one of: {', '.join(options)}")
            return None
        return value

    def sequence(self, node: Node | None, where: str, *, empty_ok: bool = True) -> list[Node]:
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.add(node, f"{where} must be a list")
            return []
        if not node.value and not empty_ok:
            self.add(node, f"{where} must not be empty")
        return list(node.value)

    def text(self, node: Node | None, where: str) -> Text | None:
        m = self.mapping(node, where, _TEXT_KEYS)
        if m is None:
            return None
        th = self.string(m.get("th"), f"{where}: th")
        en = self.string(m.get("en"), f"{where}: en")
        if th is None or en is None:
            return None
        return Text(th=th, en=en)


# --------------------------------------------------------------------------- #
# Deadlines
# --------------------------------------------------------------------------- #


@dataclass(slots=True)
class _PendingAfter:
    """An ``after`` deadline whose state is checked once the graph is known."""

    state_id: str  # the state carrying the deadline
    after: str
    line: int


def _fy_position(spec: Deadline) -> tuple[int, int] | None:
    """(month index in the FY 0-11, day) of a spec, for ordering window bounds."""
    if spec.kind == "fy_date":
        return ((spec.month - 10) % 12, spec.day)
    if spec.kind == "month_end":
        return ((spec.month - 10) % 12, 31)
    if spec.kind == "quarter_start":
        return (3 * (spec.quarter - 1), 1)
    if spec.kind == "quarter_end":
        return (3 * spec.quarter - 1, 31)
    return None


def _deadline(chk: _Checker, node: Node, where: str, *, allow_after: bool) -> Deadline | None:
    keys = (_DEADLINE_KINDS + ("days",)) if allow_after else _DEADLINE_KINDS[:-1]
    m = chk.mapping(node, where, ((), keys))
    if m is None:
        return None
    kinds = [k for k in _DEADLINE_KINDS if k in m]
    if len(kinds) != 1:
        if not kinds:
            chk.add(node, f"{where}: give one of {', '.join(keys[:-1] if allow_after else keys)}")
        else:
            chk.add(node, f"{where}: give only one of {', '.join(kinds)}")
        return None
    kind = kinds[0]
    value_node = m[kind]
    if kind != "after" and "days" in m:
        chk.add(m["days"], f"{where}: 'days' belongs only with 'after'")
        return None
    if kind == "fy_date":
        raw = chk.scalar(value_node, f"{where}: fy_date")
        if isinstance(raw, date):
            chk.add(
                value_node,
                f"{where}: fy_date must be a month and day 'MM-DD' relative to the "
                f"fiscal year, not an absolute date ({raw.isoformat()})",
            )
            return None
        if not isinstance(raw, str) or not (match := _FY_DATE.fullmatch(raw.strip())):
            if isinstance(value_node, ScalarNode):
                chk.add(value_node, f"{where}: fy_date must be 'MM-DD', got {raw!r}")
            return None
        month, day = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            chk.add(
                value_node,
                f"{where}: fy_date '{raw}' is outside the fiscal year: month must be 01-12",
            )
            return None
        if (month, day) == (2, 29):
            chk.add(
                value_node,
                f"{where}: fy_date '{raw}' is outside the fiscal year: 29 February "
                f"does not exist in every year",
            )
            return None
        try:
            date(_NON_LEAP_YEAR, month, day)
        except ValueError:
            chk.add(
                value_node,
                f"{where}: fy_date '{raw}' is outside the fiscal year: there is no such day",
            )
            return None
        return Deadline(kind="fy_date", month=month, day=day)
    if kind == "month_end":
        month = chk.integer(value_node, f"{where}: month_end")
        if month is None:
            return None
        if not 1 <= month <= 12:
            chk.add(
                value_node,
                f"{where}: month_end {month} is outside the fiscal year: month must be 1-12",
            )
            return None
        return Deadline(kind="month_end", month=month)
    if kind in ("quarter_end", "quarter_start"):
        quarter = chk.integer(value_node, f"{where}: {kind}")
        if quarter is None:
            return None
        if not 1 <= quarter <= 4:
            chk.add(
                value_node,
                f"{where}: {kind} {quarter} is outside the fiscal year: quarter must be 1-4",
            )
            return None
        return Deadline(kind=kind, quarter=quarter)
    # after
    after = chk.ident(value_node, f"{where}: after")
    if "days" not in m:
        chk.add(node, f"{where}: 'after' needs 'days'")
        return None
    days = chk.integer(m["days"], f"{where}: days")
    if days is not None and not 0 <= days <= 365:
        chk.add(m["days"], f"{where}: days {days} must be 0-365")
        return None
    if after is None or days is None:
        return None
    return Deadline(kind="after", after=after, days=days)


# --------------------------------------------------------------------------- #
# Roles
# --------------------------------------------------------------------------- #


def _parse_roles(path: Path, problems: list[Problem]) -> dict[str, Role]:
    chk = _Checker(str(path), problems)
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
        th = chk.string(m.get("th"), f"{where}: th")
        en = chk.string(m.get("en"), f"{where}: en")
        level = chk.choice(m.get("level"), f"{where}: level", LEVELS)
        if code is None:
            continue
        if code in lines:
            chk.add(item, f"role '{code}' is declared twice (first at line {lines[code]})")
            continue
        lines[code] = _line(item)
        if th is not None and en is not None and level is not None:
            roles[code] = Role(code=code, label=Text(th=th, en=en), level=level)
    return roles


def load_roles_file(path: Path | str) -> dict[str, Role]:
    """The roles of one role file; raises :class:`DefinitionError` on any problem."""
    problems: list[Problem] = []
    roles = _parse_roles(Path(path), problems)
    if problems:
        raise DefinitionError(problems)
    return roles


# --------------------------------------------------------------------------- #
# Definitions
# --------------------------------------------------------------------------- #


@dataclass(slots=True)
class _StateDraft:
    id: str | None
    line: int
    node: Node
    label: Text | None = None
    source: str | None = None
    initial: bool = False
    final: bool = False
    initial_line: int = 0
    due: list[Deadline] = field(default_factory=list)


@dataclass(slots=True)
class _TransitionDraft:
    index: int
    line: int
    trigger: str | None = None
    trigger_line: int = 0
    label: Text | None = None
    sources: list[tuple[str, int]] = field(default_factory=list)
    dest: tuple[str, int] | None = None
    roles: list[str] = field(default_factory=list)
    guards: list[GuardRef] = field(default_factory=list)
    evidence: list[EvidenceSlot] = field(default_factory=list)
    data: list[DataField] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"transition '{self.trigger}'" if self.trigger else f"transition #{self.index}"


@dataclass(slots=True)
class _Parsed:
    """What one definition file yielded, whether or not it had problems."""

    definition: Definition | None
    id: str | None
    version: int | None
    id_line: int


def _role_ref(
    chk: _Checker, node: Node | None, where: str, roles: Mapping[str, Role]
) -> str | None:
    code = chk.string(node, where)
    if code is None:
        return None
    if code not in roles:
        chk.add(node, f"{where} names unknown role '{code}'")
        return None
    return code


def _guard(chk: _Checker, node: Node, where: str) -> GuardRef | None:
    from plancycle.workflow.guards import GUARD_PARAMS  # lazily: workflow imports definitions

    if not isinstance(node, MappingNode):
        chk.add(
            node, f"{where}: a guard must be a mapping like {{name: min_participants, min: 20}}"
        )
        return None
    pairs: dict[str, Node] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if not isinstance(key, str):
            chk.add(key_node, f"{where}: guard keys must be plain names")
            continue
        if key in pairs:
            chk.add(key_node, f"{where}: guard key '{key}' is given twice")
            continue
        pairs[key] = value_node
    if "name" not in pairs:
        chk.add(node, f"{where}: guard has no 'name'")
        return None
    name = chk.string(pairs.pop("name"), f"{where}: guard name")
    if name is None:
        return None
    if name not in GUARD_PARAMS:
        hint = difflib.get_close_matches(name, list(GUARD_PARAMS), n=1)
        tip = (
            f" (did you mean '{hint[0]}'?)"
            if hint
            else f" (known: {', '.join(sorted(GUARD_PARAMS))})"
        )
        chk.add(node, f"{where} names unknown guard '{name}'{tip}")
        return None
    required, optional = GUARD_PARAMS[name]
    ok = True
    params: dict[str, Any] = {}
    for key, value_node in pairs.items():
        if key not in required and key not in optional:
            allowed = ", ".join(sorted(required | optional)) or "none"
            chk.add(
                value_node,
                f"{where}: guard '{name}' takes no parameter '{key}' (parameters: {allowed})",
            )
            ok = False
            continue
        value = chk.scalar(value_node, f"{where}: guard '{name}' parameter '{key}'")
        if value is None:
            if isinstance(value_node, ScalarNode):
                chk.add(value_node, f"{where}: guard '{name}' parameter '{key}' has no value")
            ok = False
            continue
        params[key] = value
    for key in sorted(required - set(pairs)):
        chk.add(node, f"{where}: guard '{name}' needs parameter '{key}'")
        ok = False
    return GuardRef(name=name, params=MappingProxyType(params)) if ok else None


def _evidence(chk: _Checker, node: Node, where: str) -> EvidenceSlot | None:
    m = chk.mapping(node, f"{where}: evidence", _EVIDENCE_KEYS)
    if m is None:
        return None
    slot_id = chk.ident(m.get("id"), f"{where}: evidence id")
    inner = f"{where}: evidence '{slot_id}'" if slot_id else f"{where}: evidence"
    label = chk.text(m.get("label"), f"{inner} label")
    media: list[str] = []
    bad = False
    for item in chk.sequence(m.get("media_types"), f"{inner} media_types", empty_ok=False):
        value = chk.string(item, f"{inner} media type")
        if value is None:
            bad = True
        elif not _MEDIA_TYPE.fullmatch(value):
            chk.add(
                item,
                f"{inner}: media type '{value}' is not of the form type/subtype "
                f"(e.g. application/pdf)",
            )
            bad = True
        else:
            media.append(value.lower())
    required = False
    if "required" in m:
        required = chk.boolean(m["required"], f"{inner} required")
    if slot_id is None or label is None or bad or required is None or not media:
        return None
    return EvidenceSlot(id=slot_id, label=label, media_types=tuple(media), required=required)


def _data_field(chk: _Checker, node: Node, where: str) -> DataField | None:
    m = chk.mapping(node, f"{where}: data field", _DATA_KEYS)
    if m is None:
        return None
    name = chk.ident(m.get("name"), f"{where}: data field name")
    inner = f"{where}: data field '{name}'" if name else f"{where}: data field"
    kind = chk.string(m.get("type"), f"{inner} type")
    if kind is not None and kind not in DATA_TYPES:
        chk.add(m["type"], f"{inner} has unknown type '{kind}' (types: {', '.join(DATA_TYPES)})")
        kind = None
    label = chk.text(m.get("label"), f"{inner} label")
    required = False
    if "required" in m:
        required = chk.boolean(m["required"], f"{inner} required")
    if name is None or kind is None or label is None or required is None:
        return None
    return DataField(name=name, type=kind, required=required, label=label)


def _parse_state(
    chk: _Checker, node: Node, index: int, pending: list[_PendingAfter]
) -> _StateDraft | None:
    m = chk.mapping(node, f"state #{index}", _STATE_KEYS)
    if m is None:
        return None
    sid = chk.ident(m.get("id"), "state id")
    where = f"state '{sid}'" if sid else f"state #{index}"
    draft = _StateDraft(id=sid, line=_line(m["id"]) if "id" in m else _line(node), node=node)
    draft.label = chk.text(m.get("label"), f"{where} label")
    draft.source = chk.choice(m.get("source"), f"{where} source", SOURCES)
    for flag in ("initial", "final"):
        if flag in m:
            value = chk.boolean(m[flag], f"{where} {flag}")
            setattr(draft, flag, bool(value))
    if "initial" in m:
        draft.initial_line = _line(m["initial"])
    for item in chk.sequence(m.get("due"), f"{where} due"):
        spec = _deadline(chk, item, f"{where} deadline", allow_after=True)
        if spec is None:
            continue
        draft.due.append(spec)
        if spec.kind == "after" and sid is not None:
            pending.append(_PendingAfter(state_id=sid, after=spec.after or "", line=_line(item)))
    if draft.initial and draft.final:
        chk.add(node, f"{where} cannot be both initial and final")
    if draft.final and draft.due:
        chk.add(m["due"], f"{where} is final and cannot have a deadline")
    return draft


def _parse_transition(
    chk: _Checker, node: Node, index: int, roles: Mapping[str, Role]
) -> _TransitionDraft | None:
    m = chk.mapping(node, f"transition #{index}", _TRANSITION_KEYS)
    if m is None:
        return None
    draft = _TransitionDraft(index=index, line=_line(node))
    if "trigger" in m:
        draft.trigger = chk.ident(m["trigger"], f"transition #{index} trigger")
        draft.trigger_line = _line(m["trigger"])
        if draft.trigger in _RESERVED_TRIGGERS:
            chk.add(
                m["trigger"], f"transition #{index}: trigger name '{draft.trigger}' is reserved"
            )
    where = draft.name
    draft.label = chk.text(m.get("label"), f"{where} label")
    src = m.get("source")
    if isinstance(src, SequenceNode):
        for item in chk.sequence(src, f"{where} source", empty_ok=False):
            sid = chk.ident(item, f"{where} source")
            if sid is not None:
                if any(sid == s for s, _ in draft.sources):
                    chk.add(item, f"{where} lists source state '{sid}' twice")
                    continue
                draft.sources.append((sid, _line(item)))
    elif src is not None:
        sid = chk.ident(src, f"{where} source")
        if sid is not None:
            draft.sources.append((sid, _line(src)))
    if "dest" in m:
        dest = chk.ident(m["dest"], f"{where} dest")
        if dest is not None:
            draft.dest = (dest, _line(m["dest"]))
    for item in chk.sequence(m.get("roles"), f"{where} roles", empty_ok=False):
        code = _role_ref(chk, item, where, roles)
        if code is not None and code not in draft.roles:
            draft.roles.append(code)
    for item in chk.sequence(m.get("guards"), f"{where} guards"):
        guard = _guard(chk, item, where)
        if guard is not None:
            draft.guards.append(guard)
    seen: dict[str, int] = {}
    for item in chk.sequence(m.get("evidence"), f"{where} evidence"):
        slot = _evidence(chk, item, where)
        if slot is None:
            continue
        if slot.id in seen:
            chk.add(
                item,
                f"{where}: evidence slot '{slot.id}' is declared twice "
                f"(first at line {seen[slot.id]})",
            )
            continue
        seen[slot.id] = _line(item)
        draft.evidence.append(slot)
    seen = {}
    for item in chk.sequence(m.get("data"), f"{where} data"):
        data_field = _data_field(chk, item, where)
        if data_field is None:
            continue
        if data_field.name in seen:
            chk.add(
                item,
                f"{where}: data field '{data_field.name}' is declared twice "
                f"(first at line {seen[data_field.name]})",
            )
            continue
        seen[data_field.name] = _line(item)
        draft.data.append(data_field)
    return draft


def _reach(start: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = list(seen)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _check_graph(
    chk: _Checker,
    states_node: Node | None,
    states: list[_StateDraft],
    transitions: list[_TransitionDraft],
    pending: list[_PendingAfter],
) -> None:
    by_id: dict[str, _StateDraft] = {}
    for st in states:
        if st.id is None:
            continue
        if st.id in by_id:
            chk.add(
                st.line, f"state '{st.id}' is declared twice (first at line {by_id[st.id].line})"
            )
            continue
        by_id[st.id] = st
    anchor = states_node.start_mark.line + 1 if states_node is not None else 1
    if states_node is not None and states:
        initials = [s for s in states if s.initial]
        if not initials:
            chk.add(anchor, "no initial state: mark exactly one state with 'initial: true'")
        for extra in initials[1:]:
            chk.add(
                extra.initial_line,
                f"state '{extra.id}' is also marked initial (state "
                f"'{initials[0].id}' at line {initials[0].line} is already): "
                f"exactly one state may be initial",
            )
        if not any(s.final for s in states):
            chk.add(anchor, "no final state: mark at least one state with 'final: true'")

    edges: dict[str, set[str]] = {sid: set() for sid in by_id}
    first_trigger: dict[tuple[str, str], int] = {}
    for tr in transitions:
        dest_ok = True
        if tr.dest is not None and tr.dest[0] not in by_id:
            chk.add(tr.dest[1], f"{tr.name} names unknown state '{tr.dest[0]}' as dest")
            dest_ok = False
        for sid, line in tr.sources:
            if sid not in by_id:
                chk.add(line, f"{tr.name} names unknown state '{sid}' as source")
                continue
            if by_id[sid].final:
                chk.add(
                    line,
                    f"{tr.name} leaves final state '{sid}': a final state has no "
                    f"outgoing transitions",
                )
            if tr.trigger is not None:
                key = (sid, tr.trigger)
                if key in first_trigger:
                    chk.add(
                        tr.trigger_line,
                        f"{tr.name}: trigger '{tr.trigger}' from state "
                        f"'{sid}' is already declared at line {first_trigger[key]}",
                    )
                else:
                    first_trigger[key] = tr.trigger_line
            if tr.dest is not None and dest_ok:
                edges[sid].add(tr.dest[0])

    initials = [s for s in by_id.values() if s.initial]
    if len(initials) == 1:
        reachable = _reach([initials[0].id], edges)  # type: ignore[list-item]
        for st in by_id.values():
            if st.id not in reachable:
                chk.add(
                    st.line,
                    f"state '{st.id}' is unreachable from the initial state '{initials[0].id}'",
                )
    finals = {sid for sid, st in by_id.items() if st.final}
    if finals:
        reverse: dict[str, set[str]] = {sid: set() for sid in by_id}
        for src, dests in edges.items():
            for dst in dests:
                reverse[dst].add(src)
        can_finish = _reach(finals, reverse)
        for sid, st in by_id.items():
            if st.final:
                continue
            if not edges[sid]:
                chk.add(
                    st.line,
                    f"state '{sid}' is a dead end: it is not final and no transition leaves it",
                )
            elif sid not in can_finish:
                chk.add(
                    st.line, f"state '{sid}' is a dead end: no final state can be reached from it"
                )

    for p in pending:
        if p.after not in by_id:
            chk.add(
                p.line, f"state '{p.state_id}' deadline names unknown state '{p.after}' in 'after'"
            )
            continue
        # The named state must be left before this state is entered: a path of one or
        # more transitions must lead from it to this state.
        if p.state_id not in _reach(edges[p.after], edges):
            chk.add(
                p.line,
                f"state '{p.state_id}' deadline counts from state '{p.after}', "
                f"which cannot precede it",
            )


def _parse_definition(path: Path, roles: Mapping[str, Role], problems: list[Problem]) -> _Parsed:
    chk = _Checker(str(path), problems)
    before = len(problems)
    root = chk.compose(path)
    m = chk.mapping(root, "the definition", (_TOP_REQUIRED, _TOP_OPTIONAL))
    if m is None:
        return _Parsed(None, None, None, 1)
    def_id = chk.ident(m.get("id"), "id")
    id_line = _line(m["id"]) if "id" in m else _line(root)  # type: ignore[arg-type]
    version = chk.integer(m.get("version"), "version", low=1)
    title = chk.text(m.get("title"), "title")
    source = chk.choice(m.get("source"), "source", SOURCES)
    scope = chk.choice(m.get("scope"), "scope", SCOPES)
    targets = chk.choice(m.get("targets"), "targets", TARGETS)
    if scope is not None and targets in ("activity2", "strong_tambon") and scope != "tambon":
        chk.add(
            m["targets"], f"targets '{targets}' are tambons: it needs scope 'tambon', not '{scope}'"
        )
    lead = _role_ref(chk, m.get("lead_role"), "lead_role", roles)
    supervisor = _role_ref(chk, m.get("supervisor_role"), "supervisor_role", roles)

    kpi = None
    if "kpi" in m:
        km = chk.mapping(m["kpi"], "kpi", _KPI_KEYS)
        if km is not None:
            th = chk.string(km.get("th"), "kpi: th")
            en = chk.string(km.get("en"), "kpi: en")
            pct = chk.scalar(km.get("target_percent"), "kpi: target_percent")
            if (
                "target_percent" in km
                and isinstance(km["target_percent"], ScalarNode)
                and (
                    not isinstance(pct, int | float) or isinstance(pct, bool) or not 0 < pct <= 100
                )
            ):
                chk.add(
                    km["target_percent"],
                    f"kpi: target_percent must be a number in 0-100, got {pct!r}",
                )
                pct = None
            if th and en and pct is not None:
                kpi = Kpi(label=Text(th=th, en=en), target_percent=pct)

    budget = None
    if "budget" in m:
        bm = chk.mapping(m["budget"], "budget", _BUDGET_KEYS)
        if bm is not None:
            nums = {
                k: chk.integer(bm.get(k), f"budget: {k}", low=0)
                for k in ("per_unit", "units", "total", "seed_digits")
            }
            words = (
                chk.string(bm.get("seed_words"), "budget: seed_words")
                if "seed_words" in bm
                else None
            )
            if nums["total"] is not None:
                budget = Budget(
                    per_unit=nums["per_unit"],
                    units=nums["units"],
                    total=nums["total"],
                    seed_digits=nums["seed_digits"],
                    seed_words=words,
                )

    participants = None
    if "participants" in m:
        pm = chk.mapping(m["participants"], "participants", _PARTICIPANTS_KEYS)
        if pm is not None:
            if not pm:
                chk.add(m["participants"], "participants: give per_unit_min and/or total")
            per = chk.integer(pm.get("per_unit_min"), "participants: per_unit_min", low=0)
            total = chk.integer(pm.get("total"), "participants: total", low=0)
            unit = (
                chk.choice(pm.get("unit"), "participants: unit", SCOPES) if "unit" in pm else None
            )
            participants = Participants(per_unit_min=per, total=total, unit=unit)

    window = None
    if "window" in m:
        wm = chk.mapping(m["window"], "window", _WINDOW_KEYS)
        if wm is not None:
            if not wm:
                chk.add(m["window"], "window: give opens and/or closes")
            opens = (
                _deadline(chk, wm["opens"], "window opens", allow_after=False)
                if "opens" in wm
                else None
            )
            closes = (
                _deadline(chk, wm["closes"], "window closes", allow_after=False)
                if "closes" in wm
                else None
            )
            if (
                opens
                and closes
                and (a := _fy_position(opens))
                and (b := _fy_position(closes))
                and a > b
            ):
                chk.add(
                    m["window"],
                    f"window opens ({opens.describe()}) after it closes ({closes.describe()})",
                )
            window = Window(opens=opens, closes=closes)

    pending: list[_PendingAfter] = []
    states: list[_StateDraft] = []
    for i, item in enumerate(chk.sequence(m.get("states"), "states", empty_ok=False), start=1):
        st = _parse_state(chk, item, i, pending)
        if st is not None:
            states.append(st)
    transitions: list[_TransitionDraft] = []
    for i, item in enumerate(chk.sequence(m.get("transitions"), "transitions", empty_ok=False), 1):
        tr = _parse_transition(chk, item, i, roles)
        if tr is not None:
            transitions.append(tr)
    _check_graph(chk, m.get("states"), states, transitions, pending)

    if len(problems) > before:
        return _Parsed(None, def_id, version, id_line)
    definition = Definition(
        id=def_id,
        version=version,
        title=title,
        source=source,
        scope=scope,  # type: ignore[arg-type]
        targets=targets,
        lead_role=lead,
        supervisor_role=supervisor,  # type: ignore[arg-type]
        kpi=kpi,
        budget=budget,
        participants=participants,
        window=window,
        states=tuple(
            State(
                id=s.id,
                label=s.label,
                source=s.source,
                initial=s.initial,  # type: ignore[arg-type]
                final=s.final,
                due=tuple(s.due),
            )
            for s in states
        ),
        transitions=tuple(
            Transition(
                trigger=t.trigger,
                label=t.label,
                sources=tuple(s for s, _ in t.sources),  # type: ignore[arg-type]
                dest=t.dest[0],
                roles=tuple(t.roles),
                guards=tuple(t.guards),  # type: ignore[index]
                evidence=tuple(t.evidence),
                data=tuple(t.data),
            )
            for t in transitions
        ),
        path=path,
    )
    return _Parsed(definition, def_id, version, id_line)


def _roles_mapping(roles: Mapping[str, Role] | Iterable[Role]) -> Mapping[str, Role]:
    if isinstance(roles, Mapping):
        return roles
    return {r.code: r for r in roles}


def load_definition_file(
    path: Path | str, roles: Mapping[str, Role] | Iterable[Role]
) -> Definition:
    """One definition file, checked against ``roles`` and the guard registry.

    Raises :class:`DefinitionError` listing every problem of the file.
    """
    problems: list[Problem] = []
    parsed = _parse_definition(Path(path), _roles_mapping(roles), problems)
    if problems or parsed.definition is None:
        raise DefinitionError(sorted(problems, key=lambda p: p.line))
    return parsed.definition


def _expand(paths: Iterable[Path | str]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        out.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    return out


def load_catalog(paths: Iterable[Path | str] | None = None) -> Catalog:
    """Load and check every definition and the roles.

    ``paths`` defaults to every ``*.yaml`` of the package's data folder; a folder in
    ``paths`` stands for its ``*.yaml`` files. Files named ``roles.yaml`` are role files;
    when none is given, the package's own role file is used. Raises one
    :class:`DefinitionError` listing every problem of every file.
    """
    files = _expand(default_paths() if paths is None else paths)
    role_files = [p for p in files if p.name == ROLES_FILE] or [DATA_DIR / ROLES_FILE]
    definition_files = [p for p in files if p.name != ROLES_FILE]
    problems: list[Problem] = []
    roles: dict[str, Role] = {}
    for path in role_files:
        for code, role in _parse_roles(path, problems).items():
            if code in roles:
                problems.append(
                    Problem(str(path), 1, f"role '{code}' is also declared in another role file")
                )
                continue
            roles[code] = role
    definitions: list[Definition] = []
    seen: dict[tuple[str, int], tuple[Path, int]] = {}
    for path in definition_files:
        parsed = _parse_definition(path, roles, problems)
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
        if parsed.definition is not None:
            definitions.append(parsed.definition)
    if problems:
        order = {str(p): i for i, p in enumerate(role_files + definition_files)}
        problems.sort(key=lambda pr: (order.get(pr.file, len(order)), pr.line))
        raise DefinitionError(problems)
    return Catalog(roles=MappingProxyType(roles), definitions=tuple(definitions))
