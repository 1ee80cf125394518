"""Deadline extensions (issue 14, item 2): one instance's step or a process's step in an
area, by the provincial CD office or an administrator; the overdue flag and the ladder
follow the new deadline; refusals change nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import Session, col, func, select

from plancycle.store.models import DeadlineExtension, Escalation, Instance, OutboxMessage
from plancycle.workflow.audit import replay, verify
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.errors import NotAllowed, OutOfScope, WorkflowError
from plancycle.workflow.extensions import (
    ExtendRequest,
    NotExtendable,
    effective_due,
    extend_deadline,
    list_extensions,
)
from plancycle.workflow.overdue import is_overdue
from plancycle.workflow.reports import get_instance, history
from plancycle.workflow.sweep_apply import run_sweep
from plancycle.workflow.withdraw import AdminTrigger
from tests.world import World, bkk, populate

A2 = instance_key(2568, "activity2", "240101")
A2_OTHER = instance_key(2568, "activity2", "240102")
A2_ELSEWHERE = instance_key(2568, "activity2", "240201")
PROVINCE = "provincial_cd_office-a"


@pytest.fixture
def world(engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def _rows(world: World, key: str) -> tuple[list[tuple[int, int]], int]:
    """((step occurrence, level) of its escalations, outbox messages of the instance)."""
    inst = get_instance(world.db, key)
    with Session(world.db) as session:
        esc = session.exec(
            select(Escalation.step_seq, Escalation.level)
            .where(col(Escalation.instance_id) == inst.id)
            .order_by(col(Escalation.step_seq), col(Escalation.level))
        ).all()
        ids = select(Escalation.id).where(col(Escalation.instance_id) == inst.id)
        msgs = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.escalation_id).in_(ids))
        ).one()
    return [tuple(r) for r in esc], int(msgs)


def _late(world: World, key: str, now) -> bool:
    inst = get_instance(world.db, key)
    return is_overdue(inst.due_at, inst.completed_at, now)


def _extend(world: World, **kw) -> object:
    fields = {"actor_id": PROVINCE, "state": "coordinate", "reason": "น้ำท่วมพื้นที่อำเภอ"}
    fields.update(kw)
    return extend_deadline(world.db, world.catalog, ExtendRequest(**fields), kw.pop("now", NOW))


NOW = bkk(2025, 4, 9, 10, 0, 0)


def test_extension_moves_the_overdue_flag_and_restarts_the_ladder(world: World) -> None:
    run_sweep(world.engine, bkk(2025, 4, 9, 0, 0, 0))
    before, sent = _rows(world, A2)
    seq = before[0][0]
    assert before == [(seq, -1), (seq, 0), (seq, 1), (seq, 2)] and sent > 0
    assert _late(world, A2, NOW)

    done = extend_deadline(
        world.db,
        world.catalog,
        ExtendRequest(PROVINCE, "coordinate", date(2025, 4, 12), "น้ำท่วมพื้นที่ตำบล", key=A2),
        NOW,
    )
    assert [k for k, _ in done.moved] == [A2]
    inst = get_instance(world.db, A2)
    assert inst.due_at == bkk(2025, 4, 12, 23, 59, 59)
    assert not _late(world, A2, NOW)  # the flag clears at once
    # the new occurrence keeps the opening and the reminder (its time under 12 Apr, 5 Apr,
    # has passed and it was sent); overdue and the escalation are to come again
    after, _ = _rows(world, A2)
    assert [(s, lv) for s, lv in after if s == seq + 1] == [(seq + 1, -1), (seq + 1, 0)]

    quiet = run_sweep(world.engine, bkk(2025, 4, 12, 23, 0, 0))
    assert sum(quiet.notices.values()) == 0 and _rows(world, A2)[1] == sent  # nothing resent

    run_sweep(world.engine, bkk(2025, 4, 13, 0, 0, 0))
    again, sent_again = _rows(world, A2)
    assert (seq + 1, 1) in again and sent_again > sent  # overdue again, told again
    assert _late(world, A2, bkk(2025, 4, 13, 0, 0, 0))
    run_sweep(world.engine, bkk(2025, 4, 20, 0, 0, 0))
    assert (seq + 1, 2) in _rows(world, A2)[0]  # 7 days after the new date

    _, records = history(world.db, A2)
    ext = records[-1]
    assert ext.trigger == AdminTrigger.EXTEND.value and ext.actor_id == PROVINCE
    assert ext.data["until"] == "2025-04-12" and ext.data["reason"] == "น้ำท่วมพื้นที่ตำบล"
    assert verify(world.db)[1] == [] and replay(world.db, world.catalog)[1] == []


def test_area_extension_reaches_the_districts_instances_and_later_entrants(world: World) -> None:
    now = bkk(2025, 3, 20, 9)
    done = extend_deadline(
        world.db,
        world.catalog,
        ExtendRequest(
            PROVINCE,
            "workshop",
            date(2025, 4, 30),
            "อบรมล่าช้าทั้งอำเภอ",
            process="activity2",
            area="2401",
        ),
        now,
    )
    assert done.moved == ()  # nobody is at the workshop step yet
    world.clock.set(now)
    world.engine.advance(A2, "meeting_set", "district_cd_office-a")
    world.engine.advance(A2_ELSEWHERE, "meeting_set", "admin-a")
    assert get_instance(world.db, A2).due_at == bkk(2025, 4, 30, 23, 59, 59)
    assert get_instance(world.db, A2_ELSEWHERE).due_at == bkk(2025, 3, 31, 23, 59, 59)

    # the whole province's coordinate step: every instance in it moves, in one go
    wide = extend_deadline(
        world.db,
        world.catalog,
        ExtendRequest(
            "admin-a",
            "coordinate",
            date(2025, 4, 15),
            "ประชุมจังหวัดเลื่อน",
            process="activity2",
            area="24",
        ),
        now,
    )
    keys = [k for k, _ in wide.moved]
    assert A2_OTHER in keys and A2 not in keys and A2_ELSEWHERE not in keys
    assert get_instance(world.db, A2_OTHER).due_at == bkk(2025, 4, 15, 23, 59, 59)
    # the narrower (district) extension beats the wider (province) one, the instance's
    # own beats both, the latest record of a scope wins
    narrow = extend_deadline(
        world.db,
        world.catalog,
        ExtendRequest(
            PROVINCE,
            "coordinate",
            date(2025, 4, 20),
            "อำเภอขอขยาย",
            process="activity2",
            area="2401",
        ),
        now,
    )
    assert A2_OTHER in [k for k, _ in narrow.moved]
    assert get_instance(world.db, A2_OTHER).due_at == bkk(2025, 4, 20, 23, 59, 59)
    with Session(world.db) as session:
        rows = list(session.exec(select(DeadlineExtension)).all())
    coord = [r for r in rows if r.state == "coordinate"]
    assert effective_due(None, coord, A2_OTHER, "240102") == bkk(2025, 4, 20, 23, 59, 59)
    assert effective_due(None, coord, "2568/activity2/240201", "240201") == bkk(
        2025, 4, 15, 23, 59, 59
    )
    listed = list_extensions(world.db, area="2401")
    assert [r.area_code for r in listed] == ["2401", "24", "2401"]
    assert verify(world.db)[1] == [] and replay(world.db, world.catalog)[1] == []


@pytest.mark.parametrize(
    ("fields", "refusal", "words"),
    [
        ({"actor_id": "district_cd_office-a"}, NotAllowed, "ขยายกำหนดเวลาในพื้นที่"),
        ({"actor_id": "cd-2402"}, OutOfScope, "ไม่พบรายการ"),
        ({"until": date(2025, 3, 30)}, NotExtendable, "ไม่ช้ากว่ากำหนดเวลาปัจจุบัน"),
        ({"until": date(2025, 10, 2)}, NotExtendable, "อยู่นอกปีงบประมาณ 2568"),
        ({"reason": "   "}, NotExtendable, "ระบุเหตุผล"),
        ({"state": "no_such_step"}, NotExtendable, "ไม่มีขั้น"),
        ({"state": "workshop"}, NotExtendable, "อยู่ที่ขั้น"),
        ({"state": "done"}, NotExtendable, "ไม่มีขั้น"),
    ],
)
def test_bad_extensions_are_refused_and_change_nothing(
    world: World, fields: dict, refusal: type[WorkflowError], words: str
) -> None:
    ask = {
        "actor_id": PROVINCE,
        "state": "coordinate",
        "until": date(2025, 4, 30),
        "reason": "น้ำท่วมพื้นที่ตำบล",
        "key": A2,
    }
    ask.update(fields)
    before = get_instance(world.db, A2)
    with pytest.raises(refusal) as caught:
        extend_deadline(world.db, world.catalog, ExtendRequest(**ask), bkk(2025, 3, 20, 9))
    assert words in caught.value.th and caught.value.en != caught.value.th
    after = get_instance(world.db, A2)
    assert (after.version, after.due_at) == (before.version, before.due_at)
    assert list_extensions(world.db) == []


def test_a_finished_instance_is_refused(world: World) -> None:
    from plancycle.workflow.walk import walk

    world.clock.set(bkk(2024, 12, 10, 9))
    walk(world.engine, "2568/orders/2401", world.actors, world.pdf)
    with pytest.raises(NotExtendable) as caught:
        extend_deadline(
            world.db,
            world.catalog,
            ExtendRequest(
                "admin-a", "review", date(2025, 4, 30), "เอกสารล่าช้า", key="2568/orders/2401"
            ),
            bkk(2025, 3, 20, 9),
        )
    assert "เสร็จสิ้นแล้ว" in caught.value.th and "finished" in caught.value.en


def test_an_area_extension_before_a_current_deadline_is_refused(world: World) -> None:
    now = bkk(2025, 3, 20, 9)
    extend_deadline(
        world.db,
        world.catalog,
        ExtendRequest(PROVINCE, "coordinate", date(2025, 4, 30), "ขยายรายตำบล", key=A2),
        now,
    )
    # A2's own extension decides it: a district extension to an earlier day is fine
    extend_deadline(
        world.db,
        world.catalog,
        ExtendRequest(
            PROVINCE,
            "coordinate",
            date(2025, 4, 10),
            "ขยายทั้งอำเภอ",
            process="activity2",
            area="2401",
        ),
        now,
    )
    assert get_instance(world.db, A2).due_at == bkk(2025, 4, 30, 23, 59, 59)
    wide = ExtendRequest(
        PROVINCE, "coordinate", date(2025, 4, 20), "ขยายทั้งจังหวัด", process="activity2", area="24"
    )
    moved = extend_deadline(world.db, world.catalog, wide, now).moved
    assert moved and all(not k.startswith("2568/activity2/2401") for k, _ in moved)
    with Session(world.db) as session:
        versions = dict(session.exec(select(Instance.key, Instance.version)).all())
    # a later province extension to a day before its 20 Apr is refused, whole: the other
    # districts' instances already have 20 Apr
    with pytest.raises(NotExtendable) as caught:
        extend_deadline(world.db, world.catalog, replace(wide, until=date(2025, 4, 15)), now)
    assert "20 เม.ย. 2568" in caught.value.th
    with Session(world.db) as session:
        assert dict(session.exec(select(Instance.key, Instance.version)).all()) == versions
    assert len(list_extensions(world.db)) == 3


def test_an_area_extension_holds_for_instances_a_cycle_start_creates(world: World) -> None:
    """An extension recorded before the cycle's instances of the area exist (here: one
    instance of district 2402 made again) is applied as cycle start creates them."""
    from plancycle.workflow.cycle import start_cycle

    with Session(world.db) as session, session.begin():
        session.add(
            DeadlineExtension(
                at=bkk(2024, 11, 1, 9),
                actor_id=PROVINCE,
                role="provincial_cd_office",
                fiscal_year=2568,
                definition_id="activity2",
                state="coordinate",
                area_code="2402",
                until=bkk(2025, 4, 30, 23, 59, 59),
                reason="ตำบลใหม่เริ่มช้า",
            )
        )
        gone = session.exec(select(Instance).where(col(Instance.key) == A2_ELSEWHERE)).one()
        session.delete(gone)
    start_cycle(world.db, world.catalog, 2568, "24", world.clock)
    assert get_instance(world.db, A2_ELSEWHERE).due_at == bkk(2025, 4, 30, 23, 59, 59)
    assert get_instance(world.db, A2).due_at == bkk(2025, 3, 31, 23, 59, 59)
