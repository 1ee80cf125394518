"""The letter's deadlines, to the letter (issue 13, items 1, 6 and 7), on SQLite and
PostgreSQL, with the clock on both sides of each date:

- a waiting state never hides a deadline: Activity 3 waiting on its tambon plan is due
  with the June step it blocks, overdue on 1 Aug 2568, escalates, and says what it waits on;
- Activity 2's BPM is due 7 days after the workshop day entered (28 Mar 2568 -> 4 Apr 2568),
  not after the day it was recorded and not capped by report no. 1 (31 Mar);
- notices go to the office that does the step, and the forum calendar the district chief
  sets is one obligation per district: one reminder per district, not one per village.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, func, select

from plancycle.store.models import Area, Escalation, Instance, OutboxMessage
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.errors import WorkflowError
from plancycle.workflow.overdue import days_late, is_overdue, overdue_clause
from plancycle.workflow.reports import get_instance
from plancycle.workflow.rollup import area_rollup
from plancycle.workflow.sweep_apply import run_sweep
from plancycle.workflow.views import instance_view
from tests.world import World, bkk, evidence_of, populate

A3 = instance_key(2568, "activity3", "240101")  # the strong tambon of district 2401
A2 = instance_key(2568, "activity2", "240101")
TP = instance_key(2568, "tambon_plan", "240101")
DISTRICT_CD = "district_cd_office-a"


@pytest.fixture
def world(engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def _overdue_keys(world: World, now: datetime, process: str) -> set[str]:
    """The SQL twin of ``is_overdue``: the keys it selects."""
    with Session(world.db) as session:
        rows = session.exec(
            select(Instance.key).where(overdue_clause(now), Instance.definition_id == process)
        ).all()
    return set(rows)


def _escalations(world: World, key: str) -> list[Escalation]:
    inst = get_instance(world.db, key)
    with Session(world.db) as session:
        return list(
            session.exec(
                select(Escalation)
                .where(Escalation.instance_id == inst.id)
                .order_by(col(Escalation.level))
            ).all()
        )


def _messages(world: World, escalation_id: int | None) -> list[OutboxMessage]:
    with Session(world.db) as session:
        return list(
            session.exec(
                select(OutboxMessage).where(OutboxMessage.escalation_id == escalation_id)
            ).all()
        )


# --- 1. a waiting state never hides a deadline ---------------------------------------


def test_activity3_waiting_on_its_tambon_plan_is_overdue_on_1_aug_2568(world: World) -> None:
    inst = get_instance(world.db, A3)
    assert inst.state == "await_tambon_plan"  # nothing done: the tambon plan is unfinished
    assert get_instance(world.db, TP).state == "draft_kbt_order"
    last_june, first_july = bkk(2025, 6, 30, 23, 59, 59), bkk(2025, 7, 1, 0, 0, 0)
    # due with the step it blocks (kickoff, end of June): not a moment before
    assert not is_overdue(inst.due_at, inst.completed_at, last_june)
    assert is_overdue(inst.due_at, inst.completed_at, first_july)
    assert A3 not in _overdue_keys(world, last_june, "activity3")
    assert A3 in _overdue_keys(world, first_july, "activity3")
    first_august = bkk(2025, 8, 1, 9, 0, 0)
    assert is_overdue(inst.due_at, None, first_august)
    assert A3 in _overdue_keys(world, first_august, "activity3")
    assert days_late(inst.due_at, first_august) == 32
    # the status roll-up and the instance view read the same rule: no shell change needed
    a3 = next(
        p
        for p in area_rollup(world.db, world.catalog, 2568, "24", first_august).processes
        if p.process == "activity3"
    )
    assert a3.overdue == a3.total == 11  # one strong tambon per district, all waiting
    view = instance_view(world.db, world.catalog, A3, first_august)
    assert view.overdue and view.as_dict()["days_late"] == 32


def test_the_sweep_escalates_a_waiting_activity3_and_names_the_plan_it_waits_on(
    world: World,
) -> None:
    run_sweep(world.engine, bkk(2025, 6, 22, 23, 59, 59))
    assert [e.kind for e in _escalations(world, A3)] == []
    run_sweep(world.engine, bkk(2025, 6, 23, 0, 0, 0))  # 7 days before 30 June
    assert [(e.kind, e.level) for e in _escalations(world, A3)] == [("reminder", 0)]
    run_sweep(world.engine, bkk(2025, 6, 30, 23, 59, 59))
    assert [e.level for e in _escalations(world, A3)] == [0]
    run_sweep(world.engine, bkk(2025, 7, 1, 0, 0, 0))
    overdue = _escalations(world, A3)[-1]
    assert (overdue.kind, overdue.level) == ("overdue", 1)
    # the lead while it waits (nobody's step): the district CD office, and its chief
    assert overdue.recipients == ["district_cd_office", "district_chief"]
    messages = _messages(world, overdue.id)
    assert len(messages) == 2
    body = messages[0].body
    # which tambon plan, at which step, whose
    assert TP in body
    assert "อยู่ที่ขั้น “ร่างคำสั่งแต่งตั้ง" in body or "อยู่ที่ขั้น" in body
    tp_step = world.catalog.get("tambon_plan").state("draft_kbt_order").label
    assert tp_step.th in body and tp_step.en in body
    cd_office = world.catalog.roles["district_cd_office"].label
    assert f"ผู้ต้องดำเนินการ {cd_office.th}" in body
    assert f"to be done by {cd_office.en}" in body
    run_sweep(world.engine, bkk(2025, 8, 1, 0, 0, 0))  # 14 days late and more: CDD heard
    assert [e.level for e in _escalations(world, A3)] == [0, 1, 2, 3]


def test_the_district_plan_waiting_on_tambon_plans_is_due_with_its_needs_plan(
    world: World,
) -> None:
    district = instance_key(2568, "district_plan", "2401")
    for _ in range(4):  # propose, sign, review, classify: then it waits on tambon plans
        inst = get_instance(world.db, district)
        step = world.catalog.get("district_plan").transitions_from(inst.state)[0]
        role = next(r for r in step.roles if f"{r}-a" in world.actors.values())
        files = evidence_of([(s.id, world.pdf) for s in step.evidence if s.required])
        world.engine.advance(district, step.trigger, f"{role}-a", evidence=files)
    inst = get_instance(world.db, district)
    assert inst.state == "await_tambon_plans"
    assert not is_overdue(inst.due_at, None, bkk(2025, 4, 30, 23, 59, 59))
    assert is_overdue(inst.due_at, None, bkk(2025, 5, 1, 0, 0, 0))


# --- 6. BPM within 7 days of the event -------------------------------------------------


def _to_evaluate(
    world: World, workshop_day: str, recorded: datetime, *, evaluate: bool = True
) -> None:
    world.engine.advance(A2, "meeting_set", DISTRICT_CD, data={"meeting_date": "2568-03-01"})
    world.clock.set(recorded)
    world.engine.advance(
        A2,
        "workshop_held",
        DISTRICT_CD,
        evidence=evidence_of([("attendance", world.pdf)]),
        data={"participants": 25, "workshop_date": workshop_day},
    )
    if evaluate:
        world.engine.advance(A2, "evaluated", DISTRICT_CD, data={"plan_usable": True})


def test_a_28_mar_2568_workshop_has_its_bpm_due_4_apr_2568(world: World) -> None:
    world.clock.set(bkk(2025, 3, 20, 9))
    _to_evaluate(world, "28 มี.ค. 68", bkk(2025, 3, 29, 10))  # recorded the next day
    inst = get_instance(world.db, A2)
    assert inst.state == "bpm_record"
    # 7 days after the workshop day entered; report no. 1 (31 Mar) does not cap it
    assert inst.due_at == bkk(2025, 4, 4, 23, 59, 59).astimezone(UTC)
    assert not is_overdue(inst.due_at, None, bkk(2025, 4, 4, 23, 59, 59))
    assert is_overdue(inst.due_at, None, bkk(2025, 4, 5, 0, 0, 0))
    assert A2 not in _overdue_keys(world, bkk(2025, 4, 1, 0, 0, 0), "activity2")
    assert A2 in _overdue_keys(world, bkk(2025, 4, 5, 0, 0, 0), "activity2")


def test_the_instance_view_shows_the_bpm_deadline_before_it_is_reached(world: World) -> None:
    world.clock.set(bkk(2025, 3, 20, 9))
    _to_evaluate(world, "28 มี.ค. 68", bkk(2025, 3, 29, 10), evaluate=False)
    view = instance_view(world.db, world.catalog, A2, bkk(2025, 3, 30, 9))
    assert view.inst.state == "evaluate"
    bpm = next(s for s in view.steps if s.id == "bpm_record")
    assert bpm.due_at == bkk(2025, 4, 4, 23, 59, 59).astimezone(UTC)


def test_bpm_counts_from_the_day_entered_not_the_day_recorded(world: World) -> None:
    world.clock.set(bkk(2025, 3, 10, 9))
    _to_evaluate(world, "2568-03-05", bkk(2025, 3, 11, 9))  # held 5 Mar, recorded 11 Mar
    inst = get_instance(world.db, A2)
    assert inst.due_at == bkk(2025, 3, 12, 23, 59, 59).astimezone(UTC)
    assert is_overdue(inst.due_at, None, bkk(2025, 3, 13, 0, 0, 0))


def test_a_workshop_day_outside_the_activity_window_is_refused_and_says_so(
    world: World,
) -> None:
    world.clock.set(bkk(2025, 3, 20, 9))
    world.engine.advance(A2, "meeting_set", DISTRICT_CD)
    before = get_instance(world.db, A2)
    with pytest.raises(WorkflowError) as refused:
        world.engine.advance(
            A2,
            "workshop_held",
            DISTRICT_CD,
            evidence=evidence_of([("attendance", world.pdf)]),
            data={"participants": 25, "workshop_date": "2568-04-02"},
        )
    text = f"{refused.value.th} {refused.value.en}"
    assert "workshop_date" in text or "วันที่จัดประชุมเชิงปฏิบัติการ" in text
    assert "31" in text  # the window's last day is named
    after = get_instance(world.db, A2)
    assert (after.state, after.version) == (before.state, before.version)


# --- 7. notices go to whoever must act -------------------------------------------------


def test_drafting_the_kbt_order_is_the_district_cd_offices_not_the_kbts(world: World) -> None:
    assert world.catalog.get("tambon_plan").lead_role == "kbt"
    run_sweep(world.engine, bkk(2024, 12, 17, 23, 59, 59))
    assert [e.level for e in _escalations(world, TP) if e.level >= 0] == []
    run_sweep(world.engine, bkk(2024, 12, 18, 0, 0, 0))  # 7 days before 25 Dec 2567
    reminder = next(e for e in _escalations(world, TP) if e.level == 0)
    assert reminder.recipients == ["district_cd_office"]
    assert [m.role for m in _messages(world, reminder.id)] == ["district_cd_office"]


def test_proposing_the_kbo_order_is_the_district_chiefs(world: World) -> None:
    district = instance_key(2568, "district_plan", "2401")
    run_sweep(world.engine, bkk(2025, 5, 1, 0, 0, 0))
    overdue = next(e for e in _escalations(world, district) if e.level == 1)
    assert world.catalog.get("district_plan").lead_role == "kbo"
    assert overdue.recipients == ["district_chief"]  # it does the step and supervises


def _village_plan_rungs(world: World, level: int) -> tuple[int, list[OutboxMessage]]:
    with Session(world.db) as session:
        rows = session.exec(
            select(Escalation)
            .join(Instance, col(Instance.id) == Escalation.instance_id)
            .where(Instance.definition_id == "village_plan", Escalation.level == level)
        ).all()
        ids = [e.id for e in rows]
        messages = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.escalation_id).in_(ids))
        ).all()
    return len(rows), list(messages)


def test_one_forum_calendar_reminder_per_district(world: World) -> None:
    with Session(world.db) as session:
        villages = session.exec(
            select(func.count())
            .select_from(Instance)
            .where(Instance.definition_id == "village_plan")
        ).one()
        districts = session.exec(
            select(func.count(func.distinct(func.substr(Instance.area_code, 1, 4)))).where(
                Instance.definition_id == "village_plan"
            )
        ).one()
        chachoengsao = session.exec(select(Area.name_th).where(Area.code == "2401")).one()
    assert villages > districts == 11
    run_sweep(world.engine, bkk(2025, 2, 20, 23, 59, 59))
    assert _village_plan_rungs(world, 0) == (0, [])
    run_sweep(world.engine, bkk(2025, 2, 21, 0, 0, 0))  # 7 days before 28 Feb 2568
    rows, messages = _village_plan_rungs(world, 0)
    assert rows == villages  # every village's rung is recorded ...
    assert len(messages) == districts  # ... one reminder per district, to its chief
    assert {m.role for m in messages} == {"district_chief"}
    assert sorted(m.area_code for m in messages) == sorted({m.area_code for m in messages})
    in_2401 = next(m for m in messages if m.area_code == "2401")
    assert chachoengsao in in_2401.body and "ทำครั้งเดียวต่ออำเภอ" in in_2401.body
    assert "done once per district" in in_2401.body
    run_sweep(world.engine, bkk(2025, 2, 21, 12, 0, 0))  # again the same day: nothing more
    assert len(_village_plan_rungs(world, 0)[1]) == districts
    run_sweep(world.engine, bkk(2025, 3, 1, 0, 0, 0))  # the overdue rung: once per district
    rows, messages = _village_plan_rungs(world, 1)
    assert rows == villages
    # the chief does the step and supervises it: one message per district
    assert len(messages) == districts and {m.role for m in messages} == {"district_chief"}


# --- the declarations behind them are checked ------------------------------------------


def _problems(tmp_path, process: str, old: str, new: str) -> list[str]:
    from plancycle.definitions import DefinitionError, load_catalog
    from plancycle.definitions.loader import DATA_DIR

    text = (DATA_DIR / f"{process}.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{process}.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_catalog([path])
    return [p.message for p in info.value.problems]


def test_a_deadline_from_a_date_no_step_records_is_refused(tmp_path) -> None:
    found = _problems(tmp_path, "activity2", "field: workshop_date", "field: held_on")
    assert any(
        "counts from field 'held_on'" in m and "transition 'workshop_held'" in m for m in found
    ), found


def test_a_deadline_from_an_optional_date_is_refused(tmp_path) -> None:
    """Left optional, BPM's 7 days would silently count from the day the step was
    recorded (issue #13 item 6): the definition must make the date required."""
    old = "      - name: workshop_date\n        type: date\n        required: true"
    found = _problems(tmp_path, "activity2", old, old.replace("true", "false"))
    assert any(
        "counts from field 'workshop_date'" in m and "must mark required: true" in m for m in found
    ), found


def test_a_workshop_recorded_without_its_date_is_refused_and_changes_nothing(
    world: World,
) -> None:
    world.clock.set(bkk(2025, 3, 20, 9))
    world.engine.advance(A2, "meeting_set", DISTRICT_CD)
    before = get_instance(world.db, A2)
    with pytest.raises(WorkflowError) as refused:
        world.engine.advance(A2, "workshop_held", DISTRICT_CD, data={"participants": 25})
    assert "missing data workshop_date" in refused.value.en
    assert "workshop_date" in refused.value.th
    after = get_instance(world.db, A2)
    assert (after.state, after.version, after.due_at) == (
        before.state,
        before.version,
        before.due_at,
    )


def test_once_per_names_an_area_level(tmp_path) -> None:
    found = _problems(tmp_path, "village_plan", "once_per: district", "once_per: county")
    assert any("once_per" in m for m in found), found
