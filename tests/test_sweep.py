"""The sweep: reminders, overdue flags, escalations and automatic advances, each once."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlmodel import Session, func, select

from plancycle.store.models import Escalation, Instance, OutboxMessage, TransitionRecord
from plancycle.workflow import sweep_apply
from plancycle.workflow.clock import SystemClock
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.engine import Engine
from plancycle.workflow.reports import get_instance, history
from plancycle.workflow.sweep_apply import run_sweep
from plancycle.workflow.walk import walk
from tests.sweep_worker import sweep_in_process
from tests.world import CATALOG, World, bkk, populate

A2 = instance_key(2568, "activity2", "240101")


@pytest.fixture
def world(engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def levels(world: World, key: str) -> list[tuple[str, int]]:
    inst = get_instance(world.db, key)
    with Session(world.db) as session:
        rows = session.exec(
            select(Escalation.kind, Escalation.level)
            .where(Escalation.instance_id == inst.id)
            .order_by(Escalation.level)
        ).all()
    return [tuple(r) for r in rows]


def counts(world: World) -> tuple[int, int]:
    with Session(world.db) as session:
        esc = session.exec(select(func.count()).select_from(Escalation)).one()
        msgs = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    return esc, msgs


def test_activity2_ladder_day_by_day(world: World, freezer) -> None:
    engine = Engine(CATALOG, world.db, SystemClock())
    freezer.move_to("2025-03-23T23:59:59+07:00")
    run_sweep(engine)
    assert levels(world, A2) == [("opened", -1)]  # Q2 began on 1 January
    freezer.move_to("2025-03-24T00:00:00+07:00")
    run_sweep(engine)
    assert levels(world, A2) == [("opened", -1), ("reminder", 0)]
    freezer.move_to("2025-03-31T23:59:59+07:00")
    run_sweep(engine)
    assert ("overdue", 1) not in levels(world, A2)
    freezer.move_to("2025-04-01T00:00:00+07:00")
    run_sweep(engine)
    assert levels(world, A2)[-1] == ("overdue", 1)
    freezer.move_to("2025-04-07T23:59:59+07:00")
    run_sweep(engine)
    assert levels(world, A2)[-1] == ("overdue", 1)
    freezer.move_to("2025-04-08T00:00:00+07:00")
    run_sweep(engine)
    assert levels(world, A2)[-1] == ("escalation", 2)
    freezer.move_to("2025-04-15T00:00:00+07:00")
    run_sweep(engine)
    assert levels(world, A2)[-1] == ("escalation", 3)
    before = counts(world)
    again = run_sweep(engine)
    assert counts(world) == before and sum(again.notices.values()) == 0 and again.messages == 0


def test_each_rung_notifies_the_ladders_roles(world: World) -> None:
    run_sweep(world.engine, bkk(2025, 4, 1, 0, 0, 0))
    inst = get_instance(world.db, A2)
    with Session(world.db) as session:
        esc = session.exec(
            select(Escalation).where(Escalation.instance_id == inst.id, Escalation.level == 1)
        ).one()
        msgs = session.exec(
            select(OutboxMessage).where(OutboxMessage.escalation_id == esc.id)
        ).all()
    assert esc.recipients == ["district_cd_office", "district_chief"]
    assert sorted(m.role for m in msgs) == ["district_cd_office", "district_chief"]
    assert {m.area_code for m in msgs} == {"2401"}  # district roles answer at the district
    body = msgs[0].body
    assert "240101" in body and "31 มี.ค. 68" in body and "31 Mar 2568" in body
    # the reminder rung was passed by: recorded, but nobody is told of it any more
    reminder = next(e for e in _escalations(world, inst.id) if e.level == 0)
    assert reminder.recipients == []


def _escalations(world: World, instance_id: int) -> list[Escalation]:
    with Session(world.db) as session:
        return list(
            session.exec(select(Escalation).where(Escalation.instance_id == instance_id)).all()
        )


def test_orders_overdue_after_25_december_2567(world: World) -> None:
    key = instance_key(2568, "orders", "2402")
    run_sweep(world.engine, bkk(2024, 12, 25, 23, 59, 59))
    assert ("overdue", 1) not in levels(world, key)
    run_sweep(world.engine, bkk(2024, 12, 26, 0, 0, 0))
    assert ("overdue", 1) in levels(world, key)


def test_activity3_report_overdue_after_31_july_2568(world: World) -> None:
    from plancycle.store.targets import strong_tambons

    with Session(world.db) as session:
        strong = next(c for c in strong_tambons(session, 2568, "24") if c.startswith("2401"))
    key = instance_key(2568, "activity3", strong)
    world.clock.set(bkk(2025, 6, 10, 9))
    while get_instance(world.db, key).state != "report":
        walk(world.engine, key, world.actors, world.pdf, max_steps=1)
    run_sweep(world.engine, bkk(2025, 7, 31, 23, 59, 59))
    assert ("overdue", 1) not in levels(world, key)
    run_sweep(world.engine, bkk(2025, 8, 1, 0, 0, 0))
    assert ("overdue", 1) in levels(world, key)


def test_dry_run_writes_nothing(world: World) -> None:
    report = run_sweep(world.engine, bkk(2025, 4, 1, 9), dry_run=True)
    assert report.notices["overdue"] > 0
    assert counts(world) == (0, 0)


def test_a_crash_half_way_leaves_no_partial_escalation(world: World, monkeypatch) -> None:
    now = bkk(2025, 4, 16, 9)
    expected = len(run_sweep(world.engine, now, dry_run=True).plan.notices)
    real = sweep_apply.outbox_rows
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 150:
            raise RuntimeError("injected failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_apply, "outbox_rows", flaky)
    with pytest.raises(RuntimeError, match="injected"):
        run_sweep(world.engine, now, batch=40)
    written, _ = counts(world)
    assert 0 < written < expected
    _assert_every_escalation_has_its_messages(world)
    monkeypatch.setattr(sweep_apply, "outbox_rows", real)
    run_sweep(world.engine, now, batch=40)
    assert counts(world)[0] == expected
    _assert_every_escalation_has_its_messages(world)
    assert sum(run_sweep(world.engine, now).notices.values()) == 0


def _assert_every_escalation_has_its_messages(world: World) -> None:
    with Session(world.db) as session:
        per = dict(
            session.exec(
                select(OutboxMessage.escalation_id, func.count()).group_by(
                    OutboxMessage.escalation_id
                )
            ).all()
        )
        for esc in session.exec(select(Escalation)).all():
            assert per.get(esc.id, 0) == len(esc.recipients), (esc.kind, esc.level)


def test_automatic_advance_fires_when_the_last_village_plan_is_drafted(world: World) -> None:
    key = instance_key(2568, "tambon_plan", "240101")
    world.clock.set(bkk(2025, 1, 10, 9))
    walk(world.engine, key, world.actors, world.pdf, max_steps=2)  # the ก.บ.ต. order
    assert get_instance(world.db, key).state == "collect_inputs"
    with Session(world.db) as session:
        villages = session.exec(
            select(Instance.key).where(
                Instance.definition_id == "village_plan", Instance.area_code.startswith("240101")
            )
        ).all()
    assert len(villages) >= 4
    for village in villages[:-1]:
        walk(world.engine, village, world.actors, world.pdf, max_steps=3)  # draft done
    walk(world.engine, villages[-1], world.actors, world.pdf, max_steps=2)  # not yet
    assert run_sweep(world.engine, bkk(2025, 2, 1, 9)).advanced == 0
    assert get_instance(world.db, key).state == "collect_inputs"
    walk(world.engine, villages[-1], world.actors, world.pdf, max_steps=1)
    report = run_sweep(world.engine, bkk(2025, 2, 1, 10))
    assert report.advanced >= 1
    inst, records = history(world.db, key)
    assert inst.state == "analyse"
    assert (records[-1].actor_id, records[-1].role, records[-1].automatic) == (
        "scheduler",
        "scheduler",
        True,
    )
    assert run_sweep(world.engine, bkk(2025, 2, 1, 11)).advanced == 0


def test_activity3_waits_for_its_tambon_plan(world: World) -> None:
    from plancycle.store.targets import strong_tambons

    with Session(world.db) as session:
        strong = next(c for c in strong_tambons(session, 2568, "24") if c.startswith("2401"))
    a3 = instance_key(2568, "activity3", strong)
    tambon = instance_key(2568, "tambon_plan", strong)
    run_sweep(world.engine, bkk(2025, 3, 1, 9))
    assert get_instance(world.db, a3).state == "await_tambon_plan"
    walk(world.engine, tambon, world.actors, world.pdf)
    run_sweep(world.engine, bkk(2025, 3, 2, 9))
    assert get_instance(world.db, a3).state == "kickoff"


@pytest.mark.postgres
def test_three_schedulers_on_one_postgres_escalate_exactly_once(pg_engine, tmp_path) -> None:
    engine = pg_engine
    world = populate(engine, tmp_path)
    now = bkk(2025, 4, 16, 9)
    plan = run_sweep(world.engine, now, dry_run=True).plan
    url = engine.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        go = manager.Event()
        with ProcessPoolExecutor(3, mp_context=ctx) as pool:
            futures = [pool.submit(sweep_in_process, url, now.isoformat(), go) for _ in range(3)]
            go.set()
            reports = [f.result(timeout=120) for f in futures]
    assert sum(sum(r["escalations"].values()) for r in reports) == len(plan.notices)
    with Session(engine) as session:
        keys = session.exec(
            select(Escalation.instance_id, Escalation.step_seq, Escalation.level)
        ).all()
        assert len(keys) == len(set(keys)) == len(plan.notices)
        per_esc = Counter(session.exec(select(OutboxMessage.escalation_id)).all())
        assert plan.notices  # there was work to share out
        assert sum(per_esc.values()) == sum(len(n.recipients) for n in plan.notices)
        advanced = session.exec(
            select(func.count()).select_from(TransitionRecord).where(TransitionRecord.automatic)
        ).one()
        assert advanced == sum(r["advanced"] for r in reports)


def _ready_for_collect_inputs(world: World) -> str:
    """The tambon plan of 240101 waiting in collect_inputs with every village plan drafted."""
    key = instance_key(2568, "tambon_plan", "240101")
    world.clock.set(bkk(2025, 1, 10, 9))
    walk(world.engine, key, world.actors, world.pdf, max_steps=2)
    with Session(world.db) as session:
        villages = session.exec(
            select(Instance.key).where(
                Instance.definition_id == "village_plan", Instance.area_code.startswith("240101")
            )
        ).all()
    for village in villages:
        walk(world.engine, village, world.actors, world.pdf, max_steps=3)
    assert get_instance(world.db, key).state == "collect_inputs"
    return key


def test_everything_a_sweep_writes_carries_the_sweeps_instant(world: World) -> None:
    key = _ready_for_collect_inputs(world)
    world.clock.set(bkk(2025, 6, 30, 15))  # the engine's clock is elsewhere
    as_of = bkk(2025, 2, 1, 10)
    report = run_sweep(world.engine, as_of)
    assert report.advanced >= 1 and sum(report.notices.values()) > 0 and report.messages > 0
    inst, records = history(world.db, key)
    assert inst.state == "analyse" and records[-1].automatic
    assert records[-1].at == as_of
    assert inst.updated_at == inst.state_entered_at == as_of
    with Session(world.db) as session:
        escalations = session.exec(select(Escalation.at)).all()
        outbox = session.exec(select(OutboxMessage.created_at, OutboxMessage.next_attempt_at))
        outbox = outbox.all()
    assert escalations and set(escalations) == {as_of}
    assert outbox and {created for created, _ in outbox} == {as_of}
    # 1 Feb 2568 is a Saturday: nothing goes before Monday 3 Feb 08:30
    assert {due for _, due in outbox} == {bkk(2025, 2, 3, 8, 30)}


def test_an_advance_at_a_naive_instant_is_refused_and_writes_nothing(world: World) -> None:
    from datetime import datetime

    from plancycle.thai.fiscal import NaiveDatetimeError

    key = _ready_for_collect_inputs(world)
    before = history(world.db, key)[1]
    with pytest.raises(NaiveDatetimeError):
        world.engine.advance(key, "inputs_collected", "scheduler", at=datetime(2025, 2, 1, 10))
    assert history(world.db, key)[1] == before
