"""Target lists belong to a fiscal year (issue 13, item 2): FY2569 does not inherit
FY2568's strong tambons; one counted Activity 3 instance per district and year is a
database constraint; a changed strong tambon moves a started instance with no record
yet (audited) or is refused saying how."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.store.models import Area, Instance
from plancycle.store.targets import designate_strong_tambon, strong_tambons
from plancycle.workflow.audit import replay, verify
from plancycle.workflow.cycle import instance_key, start_cycle
from plancycle.workflow.reports import history
from plancycle.workflow.withdraw import (
    NotWithdrawable,
    designate_strong,
    withdraw_instance,
)
from tests.world import World, bkk, populate

ADMIN = ("local-admin", "admin")


@pytest.fixture
def world(engine: sa.Engine, tmp_path: Path) -> World:
    return populate(engine, tmp_path)


def _activity3(db: sa.Engine, fy: int) -> list[str]:
    with Session(db) as session:
        query = select(Instance.area_code).where(
            Instance.fiscal_year == fy,
            Instance.definition_id == "activity3",
            col(Instance.withdrawn_at).is_(None),
        )
        return sorted(session.exec(query).all())


def _last_tambons(db: sa.Engine) -> list[str]:
    """The last tambon by code of each district of province 24 (not the placeholders)."""
    with Session(db) as session:
        query = (
            select(sa.func.max(Area.code))
            .where(Area.level == "tambon", Area.province_code == "24")
            .group_by(col(Area.parent_code))
        )
        return sorted(session.exec(query).all())


def test_fy2569_has_its_own_strong_tambons(world: World) -> None:
    with Session(world.db) as session:
        fy2568 = strong_tambons(session, 2568, "24")
    assert len(fy2568) == 11 and _activity3(world.db, 2568) == fy2568
    # FY2569 inherits nothing: no Activity 3 until its own list is set, and cycle start says so
    world.clock.set(bkk(2025, 10, 2, 9))
    started = start_cycle(world.db, world.catalog, 2569, "24", world.clock)
    assert started.created["activity3"] == 0
    warned = [w.en for w in started.warnings if w.en.startswith("activity3")]
    assert warned and "--fy 2569" in warned[0]
    # a different list for FY2569
    fy2569 = _last_tambons(world.db)
    assert not set(fy2569) & set(fy2568)
    designate_strong(world.db, 2569, fy2569, ADMIN, world.clock.now())
    started = start_cycle(world.db, world.catalog, 2569, "24", world.clock)
    assert started.created["activity3"] == 11
    assert _activity3(world.db, 2569) == fy2569
    assert _activity3(world.db, 2568) == fy2568  # FY2568's untouched
    with Session(world.db) as session:
        assert strong_tambons(session, 2568, "24") == fy2568


def test_one_activity3_instance_per_district_is_a_database_constraint(world: World) -> None:
    strong = _activity3(world.db, 2568)[0]
    with Session(world.db) as session:
        inst = session.exec(
            select(Instance).where(col(Instance.key) == instance_key(2568, "activity3", strong))
        ).one()
        other = next(c for c in _last_tambons(world.db) if c[:4] == strong[:4])
        twin = Instance(
            **{
                **inst.model_dump(exclude={"id", "key", "area_code"}),
                "key": instance_key(2568, "activity3", other),
                "area_code": other,
            }
        )
        session.add(twin)
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


def test_changed_strong_tambon_moves_an_untouched_instance(world: World) -> None:
    old = next(c for c in _activity3(world.db, 2568) if c.startswith("2401"))
    new = next(c for c in _last_tambons(world.db) if c.startswith("2401"))
    world.clock.set(bkk(2025, 1, 5, 9))
    assert designate_strong(world.db, 2568, [new], ADMIN, world.clock.now()) == [(new, old)]
    assert new in _activity3(world.db, 2568) and old not in _activity3(world.db, 2568)
    assert len(_activity3(world.db, 2568)) == 11  # moved, not added
    key = instance_key(2568, "activity3", new)
    _, (record,) = history(world.db, key)
    assert record.trigger == "retarget" and record.actor_id == "local-admin"
    assert record.data == {"from_area": old, "to_area": new, "from_key": f"2568/activity3/{old}"}
    # cycle start again adds nothing: the district has its instance
    assert start_cycle(world.db, world.catalog, 2568, "24", world.clock).created["activity3"] == 0
    assert verify(world.db)[1] == []
    assert replay(world.db, world.catalog)[1] == []


def test_changed_strong_tambon_with_records_is_refused_saying_how(world: World) -> None:
    first = next(c for c in _activity3(world.db, 2568) if c.startswith("2401"))
    tambons = [c for c in _last_tambons(world.db) if c.startswith("2401")]
    second = tambons[0]
    third = next(c for c in ("240102", "240103") if c not in (first, second))
    world.clock.set(bkk(2025, 1, 5, 9))
    designate_strong(world.db, 2568, [second], ADMIN, world.clock.now())  # one record now
    key = instance_key(2568, "activity3", second)
    with pytest.raises(NotWithdrawable) as info:
        designate_strong(world.db, 2568, [third], ADMIN, world.clock.now())
    assert f"plancycle instances withdraw {key}" in info.value.en
    assert f"areas strong set {third} --fy 2568" in info.value.en
    assert "plancycle instances withdraw" in info.value.th
    with Session(world.db) as session:  # nothing changed
        assert second in strong_tambons(session, 2568, "24")
        assert third not in strong_tambons(session, 2568, "24")
    assert second in _activity3(world.db, 2568)
    # the way it names: withdraw, set, start again
    reason = "chose another tambon"
    withdraw_instance(world.db, key, "provincial_cd_office-a", reason, world.clock.now())
    assert designate_strong(world.db, 2568, [third], ADMIN, world.clock.now()) == [(third, second)]
    created = start_cycle(world.db, world.catalog, 2568, "24", world.clock).created
    assert created["activity3"] == 1
    assert third in _activity3(world.db, 2568) and second not in _activity3(world.db, 2568)
    assert len(_activity3(world.db, 2568)) == 11
    assert verify(world.db)[1] == []
    assert replay(world.db, world.catalog)[1] == []


def test_a_list_changed_behind_cycle_start_adds_no_second_instance(world: World) -> None:
    """Even if the list moved without the instance (the store API alone), cycle start
    does not create a second instance for the district: it warns how to move it."""
    old = next(c for c in _activity3(world.db, 2568) if c.startswith("2402"))
    new = next(c for c in _last_tambons(world.db) if c.startswith("2402"))
    with Session(world.db) as session, session.begin():
        designate_strong_tambon(session, 2568, new)
    started = start_cycle(world.db, world.catalog, 2568, "24", world.clock)
    assert started.created["activity3"] == 0
    assert any(f"areas strong set {new} --fy 2568" in w.en for w in started.warnings)
    assert old in _activity3(world.db, 2568) and new not in _activity3(world.db, 2568)
