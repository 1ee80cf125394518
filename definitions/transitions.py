"""Parsing a definition's ``transitions`` list: triggers, roles, guards, evidence, data."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from yaml.nodes import Node, SequenceNode

from plancycle.definitions.builtin_actors import BuiltinRole
from plancycle.definitions.deadlines import parse_deadline, window_is_reversed
from plancycle.definitions.guard_refs import parse_guard
from plancycle.definitions.model import (
    DATA_TYPES,
    SOURCES,
    AutoRule,
    DataField,
    DateWindow,
    EvidenceSlot,
    GuardRef,
    GuardSeverity,
    OnBehalf,
    ReportColumn,
    Role,
    Text,
    Transition,
    required,
)
from plancycle.definitions.nodes import Checker, Keys, line_of

__all__ = ["TransitionDraft", "parse_roles", "parse_transitions", "role_ref"]

_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/(\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*)")
# Names that would clash with attributes ``transitions`` puts on a model.
# ``migrate_definition``, ``send_back`` and ``correct`` name records that are no step
# (the audit module of the engine).
_RESERVED_TRIGGERS = frozenset(
    {"trigger", "state", "get_graph", "machine", "migrate_definition", "send_back", "correct"}
)
_TRANSITION_KEYS: Keys = (
    ("trigger", "label", "source", "dest", "roles"),
    ("guards", "evidence", "data", "auto", "report", "on_behalf"),
)
_ON_BEHALF_KEYS: Keys = (("of", "by", "evidence"), ())
_AUTO_KEYS: Keys = (("process", "reached"), ())
_EVIDENCE_KEYS: Keys = (("id", "label", "media_types"), ("required", "severity", "source"))
_DATA_KEYS: Keys = (("name", "type", "label"), ("required", "report", "window"))
_DATE_WINDOW_KEYS: Keys = ((), ("from", "to"))
_COLUMNS = tuple(c.value for c in ReportColumn)

_T = TypeVar("_T")


@dataclass(slots=True)
class TransitionDraft:
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
    auto: AutoRule | None = None
    report: ReportColumn | None = None
    report_line: int = 0
    on_behalf: OnBehalf | None = None

    @property
    def name(self) -> str:
        return f"transition '{self.trigger}'" if self.trigger else f"transition #{self.index}"

    def build(self) -> Transition:
        return Transition(
            trigger=required(self.trigger, f"{self.name} trigger"),
            label=required(self.label, f"{self.name} label"),
            sources=tuple(s for s, _ in self.sources),
            dest=required(self.dest, f"{self.name} dest")[0],
            roles=tuple(self.roles),
            guards=tuple(self.guards),
            evidence=tuple(self.evidence),
            data=tuple(self.data),
            auto=self.auto,
            report=self.report,
            report_line=self.report_line,
            on_behalf=self.on_behalf,
        )


def role_ref(chk: Checker, node: Node | None, where: str, roles: Mapping[str, Role]) -> str | None:
    """A role code that must name one of ``roles``."""
    code = chk.string(node, where)
    if code is None or node is None:
        return None
    if code not in roles:
        chk.add(node, f"{where} names unknown role '{code}'")
        return None
    return code


# --------------------------------------------------------------------------- #
# Evidence slots and data fields
# --------------------------------------------------------------------------- #


def _media_types(chk: Checker, node: Node | None, inner: str) -> list[str] | None:
    """The lower-cased media types of a slot; ``None`` when any of them is wrong."""
    media: list[str] = []
    bad = False
    for item in chk.sequence(node, f"{inner} media_types", empty_ok=False):
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
    return None if bad else media


def _evidence(chk: Checker, node: Node, where: str) -> EvidenceSlot | None:
    m = chk.mapping(node, f"{where}: evidence", _EVIDENCE_KEYS)
    if m is None:
        return None
    slot_id = chk.ident(m.get("id"), f"{where}: evidence id")
    inner = f"{where}: evidence '{slot_id}'" if slot_id else f"{where}: evidence"
    label = chk.text(m.get("label"), f"{inner} label")
    media = _media_types(chk, m.get("media_types"), inner)
    required = chk.flag(m, "required", f"{inner} required")
    severity = GuardSeverity.REFUSE
    if "severity" in m:
        severity = GuardSeverity(
            chk.choice(m["severity"], f"{inner} severity", tuple(GuardSeverity)) or "refuse"
        )
    source = chk.choice(m["source"], f"{inner} source", SOURCES) if "source" in m else "seed"
    if severity == GuardSeverity.WARN and source == "seed":
        chk.add(
            m["severity"],
            f"{inner} is asked for by the letter (source: seed): only a file the letter does "
            "not ask for (source: inferred) may be declared severity: warn",
        )
        return None
    if slot_id is None or label is None or required is None or not media or source is None:
        return None
    return EvidenceSlot(slot_id, label, tuple(media), required, severity, source)


def _data_field(chk: Checker, node: Node, where: str) -> DataField | None:
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
    required = chk.flag(m, "required", f"{inner} required")
    report = _report(chk, m.get("report"), inner, kind)
    window = _date_window(chk, m.get("window"), inner, kind)
    if name is None or kind is None or label is None or required is None:
        return None
    return DataField(
        name=name,
        type=kind,
        required=required,
        label=label,
        report=report,
        window=window,
        line=line_of(node),
    )


def _date_window(
    chk: Checker, node: Node | None, where: str, kind: str | None
) -> DateWindow | None:
    """``window: {from: SPEC, to: SPEC}`` of a date field; each SPEC names a day of the
    fiscal year as a state's ``due`` does (fy_date, month_end, quarter_start, quarter_end)."""
    m = chk.mapping(node, f"{where} window", _DATE_WINDOW_KEYS)
    if m is None or node is None:
        return None
    if kind is not None and kind != "date":
        chk.add(node, f"{where} window: only a date field takes a window; its type is {kind}")
        return None
    if not m:
        chk.add(node, f"{where} window: give from and/or to")
        return None
    start = parse_deadline(chk, m.get("from"), f"{where} window from", allow_after=False)
    end = parse_deadline(chk, m.get("to"), f"{where} window to", allow_after=False)
    if start is not None and end is not None and window_is_reversed(start, end):
        chk.add(
            node,
            f"{where} window: from ({start.describe()}) is after to ({end.describe()})",
        )
        return None
    return DateWindow(start=start, end=end)


def _report(
    chk: Checker, node: Node | None, where: str, kind: str | None, *, step: bool = False
) -> ReportColumn | None:
    """The sheet column a data field of type ``kind`` (unknown: None), or a ``step``'s
    time, fills."""
    value = chk.choice(node, f"{where} report", _COLUMNS)
    if value is None or node is None:
        return None
    column = ReportColumn(value)
    if step and not column.is_date:
        dates = ", ".join(c.value for c in ReportColumn if c.is_date)
        chk.add(
            node,
            f"{where} report '{value}': a step fills a column with the date it was done, "
            f"so it must be a date column ({dates}); declare '{value}' on a data field",
        )
        return None
    if kind is not None and kind != column.data_type:
        chk.add(
            node,
            f"{where} report '{value}' holds {column.data_type} values, "
            f"but the field's type is {kind}",
        )
        return None
    return column


def _unique(
    chk: Checker,
    m: Mapping[str, Node],
    list_key: str,
    where: str,
    what: str,
    parse: Callable[[Checker, Node, str], _T | None],
    key: Callable[[_T], str],
) -> list[_T]:
    """Each item of the optional list ``m[list_key]``, parsed; a key given twice is a problem."""
    out: list[_T] = []
    seen: dict[str, int] = {}
    for item in chk.sequence(m.get(list_key), f"{where} {list_key}"):
        value = parse(chk, item, where)
        if value is not None and chk.first_time(
            seen, key(value), item, f"{where}: {what} '{key(value)}'"
        ):
            out.append(value)
    return out


def _slot_id(slot: EvidenceSlot) -> str:
    return slot.id


def _field_name(data_field: DataField) -> str:
    return data_field.name


# --------------------------------------------------------------------------- #
# Transitions
# --------------------------------------------------------------------------- #


def _trigger(chk: Checker, m: Mapping[str, Node], draft: TransitionDraft) -> None:
    if "trigger" not in m:
        return
    node = m["trigger"]
    draft.trigger = chk.ident(node, f"transition #{draft.index} trigger")
    draft.trigger_line = line_of(node)
    if draft.trigger in _RESERVED_TRIGGERS:
        chk.add(node, f"transition #{draft.index}: trigger name '{draft.trigger}' is reserved")


def _sources(chk: Checker, src: Node | None, where: str) -> list[tuple[str, int]]:
    """(state id, line) of a transition's ``source``: one id or a list of them."""
    if not isinstance(src, SequenceNode):
        sid = chk.ident(src, f"{where} source")
        return [] if sid is None or src is None else [(sid, line_of(src))]
    sources: list[tuple[str, int]] = []
    for item in chk.sequence(src, f"{where} source", empty_ok=False):
        sid = chk.ident(item, f"{where} source")
        if sid is None:
            continue
        if any(sid == s for s, _ in sources):
            chk.add(item, f"{where} lists source state '{sid}' twice")
            continue
        sources.append((sid, line_of(item)))
    return sources


def parse_roles(
    chk: Checker, node: Node | None, where: str, roles: Mapping[str, Role]
) -> list[str]:
    out: list[str] = []
    for item in chk.sequence(node, f"{where} roles", empty_ok=False):
        code = role_ref(chk, item, where, roles)
        if code is not None and code not in out:
            out.append(code)
    return out


def _parse_transition(
    chk: Checker, node: Node, index: int, roles: Mapping[str, Role]
) -> TransitionDraft | None:
    m = chk.mapping(node, f"transition #{index}", _TRANSITION_KEYS)
    if m is None:
        return None
    draft = TransitionDraft(index=index, line=line_of(node))
    _trigger(chk, m, draft)
    where = draft.name
    draft.label = chk.text(m.get("label"), f"{where} label")
    draft.sources = _sources(chk, m.get("source"), where)
    dest = chk.ident(m.get("dest"), f"{where} dest")
    if dest is not None:
        draft.dest = (dest, line_of(m["dest"]))
    draft.roles = parse_roles(chk, m.get("roles"), where, roles)
    for item in chk.sequence(m.get("guards"), f"{where} guards"):
        guard = parse_guard(chk, item, where)
        if guard is not None:
            draft.guards.append(guard)
    draft.evidence = _unique(chk, m, "evidence", where, "evidence slot", _evidence, _slot_id)
    draft.data = _unique(chk, m, "data", where, "data field", _data_field, _field_name)
    draft.auto = _auto(chk, m.get("auto"), where, draft.roles)
    if "report" in m:
        draft.report = _report(chk, m["report"], where, None, step=True)
        draft.report_line = line_of(m["report"])
    if "on_behalf" in m:
        draft.on_behalf = _on_behalf(chk, m["on_behalf"], where, roles, draft)
    return draft


def _on_behalf(
    chk: Checker, node: Node, where: str, roles: Mapping[str, Role], draft: TransitionDraft
) -> OnBehalf | None:
    """``on_behalf: {of: ROLE, by: [ROLES], evidence: SLOT}``: ``of`` must be one of the
    step's roles, ``by`` roles that may otherwise not do it, ``evidence`` a slot of the
    step (the signed document the record on behalf must carry)."""
    m = chk.mapping(node, f"{where} on_behalf", _ON_BEHALF_KEYS)
    if m is None:
        return None
    of = role_ref(chk, m.get("of"), f"{where} on_behalf of", roles)
    by = parse_roles(chk, m.get("by"), f"{where} on_behalf by", roles) if "by" in m else []
    slot = chk.ident(m.get("evidence"), f"{where} on_behalf evidence")
    if of is not None and of not in draft.roles:
        chk.add(m["of"], f"{where} on_behalf of '{of}': it is not one of the step's roles")
        return None
    if slot is not None and slot not in {s.id for s in draft.evidence}:
        chk.add(m["evidence"], f"{where} on_behalf evidence '{slot}': the step has no such slot")
        return None
    if of is None or slot is None or not by:
        return None
    return OnBehalf(of=of, by=tuple(by), evidence=slot)


def _auto(chk: Checker, node: Node | None, where: str, roles: list[str]) -> AutoRule | None:
    """``auto: {process: P, reached: S}``; P and S are checked against the whole catalog."""
    am = chk.mapping(node, f"{where} auto", _AUTO_KEYS)
    if am is None or node is None:
        return None
    process = chk.ident(am.get("process"), f"{where} auto process")
    reached = chk.ident(am.get("reached"), f"{where} auto reached")
    if roles and BuiltinRole.SCHEDULER not in roles:
        chk.add(node, f"{where} is automatic: its roles must include '{BuiltinRole.SCHEDULER}'")
    if process is None or reached is None:
        return None
    return AutoRule(process=process, reached=reached, line=line_of(node))


def parse_transitions(
    chk: Checker, node: Node | None, roles: Mapping[str, Role]
) -> list[TransitionDraft]:
    """The drafts of every readable transition, with roles checked against ``roles``."""
    transitions: list[TransitionDraft] = []
    for i, item in enumerate(chk.sequence(node, "transitions", empty_ok=False), 1):
        tr = _parse_transition(chk, item, i, roles)
        if tr is not None:
            transitions.append(tr)
    return transitions
