"""The sweep reads only the instances it may act on, and plans from them exactly what it
would plan from every open instance; a window opening is folded into a ladder notice sent
at the same sweep."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

import pytest
from sqlmodel import Session, select

from plancycle.notifier.notice import Notice
from plancycle.store.escalations import insert_new_escalations
from plancycle.store.models import Escalation, Instance, OutboxMessage
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.reports import get_instance
from plancycle.workflow.sweep import Candidate, Snapshot, SweepPlan, plan_sweep
from plancycle.workflow.sweep_apply import load_snapshot, run_sweep
from plancycle.workflow.walk import walk
from tests.world import CATALOG, World, bkk, populate

A2 = instance_key(2568, "activity2", "240101")
TAMBON = instance_key(2568, "tambon_plan", "240101")

# Through FY2568: before any window, Q2 opening (Activity 2, village plans), the reminder
# and the overdue day of Activity 2, the district plan's window 2, Activity 3's window,
# and the first day of FY2569.
INSTANTS = [
    bkk(2024, 10, 2, 9),
    bkk(2024, 12, 31, 23, 59, 59),
    bkk(2025, 1, 1, 0, 0, 0),
    bkk(2025, 1, 20, 9),
    bkk(2025, 3, 24, 0, 0, 0),
    bkk(2025, 4, 1, 0, 0, 0),
    bkk(2025, 5, 1, 0, 0, 0),
    bkk(2025, 6, 1, 0, 0, 0),
    bkk(2025, 8, 1, 9),
    bkk(2025, 10, 1, 9),
]


@pytest.fixture
def world(engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def full_snapshot(world: World) -> Snapshot:
    """What the sweep would plan from if it read every open instance, every escalation
    of their current steps, and the state counts of every process under every area."""
    with Session(world.db) as session:
        rows = session.exec(
            select(
                Instance.id,
                Instance.key,
                Instance.definition_id,
                Instance.definition_version,
                Instance.fiscal_year,
                Instance.area_code,
                Instance.state,
                Instance.version,
                Instance.due_at,
                Instance.completed_at,
            )
        ).all()
        escalations = session.exec(
            select(Escalation.instance_id, Escalation.step_seq, Escalation.level)
        ).all()
    candidates = [Candidate(*row[:-1]) for row in rows if row[-1] is None]
    steps = {(c.id, c.version) for c in candidates}
    done: dict[tuple[int, int], set[int]] = defaultdict(set)
    for instance_id, step_seq, level in escalations:
        if (instance_id, step_seq) in steps:
            done[(instance_id, step_seq)].add(level)
    children: dict[tuple[str, int, str], Counter[str]] = defaultdict(Counter)
    for row in rows:
        process, fy, code, state = row[2], row[4], row[5], row[6]
        for length in range(len(code) + 1):
            children[(process, fy, code[:length])][state] += 1
    return Snapshot(candidates, done, children)


def summary(plan: SweepPlan) -> tuple[list, list]:
    notices = sorted(
        (n.instance.key, n.level, n.kind, n.recipients, n.next_rung, n.next_at)
        for n in plan.notices
    )
    return notices, sorted((a.instance.key, a.trigger) for a in plan.advances)


def work_in_january(world: World) -> None:
    """Some steps taken: the tambon plan waits on its village plans, which then all
    have their drafts done (the next sweep advances it); Activity 2 enters its next step."""
    world.clock.set(bkk(2025, 1, 10, 9))
    walk(world.engine, TAMBON, world.actors, world.pdf, max_steps=2)  # into collect_inputs
    walk(world.engine, A2, world.actors, world.pdf, max_steps=1)  # a later step occurrence
    with Session(world.db) as session:
        villages = session.exec(
            select(Instance.key).where(
                Instance.definition_id == "village_plan", Instance.area_code.startswith("240101")
            )
        ).all()
    for village in villages:
        walk(world.engine, village, world.actors, world.pdf, max_steps=3)  # draft done


def test_the_narrow_read_plans_what_reading_everything_plans(world: World) -> None:
    notices, advances = 0, 0
    for now in INSTANTS:
        if now == bkk(2025, 1, 20, 9):
            work_in_january(world)
        narrow = load_snapshot(world.db, CATALOG, now)
        full = full_snapshot(world)
        assert len(narrow.candidates) <= len(full.candidates)
        expected = summary(plan_sweep(CATALOG, full, now))
        assert summary(plan_sweep(CATALOG, narrow, now)) == expected, now
        notices, advances = notices + len(expected[0]), advances + len(expected[1])
        run_sweep(world.engine, now)
    assert notices > 100 and advances > 0  # the instants were not all idle


def test_an_idle_sweep_reads_no_instance_whose_window_is_not_open(world: World) -> None:
    narrow = load_snapshot(world.db, CATALOG, bkk(2024, 10, 2, 9))
    read = Counter(c.definition_id for c in narrow.candidates)
    assert read["village_plan"] == read["activity2"] == 0
    assert len(narrow.candidates) < len(full_snapshot(world).candidates) / 5


def test_a_window_opening_is_read_until_it_is_recorded(world: World) -> None:
    opened = bkk(2025, 1, 1, 0, 0, 0)
    before = load_snapshot(world.db, CATALOG, opened)
    assert any(c.key == A2 for c in before.candidates)
    run_sweep(world.engine, opened)
    after = load_snapshot(world.db, CATALOG, bkk(2025, 1, 2, 9))
    assert all(c.key != A2 for c in after.candidates)
    assert not any(c.definition_id == "village_plan" for c in after.candidates)


def escalations_of(world: World, key: str) -> dict[str, tuple[list[str], list[OutboxMessage]]]:
    """kind -> (recipients, outbox messages) of ``key``'s escalations."""
    inst = get_instance(world.db, key)
    with Session(world.db) as session:
        out = {}
        for esc in session.exec(select(Escalation).where(Escalation.instance_id == inst.id)):
            msgs = session.exec(
                select(OutboxMessage).where(OutboxMessage.escalation_id == esc.id)
            ).all()
            out[esc.kind] = (esc.recipients, list(msgs))
        return out


def test_a_window_opening_alone_is_sent_to_the_lead(world: World) -> None:
    run_sweep(world.engine, bkk(2025, 1, 1, 0, 0, 0))
    recipients, msgs = escalations_of(world, A2)["opened"]
    assert recipients == ["district_cd_office"]
    assert [m.role for m in msgs] == ["district_cd_office"]
    assert "Window opened" in msgs[0].subject and "เปิดให้ดำเนินการ" in msgs[0].subject


@pytest.mark.parametrize(
    ("first_sweep", "sent"),
    [(bkk(2025, 4, 1, 0, 0, 0), "overdue"), (bkk(2025, 3, 24, 9), "reminder")],
)
def test_a_window_opening_reached_with_a_ladder_rung_is_recorded_not_sent(
    world: World, first_sweep: datetime, sent: str
) -> None:
    """The scheduler was down from before 1 January: the first sweep finds the window
    open and a rung of the ladder reached. Only the ladder's notice goes out, as for
    any rung passed by; the opening is recorded so that no later sweep sends it."""
    report = run_sweep(world.engine, first_sweep)
    assert report.notices["opened"] > 0
    rungs = escalations_of(world, A2)
    assert rungs["opened"] == ([], [])
    recipients, msgs = rungs[sent]
    assert recipients and sorted(m.role for m in msgs) == sorted(recipients)
    with Session(world.db) as session:
        kinds = {m.payload["kind"] for m in session.exec(select(OutboxMessage)).all()}
    assert "opened" not in kinds
    again = run_sweep(world.engine, first_sweep.replace(hour=10))
    assert again.notices["opened"] == 0 and again.messages == 0


def test_escalations_are_inserted_once_and_only_new_ones_come_back(world: World) -> None:
    inst = get_instance(world.db, A2)
    now = bkk(2025, 4, 1, 0, 0, 0)

    def row(level: int) -> dict:
        return {
            "instance_id": inst.id,
            "step_seq": inst.version,
            "state": inst.state,
            "level": level,
            "kind": "overdue",
            "due_at": inst.due_at,
            "at": now,
            "recipients": ["lead"],
        }

    with Session(world.db) as session, session.begin():
        first = insert_new_escalations(session, [row(0), row(1)])
    with Session(world.db) as session, session.begin():
        second = insert_new_escalations(session, [row(1), row(2), row(0)])
        assert insert_new_escalations(session, [row(2)]) == []  # same transaction
    assert sorted(lv for _, _, lv in first) == [0, 1]
    assert [lv for _, _, lv in second] == [2]
    assert len({esc_id for esc_id, _, _ in first + second}) == 3
    assert all(i == inst.id for _, i, _ in first + second)


def test_a_sweep_writes_each_message_with_its_notice_as_payload(world: World) -> None:
    now = bkk(2025, 4, 8, 0, 0, 0)
    run_sweep(world.engine, now)
    with Session(world.db) as session:
        msg = session.exec(
            select(OutboxMessage).where(OutboxMessage.role == "provincial_cd_office")
        ).first()
        esc = session.get(Escalation, msg.escalation_id)
    payload = msg.payload
    assert set(payload) == set(Notice.__dataclass_fields__)
    assert (payload["kind"], payload["level"]) == (esc.kind, esc.level) == ("escalation", 2)
    assert datetime.fromisoformat(payload["due_at"]) == esc.due_at
    assert datetime.fromisoformat(payload["now"]) == now
    nxt = payload["next_rung"]
    assert nxt["level"] == 3 and datetime.fromisoformat(nxt["at"]) == bkk(2025, 4, 15, 0, 0, 0)
    assert nxt["roles_en"] == ["Community Development Department (CDD)"]  # JSON: a list
