"""The engine on a real store (SQLite and PostgreSQL): walks, refusals, guards, deadlines."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, func, select

from plancycle.definitions.model import Definition, Transition
from plancycle.store.evidence import EvidenceInput
from plancycle.store.models import Area, Instance, TransitionRecord
from plancycle.workflow.audit import verify
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.errors import (
    BadStepInput,
    GuardFailed,
    InvalidTrigger,
    NotAllowed,
    OutOfScope,
    UnknownActor,
    UnknownInstance,
)
from plancycle.workflow.reports import get_instance, history
from plancycle.workflow.walk import sample_step_data, walk
from tests.world import CATALOG, World, bkk, evidence_of, populate

AREA_OF = {"province": "24", "district": "2401", "tambon": "240101", "village": "24010101"}


@pytest.fixture
def world(engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def key_of(world: World, process: str) -> str:
    scope = world.catalog.get(process).scope
    return instance_key(2568, process, AREA_OF[scope])


def snapshot(world: World, key: str) -> tuple:
    with Session(world.db) as session:
        inst = session.exec(select(Instance).where(Instance.key == key)).one()
        records = session.exec(select(func.count()).select_from(TransitionRecord)).one()
        return inst.state, inst.version, inst.due_at, records


def walk_until_guard(
    world: World, key: str, guard: str, field: str | None = None
) -> tuple[Definition, Transition]:
    """Walk ``key`` until its next step carries ``guard`` (on data ``field``, when given);
    return that step."""
    while True:
        inst = get_instance(world.db, key)
        definition = world.catalog.get(inst.definition_id, inst.definition_version)
        step = definition.transitions_from(inst.state)[0]
        if any(
            g.name == guard and (field is None or g.params.get("field", "spent") == field)
            for g in step.guards
        ):
            return definition, step
        walk(world.engine, key, world.actors, world.pdf, max_steps=1)


def _district_codes(world: World) -> list[str]:
    with Session(world.db) as session:
        return sorted(
            session.exec(
                select(Area.code).where(Area.level == "district", Area.province_code == "24")
            ).all()
        )


def fire(world: World, key: str, definition: Definition, step: Transition, **overrides):
    fy = int(key.split("/", 1)[0])
    codes = _district_codes(world)
    data = {
        **sample_step_data(step, definition, 11, fiscal_year=fy, district_codes=codes),
        **overrides,
    }
    evidence = evidence_of([(s.id, world.pdf) for s in step.evidence])
    return world.engine.advance(
        key, step.trigger, world.actors[step.roles[0]], evidence, None, data
    )


@pytest.mark.parametrize("process", [d.id for d in CATALOG.latest()])
def test_each_process_walks_from_start_to_end(world: World, process: str) -> None:
    key = key_of(world, process)
    results = walk(world.engine, key, world.actors, world.pdf)
    definition = world.catalog.get(process)
    inst, records = history(world.db, key)
    assert definition.state(inst.state).final
    assert inst.completed_at is not None and inst.due_at is None
    assert [r.seq for r in records] == list(range(1, len(results) + 1))
    assert records[0].from_state == definition.initial_state.id
    assert all(a.to_state == b.from_state for a, b in zip(records, records[1:], strict=False))


def test_wrong_role_is_refused_and_nothing_is_written(world: World) -> None:
    key = key_of(world, "activity2")
    before = snapshot(world, key)
    inst = get_instance(world.db, key)
    step = world.catalog.get("activity2").transitions_from(inst.state)[0]
    with pytest.raises(NotAllowed, match="may be done only by"):
        world.engine.advance(key, step.trigger, world.actors["village_committee"])
    assert snapshot(world, key) == before


def test_area_outside_the_actors_scope_is_refused(world: World) -> None:
    key = key_of(world, "activity2")  # tambon 240101 lies in district 2401
    before = snapshot(world, key)
    inst = get_instance(world.db, key)
    step = world.catalog.get("activity2").transitions_from(inst.state)[0]
    assert "district_cd_office" in step.roles
    with pytest.raises(OutOfScope, match="No instance by the key"):  # told as missing (#11.2)
        world.engine.advance(key, step.trigger, "cd-2402")
    assert snapshot(world, key) == before


def test_trigger_not_valid_in_current_state_names_valid_ones(world: World) -> None:
    key = key_of(world, "activity2")
    definition = world.catalog.get("activity2")
    last = definition.transitions[-1]
    valid = definition.transitions_from(definition.initial_state.id)[0].trigger
    before = snapshot(world, key)
    with pytest.raises(InvalidTrigger) as info:
        world.engine.advance(key, last.trigger, world.actors["admin"])
    assert valid in str(info.value) and definition.initial_state.id in str(info.value)
    assert snapshot(world, key) == before


def test_unknown_instance_and_actor(world: World) -> None:
    with pytest.raises(UnknownInstance, match="2568/activity2/999999"):
        world.engine.advance("2568/activity2/999999", "x", world.actors["admin"])
    with pytest.raises(UnknownActor, match="nobody"):
        world.engine.advance(key_of(world, "activity2"), "x", "nobody")


def test_activity2_workshop_needs_twenty_participants(world: World) -> None:
    key = key_of(world, "activity2")
    definition, step = walk_until_guard(world, key, "min_participants")
    before = snapshot(world, key)
    with pytest.raises(GuardFailed, match="at least 20 participants, got 19"):
        fire(world, key, definition, step, participants=19)
    assert snapshot(world, key) == before
    assert fire(world, key, definition, step, participants=20).to_state == step.dest


def test_activity1_counts_five_per_district(world: World) -> None:
    key = key_of(world, "activity1")
    definition, step = walk_until_guard(world, key, "participants_per_district")
    codes = _district_codes(world)
    assert len(codes) == 11  # Chachoengsao
    extra = [{"district": codes[0], "socho_t_chairs": 1, "socho_a_members": 4, "cd_officers": 1}]
    with pytest.raises(GuardFailed, match=f"district {codes[0]}: socho_a_members 4"):
        fire(world, key, definition, step, attendance=extra)
    done = fire(world, key, definition, step)
    assert done.to_state == step.dest


def _strong_of_2401(world: World) -> str:
    from plancycle.store.targets import strong_tambons

    with Session(world.db) as session:
        return next(c for c in strong_tambons(session, 2568, "24") if c.startswith("2401"))


@pytest.mark.parametrize(("process", "limit"), [("activity2", 3900), ("activity3", 10000)])
def test_spending_above_the_derived_allocation_is_recorded_not_refused(
    world: World, process: str, limit: int
) -> None:
    """The letter gives totals only: the per-tambon cap is derived (source: inferred,
    severity: warn), so a step over it is done, and the finding is kept in its record."""
    key = key_of(world, process)
    if process == "activity3":
        key = key.replace("240101", _strong_of_2401(world))
    definition, step = walk_until_guard(world, key, "within_allocation", "spent")
    result = fire(world, key, definition, step, spent=limit + 1)
    assert result.to_state == step.dest
    [warning] = result.warnings
    assert warning.guard == "within_allocation"
    assert f"{limit + 1:,} baht is more than the allocation of {limit:,}" in warning.en
    _, records = history(world.db, key)
    assert records[-1].data["spent"] == limit + 1
    assert records[-1].data["_warnings"] == [
        {"guard": "within_allocation", "th": warning.th, "en": warning.en}
    ]


def test_activity2_report_deadline_is_end_of_31_march_bangkok(world: World) -> None:
    key = key_of(world, "activity2")
    definition = world.catalog.get("activity2")
    report = next(
        s
        for s in definition.states
        if any(d.kind == "fy_date" and (d.month, d.day) == (3, 31) for d in s.due)
        and not any(d.kind == "after" for d in s.due)
    )
    world.clock.set(bkk(2025, 2, 10, 9))
    while get_instance(world.db, key).state != report.id:
        walk(world.engine, key, world.actors, world.pdf, max_steps=1)
    due = get_instance(world.db, key).due_at
    assert due == datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC)
    assert due.astimezone(bkk(2025, 1, 1).tzinfo).isoformat() == "2025-03-31T23:59:59+07:00"


def test_bpm_record_is_due_seven_days_after_the_workshop(world: World) -> None:
    key = key_of(world, "activity2")
    definition = world.catalog.get("activity2")
    bpm = next(s for s in definition.states if any(d.kind == "after" for d in s.due))
    after = next(d for d in bpm.due if d.kind == "after")
    world.clock.set(bkk(2025, 2, 10, 9))
    while get_instance(world.db, key).state != bpm.id:
        if get_instance(world.db, key).state == after.after:
            world.clock.set(bkk(2025, 2, 12, 15))  # the step is completed on 12 Feb
        walk(world.engine, key, world.actors, world.pdf, max_steps=1)
    due = get_instance(world.db, key).due_at
    # counted from the workshop day entered (the walk's sample day), not the day the
    # step was recorded (12 Feb)
    _, records = history(world.db, key)
    held = next(r for r in records if r.from_state == after.after)
    entered = date.fromisoformat(held.data[after.date_field])
    assert entered != date(2025, 2, 12)
    last = entered + timedelta(days=after.days)
    assert due == bkk(last.year, last.month, last.day, 23, 59, 59).astimezone(UTC)


def test_unknown_and_missing_step_data_are_refused_together(world: World) -> None:
    key = key_of(world, "activity2")
    definition, step = walk_until_guard(world, key, "min_participants")
    before = snapshot(world, key)
    with pytest.raises(BadStepInput) as info:
        world.engine.advance(
            key,
            step.trigger,
            world.actors[step.roles[0]],
            evidence_of([(s.id, world.pdf) for s in step.evidence]),
            None,
            {"colour": "red"},
        )
    assert (
        "unknown data colour" in info.value.en
        and "missing data workshop_date, participants" in info.value.en
    )
    with pytest.raises(BadStepInput, match="not a valid int"):
        fire(world, key, definition, step, participants="many")
    assert snapshot(world, key) == before


def test_evidence_is_typed_by_content_not_by_name(world: World, tmp_path) -> None:
    key = instance_key(2568, "orders", "2401")
    definition = world.catalog.get("orders")
    step = next(t for t in definition.transitions if t.evidence)
    while get_instance(world.db, key).state not in step.sources:
        walk(world.engine, key, world.actors, world.pdf, max_steps=1)
    fake = tmp_path / "order.pdf"
    fake.write_text("not really a pdf")
    slots = [s.id for s in step.evidence]
    assert slots == ["order_3_1", "order_3_2", "order_3_3", "order_3_4", "order_3_5"]
    before = snapshot(world, key)
    with pytest.raises(BadStepInput, match="text/plain by its content"):
        fire_with(world, key, step, [(slots[0], fake)] + [(s, world.pdf) for s in slots[1:]])
    with pytest.raises(BadStepInput, match="needs evidence order_3_5"):
        fire_with(world, key, step, [(s, world.pdf) for s in slots[:4]])
    assert snapshot(world, key) == before
    result = fire_with(world, key, step, [(s, world.pdf) for s in slots])
    assert len(result.evidence) == 5 and len(set(result.evidence)) == 1
    stored = world.engine.evidence_folder / result.evidence[0][:2] / result.evidence[0]
    assert stored.read_bytes() == world.pdf.read_bytes()


def fire_with(world: World, key: str, step: Transition, evidence):
    actor = world.actors[next(r for r in step.roles if r in world.actors)]
    return world.engine.advance(key, step.trigger, actor, evidence_of(evidence))


def test_transition_record_holds_who_what_when(world: World) -> None:
    key = key_of(world, "activity2")
    world.clock.set(bkk(2025, 1, 6, 10, 30))
    [result] = walk(world.engine, key, world.actors, world.pdf, max_steps=1, note="นัดประชุม")
    _, [record] = history(world.db, key)
    assert record.at == datetime(2025, 1, 6, 3, 30, tzinfo=UTC)
    assert (record.actor_id, record.trigger, record.to_state) == (
        world.actors[record.role],
        result.trigger,
        result.to_state,
    )
    assert record.note == "นัดประชุม" and record.automatic is False
    assert get_instance(world.db, key).version == 2


def test_evidence_is_stored_before_the_write_and_a_refusal_leaves_it_harmless(
    world: World,
) -> None:
    """The file lands in the folder under its hash before the transaction; a step refused
    afterwards (a guard here) leaves it unreferenced, and the audit trail stays intact."""
    key = key_of(world, "activity2")
    definition, step = walk_until_guard(world, key, "min_participants")
    content = world.pdf.read_bytes() + b"\n% refused scan"
    digest = hashlib.sha256(content).hexdigest()
    stored = world.engine.evidence_folder / digest[:2] / digest
    given = EvidenceInput("attendance", "scan.pdf", io.BytesIO(content))
    with pytest.raises(GuardFailed):
        world.engine.advance(
            key,
            step.trigger,
            world.actors[step.roles[0]],
            [given],
            None,
            {"participants": 3, "workshop_date": "2025-02-03"},
        )
    assert stored.read_bytes() == content
    assert sorted(p.name for p in world.engine.evidence_folder.rglob("*.part")) == []
    assert verify(world.db, world.engine.evidence_folder)[1] == []
