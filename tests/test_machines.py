"""The ``transitions`` Machine is the one authority for where a trigger leads."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from plancycle.definitions.model import Catalog
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.machines import MachineRegistry, StepNotDeclared, build_machine
from plancycle.workflow.reports import history
from tests.world import CATALOG, World, populate

ROOT = Path(__file__).resolve().parent.parent


def _declared(definition) -> dict[tuple[str, str], list]:
    out: dict[tuple[str, str], list] = {}
    for t in definition.transitions:
        for src in t.sources:
            out.setdefault((src, t.trigger), []).append(t)
    return out


@pytest.mark.parametrize("definition", CATALOG.all(), ids=lambda d: f"{d.id}-v{d.version}")
def test_every_pair_the_machine_accepts_is_exactly_one_declared_step(definition) -> None:
    registry = MachineRegistry(CATALOG)
    machine = registry.machine(definition.id, definition.version)
    accepted = {
        (state.id, trigger)
        for state in definition.states
        for trigger in machine.get_triggers(state.id)
        if registry.dispatch(definition.id, definition.version, state.id, trigger) is not None
    }
    declared = _declared(definition)
    assert accepted == set(declared)
    for (state, trigger), steps in declared.items():
        assert len(steps) == 1, (state, trigger)
        fired = registry.fire(definition.id, definition.version, state, trigger)
        assert fired is not None and fired.step is steps[0] and fired.dest == steps[0].dest
    every_trigger = {t.trigger for t in definition.transitions}
    for state in definition.states:
        for trigger in every_trigger:
            if (state.id, trigger) not in declared:
                assert registry.fire(definition.id, definition.version, state.id, trigger) is None


def _rerouted(first_dest: str) -> Catalog:
    """The catalog with activity2's first step leading to ``first_dest`` instead."""
    a2 = CATALOG.get("activity2")
    first = dataclasses.replace(a2.transitions[0], dest=first_dest)
    variant = dataclasses.replace(a2, transitions=(first, *a2.transitions[1:]))
    others = tuple(d for d in CATALOG.all() if d.key != a2.key)
    return Catalog(CATALOG.roles, (*others, variant))


def test_the_engine_moves_where_the_machine_says(sqlite_engine, tmp_path) -> None:
    world: World = populate(sqlite_engine, tmp_path)
    a2 = CATALOG.get("activity2")
    step = a2.transitions[0]
    assert step.dest != "evaluate"
    # Machines built from a definition whose first step skips to "evaluate": the engine
    # follows the Machine, not a second reading of its own catalog.
    world.engine.machines = MachineRegistry(_rerouted("evaluate"))
    key = instance_key(2568, "activity2", "240101")
    result = world.engine.advance(key, step.trigger, world.actors[step.roles[0]])
    inst, records = history(world.db, key)
    assert result.to_state == inst.state == records[-1].to_state == "evaluate"


def test_a_machine_accepting_an_undeclared_step_is_an_error() -> None:
    a2 = CATALOG.get("activity2")
    registry = MachineRegistry(CATALOG)
    machine = build_machine(a2)
    machine.add_transition("shortcut", a2.initial_state.id, a2.final_states[0].id)
    registry._machines[a2.key] = machine  # a Machine not built from the definition
    with pytest.raises(StepNotDeclared, match="shortcut"):
        registry.fire(a2.id, a2.version, a2.initial_state.id, "shortcut")


@pytest.mark.parametrize("folder", ["workflow", "definitions"])
def test_no_assert_statement_checks_anything_outside_the_tests(folder: str) -> None:
    """``python -O`` strips asserts: a check that must hold is a real ``raise``."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == []
