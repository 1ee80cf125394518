"""Definition versions in flight: a running cycle keeps its version, a new one takes the
newest; running instances move to a newer version all or nothing, each with a
``migrate_definition`` record, and the trail still verifies and replays."""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from plancycle.definitions import DefinitionError, load_catalog
from plancycle.definitions.loader import DATA_DIR
from plancycle.definitions.model import Catalog
from plancycle.store.models import Cycle, Escalation, Instance, TransitionRecord
from plancycle.thai.dateinput import stored_date
from plancycle.thai.fiscal import end_of_day
from plancycle.workflow import versions
from plancycle.workflow.audit import MIGRATE_TRIGGER, replay, verify
from plancycle.workflow.cycle import start_cycle
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import NotAllowed, UnknownActor
from plancycle.workflow.reports import get_instance, history
from plancycle.workflow.sweep_apply import run_sweep
from plancycle.workflow.versions import (
    CyclePin,
    MigrationConflict,
    NoMigrationPath,
    UncoveredStates,
    UnknownVersion,
    migrate_instances,
    plan_migration,
)
from plancycle.workflow.walk import walk
from tests.world import World, bkk, populate

# v2 renames 'evaluate' to 'assess' and gives it a later deadline (30 April)
MAPPING = {
    "coordinate": "coordinate",
    "workshop": "workshop",
    "evaluate": "assess",
    "bpm_record": "bpm_record",
    "report": "report",
    "done": "done",
}


def v2_text(states: Mapping[str, str] | None = MAPPING, from_version: int = 1) -> str:
    """activity2.yaml as version 2, with ``migrates_from`` (none when ``states`` is None)."""
    text = (DATA_DIR / "activity2.yaml").read_text(encoding="utf-8")
    text = text.replace("\nversion: 1\n", "\nversion: 2\n", 1)
    evaluate = re.search(r"  - id: evaluate\n(?:    .*\n|      .*\n)+", text)
    assert evaluate is not None
    block = evaluate.group(0).replace("id: evaluate", "id: assess")
    block = block.replace(
        'due: [{fy_date: "03-31", source: inferred}]', 'due: [{fy_date: "04-30", source: inferred}]'
    )
    assert block != evaluate.group(0).replace("id: evaluate", "id: assess")
    text = text.replace(evaluate.group(0), block)
    text = text.replace("source: evaluate\n", "source: assess\n")
    text = text.replace("dest: evaluate\n", "dest: assess\n")
    assert "evaluate\n" not in text
    if states is not None:
        text += f"migrates_from:\n  version: {from_version}\n  states:\n"
        text += "".join(f"    {old}: {new}\n" for old, new in states.items())
    return text


def catalog_with(tmp_path: Path, v2: str, name: str = "defs") -> Catalog:
    folder = tmp_path / name
    shutil.copytree(DATA_DIR, folder)
    (folder / "activity2.v2.yaml").write_text(v2, encoding="utf-8")
    return load_catalog([folder])


def on_v2(world: World, tmp_path: Path, v2: str) -> World:
    """The same store, now run with a catalog that also holds activity2 v2."""
    catalog = catalog_with(tmp_path, v2)
    world.engine = Engine(
        catalog, world.db, world.clock, evidence_folder=world.engine.evidence_folder
    )
    return world


@pytest.fixture
def world(engine: sa.Engine, tmp_path: Path) -> World:
    """FY2568 started for province 24 while activity2 had only version 1."""
    w = populate(engine, tmp_path)
    w.clock.set(bkk(2025, 2, 10, 9))
    return w


def a2_keys(db: sa.Engine, fiscal_year: int = 2568) -> list[str]:
    with Session(db) as session:
        query = (
            select(Instance.key)
            .where(Instance.definition_id == "activity2", Instance.fiscal_year == fiscal_year)
            .order_by(Instance.id)
        )
        return list(session.exec(query).all())


def snapshot(db: sa.Engine) -> dict:
    """Everything a migration could change."""
    with Session(db) as session:
        instances = {
            i.key: (
                i.state,
                i.definition_version,
                i.version,
                i.due_at,
                i.head_hash,
                i.completed_at,
                i.state_entered_at,
            )
            for i in session.exec(select(Instance)).all()
        }
        records = session.exec(select(func.count()).select_from(TransitionRecord)).one()
        pins = {c.fiscal_year: dict(c.definitions) for c in session.exec(select(Cycle)).all()}
    return {"instances": instances, "records": records, "pins": pins}


def pins(db: sa.Engine) -> dict[int, dict[str, int]]:
    return snapshot(db)["pins"]


def records_of(db: sa.Engine, key: str) -> list[TransitionRecord]:
    with Session(db) as session:
        query = (
            select(TransitionRecord)
            .join(Instance, Instance.id == TransitionRecord.instance_id)
            .where(Instance.key == key)
            .order_by(TransitionRecord.seq)
        )
        return list(session.exec(query).all())


# --------------------------------------------------------------------------- #
# Pinning
# --------------------------------------------------------------------------- #


def test_a_running_cycle_keeps_v1_and_a_new_cycle_pins_v2(world: World, tmp_path: Path) -> None:
    on_v2(world, tmp_path, v2_text())
    catalog = world.catalog
    assert catalog.versions("activity2") == (1, 2)
    assert catalog.get("activity2").migrates_from.states["evaluate"] == "assess"
    # FY2568 was started before v2 existed: it keeps v1, also when started again
    again = start_cycle(world.db, catalog, 2568, "24", world.clock)
    assert again.pinned["activity2"] == 1 and again.total_created == 0
    old = a2_keys(world.db)
    assert len(old) == 93
    assert {get_instance(world.db, k).definition_version for k in old} == {1}
    # a new cycle pins the newest version
    new = start_cycle(world.db, catalog, 2569, "24", world.clock)
    assert new.pinned["activity2"] == 2 and new.created["activity2"] == 93
    assert pins(world.db)[2568]["activity2"] == 1
    assert pins(world.db)[2569]["activity2"] == 2
    # each instance runs under its own version: v1 goes to 'evaluate', v2 to 'assess'
    walk(world.engine, old[0], world.actors, world.pdf, max_steps=2)
    walk(world.engine, a2_keys(world.db, 2569)[0], world.actors, world.pdf, max_steps=2)
    assert get_instance(world.db, old[0]).state == "evaluate"
    v2_inst = get_instance(world.db, a2_keys(world.db, 2569)[0])
    assert (v2_inst.state, v2_inst.definition_version) == ("assess", 2)
    assert v2_inst.due_at == end_of_day(bkk(2026, 4, 30).date())


# --------------------------------------------------------------------------- #
# Migrating
# --------------------------------------------------------------------------- #


def test_migrating_moves_every_running_instance_and_the_trail_stays_valid(
    world: World, tmp_path: Path
) -> None:
    keys = a2_keys(world.db)
    evaluating, finished, in_workshop = keys[0], keys[1], keys[2]
    walk(world.engine, evaluating, world.actors, world.pdf, max_steps=2)
    walk(world.engine, finished, world.actors, world.pdf)
    walk(world.engine, in_workshop, world.actors, world.pdf, max_steps=1)
    on_v2(world, tmp_path, v2_text())
    before = snapshot(world.db)
    assert before["instances"][finished][0] == "done"

    plan = plan_migration(world.db, world.catalog, "activity2", 1, 2)
    assert snapshot(world.db) == before  # planning changes nothing
    assert plan.counts == {
        ("coordinate", "coordinate"): 90,
        ("workshop", "workshop"): 1,
        ("evaluate", "assess"): 1,
    }
    assert plan.completed_kept == 1 and plan.uncovered == () and plan.refusal() is None
    assert plan.pins == (CyclePin(2568, 1, 2),)

    world.clock.set(bkk(2025, 2, 12, 10))
    moved = migrate_instances(
        world.db,
        world.catalog,
        "activity2",
        1,
        2,
        world.actors["admin"],
        world.clock.now(),
    )
    assert moved == 92
    after = snapshot(world.db)
    assert after["records"] == before["records"] + 92
    for key in keys:
        state, version, *_ = after["instances"][key]
        if key == finished:  # completed work stays on v1, untouched
            assert after["instances"][key] == before["instances"][key]
            continue
        old_state = before["instances"][key][0]
        assert (state, version) == (MAPPING[old_state], 2)
        (last,) = records_of(world.db, key)[-1:]
        assert last.trigger == MIGRATE_TRIGGER and last.role == "admin"
        assert last.actor_id == world.actors["admin"]
        assert last.data == {"from_version": 1, "to_version": 2}
        assert (last.from_state, last.to_state) == (old_state, state)
    # the renamed step takes v2's deadline; every other process is untouched
    assert get_instance(world.db, evaluating).due_at == end_of_day(bkk(2025, 4, 30).date())
    assert after["pins"][2568] == {**before["pins"][2568], "activity2": 2}
    others = {k: v for k, v in after["instances"].items() if "/activity2/" not in k}
    assert others == {k: v for k, v in before["instances"].items() if "/activity2/" not in k}
    assert verify(world.db)[1] == []
    assert replay(world.db, world.catalog)[1] == []
    # the migrated instance goes on under v2's triggers, and the trail still replays
    result = world.engine.advance(
        evaluating, "evaluated", world.actors["district_cd_office"], data={"plan_usable": True}
    )
    assert (result.from_state, result.to_state) == ("assess", "bpm_record")
    assert verify(world.db)[1] == [] and replay(world.db, world.catalog)[1] == []
    # nothing is left to move
    assert (
        migrate_instances(
            world.db, world.catalog, "activity2", 1, 2, world.actors["admin"], world.clock.now()
        )
        == 0
    )


def test_a_deadline_after_a_renamed_step_counts_from_when_it_was_left(
    world: World, tmp_path: Path
) -> None:
    """v2 renames 'workshop' (and 'evaluate'); bpm_record is due 7 days after the
    workshop day entered when the workshop was left, a record written under the old name
    before the migration."""
    v2 = v2_text({**MAPPING, "workshop": "plan_workshop"})
    for old, new in (
        ("id: workshop", "id: plan_workshop"),
        ("after: workshop", "after: plan_workshop"),
    ):
        v2 = v2.replace(old, new)
    v2 = v2.replace("dest: workshop\n", "dest: plan_workshop\n")
    v2 = v2.replace("source: workshop\n", "source: plan_workshop\n")
    (key,) = a2_keys(world.db)[:1]
    walk(world.engine, key, world.actors, world.pdf, max_steps=2)  # left the workshop 10 Feb
    on_v2(world, tmp_path, v2)
    assert world.catalog.former_names("activity2", 2, "plan_workshop") == (
        "plan_workshop",
        "workshop",
    )
    world.clock.set(bkk(2025, 2, 12, 10))
    migrate_instances(
        world.db, world.catalog, "activity2", 1, 2, world.actors["admin"], world.clock.now()
    )
    result = world.engine.advance(
        key, "evaluated", world.actors["district_cd_office"], data={"plan_usable": True}
    )
    assert result.to_state == "bpm_record"
    _, records = history(world.db, key)
    held = next(r for r in records if r.from_state == "workshop")  # the old name
    day = stored_date(held.data["workshop_date"])
    assert day is not None and day < bkk(2025, 2, 10).date()  # not the day it was recorded
    assert result.due_at == end_of_day(day + timedelta(days=7))  # not 31 March
    assert verify(world.db)[1] == [] and replay(world.db, world.catalog)[1] == []


def rungs(db: sa.Engine, key: str) -> list[tuple[int, str, str]]:
    with Session(db) as session:
        inst = session.exec(select(Instance).where(Instance.key == key)).one()
        query = select(Escalation.step_seq, Escalation.state, Escalation.kind).where(
            Escalation.instance_id == inst.id
        )
        return sorted(session.exec(query.order_by(Escalation.id)).all())


def test_a_migration_keeps_the_ladder_of_a_step_whose_deadline_stays(
    world: World, tmp_path: Path
) -> None:
    """Reminders went out on 24 March; v2 keeps 'coordinate' due on 31 March (its rungs
    carry over: nothing is sent again) and moves 'evaluate' to 30 April (as 'assess',
    its ladder starts over for the new deadline)."""
    keys = a2_keys(world.db)
    coordinating, evaluating = keys[0], keys[1]
    walk(world.engine, evaluating, world.actors, world.pdf, max_steps=2)
    world.clock.set(bkk(2025, 3, 25, 9))
    run_sweep(world.engine)
    assert [kind for *_, kind in rungs(world.db, coordinating)] == ["opened", "reminder"]
    assert [kind for *_, kind in rungs(world.db, evaluating)][-1] == "reminder"
    on_v2(world, tmp_path, v2_text())
    migrate_instances(
        world.db, world.catalog, "activity2", 1, 2, world.actors["admin"], world.clock.now()
    )
    with Session(world.db) as session:
        before = session.exec(select(func.count()).select_from(Escalation)).one()
    report = run_sweep(world.engine)
    with Session(world.db) as session:
        assert session.exec(select(func.count()).select_from(Escalation)).one() == before
    assert report is not None
    seq = get_instance(world.db, coordinating).version
    assert [(s, kind) for s, _, kind in rungs(world.db, coordinating)] == [
        (seq - 1, "opened"),
        (seq - 1, "reminder"),
        (seq, "opened"),
        (seq, "reminder"),
    ]
    moved = get_instance(world.db, evaluating)
    assert moved.state == "assess"
    assert [r for r in rungs(world.db, evaluating) if r[0] == moved.version] == []
    world.clock.set(bkk(2025, 4, 23, 9))  # 7 days before the new deadline
    run_sweep(world.engine)
    assert rungs(world.db, evaluating)[-1] == (moved.version, "assess", "reminder")


def test_a_cycle_with_instances_on_a_third_version_keeps_its_pin(
    world: World, tmp_path: Path
) -> None:
    on_v2(world, tmp_path, v2_text())
    first, second = a2_keys(world.db)[:2]
    with Session(world.db) as session, session.begin():  # one instance on a version 3
        session.execute(
            sa.update(Instance).where(Instance.key == second).values(definition_version=3)
        )
    plan = plan_migration(world.db, world.catalog, "activity2", 1, 2, fiscal_year=2568)
    assert plan.pins == (CyclePin(2568, 1, 1),) and len(plan.moves) == 92
    moved = migrate_instances(
        world.db, world.catalog, "activity2", 1, 2, world.actors["admin"], world.clock.now(), 2568
    )
    assert moved == 92 and get_instance(world.db, first).definition_version == 2
    assert pins(world.db)[2568]["activity2"] == 1


def test_only_the_given_fiscal_year_moves(world: World, tmp_path: Path) -> None:
    start_cycle(world.db, world.catalog, 2569, "24", world.clock)  # also on v1
    on_v2(world, tmp_path, v2_text())
    moved = migrate_instances(
        world.db, world.catalog, "activity2", 1, 2, world.actors["admin"], world.clock.now(), 2569
    )
    assert moved == 93
    assert {get_instance(world.db, k).definition_version for k in a2_keys(world.db, 2569)} == {2}
    assert {get_instance(world.db, k).definition_version for k in a2_keys(world.db)} == {1}
    assert pins(world.db)[2568]["activity2"] == 1 and pins(world.db)[2569]["activity2"] == 2


# --------------------------------------------------------------------------- #
# Refusals: nothing changes
# --------------------------------------------------------------------------- #


def test_a_mapping_missing_a_state_an_instance_is_in_is_refused(
    world: World, tmp_path: Path
) -> None:
    keys = a2_keys(world.db)
    for key in keys[:3]:
        walk(world.engine, key, world.actors, world.pdf, max_steps=1)  # to 'workshop'
    partial = {k: v for k, v in MAPPING.items() if k != "workshop"}
    on_v2(world, tmp_path, v2_text(partial))
    before = snapshot(world.db)
    plan = plan_migration(world.db, world.catalog, "activity2", 1, 2)
    assert [m.key for m in plan.uncovered] == keys[:3]
    with pytest.raises(UncoveredStates) as caught:
        migrate_instances(
            world.db, world.catalog, "activity2", 1, 2, world.actors["admin"], world.clock.now()
        )
    assert snapshot(world.db) == before
    err = caught.value
    assert err.states == {"workshop": 3} and err.keys == tuple(keys[:3])
    assert "'workshop' (3)" in err.en and keys[0] in err.en and "activity2.v2.yaml" in err.en
    assert "nothing was changed" in err.en
    assert "'workshop' (3)" in err.th and "ไม่มีการเปลี่ยนแปลง" in err.th


def test_a_refusal_names_the_first_ten_instances_and_counts_the_rest(
    world: World, tmp_path: Path
) -> None:
    on_v2(world, tmp_path, v2_text({"workshop": "workshop"}))
    before = snapshot(world.db)
    with pytest.raises(UncoveredStates) as caught:
        migrate_instances(
            world.db, world.catalog, "activity2", 1, 2, world.actors["admin"], world.clock.now()
        )
    keys = a2_keys(world.db)
    assert "'coordinate' (93)" in caught.value.en
    assert ", ".join(keys[:10]) + " and 83 more" in caught.value.en
    assert keys[10] not in caught.value.en and "อีก 83 รายการ" in caught.value.th
    assert snapshot(world.db) == before


def test_a_version_without_migrates_from_that_version_is_refused(
    world: World, tmp_path: Path
) -> None:
    on_v2(world, tmp_path, v2_text(states=None))
    before = snapshot(world.db)
    admin, now = world.actors["admin"], world.clock.now()
    with pytest.raises(NoMigrationPath) as caught:
        migrate_instances(world.db, world.catalog, "activity2", 1, 2, admin, now)
    assert "declares no migrates_from" in caught.value.en
    assert (
        "migrates_from: {version: 1" in caught.value.en and "activity2.v2.yaml" in caught.value.en
    )
    assert "ไม่มีการเปลี่ยนแปลง" in caught.value.th
    with pytest.raises(NoMigrationPath):
        plan_migration(world.db, world.catalog, "activity2", 1, 2)
    with pytest.raises(NoMigrationPath, match="newer version"):
        migrate_instances(world.db, world.catalog, "activity2", 2, 1, admin, now)
    with pytest.raises(UnknownVersion, match=r"no version 7 \(versions: 1, 2\)"):
        migrate_instances(world.db, world.catalog, "activity2", 1, 7, admin, now)
    with pytest.raises(UnknownVersion, match="no process 'activity9'"):
        plan_migration(world.db, world.catalog, "activity9", 1, 2)
    assert snapshot(world.db) == before


def test_only_an_existing_active_admin_may_migrate(world: World, tmp_path: Path) -> None:
    on_v2(world, tmp_path, v2_text())
    before = snapshot(world.db)
    now = world.clock.now()
    with pytest.raises(NotAllowed) as caught:
        migrate_instances(
            world.db, world.catalog, "activity2", 1, 2, world.actors["district_cd_office"], now
        )
    assert "only an actor with role 'admin'" in caught.value.en and "admin" in caught.value.th
    with pytest.raises(UnknownActor):
        migrate_instances(world.db, world.catalog, "activity2", 1, 2, "nobody", now)
    assert snapshot(world.db) == before


def test_a_concurrent_change_undoes_the_whole_migration(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_v2(world, tmp_path, v2_text())
    keys = a2_keys(world.db)
    raced = [k for k in keys if k.split("/")[-1].startswith("2401")][-1]
    assert raced != keys[0]
    before = snapshot(world.db)
    real = versions.append_transition
    calls: list[str] = []

    def racing(session, inst, move):
        if not calls:  # someone advances an instance the migration has read but not moved
            world.engine.advance(raced, "meeting_set", world.actors["district_cd_office"])
        calls.append(inst.key)
        return real(session, inst, move)

    monkeypatch.setattr(versions, "append_transition", racing)
    with pytest.raises(MigrationConflict) as caught:
        migrate_instances(
            world.db, world.catalog, "activity2", 1, 2, world.actors["admin"], world.clock.now()
        )
    assert caught.value.exit_code == 5
    assert caught.value.key == raced
    assert "the whole migration was undone" in caught.value.en
    assert "ยกเลิกการย้ายทั้งหมด" in caught.value.th
    after = snapshot(world.db)
    # only the other writer's step is there: no instance moved, no pin changed
    assert after["records"] == before["records"] + 1 and after["pins"] == before["pins"]
    assert after["instances"][raced][:2] == ("workshop", 1)
    changed = {k for k in keys if after["instances"][k] != before["instances"][k]}
    assert changed == {raced}
    assert verify(world.db)[1] == [] and replay(world.db, world.catalog)[1] == []


# --------------------------------------------------------------------------- #
# The loader
# --------------------------------------------------------------------------- #


def _line(text: str, needle: str) -> int:
    """The line that is exactly ``needle`` once its indentation is dropped, or exactly
    ``needle`` when that starts with spaces."""
    exact = needle.startswith(" ")
    hits = [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if (line if exact else line.strip()) == needle
    ]
    assert len(hits) == 1, needle
    return hits[0]


def test_the_loader_reports_bad_mappings_with_their_lines(tmp_path: Path) -> None:
    bad = {"coordinate": "coordinate", "evaluat": "assess", "report": "reprt"}
    v2 = v2_text(bad)
    v5 = v2_text({"coordinate": "coordinate"}, from_version=4).replace(
        "\nversion: 2\n", "\nversion: 5\n", 1
    )
    v3 = v2_text({"coordinate": "coordinate"}, from_version=3).replace(
        "\nversion: 2\n", "\nversion: 3\n", 1
    )
    folder = tmp_path / "defs"
    shutil.copytree(DATA_DIR, folder)
    for name, text in (("activity2.v2.yaml", v2), ("activity2.v3.yaml", v3)):
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "activity2.v5.yaml").write_text(v5, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_catalog([folder])
    found = {(Path(p.file).name, p.line, p.message) for p in caught.value.problems}
    f2, f3, f5 = "activity2.v2.yaml", "activity2.v3.yaml", "activity2.v5.yaml"
    assert found == {
        (
            f2,
            _line(v2, "evaluat: assess"),
            "migrates_from: 'evaluat' is not a state of activity2 version 1 "
            "(did you mean 'evaluate'?)",
        ),
        (
            f2,
            _line(v2, "report: reprt"),
            "migrates_from: 'report' maps to 'reprt', which is not a state of this version "
            "(did you mean 'report'?)",
        ),
        (
            f3,
            _line(v3, "  version: 3"),
            "migrates_from: version 3 is not older than this file's version 3; give the "
            "older version whose running instances move to version 3",
        ),
        (
            f5,
            _line(v5, "  version: 4"),
            "migrates_from: process 'activity2' has no version 4 (other versions: 1, 2, 3); "
            "give an older version that exists (file data/activity2.v<N>.yaml)",
        ),
    }
    assert f"{f2}:{_line(v2, 'evaluat: assess')}:" in "\n".join(
        f"{Path(p.file).name}:{p.line}:" for p in caught.value.problems
    )


def test_the_loader_keeps_completed_instances_completed(tmp_path: Path) -> None:
    reopen = {**MAPPING, "done": "report"}
    v2 = v2_text(reopen)
    with pytest.raises(DefinitionError) as caught:
        catalog_with(tmp_path, v2)
    (problem,) = caught.value.problems
    assert problem.line == _line(v2, "done: report")
    assert "'done' is final in version 1 but 'report' is not final" in problem.message


def test_the_loader_refuses_a_malformed_migrates_from(tmp_path: Path) -> None:
    text = v2_text(states=None) + "migrates_from:\n  version: one\n  state: {}\n"
    with pytest.raises(DefinitionError) as caught:
        catalog_with(tmp_path, text)
    messages = [(p.line, p.message) for p in caught.value.problems]
    end = len(text.splitlines())
    assert (end - 1, "migrates_from: version must be a whole number, got 'one'") in messages
    assert any(
        line == end and "unknown key 'state' (did you mean 'states'?)" in m for line, m in messages
    )


def test_a_good_mapping_is_in_the_model(tmp_path: Path) -> None:
    catalog = catalog_with(tmp_path, v2_text())
    migration = catalog.get("activity2", 2).migrates_from
    assert migration is not None and migration.version == 1
    assert dict(migration.states) == MAPPING
    assert migration.target("evaluate") == "assess" and migration.target("nowhere") is None
    assert catalog.get("activity2", 1).migrates_from is None
    with pytest.raises(TypeError):
        migration.states["x"] = "y"  # type: ignore[index]
