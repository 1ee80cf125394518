"""Evidence file names are bound to the record that attached them, and a slot takes one
file (issue #11, item 10)."""

from __future__ import annotations

import io

import pytest

from plancycle.store.evidence import EvidenceInput
from plancycle.workflow.errors import BadStepInput
from plancycle.workflow.reports import history
from plancycle.workflow.views import instance_view
from plancycle.workflow.walk import MINIMAL_PDF
from tests.test_engine import world  # noqa: F401  (fixture)
from tests.world import World

A2 = "2568/activity2/{}"


def pdf(name: str, slot: str | None = "attendance") -> EvidenceInput:
    return EvidenceInput(slot, name, io.BytesIO(MINIMAL_PDF))


def workshop(world: World, key: str, *files: EvidenceInput) -> None:  # noqa: F811
    actor = world.actors["district_cd_office"]
    world.engine.advance(key, "meeting_set", actor)
    world.engine.advance(
        key,
        "workshop_held",
        actor,
        evidence=files,
        data={"participants": 25, "workshop_date": "2025-02-03"},
    )


def names(world: World, key: str) -> list[str | None]:  # noqa: F811
    view = instance_view(world.db, world.catalog, key, world.clock.now())
    return [e["file_name"] for r in view.as_dict()["history"] for e in r["evidence"]]


def test_the_same_bytes_keep_each_records_own_name(world: World) -> None:  # noqa: F811
    first, second = A2.format("240101"), A2.format("240102")
    workshop(world, first, pdf("attendance-240101.pdf"))
    workshop(world, second, pdf("renamed-by-someone-else.pdf"))
    assert names(world, first) == ["attendance-240101.pdf"]
    assert names(world, second) == ["renamed-by-someone-else.pdf"]


def test_a_slot_takes_one_file(world: World) -> None:  # noqa: F811
    key = A2.format("240103")
    actor = world.actors["district_cd_office"]
    world.engine.advance(key, "meeting_set", actor)
    extra = (pdf("a.pdf"), pdf("b.pdf"))
    with pytest.raises(BadStepInput, match="takes one file"):
        world.engine.advance(
            key,
            "workshop_held",
            actor,
            evidence=extra,
            data={"participants": 25, "workshop_date": "2025-02-03"},
        )
    assert len(history(world.db, key)[1]) == 1
