"""The server-rendered pages through the TestClient: login, the drill-down, the instance
page and its advance form (plain and htmx), the overdue list, exports, the switches."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import Session

from plancycle.store.tokens import issue_token
from plancycle.workflow.walk import MINIMAL_PDF, walk
from tests.webapp import CHIEF, DISTRICT, NATION, OTHER_DISTRICT, PROVINCE, Web, make_web
from tests.world import bkk

PAGE = "/instances/2568/activity2/240101"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(sqlite_engine, tmp_path)


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_pages_need_a_login_and_a_valid_token(web: Web) -> None:
    answer = web.client.get("/areas/2401", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/areas/2401"
    form = web.client.get("/login")
    assert 'lang="th"' in form.text and "เข้าสู่ระบบ" in form.text
    bad = web.login_form(token="pc_wrong")
    assert bad.status_code == 401 and "โทเค็นไม่ถูกต้อง" in bad.text and "not valid" not in bad.text
    web.login(DISTRICT)
    home = web.client.get("/")
    assert home.url.path == "/inbox" and "เมืองฉะเชิงเทรา" in home.text
    assert 'href="/areas/2401"' in home.text  # the area overview, from the header


def test_login_goes_back_only_to_a_local_page(web: Web) -> None:
    for target, expected in (
        ("/areas/240101", "/areas/240101"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
    ):
        answer = web.login_form(token=web.tokens[DISTRICT], next=target)
        assert answer.headers["location"] == expected


def test_a_new_token_ends_the_old_session_and_logout_ends_it_too(web: Web) -> None:
    web.login(DISTRICT)
    assert web.client.get("/areas/2401").status_code == 200
    with Session(web.world.db) as session, session.begin():
        issue_token(session, DISTRICT)  # replaces (revokes) the token logged in with
    assert web.client.get("/areas/2401", follow_redirects=False).status_code == 303
    web.login(PROVINCE)
    page = web.client.get("/areas/24").text
    assert web.client.post("/logout", data={"csrf": "forged"}).status_code == 403
    web.client.post("/logout", data={"csrf": csrf(page)})
    assert web.client.get("/areas/24", follow_redirects=False).status_code == 303


def test_drill_down_from_the_nation_to_a_tambon(web: Web) -> None:
    web.login(NATION)
    nation = web.client.get("/areas").text
    assert 'href="/areas/24"' in nation and "ฉะเชิงเทรา" in nation
    province = web.client.get("/areas/24").text
    districts = re.findall(r'<tr data-area="(\d{4})">', province)
    assert len(districts) == 11 and districts[0] == "2401"
    assert province.count('role="progressbar"') > 11 * 3
    assert "เป้าหมาย 85 %" in province and "เป้าหมาย 100 %" in province
    tambon = web.client.get("/areas/240101").text
    assert 'href="/instances/2568/activity2/240101"' in tambon
    assert 'href="/instances/2568/village_plan/24010101"' in tambon


def test_progress_bars_and_the_kpi_move_when_work_is_done(web: Web) -> None:
    web.login(PROVINCE)
    before = web.client.get("/areas/240101").text
    walk(web.world.engine, "2568/activity2/240101", web.world.actors, web.world.pdf)
    after = web.client.get("/areas/240101").text
    bar = r'aria-valuenow="([\d.]+)" data-process="activity2"'
    assert re.search(bar, before).group(1) == "0.0"
    assert re.search(bar, after).group(1) == "100.0"
    assert "ผ่าน" in after  # the KPI against its target


def test_a_district_user_sees_only_its_district(web: Web) -> None:
    web.login(DISTRICT)
    for path in (
        "/areas/2402",
        "/areas/24",
        "/overdue?area=2402",
        "/exports/activity2.csv?area=24",
    ):
        answer = web.client.get(path)
        assert answer.status_code == 403, path
        assert "ไม่มีสิทธิ์" in answer.text and "may not" not in answer.text  # Thai mode
    # another district's instance is told as missing, not as forbidden (#11.2)
    assert web.client.get("/instances/2568/activity2/240201").status_code == 404
    assert 'href="/areas/24"' not in web.client.get("/areas/2401").text  # no link upwards


def test_the_instance_page_shows_timeline_deadlines_diagram_history(web: Web) -> None:
    web.login(DISTRICT)
    page = web.client.get(PAGE).text
    assert '<li class="current" data-step="coordinate" aria-current="step">' in page
    assert "31 มีนาคม 2568" in page  # due dates in BE
    assert "stateDiagram-v2" in page and "coordinate --&gt; workshop" in page
    assert 'data-trigger="meeting_set"' in page and "ยังไม่มีการดำเนินการ" in page


def test_the_form_offers_only_what_this_role_may_do(web: Web) -> None:
    web.login(CHIEF)
    page = web.client.get(PAGE).text
    assert '<form class="advance"' not in page and 'id="no-actions"' in page


def test_advancing_with_the_plain_form_then_with_htmx(web: Web) -> None:
    web.login(DISTRICT)
    token = csrf(web.client.get(PAGE).text)
    plain = web.client.post(
        f"{PAGE}/advance",
        data={"csrf": token, "trigger": "meeting_set", "expected_version": "1"},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"] == PAGE
    shown = web.client.get(PAGE).text
    assert 'id="flash"' in shown and '<tr data-seq="1" data-trigger="meeting_set">' in shown
    fields = {
        "csrf": token,
        "trigger": "workshop_held",
        "expected_version": "2",
        "data.participants": "25",
        "data.workshop_date": "2025-02-03",
        "note": "ศาลาประชาคม",
    }
    files = {
        "evidence.attendance": ("รายชื่อ.pdf", MINIMAL_PDF, "application/pdf"),
        "evidence.plan_book": ("", b"", "application/octet-stream"),
    }  # left empty
    part = web.client.post(f"{PAGE}/advance", data=fields, files=files, headers=HTMX)
    assert part.status_code == 200 and "<html" not in part.text
    assert 'data-seq="2"' in part.text and "รายชื่อ.pdf" in part.text
    assert 'aria-valuenow="40.0"' in part.text  # 2 of 5 steps
    assert 'data-step="evaluate" aria-current="step"' in part.text


def test_a_refused_advance_is_shown_in_place(web: Web) -> None:
    web.login(DISTRICT)
    token = csrf(web.client.get(PAGE).text)
    stale = web.client.post(
        f"{PAGE}/advance",
        headers=HTMX,
        data={"csrf": token, "trigger": "meeting_set", "expected_version": "9"},
    )
    assert stale.status_code == 409 and 'id="advance-error"' in stale.text
    assert "มีผู้อื่นเพิ่งบันทึกรายการนี้" in stale.text  # in Thai, the state by its label
    assert "plancycle show" not in stale.text and "changed by someone else" not in stale.text
    forged = web.client.post(f"{PAGE}/advance", data={"csrf": "x", "trigger": "meeting_set"})
    assert forged.status_code == 403
    web.login(OTHER_DISTRICT)
    other = web.client.post(
        f"{PAGE}/advance",
        data={"csrf": csrf(web.client.get("/areas/2402").text), "trigger": "meeting_set"},
    )
    assert other.status_code == 404  # another district's instance is told as missing (#11.2)


def days_late(web: Web, path: str) -> list[int]:
    return [int(d) for d in re.findall(r'data-days-late="(\d+)"', web.client.get(path).text)]


def test_overdue_page_sorts_by_days_late(web: Web) -> None:
    web.login(PROVINCE)
    assert "ไม่มีรายการเกินกำหนด" in web.client.get("/overdue").text
    web.world.clock.set(bkk(2025, 4, 2, 10))
    first = days_late(web, "/overdue?sort=days_late&order=desc")
    assert len(first) == 100 and first == sorted(first, reverse=True) and first[0] > 2
    ascending = days_late(web, "/overdue?sort=days_late&order=asc")
    assert ascending == sorted(ascending) and ascending[0] == 2  # due 31 March
    assert days_late(web, "/overdue?sort=days_late&order=desc&page=2")[0] <= first[-1]
    only = web.client.get("/overdue?process=activity2").text
    assert set(re.findall(r'data-key="2568/(\w+)/', only)) == {"activity2"}


def test_exports_from_the_pages(web: Web) -> None:
    web.login(PROVINCE)
    page = web.client.get("/exports").text
    assert 'href="/exports/activity2.xlsx?area=24&amp;fy=2568"' in page
    assert "bpm.csv?process=activity3" in page and 'href="/exports/village_plan.csv?' in page
    walk(web.world.engine, "2568/activity2/240101", web.world.actors, web.world.pdf)
    book = load_workbook(io.BytesIO(web.client.get("/exports/activity2.xlsx").content))
    sheet = book.active
    assert "กิจกรรมที่ ๒" in sheet["A1"].value and "ฉะเชิงเทรา" in sheet["A2"].value
    head = [c.value for c in sheet[4]]
    first = dict(zip(head, [c.value for c in sheet[5]], strict=True))
    assert first["รหัสตำบล"] == "240101" and first["ผู้เข้าร่วม (คน)"] == 25
    assert first["เบิกจ่าย (บาท)"] == 3900 and first["สถานะ"] == "เสร็จสิ้น"
    (end,) = [c.row for c in sheet["A"] if c.value == "รวม"]  # the signature block below
    spent = head.index("เบิกจ่าย (บาท)") + 1
    letter = sheet.cell(row=5, column=spent).column_letter
    assert sheet.cell(row=end, column=spent).value == f"=SUM({letter}5:{letter}{end - 1})"
    bpm = web.client.get("/exports/bpm.csv?process=activity2").content.decode("utf-8-sig")
    assert bpm.splitlines()[1].startswith("1,2568,2568/activity2/240101,")


def test_language_and_thai_digit_switches(web: Web) -> None:
    web.login(PROVINCE)
    web.client.get("/lang/en?next=/areas/24")
    english = web.client.get("/areas/24")
    assert 'lang="en"' in english.text and "Progress per process" in english.text
    assert english.headers["content-language"] == "en"
    web.client.get("/lang/th")
    web.client.get("/digits/thai")
    assert "ปีงบประมาณ ๒๕๖๘" in web.client.get("/areas/24").text


def test_assets_come_from_the_package(web: Web) -> None:
    assert web.client.get("/static/htmx.min.js").status_code == 200
    assert "Sarabun" in web.client.get("/static/app.css").text
    web.login(DISTRICT)
    answer = web.client.get(PAGE)
    assert not re.search(r'(src|href)="(https?:)?//', answer.text)
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "<script>" not in answer.text and " on" + "change=" not in answer.text
