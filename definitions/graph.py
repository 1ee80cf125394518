"""Checks of a definition as a graph of states joined by transitions.

Duplicate states, the initial and final states, unknown states, transitions leaving
a final state, duplicate triggers, unreachable states, dead ends and ``after``
deadlines that count from a state which cannot precede.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from yaml.nodes import Node

from plancycle.definitions.nodes import Checker, line_of
from plancycle.definitions.states import PendingAfter, StateDraft
from plancycle.definitions.transitions import TransitionDraft

__all__ = ["check_graph"]

# State id -> the ids one transition leads to.
Edges = dict[str, set[str]]


def _reach(start: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = list(seen)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _unique_states(chk: Checker, states: list[StateDraft]) -> dict[str, StateDraft]:
    by_id: dict[str, StateDraft] = {}
    lines: dict[str, int] = {}
    for st in states:
        if st.id is not None and chk.first_time(lines, st.id, st.line, f"state '{st.id}'"):
            by_id[st.id] = st
    return by_id


def _check_initial_final(chk: Checker, states_node: Node | None, states: list[StateDraft]) -> None:
    if states_node is None or not states:
        return
    anchor = line_of(states_node)
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


def _check_source(
    chk: Checker,
    tr: TransitionDraft,
    sid: str,
    line: int,
    by_id: Mapping[str, StateDraft],
    first_trigger: dict[tuple[str, str], int],
) -> bool:
    """Whether ``sid`` is a known state; records its other problems as a source of ``tr``."""
    if sid not in by_id:
        chk.add(line, f"{tr.name} names unknown state '{sid}' as source")
        return False
    if by_id[sid].final:
        chk.add(
            line,
            f"{tr.name} leaves final state '{sid}': a final state has no outgoing transitions",
        )
    if tr.trigger is None:
        return True
    key = (sid, tr.trigger)
    if key in first_trigger:
        chk.add(
            tr.trigger_line,
            f"{tr.name}: trigger '{tr.trigger}' from state "
            f"'{sid}' is already declared at line {first_trigger[key]}",
        )
    else:
        first_trigger[key] = tr.trigger_line
    return True


def _edges(
    chk: Checker, by_id: Mapping[str, StateDraft], transitions: list[TransitionDraft]
) -> Edges:
    edges: Edges = {sid: set() for sid in by_id}
    first_trigger: dict[tuple[str, str], int] = {}
    for tr in transitions:
        dest_ok = True
        if tr.dest is not None and tr.dest[0] not in by_id:
            chk.add(tr.dest[1], f"{tr.name} names unknown state '{tr.dest[0]}' as dest")
            dest_ok = False
        for sid, line in tr.sources:
            known = _check_source(chk, tr, sid, line, by_id, first_trigger)
            if known and tr.dest is not None and dest_ok:
                edges[sid].add(tr.dest[0])
    return edges


def _check_reachable(chk: Checker, by_id: Mapping[str, StateDraft], edges: Edges) -> None:
    initials = [s for s in by_id.values() if s.initial]
    if len(initials) != 1:
        return
    reachable = _reach([initials[0].id], edges)  # type: ignore[list-item]
    for st in by_id.values():
        if st.id not in reachable:
            chk.add(
                st.line,
                f"state '{st.id}' is unreachable from the initial state '{initials[0].id}'",
            )


def _check_dead_ends(chk: Checker, by_id: Mapping[str, StateDraft], edges: Edges) -> None:
    finals = {sid for sid, st in by_id.items() if st.final}
    if not finals:
        return
    reverse: Edges = {sid: set() for sid in by_id}
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
            chk.add(st.line, f"state '{sid}' is a dead end: no final state can be reached from it")


def _check_after(
    chk: Checker, by_id: Mapping[str, StateDraft], edges: Edges, pending: list[PendingAfter]
) -> None:
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


def _check_after_fields(
    chk: Checker, transitions: list[TransitionDraft], pending: list[PendingAfter]
) -> None:
    """A deadline counted from a recorded date names a required date field of every step
    that leaves the state it counts from: left optional, the deadline would silently count
    from the day the step was recorded (issue #13 item 6)."""
    for p in pending:
        if p.date_field is None:
            continue
        leaving = [t for t in transitions if any(src == p.after for src, _ in t.sources)]
        for t in leaving:
            found = next((f for f in t.data if f.name == p.date_field), None)
            if found is None or found.type != "date":
                chk.add(
                    p.line,
                    f"state '{p.state_id}' deadline counts from field '{p.date_field}', "
                    f"which {t.name} (leaving '{p.after}') must record as a date",
                )
            elif not found.required:
                chk.add(
                    p.line,
                    f"state '{p.state_id}' deadline counts from field '{p.date_field}', "
                    f"which {t.name} (leaving '{p.after}') must mark required: true",
                )


def check_graph(
    chk: Checker,
    states_node: Node | None,
    states: list[StateDraft],
    transitions: list[TransitionDraft],
    pending: list[PendingAfter],
) -> None:
    """Record every problem of the states and transitions taken together."""
    by_id = _unique_states(chk, states)
    _check_initial_final(chk, states_node, states)
    edges = _edges(chk, by_id, transitions)
    _check_reachable(chk, by_id, edges)
    _check_dead_ends(chk, by_id, edges)
    _check_after(chk, by_id, edges, pending)
    _check_after_fields(chk, transitions, pending)
