"""Parsing a definition's ``states`` list into drafts, checked later as a graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from yaml.nodes import Node

from plancycle.definitions.deadlines import parse_deadline
from plancycle.definitions.model import (
    SCOPES,
    SOURCES,
    Deadline,
    DeadlineKind,
    State,
    Text,
    required,
)
from plancycle.definitions.nodes import Checker, Keys, line_of

__all__ = ["PendingAfter", "StateDraft", "parse_states"]

_STATE_KEYS: Keys = (
    ("id", "label", "source"),
    ("initial", "final", "due", "opens", "wait", "once_per"),
)


@dataclass(slots=True)
class PendingAfter:
    """An ``after`` deadline whose state is checked once the graph is known."""

    state_id: str  # the state carrying the deadline
    after: str
    line: int
    date_field: str | None = None  # the date field recorded on leaving ``after``


@dataclass(slots=True)
class StateDraft:
    id: str | None
    line: int
    node: Node
    label: Text | None = None
    source: str | None = None
    initial: bool = False
    final: bool = False
    initial_line: int = 0
    due: list[Deadline] = field(default_factory=list)
    opens: Deadline | None = None
    wait: bool = False
    once_per: str | None = None

    def build(self) -> State:
        return State(
            id=required(self.id, "state id"),
            label=required(self.label, f"state '{self.id}' label"),
            source=required(self.source, f"state '{self.id}' source"),
            initial=self.initial,
            final=self.final,
            due=tuple(self.due),
            opens=self.opens,
            wait=self.wait,
            once_per=self.once_per,
        )


def _due(
    chk: Checker, node: Node | None, draft: StateDraft, where: str, pending: list[PendingAfter]
) -> None:
    for item in chk.sequence(node, f"{where} due"):
        spec = parse_deadline(chk, item, f"{where} deadline", allow_after=True)
        if spec is None:
            continue
        draft.due.append(spec)
        if spec.kind == DeadlineKind.AFTER and draft.id is not None:
            pending.append(
                PendingAfter(
                    state_id=draft.id,
                    after=spec.after or "",
                    line=line_of(item),
                    date_field=spec.date_field,
                )
            )


def _parse_state(
    chk: Checker, node: Node, index: int, pending: list[PendingAfter]
) -> StateDraft | None:
    m = chk.mapping(node, f"state #{index}", _STATE_KEYS)
    if m is None:
        return None
    sid = chk.ident(m.get("id"), "state id")
    where = f"state '{sid}'" if sid else f"state #{index}"
    draft = StateDraft(id=sid, line=line_of(m["id"]) if "id" in m else line_of(node), node=node)
    draft.label = chk.text(m.get("label"), f"{where} label")
    draft.source = chk.choice(m.get("source"), f"{where} source", SOURCES)
    draft.initial = bool(chk.flag(m, "initial", f"{where} initial"))
    draft.final = bool(chk.flag(m, "final", f"{where} final"))
    if "initial" in m:
        draft.initial_line = line_of(m["initial"])
    _due(chk, m.get("due"), draft, where, pending)
    draft.opens = parse_deadline(chk, m.get("opens"), f"{where} opens", allow_after=False)
    draft.wait = bool(chk.flag(m, "wait", f"{where} wait"))
    if "once_per" in m:
        draft.once_per = chk.choice(m["once_per"], f"{where} once_per", SCOPES)
    if draft.final and (draft.opens or draft.wait or draft.once_per):
        chk.add(node, f"{where} is final: it cannot open later, wait or be once per area")
    if draft.initial and draft.final:
        chk.add(node, f"{where} cannot be both initial and final")
    if draft.final and draft.due:
        chk.add(m["due"], f"{where} is final and cannot have a deadline")
    return draft


def parse_states(chk: Checker, node: Node | None, pending: list[PendingAfter]) -> list[StateDraft]:
    """The drafts of every readable state; ``after`` deadlines are added to ``pending``."""
    states: list[StateDraft] = []
    for i, item in enumerate(chk.sequence(node, "states", empty_ok=False), start=1):
        st = _parse_state(chk, item, i, pending)
        if st is not None:
            states.append(st)
    return states
