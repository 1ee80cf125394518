"""The year people mean, on the web: the API's default year is the open cycle, not the
clock's; every answer names its year and the years that exist; every link a page draws
carries an explicitly chosen ``?fy=`` (``web/links.py``); a year without a cycle is told
with the years that have one."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import sqlalchemy as sa

from plancycle.workflow.cycle import start_cycle
from tests.webapp import PROVINCE, Web, make_web
from tests.world import bkk


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    """FY2568 started (tests/world.py); the clock on 2 Dec 2569, in fiscal year 2570."""
    made = make_web(sqlite_engine, tmp_path)
    made.world.clock.set(bkk(2026, 12, 2, 10))
    return made


def _links(page: str) -> list[str]:
    """Every link a page draws to this site, but its assets."""
    found = [html.unescape(h) for h in re.findall(r'href="(/[^"]*)"', page)]
    return [h for h in found if not h.startswith("/static/")]


def _fy_of(link: str) -> list[str]:
    url = urlparse(link)
    if url.path.startswith(("/lang/", "/digits/")):  # a switch: the page it returns to
        url = urlparse(unquote(parse_qs(url.query)["next"][0]))
    return parse_qs(url.query).get("fy", [])


def test_the_api_defaults_to_the_open_cycle_and_names_the_years(web: Web) -> None:
    head = web.auth(PROVINCE)
    status = web.client.get("/api/v1/status", headers=head).json()
    assert (status["fiscal_year"], status["default_fiscal_year"]) == (2568, 2568)
    assert status["fiscal_years"] == [2568]
    assert sum(p["total"] for p in status["processes"]) > 0  # not the empty FY2570
    listed = web.client.get("/api/v1/instances?process=activity2", headers=head).json()
    assert listed["fiscal_year"] == 2568 and listed["total"] == 93
    late = web.client.get("/api/v1/overdue", headers=head).json()
    assert late["fiscal_year"] == 2568 and late["total"] > 0
    sheet = web.client.get("/api/v1/exports/activity2.csv", headers=head)
    assert (
        sheet.status_code == 200 and "activity2-2568-24.csv" in sheet.headers["content-disposition"]
    )


def test_an_explicit_year_wins_and_one_without_a_cycle_lists_the_others(web: Web) -> None:
    head = web.auth(PROVINCE)
    start_cycle(web.world.db, web.world.catalog, 2569, "24", web.world.clock)
    status = web.client.get("/api/v1/status", headers=head).json()
    assert (status["fiscal_year"], status["fiscal_years"]) == (2569, [2569, 2568])
    old = web.client.get("/api/v1/instances?fy=2568&process=orders", headers=head).json()
    assert old["fiscal_year"] == 2568 and {i["key"][:4] for i in old["instances"]} == {"2568"}
    empty = web.client.get("/api/v1/overdue?fy=2570", headers=head).json()
    assert (empty["fiscal_year"], empty["total"], empty["default_fiscal_year"]) == (2570, 0, 2569)
    assert empty["fiscal_years"] == [2569, 2568]
    bad = web.client.get("/api/v1/status?fy=2800", headers=head)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )


def test_pages_show_the_open_cycle_by_default(web: Web) -> None:
    web.login(PROVINCE)
    page = web.client.get("/areas/24").text
    assert "ปีงบประมาณ 2568" in page and 'id="no-cycle"' not in page
    assert re.search(r'<option value="2568" selected data-default>2568 · ค่าเริ่มต้น', page)
    assert all(_fy_of(link) == [] for link in _links(page))  # the default: nothing to carry


def test_every_link_of_every_page_carries_a_chosen_year(web: Web) -> None:
    start_cycle(web.world.db, web.world.catalog, 2569, "24", web.world.clock)  # the default
    web.login(PROVINCE)
    pages = [
        "/areas/24?fy=2568",
        "/areas/2401?fy=2568",
        "/areas/240101?fy=2568",
        "/overdue?fy=2568&sort=key&order=asc",
        "/overdue?fy=2568&process=activity2",
        "/exports?fy=2568",
        "/instances/2568/activity2/240101",  # the year in its own address
    ]
    for path in pages:
        answer = web.client.get(path)
        assert answer.status_code == 200, path
        links = _links(answer.text)
        assert len(links) > 5, path
        assert [link for link in links if _fy_of(link) != ["2568"]] == [], path
        assert '<option value="2568" selected>' in answer.text, path
    pager = web.client.get("/overdue?fy=2568&sort=key&order=asc").text
    assert 'id="sort-due_at"' in pager and '<input type="hidden" name="fy" value="2568">' in pager


def test_home_and_login_keep_the_year(web: Web) -> None:
    away = web.client.get("/overdue?fy=2568&sort=key", follow_redirects=False)
    assert away.headers["location"] == "/login?next=/overdue%3Ffy%3D2568%26sort%3Dkey"
    web.login(PROVINCE)
    home = web.client.get("/?fy=2568", follow_redirects=False)
    assert home.headers["location"] == "/inbox?fy=2568"
    switched = web.client.get(
        "/lang/en?next=" + "/overdue%3Ffy%3D2568%26sort%3Dkey", follow_redirects=False
    )
    assert switched.headers["location"] == "/overdue?fy=2568&sort=key"


def test_a_year_without_a_cycle_is_told_with_the_years_that_have_one(web: Web) -> None:
    web.login(PROVINCE)
    page = web.client.get("/areas/24?fy=2570").text
    note = re.search(r'<div class="no-cycle"[^>]*>(.*?)</div>', page, re.S).group(1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", note)).strip()
    assert text == "ปีงบประมาณ 2570 ยังไม่มีรอบงาน มีปี 2568"
    assert 'href="/areas/24?fy=2568"' in note
    assert '<option value="2570" selected>2570 · ไม่มีรอบงาน</option>' in page
    overdue = web.client.get("/overdue?fy=2570").text
    assert 'id="no-cycle"' in overdue and "ไม่มีรายการในปีงบประมาณนี้" in overdue
    web.client.get("/lang/en")
    english = web.client.get("/exports?fy=2570").text
    assert "Fiscal year 2570 has no cycle; cycles exist for" in re.sub(r"\s+", " ", english)
