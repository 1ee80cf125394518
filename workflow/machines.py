"""One ``transitions`` Machine per definition version, shared by every instance.

Instances never get a Machine of their own and no trigger is bound onto a
database row: a firing uses a throw-away :class:`Token` holding only the state
value. The Machines declare no conditions and no callbacks, so what a trigger does
from a state depends on nothing else: each (version, state, trigger) is dispatched
by its Machine once and the answer kept, and later advances look it up (a dict
read instead of an event dispatch of ~20 µs through ``transitions``' event,
callback and logging machinery).
"""

from __future__ import annotations

from transitions import Machine, MachineError

from plancycle.definitions.model import Catalog, Definition

__all__ = ["MachineRegistry", "Token"]


class Token:
    """The light runtime object a Machine moves: just a state value."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def build_machine(definition: Definition) -> Machine:
    """A model-less Machine for one definition version."""
    transitions = [
        {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
        for t in definition.transitions
    ]
    return Machine(
        model=None,
        states=[s.id for s in definition.states],
        transitions=transitions,
        initial=definition.initial_state.id,
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )


class MachineRegistry:
    """Builds each definition version's Machine once and fires triggers on tokens."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._machines: dict[tuple[str, int], Machine] = {}
        self._answers: dict[tuple[str, int, str, str], str | None] = {}

    def machine(self, definition_id: str, version: int) -> Machine:
        key = (definition_id, version)
        if key not in self._machines:
            self._machines[key] = build_machine(self._catalog.get(definition_id, version))
        return self._machines[key]

    def fire(self, definition_id: str, version: int, state: str, trigger: str) -> str | None:
        """The state after ``trigger`` from ``state``, or None when it is not valid there."""
        key = (definition_id, version, state, trigger)
        try:
            return self._answers[key]
        except KeyError:
            answer = self._answers[key] = self.dispatch(definition_id, version, state, trigger)
            return answer

    def dispatch(self, definition_id: str, version: int, state: str, trigger: str) -> str | None:
        """Fire ``trigger`` through the Machine on a token in ``state``."""
        machine = self.machine(definition_id, version)
        event = machine.events.get(trigger)
        if event is None:
            return None
        token = Token(state)
        try:
            event.trigger(token)
        except MachineError:
            return None
        return token.state
