"""The audit trail: hash chains that name every edit, deletion and insertion; replay;
evidence files; append-only triggers; concurrent advances; refused attempts kept."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from plancycle.store.audit_hash import record_hash
from plancycle.store.models import Instance, RefusedAttempt, TransitionRecord
from plancycle.workflow.audit import anchor, replay, verify
from plancycle.workflow.audit_export import export_records
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.errors import Conflict, OutOfScope
from plancycle.workflow.reports import get_instance, history
from plancycle.workflow.walk import walk
from tests.world import World, bkk, populate

A2 = instance_key(2568, "activity2", "240101")
ORDERS = instance_key(2568, "orders", "2401")


@pytest.fixture
def world(engine, tmp_path) -> World:
    w = populate(engine, tmp_path)
    w.clock.set(bkk(2025, 2, 10, 9))
    walk(w.engine, A2, w.actors, w.pdf)  # 5 records, evidence on the workshop
    walk(w.engine, ORDERS, w.actors, w.pdf)  # 2 records, five PDFs on the second
    return w


def allow_tampering(db: sa.Engine) -> None:
    """What someone with the database's own rights can do: switch the guard off."""
    with db.begin() as c:
        if db.dialect.name == "postgresql":
            c.exec_driver_sql("ALTER TABLE transition_record DISABLE TRIGGER USER")
        else:
            c.exec_driver_sql("DROP TRIGGER transition_record_no_update")
            c.exec_driver_sql("DROP TRIGGER transition_record_no_delete")


def record_of(world: World, key: str, seq: int) -> TransitionRecord:
    _, records = history(world.db, key)
    return next(r for r in records if r.seq == seq)


def test_an_untouched_trail_verifies_and_replays(world: World) -> None:
    checked, findings = verify(world.db, world.engine.evidence_folder)
    assert checked == 7 and findings == []
    count, problems = replay(world.db, world.catalog)
    assert count > 1000 and problems == []


def test_records_are_append_only_in_the_database(world: World) -> None:
    for sql in ("UPDATE transition_record SET to_state = 'done'", "DELETE FROM transition_record"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), world.db.begin() as c:
            c.exec_driver_sql(sql)
    assert verify(world.db)[1] == []


def test_an_edited_record_is_named(world: World) -> None:
    target = record_of(world, A2, 2)
    allow_tampering(world.db)
    with world.db.begin() as c:
        c.execute(
            sa.update(TransitionRecord)
            .where(TransitionRecord.id == target.id)
            .values(to_state="done")
        )
    _, findings = verify(world.db)
    assert [(f.key, f.record_id, f.seq) for f in findings] == [(A2, target.id, 2)]
    assert "edited" in findings[0].problem
    _, problems = replay(world.db, world.catalog)
    assert [p.key for p in problems] == [A2]


def test_a_deleted_middle_record_is_named(world: World) -> None:
    target = record_of(world, A2, 3)
    after = record_of(world, A2, 4)
    allow_tampering(world.db)
    with world.db.begin() as c:
        c.execute(sa.delete(TransitionRecord).where(TransitionRecord.id == target.id))
    _, findings = verify(world.db)
    assert any(f.record_id == after.id and "seq 3-3 were deleted" in f.problem for f in findings)
    assert {f.key for f in findings} == {A2}


def test_a_deleted_last_record_and_an_inserted_one_are_named(world: World) -> None:
    last = record_of(world, ORDERS, 2)
    allow_tampering(world.db)
    with world.db.begin() as c:
        c.execute(sa.delete(TransitionRecord).where(TransitionRecord.id == last.id))
    _, findings = verify(world.db)
    assert [(f.key, f.record_id) for f in findings] == [(ORDERS, None)]
    assert "newest record(s) were deleted" in findings[0].problem
    inst = get_instance(world.db, A2)
    forged = record_of(world, A2, 5)
    with world.db.begin() as c:
        c.execute(
            sa.insert(TransitionRecord).values(
                instance_id=inst.id,
                seq=6,
                at=forged.at,
                actor_id="intruder",
                role="admin",
                trigger="x",
                from_state="a",
                to_state="b",
                data={},
                note=None,
                evidence=[],
                automatic=False,
                prev_hash="f" * 64,
                hash="e" * 64,
            )
        )
    _, findings = verify(world.db)
    assert any(f.key == A2 and "inserted" in f.problem for f in findings)


def test_a_replaced_evidence_file_is_named(world: World) -> None:
    _, records = history(world.db, ORDERS)
    sha = records[-1].evidence[0]
    path = world.engine.evidence_folder / sha[:2] / sha
    path.write_bytes(b"%PDF-1.4 a different document")
    _, findings = verify(world.db, world.engine.evidence_folder)
    # the same scan was attached to both instances: every record naming it is listed
    assert {f.key for f in findings} == {ORDERS, A2}
    assert all("replaced" in f.problem and sha in f.problem for f in findings)
    path.unlink()
    _, findings = verify(world.db, world.engine.evidence_folder)
    assert findings and all("missing" in f.problem for f in findings)


def test_an_anchor_catches_a_history_rewritten_with_fresh_hashes(world: World) -> None:
    taken = anchor(world.db, world.clock.now())
    inst = get_instance(world.db, ORDERS)
    _, records = history(world.db, ORDERS)
    allow_tampering(world.db)
    prev = records[0].prev_hash
    with world.db.begin() as c:
        for rec in records:  # the forger recomputes every hash after changing the actor
            digest = record_hash(
                key=ORDERS,
                seq=rec.seq,
                at=rec.at,
                actor_id="someone-else",
                role=rec.role,
                trigger=rec.trigger,
                from_state=rec.from_state,
                to_state=rec.to_state,
                data=rec.data,
                note=rec.note,
                evidence=rec.evidence,
                automatic=rec.automatic,
                prev_hash=prev,
            )
            c.execute(
                sa.update(TransitionRecord)
                .where(TransitionRecord.id == rec.id)
                .values(actor_id="someone-else", prev_hash=prev, hash=digest)
            )
            prev = digest
        c.execute(sa.update(Instance).where(Instance.id == inst.id).values(head_hash=prev))
    assert verify(world.db)[1] == []  # the chain alone cannot tell
    _, findings = verify(world.db, None, taken["heads"])
    assert [f.key for f in findings] == [ORDERS] and "rewritten" in findings[0].problem


def test_records_of_a_deleted_instance_are_passed_over(world: World) -> None:
    taken = anchor(world.db, world.clock.now())
    inst = get_instance(world.db, A2)
    with world.db.begin() as c:  # the instance row goes, its 5 records stay
        if world.db.dialect.name == "postgresql":
            c.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            c.exec_driver_sql("PRAGMA foreign_keys=OFF")  # before the DELETE opens the transaction
        c.execute(sa.delete(Instance).where(Instance.id == inst.id))
    if world.db.dialect.name == "sqlite":
        with world.db.connect() as c:
            c.exec_driver_sql("PRAGMA foreign_keys=ON")
    checked, findings = verify(world.db, None, taken["heads"])
    assert checked == 2  # ORDERS' records only
    assert [(f.key, f.problem) for f in findings] == [
        (A2, "the instance was deleted after the anchor was taken"),
        (
            "2568/activity2",
            "cycle start created 93 instance(s), the store holds 92: 1 deleted "
            "(an anchor names which)",
        ),
    ]
    assert A2 not in anchor(world.db, world.clock.now())["heads"]
    assert replay(world.db, world.catalog)[1] == []


def test_export_jsonl_and_csv_with_filters(world: World) -> None:
    out = io.StringIO()
    assert export_records(world.db, out, "jsonl") == 7
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0]["hash"] == rows[1]["prev_hash"] or rows[0]["key"] != rows[1]["key"]
    assert {r["key"] for r in rows} == {A2, ORDERS}
    out = io.StringIO()
    assert export_records(world.db, out, "csv", area="240101") == 5
    assert out.getvalue().splitlines()[0].startswith("id,key,seq,at,at_be")
    out = io.StringIO()
    assert export_records(world.db, out, "jsonl", since=bkk(2030, 1, 1)) == 0


def test_refused_attempts_are_kept(world: World) -> None:
    key = instance_key(2568, "activity2", "240102")
    with pytest.raises(OutOfScope):  # told as missing, kept as out of scope (#11.2)
        world.engine.advance(key, "meeting_set", "cd-2402")
    with Session(world.db) as session:
        kept = session.exec(select(RefusedAttempt)).all()
    assert [(r.actor_id, r.key, r.trigger, r.error) for r in kept] == [
        ("cd-2402", key, "meeting_set", "OutOfScope")
    ]
    assert "area 240102 lies outside the actor's area 2402" in kept[0].reason


def test_twenty_coordinators_at_once_one_wins(world: World) -> None:
    key = instance_key(2568, "activity2", "240103")
    inst = get_instance(world.db, key)
    barrier = threading.Barrier(20)
    results: list[object] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        try:
            outcome: object = world.engine.advance(
                key,
                "meeting_set",
                world.actors["district_cd_office"],
                expected_version=inst.version,
            )
        except Conflict as exc:
            outcome = exc
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(results) == 20 and len(conflicts) == 19
    assert all("now in state 'workshop'" in c.en for c in conflicts)
    _, records = history(world.db, key)
    assert len(records) == 1
    with Session(world.db) as session:
        # each conflict is counted; repeats of one refusal fold into one row (#11.11)
        assert session.exec(select(func.sum(RefusedAttempt.count))).one() == 19
    assert verify(world.db)[1] == []


def test_evidence_folder_is_content_addressed(world: World, tmp_path: Path) -> None:
    _, records = history(world.db, ORDERS)
    files = {p.name for p in world.engine.evidence_folder.rglob("*") if p.is_file()}
    assert set(records[-1].evidence) <= files
