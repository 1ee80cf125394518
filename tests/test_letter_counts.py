"""National counts that match the letter, or say why not (issue 13, item 3): the 7,036
Activity 2 tambons and 878 strong tambons from lists; the warning of a year started
without Activity 2's list (GeoThai's 7,256); ``status`` comparing with ``budget.units``;
a province's store importing the national list; withdrawing an instance."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.store.areas import tambon_codes
from plancycle.store.errors import AreaError
from plancycle.store.geothai_import import import_geothai
from plancycle.store.models import Area
from plancycle.store.targets import ACTIVITY2, STRONG_TAMBON, read_codes_file, set_target_list
from plancycle.workflow.audit import replay, verify
from plancycle.workflow.cycle import start_cycle
from plancycle.workflow.errors import NotAllowed, UnknownInstance, WorkflowError
from plancycle.workflow.reports import AreaFilter, InstanceFilter, history, list_instances
from plancycle.workflow.rollup import status
from plancycle.workflow.sweep import plan_sweep
from plancycle.workflow.sweep_apply import load_snapshot
from plancycle.workflow.withdraw import NotWithdrawable, withdraw_instance
from tests.world import CATALOG, World, bkk, populate

EXCLUDED = 220  # 7,256 GeoThai tambons - the letter's 7,036


def national_lists(session: Session) -> tuple[list[str], list[str]]:
    """The letter's lists as a province would receive them (the seed does not hold them):
    Activity 2 without 220 city-centre tambons (the first tambons of each province's
    Mueang district, wholly under a municipality), and one strong tambon per district
    (its last tambon by code)."""
    every = tambon_codes(session, None)
    mueang = [c for c in every if c[2:4] == "01"]
    by_province: dict[str, list[str]] = {}
    for code in mueang:
        by_province.setdefault(code[:2], []).append(code)
    excluded: list[str] = []
    rank = 0
    while len(excluded) < EXCLUDED:
        for codes in by_province.values():
            if rank < len(codes) and len(excluded) < EXCLUDED:
                excluded.append(codes[rank])
        rank += 1
    activity2 = sorted(set(every) - set(excluded))
    last = select(sa.func.max(Area.code)).where(Area.level == "tambon")
    strong = sorted(session.exec(last.group_by(col(Area.parent_code))).all())
    return activity2, strong


@pytest.fixture
def nation(engine: sa.Engine) -> sa.Engine:
    with Session(engine) as session, session.begin():
        import_geothai(session)
    return engine


def _by_process(db: sa.Engine, fy: int) -> dict[str, object]:
    now = bkk(2024, 12, 1, 9)
    return {row.process: row for row in status(db, CATALOG, fy, AreaFilter(), now)}


def test_national_counts_from_the_lists_match_the_letter(nation: sa.Engine) -> None:
    with Session(nation) as session, session.begin():
        activity2, strong = national_lists(session)
        assert (len(activity2), len(strong)) == (7036, 878)
        set_target_list(session, 2568, ACTIVITY2, activity2)
        set_target_list(session, 2568, STRONG_TAMBON, strong)
    started = start_cycle(nation, CATALOG, 2568, None)
    assert started.created["activity2"] == 7036
    assert started.created["activity3"] == 878
    assert not [w for w in started.warnings if w.en.startswith(("activity2", "activity3"))]
    rows = _by_process(nation, 2568)
    for process, units in (("activity1", 76), ("activity2", 7036), ("activity3", 878)):
        row = rows[process]
        assert (row.total, row.letter_units, row.count_differs) == (units, units, False)  # type: ignore[attr-defined]
        assert row.kpi()["letter_units"] == units  # type: ignore[attr-defined]


def test_a_year_without_activity2_list_warns_and_status_flags_it(nation: sa.Engine) -> None:
    started = start_cycle(nation, CATALOG, 2569, None)
    assert started.created["activity2"] == 7256
    (warning,) = [w for w in started.warnings if w.en.startswith("activity2")]
    assert "GeoThai's 7,256" in warning.en and "7,036" in warning.en
    assert "plancycle areas targets import FILE --fy 2569" in warning.en
    assert "7,256" in warning.th and "7,036" in warning.th and "--fy 2569" in warning.th
    row = _by_process(nation, 2569)["activity2"]
    assert row.count_differs and row.letter_units == 7036  # type: ignore[attr-defined]
    assert "7,256 instances, the letter counts 7,036" in row.count_finding().en  # type: ignore[attr-defined]
    # a province's roll-up does not compare with the nation's figure
    (prov,) = [
        r
        for r in status(nation, CATALOG, 2569, AreaFilter.of("24"), bkk(2024, 12, 1))
        if r.process == "activity2"
    ]
    assert prov.letter_units is None and not prov.count_differs


def test_a_province_store_imports_the_national_list(engine: sa.Engine, tmp_path: Path) -> None:
    with Session(engine) as session, session.begin():
        import_geothai(session)
        activity2, _ = national_lists(session)
    path = tmp_path / "activity2-2568.txt"
    path.write_text("\n".join(["# the national list", *activity2]) + "\n", encoding="utf-8")
    province_db = engine
    with Session(province_db) as session, session.begin():  # keep province 24 only
        session.execute(
            sa.text("DELETE FROM area WHERE province_code <> '24' AND level = 'tambon'")
        )
        session.execute(
            sa.text("DELETE FROM area WHERE province_code <> '24' AND level = 'district'")
        )
        session.execute(sa.text("DELETE FROM area WHERE province_code <> '24'"))
    with Session(province_db) as session, session.begin():
        done = set_target_list(
            session, 2568, ACTIVITY2, read_codes_file(path), skip_other_provinces=True
        )
    in_24 = [c for c in activity2 if c.startswith("24")]
    assert done.kept == len(in_24) and 0 < len(in_24) < 93  # Mueang's centre left out
    assert len(done.skipped) == 75 and "24" not in done.skipped
    assert done.kept + done.skipped_total == 7036
    # a province in the store still refuses a code it does not hold
    with Session(province_db) as session, pytest.raises(AreaError, match="249999"):
        set_target_list(session, 2568, ACTIVITY2, ["249999", "110101"], skip_other_provinces=True)


# ------------------------------------------------------------ withdraw


@pytest.fixture
def world(engine: sa.Engine, tmp_path: Path) -> World:
    return populate(engine, tmp_path)


KEY = "2568/activity2/240101"
PROVINCE = "provincial_cd_office-a"


def test_withdraw_is_audited_and_excluded_from_counts(world: World) -> None:
    now = bkk(2025, 4, 2, 9)  # past Activity 2's report deadline: everything overdue
    before = {r.process: r for r in status(world.db, CATALOG, 2568, AreaFilter.of("24"), now)}
    inst = withdraw_instance(world.db, KEY, PROVINCE, "ไม่อยู่ในรายการเป้าหมาย", now)
    assert inst.withdrawn_at is not None
    after = {r.process: r for r in status(world.db, CATALOG, 2568, AreaFilter.of("24"), now)}
    assert after["activity2"].total == before["activity2"].total - 1
    assert after["activity2"].overdue == before["activity2"].overdue - 1
    rows, total = list_instances(world.db, InstanceFilter(2568, "activity2", limit=500))
    assert KEY not in {r.key for r in rows} and total == before["activity2"].total - 1
    snapshot = load_snapshot(world.db, CATALOG, now)
    assert KEY not in {n.instance.key for n in plan_sweep(CATALOG, snapshot, now).notices}
    # never deleted; its record says who, in which role, and why
    kept, records = history(world.db, KEY)
    assert kept.withdrawn_at is not None
    last = records[-1]
    assert (last.trigger, last.actor_id, last.role) == (
        "withdraw",
        PROVINCE,
        "provincial_cd_office",
    )
    assert last.data == {"reason": "ไม่อยู่ในรายการเป้าหมาย"} and last.to_state == last.from_state
    assert verify(world.db)[1] == [] and replay(world.db, CATALOG)[1] == []
    # nothing can be recorded on it, and it cannot be withdrawn twice
    with pytest.raises(NotWithdrawable, match="withdrawn"):
        world.engine.advance(
            KEY,
            "meeting_set",
            world.actors["district_cd_office"],
            data={"meeting_date": "2025-01-20"},
        )
    with pytest.raises(NotWithdrawable, match="already withdrawn"):
        withdraw_instance(world.db, KEY, PROVINCE, "again, by mistake", now)


def test_withdraw_refusals_change_nothing(world: World) -> None:
    now = bkk(2025, 1, 5, 9)
    with pytest.raises(NotAllowed) as info:
        withdraw_instance(world.db, KEY, world.actors["district_cd_office"], "by mistake", now)
    assert "provincial" in info.value.en.lower() or "provincial_cd_office" in info.value.en
    assert info.value.th != info.value.en
    with pytest.raises(WorkflowError, match="--reason"):
        withdraw_instance(world.db, KEY, PROVINCE, "  ", now)
    with pytest.raises(UnknownInstance):
        withdraw_instance(world.db, "2568/activity2/249999", PROVINCE, "by mistake", now)
    kept, records = history(world.db, KEY)
    assert kept.withdrawn_at is None and records == []
