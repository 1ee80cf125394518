"""One ``transitions`` Machine per definition version, shared by every instance.

The Machine is the one authority for where a trigger leads: the engine and the audit
replay ask it, and only once it has accepted a (state, trigger) is the step declared for
that pair (its roles, data, evidence and guards) looked up in the definition.

Instances never get a Machine of their own and no trigger is bound onto a
database row: a firing uses a throw-away :class:`Token` holding only the state
value. The Machines declare no conditions and no callbacks, so what a trigger does
from a state depends on nothing else: each (version, state, trigger) is dispatched
by its Machine once and the answer kept, and later advances look it up (a dict
read instead of an event dispatch of ~20 µs through ``transitions``' event,
callback and logging machinery).
"""

from __future__ import annotations

from dataclasses import dataclass

from transitions import Machine, MachineError

from plancycle.definitions.model import Catalog, Definition, Transition

__all__ = ["Fired", "MachineRegistry", "StepNotDeclared", "Token"]


class Token:
    """The light runtime object a Machine moves: just a state value."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


@dataclass(frozen=True, slots=True)
class Fired:
    """The Machine's answer for a (state, trigger) it accepts: the state it leads to, and
    the step the definition declares for that pair (roles, data, evidence, guards)."""

    dest: str
    step: Transition


class StepNotDeclared(LookupError):
    """The Machine accepted a (state, trigger) the definition declares no step for: the
    Machine was not built from that definition."""

    def __init__(self, definition: Definition, state: str, trigger: str) -> None:
        super().__init__(
            f"{definition.id} v{definition.version}: the state machine accepts {trigger!r} "
            f"from {state!r}, but the definition declares no such step"
        )


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
        self._answers: dict[tuple[str, int, str, str], Fired | None] = {}

    def machine(self, definition_id: str, version: int) -> Machine:
        key = (definition_id, version)
        if key not in self._machines:
            self._machines[key] = build_machine(self._catalog.get(definition_id, version))
        return self._machines[key]

    def fire(self, definition_id: str, version: int, state: str, trigger: str) -> Fired | None:
        """Where ``trigger`` from ``state`` leads and its step, or None when the Machine
        refuses it there."""
        key = (definition_id, version, state, trigger)
        try:
            return self._answers[key]
        except KeyError:
            answer = self._answers[key] = self._answer(definition_id, version, state, trigger)
            return answer

    def triggers(self, definition_id: str, version: int, state: str) -> list[str]:
        """The triggers the Machine accepts from ``state``, in declared order."""
        return self.machine(definition_id, version).get_triggers(state)

    def _answer(self, definition_id: str, version: int, state: str, trigger: str) -> Fired | None:
        dest = self.dispatch(definition_id, version, state, trigger)
        if dest is None:
            return None
        definition = self._catalog.get(definition_id, version)
        step = definition.transition(trigger, state)
        if step is None:
            raise StepNotDeclared(definition, state, trigger)
        return Fired(dest, step)

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
