"""Issue 13, items 4 and 5: the KPIs as the letter defines them (read from recorded
evaluations and per-district attendance) and Activity 3's spending rule on budget lines.
Each test runs on SQLite and on PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from plancycle.definitions.guards import ACTIVITY3_RULE, GUARD_WARNINGS_KEY
from plancycle.definitions.model import KpiMeasure
from plancycle.store.models import Area, Instance
from plancycle.store.targets import strong_tambons
from plancycle.web.sheets import build_sheet
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.errors import BadData, BadValue, GuardFailed
from plancycle.workflow.reports import AreaFilter, get_instance
from plancycle.workflow.rollup import ProcessStatus, children_rollup, status
from plancycle.workflow.walk import walk
from tests.world import CATALOG, World, bkk, evidence_of, populate

FY = 2568


@pytest.fixture
def world(engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def _districts(world: World) -> list[str]:
    with Session(world.db) as session:
        return sorted(
            session.exec(
                select(Area.code).where(Area.level == "district", Area.province_code == "24")
            ).all()
        )


def _strong(world: World, district: str) -> str:
    with Session(world.db) as session:
        return next(c for c in strong_tambons(session, FY, "24") if c.startswith(district))


def _walk_to(world: World, key: str, state: str) -> None:
    while get_instance(world.db, key).state != state:
        walk(world.engine, key, world.actors, world.pdf, max_steps=1)


def _do(world: World, key: str, trigger: str, data: dict, role: str = "district_cd_office"):
    inst = get_instance(world.db, key)
    step = CATALOG.get(inst.definition_id).transition(trigger, inst.state)
    assert step is not None
    evidence = evidence_of([(s.id, world.pdf) for s in step.evidence])
    return world.engine.advance(key, trigger, world.actors[role], evidence, None, data)


def _row(world: World, process: str, area: str = "24") -> ProcessStatus:
    now = bkk(2025, 8, 1, 9)
    return next(
        p for p in status(world.db, CATALOG, FY, AreaFilter.of(area), now) if p.process == process
    )


# --------------------------------------------------------------------------- #
# Item 5: Activity 3's spending rule as data
# --------------------------------------------------------------------------- #

FISH = "แจกพันธุ์ปลาให้ครัวเรือน | 4000 | ค่าวัสดุ | ใช่; ค่าอาหารผู้เข้าร่วม | 3000 | ค่าใช้สอย"
PUMP = "ซื้อเครื่องสูบน้ำ | 9000 | ครุภัณฑ์ | ไม่"


def _at_write_project(world: World) -> str:
    key = instance_key(FY, "activity3", _strong(world, "2401"))
    _walk_to(world, key, "write_project")
    return key


@pytest.mark.parametrize(
    ("lines", "said_en", "said_th"),
    [
        (FISH, "'แจกพันธุ์ปลาให้ครัวเรือน' is handed out", "เป็นการซื้อของแจกจ่าย"),
        (PUMP, "'ซื้อเครื่องสูบน้ำ' is a durable article", "เป็นครุภัณฑ์"),
    ],
)
def test_activity3_refuses_handouts_and_durables_by_budget_line(
    world: World, lines: str, said_en: str, said_th: str
) -> None:
    key = _at_write_project(world)
    before = get_instance(world.db, key)
    with pytest.raises(GuardFailed) as refused:
        _do(world, key, "project_written", {"project_description": "x", "budget_lines": lines})
    assert said_en in refused.value.en
    th = refused.value.refusals[0].th
    assert said_th in th and ACTIVITY3_RULE.th in th  # the letter's sentence, quoted
    after = get_instance(world.db, key)
    assert (after.state, after.version) == (before.state, before.version)


def test_a_plan_above_the_derived_10000_cap_is_recorded_with_the_finding(
    world: World,
) -> None:
    """The letter gives Activity 3's total (878 x 10,000), not a cap per tambon: a plan
    of 10,001 baht goes through, and its record keeps the finding."""
    key = _at_write_project(world)
    lines = "ค่าวิทยากร | 6000 | ค่าตอบแทน; ค่าวัสดุ | 4001 | ค่าวัสดุ"
    done = _do(world, key, "project_written", {"project_description": "x", "budget_lines": lines})
    assert done.to_state == "run_project"
    [warned] = done.warnings
    assert warned.guard == "within_allocation" and "10,001" in warned.en and "10,000" in warned.en
    kept = get_history_data(world, key, "project_written")[GUARD_WARNINGS_KEY]
    assert len(kept) == 1 and "10,001" in str(kept[0])


def test_a_description_saying_no_durables_passes_when_its_lines_are_allowed(
    world: World,
) -> None:
    key = _at_write_project(world)
    lines = "ค่าวิทยากร | 3,600 | ค่าตอบแทน | ไม่; ค่าอาหาร | ๖๔๐๐ | ค่าใช้สอย | ไม่"
    done = _do(
        world,
        key,
        "project_written",
        {"project_description": "อบรมอาชีพ ไม่ซื้อครุภัณฑ์และไม่แจกจ่ายสิ่งของ", "budget_lines": lines},
    )
    assert done.to_state == "run_project"
    with Session(world.db) as session:
        inst = session.exec(select(Instance).where(Instance.key == key)).one()
        assert inst.state == "run_project"
    stored = get_history_data(world, key, "project_written")["budget_lines"]
    assert stored == [
        {"item": "ค่าวิทยากร", "amount": 3600, "budget_class": "compensation", "handout": False},
        {"item": "ค่าอาหาร", "amount": 6400, "budget_class": "services", "handout": False},
    ]


def test_a_badly_written_budget_line_names_the_row_and_the_classes(world: World) -> None:
    key = _at_write_project(world)
    with pytest.raises(BadValue) as bad:
        _do(
            world,
            key,
            "project_written",
            {"project_description": "x", "budget_lines": "ค่าวัสดุ | 100 | ค่าวัสดุ; ของ | 5 | อื่น ๆ"},
        )
    en, th = bad.value.problem
    assert "row 2: budget class 'อื่น ๆ' is unknown" in en and "cells separated by '|'" in en
    assert "แถวที่ 2: ประเภทงบ 'อื่น ๆ' ไม่รู้จัก" in th and "ค่าตอบแทน/ค่าใช้สอย/ค่าวัสดุ/ครุภัณฑ์" in th
    assert get_instance(world.db, key).state == "write_project"


def test_people_s_participation_is_recorded_and_reported(world: World) -> None:
    key = instance_key(FY, "activity3", _strong(world, "2401"))
    _walk_to(world, key, "run_project")
    with pytest.raises(BadData):
        _do(world, key, "project_run", {"participants": 40})
    _do(world, key, "project_run", {"participants": 40, "participation": "ร่วมคิดและลงแรงทำแปลงผัก"})
    sheet = build_sheet(world.db, CATALOG, "activity3", FY, "24", "", world.clock.now(), "th")
    row = next(r for r in sheet.rows if _strong(world, "2401") in r)
    assert 40 in row and "ร่วมคิดและลงแรงทำแปลงผัก" in row
    assert "ค่าวัสดุอบรม | 5000 | ค่าวัสดุ | ไม่; ค่าอาหารและเครื่องดื่ม | 5000 | ค่าใช้สอย | ไม่" in row
    assert "การมีส่วนร่วมของประชาชน" in sheet.columns and "รายการงบประมาณ" in sheet.columns


def get_history_data(world: World, key: str, trigger: str) -> dict:
    from plancycle.workflow.reports import history

    _, records = history(world.db, key)
    return next(r for r in reversed(records) if r.trigger == trigger).data


# --------------------------------------------------------------------------- #
# Item 4: KPIs as the letter defines them
# --------------------------------------------------------------------------- #


def test_each_activity_declares_how_its_kpi_is_counted() -> None:
    measures = {p: CATALOG.get(p).kpi.measure for p in ("activity1", "activity2", "activity3")}
    assert measures == {
        "activity1": KpiMeasure.DISTRICTS_COMPLETE,
        "activity2": KpiMeasure.EVALUATED_USABLE,
        "activity3": KpiMeasure.EVALUATED_USABLE,
    }
    for pid in measures:
        kpi = CATALOG.get(pid).kpi
        owner = CATALOG.get(kpi.process or pid)
        step = next(t for t in owner.transitions if t.trigger == kpi.step)
        assert kpi.field in {f.name for f in step.data}  # the KPI reads a recorded value
        assert kpi.basis is not None


def test_the_evaluate_step_asks_for_the_usable_judgement(world: World) -> None:
    key = instance_key(FY, "activity2", "240101")
    _walk_to(world, key, "evaluate")
    with pytest.raises(BadData) as missing:
        _do(world, key, "evaluated", {})
    assert "plan_usable" in str(missing.value.missing)
    assert get_instance(world.db, key).state == "evaluate"


def test_activity2_and_activity3_kpis_read_the_recorded_evaluations(world: World) -> None:
    strong = _strong(world, "2401")
    other = next(c for c in ("240101", "240102", "240103") if c != strong)
    for tambon, usable in ((strong, "ใช่"), (other, "ไม่")):
        key = instance_key(FY, "activity2", tambon)
        _walk_to(world, key, "evaluate")
        _do(world, key, "evaluated", {"plan_usable": usable})
    a2 = _row(world, "activity2")
    kpi = a2.kpi()
    assert kpi is not None
    assert (kpi["measure"], kpi["counted"], kpi["achieved"]) == ("evaluated_usable", a2.total, 1)
    assert kpi["actual_percent"] == round(100 / a2.total, 1) and kpi["met"] is False
    assert a2.done == 0  # the KPI is not "share done"
    a3 = _row(world, "activity3")
    k3 = a3.kpi()
    assert k3 is not None and (k3["counted"], k3["achieved"]) == (11, 1)
    assert k3["actual_percent"] == 9.1
    # the district drill-down counts the same units under each district
    now = bkk(2025, 8, 1, 9)
    kids = children_rollup(world.db, CATALOG, FY, "24", _districts(world), now)
    by = {c: next(p for p in r.processes if p.process == "activity3") for c, r in kids.items()}
    assert by["2401"].kpi()["achieved"] == 1 and by["2402"].kpi()["achieved"] == 0
    assert sum(p.kpi()["counted"] for p in by.values()) == 11


# --------------------------------------------------------------------------- #
# Item 4: Activity 1 checked per district, and its KPI
# --------------------------------------------------------------------------- #


def _attendance(codes: list[str], chairs: list[int]) -> str:
    return "; ".join(f"{c} | {n} | 3 | 1" for c, n in zip(codes, chairs, strict=True))


def _at_workshop(world: World) -> str:
    key = instance_key(FY, "activity1", "24")
    assert get_instance(world.db, key).state == "workshop"
    return key


def test_thirty_socho_t_chairs_for_eleven_districts_are_refused(world: World) -> None:
    codes = _districts(world)
    assert len(codes) == 11
    chairs = [3] * 9 + [2, 1]  # 30 chairs: enough on province totals, wrong per district
    assert sum(chairs) == 30
    key = _at_workshop(world)
    with pytest.raises(GuardFailed) as refused:
        _do(
            world,
            key,
            "workshop_held",
            {"attendance": _attendance(codes, chairs)},
            "provincial_cd_office",
        )
    en = refused.value.en
    assert (
        "counted per district" in en and f"district {codes[0]}: socho_t_chairs 3 (at most 1)" in en
    )
    assert f"district {codes[10]}" not in en
    assert get_instance(world.db, key).state == "workshop"


def test_a_district_outside_the_province_or_twice_is_refused(world: World) -> None:
    key = _at_workshop(world)
    with pytest.raises(GuardFailed) as refused:
        _do(
            world,
            key,
            "workshop_held",
            {"attendance": "1001 | 1 | 3 | 1; 2401 | 1 | 3 | 1; 2401 | 1 | 3 | 1"},
            "provincial_cd_office",
        )
    assert "1001 is not a district of this province" in refused.value.en
    assert "district 2401 given twice" in refused.value.en


def test_activity1_kpi_is_the_share_of_districts_with_all_five(world: World) -> None:
    codes = _districts(world)
    key = _at_workshop(world)
    rows = "; ".join(
        f"{c} | 1 | {3 if i < 8 else 2} | 1" for i, c in enumerate(codes)
    )  # 8 districts complete, 3 short of one ศอช.อ. member
    _do(world, key, "workshop_held", {"attendance": rows}, "provincial_cd_office")
    kpi = _row(world, "activity1").kpi()
    assert kpi is not None
    assert (kpi["measure"], kpi["counted"], kpi["achieved"]) == ("districts_complete", 11, 8)
    assert kpi["actual_percent"] == 72.7 and kpi["met"] is False
    assert kpi["label_th"].startswith("ร้อยละ ๑๐๐ ของ ศอช.อ.")
