"""Report columns are declared by the definitions (``report:`` on a data field or a step):
a version that renames its steps and fields keeps the sheets filled, for instances that
moved to it and for those started on it; the loader refuses a column that is not one, or
one claimed twice."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plancycle.definitions import DefinitionError, load_catalog
from plancycle.definitions.loader import DATA_DIR
from plancycle.definitions.model import Catalog
from plancycle.store.models import Instance
from plancycle.web.sheets import Total, build_sheet
from plancycle.workflow.cycle import start_cycle
from plancycle.workflow.engine import Engine
from plancycle.workflow.versions import migrate_instances
from plancycle.workflow.walk import walk
from tests.world import World, bkk, populate

# v2 of activity2 renames every step the sheet reads and the entered workshop date
RENAMES = {
    "trigger: meeting_set": "trigger: date_agreed",
    "name: meeting_date": "name: held_on",
    "trigger: workshop_held": "trigger: workshop_done",
    "trigger: evaluated": "trigger: assessed",
    "trigger: bpm_recorded": "trigger: bpm_entered",
    "trigger: report_submitted": "trigger: report_sent",
}
STATES = ("coordinate", "workshop", "evaluate", "bpm_record", "report", "done")


def v2_text() -> str:
    text = (DATA_DIR / "activity2.yaml").read_text(encoding="utf-8")
    text = text.replace("\nversion: 1\n", "\nversion: 2\n", 1)
    for old, new in RENAMES.items():
        assert text.count(old) == 1
        text = text.replace(old, new)
    text += "migrates_from:\n  version: 1\n  states:\n"
    return text + "".join(f"    {s}: {s}\n" for s in STATES)


def with_files(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "defs"
    shutil.copytree(DATA_DIR, folder)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def tambons(db: sa.Engine) -> list[str]:
    with Session(db) as session:
        query = select(Instance.key).where(
            Instance.definition_id == "activity2", Instance.district_code == "2401"
        )
        return list(session.exec(query.order_by(Instance.key)).all())


def sheet_rows(db: sa.Engine, catalog: Catalog, fy: int, now) -> dict[str, dict]:
    sheet = build_sheet(db, catalog, "activity2", fy, "24", "Chachoengsao", now, "en")
    lines = [dict(zip(sheet.columns, line, strict=True)) for line in sheet.rows]
    return {line["Tambon code"]: line for line in lines}


@pytest.fixture
def world(sqlite_engine: sa.Engine, tmp_path: Path) -> World:
    w = populate(sqlite_engine, tmp_path)
    w.clock.set(bkk(2025, 2, 10, 9))
    return w


def test_a_version_renaming_the_steps_keeps_the_sheet_filled(world: World, tmp_path: Path) -> None:
    moved, bare = tambons(world.db)[:2]
    actors, admin = world.actors, world.actors["admin"]
    # under v1: the date is agreed (entered), the workshop held on 10 Feb
    walk(world.engine, moved, actors, world.pdf, max_steps=2)
    catalog = load_catalog([with_files(tmp_path, {"activity2.v2.yaml": v2_text()})])
    assert "workshop_held" not in {t.trigger for t in catalog.get("activity2", 2).transitions}
    world.engine = Engine(catalog, world.db, world.clock, world.engine.evidence_folder)
    assert migrate_instances(world.db, catalog, "activity2", 1, 2, admin, world.clock.now())
    world.clock.set(bkk(2025, 2, 20, 9))
    walk(world.engine, moved, actors, world.pdf)  # the rest under v2's names
    # on v2 from the start: no date entered, so the workshop's date is the day it was held
    office = actors["district_cd_office"]
    world.engine.advance(bare, "date_agreed", office, data={})
    walk(world.engine, bare, actors, world.pdf)

    rows = sheet_rows(world.db, catalog, 2568, world.clock.now())
    feb20, jan15 = date(2025, 2, 20), date(2025, 1, 15)  # jan15: the days the walk enters
    for key, workshop in ((moved, jan15), (bare, feb20)):
        row = rows[key.rsplit("/", 1)[1]]
        assert row["Workshop date"] == workshop
        source = "date entered" if workshop == jan15 else "date recorded"
        assert row["Workshop date: source"] == source
        assert (row["Participants"], row["Spent (baht)"]) == (25, 3900)
        assert row["Tambon plan evaluated"] == row["Recorded in BPM"] == jan15
        assert row["Report submitted"] == jan15 and row["Status"] == "done"
    # a new cycle starts on v2, and its sheet reads v2's records too
    start_cycle(world.db, catalog, 2569, "24", world.clock)
    fresh = next(k for k in tambons(world.db) if k.startswith("2569/"))
    world.engine.advance(fresh, "date_agreed", office, data={"held_on": "2026-01-09"})
    assert sheet_rows(world.db, catalog, 2569, world.clock.now())[fresh.rsplit("/", 1)[1]][
        "Workshop date"
    ] == date(2026, 1, 9)


def test_totals_are_keyed_by_column(world: World) -> None:
    keys = tambons(world.db)[:3]
    for key in keys:
        walk(world.engine, key, world.actors, world.pdf)
    a2 = build_sheet(world.db, world.catalog, "activity2", 2568, "24", "", world.clock.now(), "th")
    assert a2.totals is not None
    totals = dict(zip(a2.columns, a2.totals, strict=True))
    assert totals["ผู้เข้าร่วม (คน)"] is totals["เบิกจ่าย (บาท)"] is Total.SUM
    assert totals["งบประมาณ (บาท)"] is Total.SUM
    assert totals["เป้าหมายผู้เข้าร่วม (คน)"] is None
    assert totals["สถานะ"] is Total.COUNT_DONE and a2.done_word == "เสร็จสิ้น"
    # what the formulas add up (tests/test_exports_every_process.py reads them back)
    column = a2.columns.index("ผู้เข้าร่วม (คน)")
    assert sum(r[column] or 0 for r in a2.rows) == 3 * 25
    # the people who took part in Activity 3's project are participants too
    walk(world.engine, "2568/activity3/240101", world.actors, world.pdf)
    sheet = build_sheet(
        world.db, world.catalog, "activity3", 2568, "24", "", world.clock.now(), "en"
    )
    assert dict(zip(sheet.columns, sheet.totals or (), strict=True))["Participants"] is Total.SUM
    column = sheet.columns.index("Participants")
    assert sum(r[column] or 0 for r in sheet.rows) == 25


def _line(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def test_the_loader_refuses_unknown_and_doubly_claimed_columns(tmp_path: Path) -> None:
    a2 = (DATA_DIR / "activity2.yaml").read_text(encoding="utf-8")
    a2 = a2.replace("\n    report: evaluated_at\n", "\n    report: evaluated_on\n")
    a2 = a2.replace("\n    report: bpm_date\n", "\n    report: report_date\n")
    a1 = (DATA_DIR / "activity1.yaml").read_text(encoding="utf-8")
    a3 = (DATA_DIR / "activity3.yaml").read_text(encoding="utf-8")
    a3 = a3.replace(
        "- name: forum_participants\n        type: int\n",
        "- name: forum_participants\n        type: int\n        report: participants\n",
    )
    a1 = a1.replace("\n    report: bpm_date\n", "\n    report: spent\n")
    a1 = a1.replace("type: str\n", "type: str\n        report: spent\n")
    folder = with_files(
        tmp_path, {"activity2.yaml": a2, "activity1.yaml": a1, "activity3.yaml": a3}
    )
    with pytest.raises(DefinitionError) as caught:
        load_catalog([folder])
    found = {(Path(p.file).name, p.line, p.message) for p in caught.value.problems}
    columns = (
        "workshop_date, participants, project, budget_lines, participation, plan_usable, "
        "project_date, spent, evaluated_at, bpm_date, report_date, forum_date, plan_approved"
    )
    assert found == {
        (
            "activity2.yaml",
            _line(a2, "report: evaluated_on"),
            f"transition 'evaluated' report 'evaluated_on' must be one of: {columns}",
        ),
        (
            "activity2.yaml",
            _line(a2, "report: report_date", "trigger: report_submitted"),
            "step 'report_submitted' declares report 'report_date', which step "
            f"'bpm_recorded' (line {_line(a2, 'report: report_date')}) already fills: "
            "one step per column",
        ),
        (
            "activity3.yaml",
            _line(a3, "- name: participants\n"),
            "data field 'participants' declares report 'participants', which data field "
            f"'forum_participants' (line {_line(a3, '- name: forum_participants')}) already "
            "fills: one data field per column",
        ),
        (
            "activity1.yaml",
            _line(a1, "report: spent", "trigger: bpm_recorded"),
            "transition 'bpm_recorded' report 'spent': a step fills a column with the date it "
            "was done, so it must be a date column (workshop_date, project_date, "
            "evaluated_at, bpm_date, report_date, forum_date, plan_approved); declare 'spent' "
            "on a data field",
        ),
        (
            "activity1.yaml",
            _line(a1, "report: spent", "trigger: lesson_sent"),
            "transition 'lesson_sent': data field 'lesson_title' report 'spent' holds int "
            "values, but the field's type is str",
        ),
    }
    assert "activity1.yaml:" in caught.value.th
    assert "พบปัญหาในไฟล์นิยามกระบวนการ 5 รายการ" in caught.value.th
