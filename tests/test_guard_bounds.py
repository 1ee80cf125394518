"""The bounds a step's guards set on its number fields, for a form to say before it is
sent (``min``/``max``); the guards still decide."""

from __future__ import annotations

from plancycle.definitions.guards import Bounds, field_bounds


def test_each_guard_gives_the_bounds_of_its_rule() -> None:
    assert field_bounds([("min_participants", {"min": 20})], None) == {
        "participants": Bounds(20, None)
    }
    assert field_bounds([("within_allocation", {})], 3900) == {"spent": Bounds(0, 3900)}
    assert field_bounds([("within_allocation", {"field": "paid"})], None) == {
        "paid": Bounds(0, None)
    }
    assert field_bounds([("allowed_budget_lines", {})], 3900) == {}


def test_two_guards_on_one_field_narrow_it() -> None:
    both = field_bounds(
        [("within_allocation", {"field": "participants"}), ("min_participants", {"min": 20})],
        500,
    )
    assert both == {"participants": Bounds(20, 500)}
    assert Bounds(5, 10).narrowed(Bounds(None, 8)) == Bounds(5, 8)
