"""Withdrawing an instance through the API and the instance page (issue 13, item 3):
only an administrator or the provincial CD office, with a reason; audited; the instance
stays and leaves the counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.webapp import DISTRICT, PROVINCE, Web, make_web

URL = "/api/v1/instances/2568/activity2/240101"
PAGE = "/instances/2568/activity2/240101"


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(engine, tmp_path)


def _activity2_total(web: Web) -> int:
    body = web.client.get("/api/v1/status?area=24", headers=web.auth(PROVINCE)).json()
    return next(p["total"] for p in body["processes"] if p["process"] == "activity2")


def test_api_withdraw(web: Web) -> None:
    before = _activity2_total(web)
    refused = web.client.post(
        URL + "/withdraw", json={"reason": "by mistake"}, headers=web.auth(DISTRICT)
    )
    assert refused.status_code == 403 and refused.json()["detail_th"]
    short = web.client.post(URL + "/withdraw", json={"reason": "x"}, headers=web.auth(PROVINCE))
    assert short.status_code == 422 and "reason" in short.json()["detail"]
    assert _activity2_total(web) == before  # refusals changed nothing
    done = web.client.post(
        URL + "/withdraw", json={"reason": "ไม่อยู่ในรายการเป้าหมาย"}, headers=web.auth(PROVINCE)
    )
    assert done.status_code == 200, done.text
    assert done.json()["key"] == "2568/activity2/240101" and done.json()["withdrawn_at"]
    assert _activity2_total(web) == before - 1
    shown = web.client.get(URL, headers=web.auth(PROVINCE)).json()
    assert shown["withdrawn_at"] == done.json()["withdrawn_at"]
    # nothing is recorded on it: no one must act, no step or review is offered
    as_district = web.client.get(URL, headers=web.auth(DISTRICT)).json()
    assert as_district["must_act"] == [] and as_district["next"]
    assert not any(n["allowed"] for n in as_district["next"])
    assert as_district["review"] == {"send_back_to": [], "correct": None}
    assert shown["review"]["send_back_to"] == []
    again = web.client.post(URL + "/withdraw", json={"reason": "again"}, headers=web.auth(PROVINCE))
    assert again.status_code == 409


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_page_offers_withdraw_to_the_province_only(web: Web) -> None:
    web.login(DISTRICT)
    assert 'id="withdraw-form"' not in web.client.get(PAGE).text
    web.client.cookies.clear()
    web.login(PROVINCE)
    page = web.client.get(PAGE).text
    assert 'id="withdraw-form"' in page and 'minlength="5"' in page
    short = web.client.post(PAGE + "/withdraw", data={"csrf": _csrf(page), "reason": "ผิด"})
    assert short.status_code == 422 and "อย่างน้อย 5 ตัวอักษร" in short.text
    assert "--reason" not in short.text and 'id="withdrawn"' not in short.text
    answer = web.client.post(
        PAGE + "/withdraw",
        data={"csrf": _csrf(page), "reason": "สร้างผิดพื้นที่"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = web.client.get(PAGE).text
    assert 'id="withdrawn"' in page and 'id="withdraw-form"' not in page
    assert "ถอนรายการ (ไม่นับรวม)" in page  # the history names the record in Thai


def test_refusals_speak_the_webs_language(web: Web) -> None:
    """No command-line option in the API's or the page's words; roles by their labels."""
    short = web.client.post(URL + "/withdraw", json={"reason": "ab"}, headers=web.auth(PROVINCE))
    body = short.json()
    assert short.status_code == 422 and "--reason" not in short.text
    assert "“reason”" in body["detail"] and "อย่างน้อย 5 ตัวอักษร" in body["detail_th"]
    web.login(PROVINCE)
    page = web.client.get(PAGE).text
    short_page = web.client.post(PAGE + "/withdraw", data={"csrf": _csrf(page), "reason": "ab"})
    assert short_page.status_code == 422 and "“เหตุผล”" in short_page.text
    assert "--reason" not in short_page.text
    web.client.cookies.clear()
    web.login(DISTRICT)  # a form posted by hand: the page refuses by the roles' labels
    page = web.client.get(PAGE).text
    refused = web.client.post(PAGE + "/withdraw", data={"csrf": _csrf(page), "reason": "สร้างผิดพื้นที่"})
    assert refused.status_code == 403
    said = re.search(r'id="advance-error"><p[^>]*>([^<]+)<', refused.text).group(1)
    assert "สำนักงานพัฒนาชุมชนจังหวัด" in said and "สำนักงานพัฒนาชุมชนอำเภอ" in said
    assert not re.search(r"[a-z_]{4,}", said), said  # no role code, no English
    assert 'id="withdrawn"' not in web.client.get(PAGE).text  # nothing changed
