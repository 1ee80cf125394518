"""The instance page offers a field of rows as a table of inputs (budget lines with a menu
of budget classes and of hand-out; one row per district of the province for attendance),
the evaluate step asks the "usable" judgement with a yes/no menu, and the area page shows
each KPI with its definition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plancycle.store.targets import strong_tambons
from plancycle.workflow.reports import get_instance
from plancycle.workflow.walk import walk
from tests.webapp import DISTRICT, PROVINCE, Web, make_web

HTMX = {"HX-Request": "true"}


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(sqlite_engine, tmp_path)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _walk_to(web: Web, key: str, state: str) -> None:
    w = web.world
    while get_instance(w.db, key).state != state:
        walk(w.engine, key, w.actors, w.pdf, max_steps=1)


def _a3(web: Web) -> str:
    with Session(web.world.db) as session:
        strong = next(c for c in strong_tambons(session, 2568, "24") if c.startswith("2401"))
    key = f"2568/activity3/{strong}"
    _walk_to(web, key, "write_project")
    return key


def test_budget_lines_are_a_table_and_a_hand_out_line_is_refused(web: Web) -> None:
    key = _a3(web)
    web.login(DISTRICT)
    page = web.client.get(f"/instances/{key}").text
    table = re.search(r'<table class="rows-input".*?</table>', page, re.S).group(0)
    assert 'data-kind="budget_lines"' in table
    assert table.count("<tr>") == 1 + 6  # a header and six blank lines
    assert "ค่าตอบแทน" in table and "ครุภัณฑ์" in table and 'name="rows.budget_lines.5.3"' in table
    form = {
        "csrf": _csrf(page),
        "trigger": "project_written",
        "data.project_description": "เลี้ยงปลา",
        "rows.budget_lines.0.0": "แจกพันธุ์ปลาให้ครัวเรือน",
        "rows.budget_lines.0.1": "4000",
        "rows.budget_lines.0.2": "materials",
        "rows.budget_lines.0.3": "yes",
        "rows.budget_lines.1.3": "",  # a blank line is ignored
    }
    refused = web.client.post(f"/instances/{key}/advance", headers=HTMX, data=form)
    assert refused.status_code == 422
    assert "เป็นการซื้อของแจกจ่าย" in refused.text and "ไม่เป็นกิจกรรมที่เป็นการซื้อของแจกจ่าย" in refused.text
    assert 'value="แจกพันธุ์ปลาให้ครัวเรือน"' in refused.text  # the form comes back filled
    assert get_instance(web.world.db, key).state == "write_project"
    form["rows.budget_lines.0.0"] = "ค่าวัสดุเพาะเลี้ยง"
    form["rows.budget_lines.0.3"] = ""
    done = web.client.post(f"/instances/{key}/advance", headers=HTMX, data=form)
    assert done.status_code == 200, done.text
    assert get_instance(web.world.db, key).state == "run_project"


def test_attendance_offers_one_row_per_district_and_evaluate_asks_yes_or_no(web: Web) -> None:
    web.login(PROVINCE)
    page = web.client.get("/instances/2568/activity1/24").text
    table = re.search(r'<table class="rows-input".*?</table>', page, re.S).group(0)
    assert table.count('type="hidden" name="rows.attendance.') == 11
    assert 'value="2401"' in table and 'value="2411"' in table
    key = "2568/activity2/240101"
    _walk_to(web, key, "evaluate")
    web.login(DISTRICT)
    page = web.client.get(f"/instances/{key}").text
    menu = re.search(r'<select id="evaluated-plan_usable".*?</select>', page, re.S).group(0)
    assert "required" in menu and 'value="yes"' in menu and 'value="no"' in menu


def test_the_area_page_shows_each_kpi_with_its_definition(web: Web) -> None:
    web.login(PROVINCE)
    page = web.client.get("/areas/24").text
    found = re.findall(r'data-kpi-measure="(\w+)"', page)
    assert {"districts_complete", "evaluated_usable"} <= set(found)
    assert "อำเภอที่ผู้เข้าร่วมครบ ๕ คน" in page


def test_the_bulk_page_takes_budget_lines_as_typed_rows(web: Web) -> None:
    key = _a3(web)
    web.login(DISTRICT)
    page = web.client.get(
        "/bulk", params={"process": "activity3", "trigger": "project_written", "key": key}
    )
    assert page.status_code == 200, page.text
    area = re.search(r"<textarea[^>]*budget_lines.*?</textarea>", page.text, re.S).group(0)
    assert "required" in area and "ค่าวัสดุอบรม | 3000 | ค่าวัสดุ" in area
    assert "ประเภทงบ (ค่าตอบแทน/ค่าใช้สอย/ค่าวัสดุ/ครุภัณฑ์)" in page.text
