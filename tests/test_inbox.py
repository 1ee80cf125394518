"""The inbox read model (``workflow/inbox.py``) on a populated Chachoengsao, on SQLite and
PostgreSQL: scope, order (overdue first, then by due instant), days late and left,
groups with counts, "waiting on others" naming the role and the office, filters, pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.store.models import Contact, Instance
from plancycle.workflow.errors import NotAllowed
from plancycle.workflow.inbox import BadInboxFilter, Inbox, InboxActor, InboxFilter, inbox
from plancycle.workflow.reports import AreaFilter
from tests.world import World, bkk, populate

OFFICE = InboxActor("district_cd_office-a", "district_cd_office", "2401")
CHIEF = InboxActor("district_chief-a", "district_chief", "2401")
PROVINCE = InboxActor("provincial_cd_office-a", "provincial_cd_office", "24")
NOW = bkk(2025, 1, 10, 9)  # the tambon plans' KBT orders (due 25 Dec 2567) are late


@pytest.fixture
def world(engine: sa.Engine, tmp_path: Path) -> World:
    return populate(engine, tmp_path)


def _inbox(world: World, actor: InboxActor, now: datetime = NOW, **kw: object) -> Inbox:
    flt = InboxFilter(2568, **kw)  # type: ignore[arg-type]
    return inbox(world.db, world.catalog, actor, flt, now)


def _keys(found: Inbox) -> list[str]:
    return [r.key for g in (*found.mine, *found.waiting) for r in g.rows]


def _set_due(world: World, due: dict[str, datetime]) -> None:
    with Session(world.db) as session, session.begin():
        for key, at in due.items():
            inst = session.exec(select(Instance).where(col(Instance.key) == key)).one()
            inst.due_at = at
            session.add(inst)


def test_a_district_sees_only_its_district(world: World) -> None:
    found = _inbox(world, OFFICE, limit=500)
    keys = _keys(found)
    assert keys and all(k.rsplit("/", 1)[1].startswith("2401") for k in keys)
    assert found.flt.area.code == "2401"
    province = _inbox(world, PROVINCE, limit=500)
    districts = {k.rsplit("/", 1)[1][:4] for k in _keys(province)}
    assert {"2401", "2402"} <= districts
    with pytest.raises(NotAllowed):
        _inbox(world, OFFICE, area=AreaFilter(district="2402"))


def test_mine_lists_what_the_role_may_do_with_counts_and_triggers(world: World) -> None:
    found = _inbox(world, OFFICE, limit=500)
    groups = {(g.process, g.state): g for g in found.mine}
    tambon = groups[("tambon_plan", "draft_kbt_order")]
    assert tambon.total == len(tambon.rows) == 19 and tambon.overdue == 19
    assert [t for t, _ in tambon.triggers] == ["kbt_order_proposed"]
    assert groups[("activity2", "coordinate")].triggers[0][0] == "meeting_set"
    assert groups[("activity2", "coordinate")].overdue == 0
    # the district plan's first step is the district chief's: it waits, it is not mine
    assert ("district_plan", "propose_kbo_order") not in groups
    as_dict = found.as_dict()
    assert as_dict["mine"]["total"] == sum(g.total for g in found.mine)
    assert as_dict["mine"]["overdue"] == 19 + 1  # and the orders' review (due 25 Dec)


def test_overdue_first_then_by_due_instant(world: World) -> None:
    key = "2568/village_plan/2401010{}"
    _set_due(
        world,
        {
            key.format(3): NOW + timedelta(days=2),
            key.format(1): NOW - timedelta(days=3),
            key.format(2): NOW - timedelta(days=1),
        },
    )
    found = _inbox(world, OFFICE, process="village_plan", limit=5)
    (group,) = found.mine
    rows = group.rows
    assert [r.key for r in rows[:3]] == [key.format(1), key.format(2), key.format(3)]
    assert [(r.overdue, r.days_late, r.days_left) for r in rows[:3]] == [
        (True, 3, None),
        (True, 1, None),
        (False, 0, 2),
    ]
    assert group.overdue == 2
    # the groups too: the one holding the earliest deadline first
    order = [g.process for g in _inbox(world, OFFICE).mine]
    assert order[0] in ("orders", "tambon_plan")  # both due 25 Dec 2567, late now
    assert order.index("village_plan") < order.index("activity2")


def test_waiting_on_others_names_the_role_and_the_office(world: World) -> None:
    with Session(world.db) as session, session.begin():
        session.add(
            Contact(
                area_code="2401",
                role="district_chief",
                channel="email",
                address="chief@example.go.th",
                name="นายอำเภอเมืองฉะเชิงเทรา",
            )
        )
        session.add(
            Contact(
                area_code="2401",
                role="district_admin_office",
                channel="webhook",
                address="https://hooks.example/secret",
            )
        )
    found = _inbox(world, OFFICE)
    (group,) = [g for g in found.waiting if g.process == "district_plan"]
    assert group.state == "propose_kbo_order"
    assert [r for r, _ in group.roles] == ["district_chief", "district_admin_office"]
    assert group.roles[0][1].th == "นายอำเภอ"
    (row,) = group.rows
    chief, admin = row.waiting_on
    assert (chief.role, chief.area_code, chief.offices) == (
        "district_chief",
        "2401",
        ("นายอำเภอเมืองฉะเชิงเทรา",),
    )
    assert admin.offices == ()  # a webhook's address is never shown
    assert group.triggers == ()
    # the chief's own inbox has it, and the office's tambon plans wait on the office
    chief_inbox = _inbox(world, CHIEF)
    assert any(g.process == "district_plan" for g in chief_inbox.mine)
    waits = {g.process: g for g in chief_inbox.waiting}
    assert waits["tambon_plan"].roles[0][0] == "district_cd_office"


def test_filters_by_process_step_and_area(world: World) -> None:
    only = _inbox(world, OFFICE, process="activity2", state="coordinate")
    assert [(g.process, g.state) for g in only.mine] == [("activity2", "coordinate")]
    assert only.waiting == ()
    tambon = _inbox(world, OFFICE, area=AreaFilter(tambon="240101"), limit=500)
    keys = _keys(tambon)
    assert keys and all(k.rsplit("/", 1)[1].startswith("240101") for k in keys)
    province_narrowed = _inbox(world, PROVINCE, area=AreaFilter(district="2403"), limit=500)
    assert {k.rsplit("/", 1)[1][:4] for k in _keys(province_narrowed)} == {"2403"}
    for bad in ({"process": "nope"}, {"process": "activity2", "state": "nope"}, {"limit": 0}):
        with pytest.raises(BadInboxFilter) as caught:
            _inbox(world, OFFICE, **bad)
        assert caught.value.th and caught.value.en  # both languages


def test_pages_of_a_group_and_done_instances_leave(world: World) -> None:
    first = _inbox(world, OFFICE, process="village_plan", limit=50)
    second = _inbox(world, OFFICE, process="village_plan", limit=50, offset=50)
    a, b = first.mine[0], second.mine[0]
    assert a.total == b.total > 100 and len(a.rows) == len(b.rows) == 50
    assert not {r.key for r in a.rows} & {r.key for r in b.rows}
    key = "2568/activity2/240101"
    world.engine.advance(key, "meeting_set", world.actors["district_cd_office"])
    moved = _inbox(world, OFFICE, process="activity2", limit=500)
    states = {g.state: {r.key for r in g.rows} for g in moved.mine}
    assert key in states["workshop"] and key not in states["coordinate"]
