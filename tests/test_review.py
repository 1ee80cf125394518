"""The review loop of real offices (issue 13, item 9), on SQLite and PostgreSQL with the
clock held by the world's ManualClock:

- a step recorded on behalf of the role that performs it (the district CD office records
  that the district chief signed the KBT order), only with the signed order attached;
- a completed step sent back by the province with a comment: the instance returns to the
  step, its lead is told, the history shows it;
- a step's data corrected by a new record while the instance has not moved on: the report
  columns read the corrected value, the history keeps both.

Every record is in the audit chain: ``audit verify`` and ``audit replay`` find nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, func, select

from plancycle.definitions.model import ReportColumn
from plancycle.store.models import Escalation, OutboxMessage, TransitionRecord
from plancycle.workflow.audit import CORRECT_TRIGGER, SEND_BACK_TRIGGER, replay, verify
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.errors import (
    BadStepInput,
    GuardFailed,
    MissingEvidence,
    NotAllowed,
)
from plancycle.workflow.report_values import report_values
from plancycle.workflow.reports import get_instance, history
from plancycle.workflow.review import correct, send_back
from plancycle.workflow.views import StepStatus, Who, instance_view
from tests.world import World, bkk, evidence_of, populate

TAMBON_PLAN = instance_key(2568, "tambon_plan", "240101")
ACTIVITY2 = instance_key(2568, "activity2", "240101")


@pytest.fixture
def world(engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def _records(world: World) -> int:
    with Session(world.db) as session:
        return session.exec(select(func.count()).select_from(TransitionRecord)).one()


def _audit_clean(world: World) -> None:
    assert verify(world.db)[1] == []
    assert replay(world.db, world.catalog)[1] == []


def _workshop_held(world: World, participants: int = 25) -> None:
    cd = world.actors["district_cd_office"]
    world.engine.advance(ACTIVITY2, "meeting_set", cd, data={"meeting_date": "2025-03-20"})
    world.engine.advance(
        ACTIVITY2,
        "workshop_held",
        cd,
        evidence=evidence_of([("attendance", world.pdf)]),
        data={"participants": participants, "workshop_date": "2025-02-03"},
    )


# --------------------------------------------------------------------------- #
# Record on behalf
# --------------------------------------------------------------------------- #


def test_cd_office_records_the_chiefs_signature_only_on_behalf_and_with_the_order(
    world: World,
) -> None:
    cd = world.actors["district_cd_office"]
    world.engine.advance(TAMBON_PLAN, "kbt_order_proposed", cd)
    before = _records(world)
    with pytest.raises(NotAllowed) as plain:  # its own role may not sign: the refusal says how
        world.engine.advance(TAMBON_PLAN, "kbt_order_signed", cd)
    assert "--on-behalf-of district_chief" in plain.value.en
    assert "บันทึกแทน" in plain.value.th
    with pytest.raises(MissingEvidence) as missing:  # on behalf needs the signed order
        world.engine.advance(TAMBON_PLAN, "kbt_order_signed", cd, on_behalf_of="district_chief")
    assert "kbt_order" in missing.value.en
    with pytest.raises(NotAllowed):  # only for the role the step declares
        world.engine.advance(
            TAMBON_PLAN,
            "kbt_order_signed",
            cd,
            evidence=evidence_of([("kbt_order", world.pdf)]),
            on_behalf_of="governor",
        )
    with pytest.raises(NotAllowed):  # and only by the roles it declares
        world.engine.advance(
            TAMBON_PLAN,
            "kbt_order_signed",
            world.actors["lao"],
            evidence=evidence_of([("kbt_order", world.pdf)]),
            on_behalf_of="district_chief",
        )
    assert _records(world) == before
    result = world.engine.advance(
        TAMBON_PLAN,
        "kbt_order_signed",
        cd,
        evidence=evidence_of([("kbt_order", world.pdf)]),
        on_behalf_of="district_chief",
    )
    assert result.to_state == "collect_inputs"
    _, records = history(world.db, TAMBON_PLAN)
    assert (records[-1].actor_id, records[-1].role, records[-1].on_behalf_of) == (
        cd,
        "district_cd_office",
        "district_chief",
    )
    _audit_clean(world)


def test_the_provincial_administration_records_the_governors_signature_on_behalf(
    world: World,
) -> None:
    """The governor signs the order appointing the ก.บ.อ.; the provincial administration
    office records it for the governor, with the signed order, never as its own step."""
    key = "2568/district_plan/2401"
    world.engine.advance(key, "kbo_order_proposed", world.actors["district_chief"])
    office = world.actors["provincial_admin_office"]
    with pytest.raises(NotAllowed) as plain:
        world.engine.advance(key, "kbo_order_signed", office)
    assert "--on-behalf-of governor" in plain.value.en
    with pytest.raises(MissingEvidence):
        world.engine.advance(key, "kbo_order_signed", office, on_behalf_of="governor")
    result = world.engine.advance(
        key,
        "kbo_order_signed",
        office,
        evidence=evidence_of([("kbo_order", world.pdf)]),
        on_behalf_of="governor",
    )
    assert result.to_state == "review_direction"
    _, records = history(world.db, key)
    assert (records[-1].role, records[-1].on_behalf_of) == ("provincial_admin_office", "governor")
    _audit_clean(world)


def test_the_chief_still_signs_without_on_behalf(world: World) -> None:
    world.engine.advance(TAMBON_PLAN, "kbt_order_proposed", world.actors["district_cd_office"])
    world.engine.advance(TAMBON_PLAN, "kbt_order_signed", world.actors["district_chief"])
    _, records = history(world.db, TAMBON_PLAN)
    assert records[-1].on_behalf_of is None
    _audit_clean(world)


def test_the_page_offers_on_behalf_and_names_who_must_otherwise_act(world: World) -> None:
    world.engine.advance(TAMBON_PLAN, "kbt_order_proposed", world.actors["district_cd_office"])
    view = instance_view(world.db, world.catalog, TAMBON_PLAN, world.clock.now())
    cd_office = Who("district_cd_office", "2401")
    assert [t.trigger for t in view.allowed(cd_office)] == []
    assert [(t.trigger, of) for t, of in view.on_behalf(cd_office)] == [
        ("kbt_order_signed", "district_chief")
    ]
    assert view.on_behalf(Who("district_cd_office", "2402")) == []
    assert view.must_act() == ("district_chief",)
    assert view.as_dict(cd_office)["next"][0]["on_behalf_of"] == "district_chief"


# --------------------------------------------------------------------------- #
# Send back
# --------------------------------------------------------------------------- #


def test_province_sends_a_step_back_with_a_comment_and_the_lead_is_told(world: World) -> None:
    _workshop_held(world)
    province = world.actors["provincial_cd_office"]
    before = _records(world)
    with pytest.raises(BadStepInput) as no_comment:
        send_back(world.engine, ACTIVITY2, province, "  ")
    assert "--comment" in no_comment.value.en and "ความเห็น" in no_comment.value.th
    with pytest.raises(NotAllowed):  # the district may not send its own step back
        send_back(world.engine, ACTIVITY2, world.actors["district_cd_office"], "แก้ไข")
    with pytest.raises(BadStepInput) as wrong_step:
        send_back(world.engine, ACTIVITY2, province, "แก้ไข", to_state="report")
    assert "coordinate" in wrong_step.value.en and "workshop" in wrong_step.value.en
    assert _records(world) == before

    world.clock.set(bkk(2025, 3, 25, 10))
    result = send_back(world.engine, ACTIVITY2, province, "รายชื่อผู้เข้าร่วมไม่ครบ")
    assert (result.from_state, result.to_state) == ("evaluate", "workshop")
    inst = get_instance(world.db, ACTIVITY2)
    assert inst.state == "workshop" and inst.due_at == result.due_at
    view = instance_view(world.db, world.catalog, ACTIVITY2, world.clock.now())
    status = {s.id: s.status for s in view.steps}
    assert status["workshop"] is StepStatus.CURRENT
    assert status["evaluate"] is StepStatus.PENDING
    assert status["coordinate"] is StepStatus.DONE
    last = view.as_dict()["history"][-1]
    assert (last["trigger"], last["note"], last["data"]) == (
        SEND_BACK_TRIGGER,
        "รายชื่อผู้เข้าร่วมไม่ครบ",
        {"returned": "workshop_held"},
    )
    with Session(world.db) as session:
        told = session.exec(select(OutboxMessage)).all()
    assert [(m.role, m.area_code) for m in told] == [("district_cd_office", "2401")]
    assert "รายชื่อผู้เข้าร่วมไม่ครบ" in told[0].body and ACTIVITY2 in told[0].subject
    # the district does the step again; the audit holds the whole loop
    _ = world.engine.advance(
        ACTIVITY2,
        "workshop_held",
        world.actors["district_cd_office"],
        evidence=evidence_of([("attendance", world.pdf)]),
        data={"participants": 30, "workshop_date": "2025-02-04"},
    )
    _audit_clean(world)


def test_nothing_to_send_back_before_any_step(world: World) -> None:
    with pytest.raises(BadStepInput) as nothing:
        send_back(world.engine, ACTIVITY2, world.actors["provincial_cd_office"], "แก้ไข")
    assert "no step" in nothing.value.en


def test_a_finished_instance_can_be_sent_back(world: World) -> None:
    _workshop_held(world)
    cd = world.actors["district_cd_office"]
    world.engine.advance(ACTIVITY2, "evaluated", cd, data={"plan_usable": True})
    world.engine.advance(ACTIVITY2, "bpm_recorded", cd)
    world.engine.advance(ACTIVITY2, "report_submitted", cd, data={"spent": 3900})
    assert get_instance(world.db, ACTIVITY2).completed_at is not None
    send_back(world.engine, ACTIVITY2, world.actors["provincial_cd_office"], "ยอดเงินไม่ตรง")
    inst = get_instance(world.db, ACTIVITY2)
    assert (inst.state, inst.completed_at) == ("report", None)
    _audit_clean(world)


# --------------------------------------------------------------------------- #
# Correct
# --------------------------------------------------------------------------- #


def _column(world: World, column: ReportColumn) -> object:
    inst, records = history(world.db, ACTIVITY2)
    values = report_values(world.catalog, "activity2", inst.definition_version, records)
    return values[column].value


def test_a_correction_supersedes_the_value_and_keeps_the_step(world: World) -> None:
    _workshop_held(world, participants=25)
    before = get_instance(world.db, ACTIVITY2)
    cd = world.actors["district_cd_office"]
    with pytest.raises(BadStepInput) as no_reason:
        correct(world.engine, ACTIVITY2, cd, {"participants": 31}, None)
    assert "--reason" in no_reason.value.en
    with pytest.raises(GuardFailed):  # the step's guards hold for the new values too
        correct(world.engine, ACTIVITY2, cd, {"participants": 12}, "นับใหม่")
    with pytest.raises(BadStepInput):  # the same value: nothing to correct
        correct(world.engine, ACTIVITY2, cd, {"participants": 25}, "นับใหม่")
    with pytest.raises(NotAllowed):  # the province reviews; it does not do the step
        correct(world.engine, ACTIVITY2, world.actors["lao"], {"participants": 31}, "x")

    world.clock.advance(timedelta(days=2))
    result = correct(world.engine, ACTIVITY2, cd, {"participants": "31"}, "นับรายชื่อใหม่")
    assert result.data == {"participants": 31}
    after = get_instance(world.db, ACTIVITY2)
    assert (after.state, after.due_at, after.state_entered_at) == (
        before.state,
        before.due_at,
        before.state_entered_at,
    )
    assert after.version == before.version + 1
    assert _column(world, ReportColumn.PARTICIPANTS) == 31
    _, records = history(world.db, ACTIVITY2)
    assert [(r.trigger, r.data) for r in records[-2:]] == [
        ("workshop_held", {"participants": 25, "workshop_date": "2025-02-03"}),
        (CORRECT_TRIGGER, {"participants": 31}),
    ]
    _audit_clean(world)


def test_no_correction_once_the_instance_moved_on(world: World) -> None:
    _workshop_held(world)
    cd = world.actors["district_cd_office"]
    world.engine.advance(ACTIVITY2, "evaluated", cd, data={"plan_usable": True})
    world.engine.advance(ACTIVITY2, "bpm_recorded", cd)  # no BPM day entered
    with pytest.raises(BadStepInput) as moved:
        # the newest step is the BPM record: only its day may be corrected now
        correct(world.engine, ACTIVITY2, cd, {"participants": 40}, "นับใหม่")
    assert "unknown data participants (this step takes: bpm_date)" in moved.value.en
    assert _column(world, ReportColumn.PARTICIPANTS) == 25


def test_a_correction_does_not_repeat_the_ladders_reminders(world: World) -> None:
    _workshop_held(world)
    with Session(world.db) as session, session.begin():
        inst = get_instance(world.db, ACTIVITY2)
        session.add(
            Escalation(
                instance_id=inst.id or 0,
                step_seq=inst.version,
                state=inst.state,
                level=0,
                kind="reminder",
                due_at=inst.due_at,
                at=world.clock.now(),
                recipients=["district_cd_office"],
            )
        )
    correct(world.engine, ACTIVITY2, world.actors["district_cd_office"], {"participants": 26}, "x")
    after = get_instance(world.db, ACTIVITY2)
    with Session(world.db) as session:
        carried = session.exec(
            select(Escalation.level).where(
                col(Escalation.instance_id) == after.id, col(Escalation.step_seq) == after.version
            )
        ).all()
    assert carried == [0]
