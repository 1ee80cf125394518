"""The model: immutable objects, lookup helpers, catalog versions."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from plancycle.definitions import Catalog, load_catalog
from plancycle.definitions.loader import DATA_DIR


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_objects_are_frozen_slotted_and_use_tuples(catalog):
    defn = catalog.get("activity2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        defn.version = 2  # type: ignore[misc]
    for obj in (
        defn,
        defn.states[0],
        defn.transitions[0],
        defn.transitions[1].guards[0],
        defn.budget,
        defn.states[0].due[0],
        defn.title,
    ):
        assert not hasattr(obj, "__dict__"), type(obj).__name__
    assert isinstance(defn.states, tuple) and isinstance(defn.transitions, tuple)
    t = defn.transition("workshop_held", "workshop")
    assert isinstance(t.sources, tuple) and isinstance(t.roles, tuple)
    assert isinstance(t.guards[0].params, MappingProxyType)
    with pytest.raises(TypeError):
        t.guards[0].params["min"] = 1  # type: ignore[index]
    assert isinstance(catalog.roles, MappingProxyType)
    assert hash(t.guards[0]) == hash(dataclasses.replace(t.guards[0]))
    # Definitions are values: hashable, and equal when loaded twice from the same file.
    assert defn == load_catalog().get("activity2") and hash(defn) == hash(
        load_catalog().get("activity2")
    )


def test_lookup_helpers(catalog):
    defn = catalog.get("activity2")
    assert defn.initial_state.id == "coordinate"
    assert [s.id for s in defn.final_states] == ["done"]
    assert [t.trigger for t in defn.transitions_from("workshop")] == ["workshop_held"]
    assert defn.transitions_from("done") == ()
    assert defn.transition("workshop_held", "workshop").dest == "evaluate"
    assert defn.transition("workshop_held", "coordinate") is None
    assert defn.transition("nope", "workshop") is None
    assert defn.step_number("coordinate") == 1 and defn.step_number("report") == 5
    assert defn.step_number("done") is None
    with pytest.raises(KeyError, match="no state 'nope'"):
        defn.state("nope")


def test_catalog_versions(tmp_path):
    v1 = (DATA_DIR / "activity2.yaml").read_text(encoding="utf-8")
    v2 = v1.replace("version: 1", "version: 2", 1).replace(
        "min_participants, min: 20", "min_participants, min: 25"
    )
    (tmp_path / "activity2.yaml").write_text(v1, encoding="utf-8")
    (tmp_path / "activity2.v2.yaml").write_text(v2, encoding="utf-8")
    (tmp_path / "orders.yaml").write_text(
        (DATA_DIR / "orders.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    cat = load_catalog([tmp_path])
    assert isinstance(cat, Catalog)
    assert cat.versions("activity2") == (1, 2)
    assert cat.versions("nothing") == ()
    assert cat.get("activity2").version == 2
    old = cat.get("activity2", 1)
    assert old.transition("workshop_held", "workshop").guards[0].params["min"] == 20
    assert (
        cat.get("activity2").transition("workshop_held", "workshop").guards[0].params["min"] == 25
    )
    assert [(d.id, d.version) for d in cat.latest()] == [("activity2", 2), ("orders", 1)]
    assert set(cat.roles) == set(load_catalog().roles)  # the package roles were used
    with pytest.raises(KeyError, match="versions: 1, 2"):
        cat.get("activity2", 3)
    with pytest.raises(KeyError, match="known: activity2, orders"):
        cat.get("village_plan")
