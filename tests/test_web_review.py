"""The review loop through the API and the instance page (TestClient), on SQLite and
PostgreSQL: the on-behalf step offered on the page and done through the API with the
signed order, a send-back (403 for the district, 422 without a comment, 200 for the
province), a correction read back by the page and the JSON view."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import DISTRICT, PROVINCE, Web, make_web

A2 = "/api/v1/instances/2568/activity2/240101"
TP = "/api/v1/instances/2568/tambon_plan/240101"
PDF = ("signed.pdf", MINIMAL_PDF, "application/pdf")


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(engine, tmp_path)


def _workshop(web: Web) -> None:
    ok = web.client.post(
        f"{A2}/advance", headers=web.auth(DISTRICT), data={"trigger": "meeting_set"}
    )
    assert ok.status_code == 200, ok.text
    ok = web.client.post(
        f"{A2}/advance",
        headers=web.auth(DISTRICT),
        data={
            "trigger": "workshop_held",
            "data.participants": "25",
            "data.workshop_date": "2025-02-03",
        },
        files={"evidence.attendance": PDF},
    )
    assert ok.status_code == 200, ok.text


def test_on_behalf_through_the_api_and_offered_on_the_page(web: Web) -> None:
    done = web.client.post(
        f"{TP}/advance", headers=web.auth(DISTRICT), data={"trigger": "kbt_order_proposed"}
    )
    assert done.status_code == 200
    web.login(DISTRICT)
    page = web.client.get("/instances/2568/tambon_plan/240101").text
    assert 'data-on-behalf-of="district_chief"' in page and "บันทึกแทน" in page
    refused = web.client.post(
        f"{TP}/advance",
        headers=web.auth(DISTRICT),
        data={"trigger": "kbt_order_signed", "on_behalf_of": "district_chief"},
    )
    assert refused.status_code == 422 and "kbt_order" in refused.json()["detail"]
    signed = web.client.post(
        f"{TP}/advance",
        headers=web.auth(DISTRICT),
        data={"trigger": "kbt_order_signed", "on_behalf_of": "district_chief"},
        files={"evidence.kbt_order": PDF},
    )
    assert signed.status_code == 200, signed.text
    history = web.client.get(TP, headers=web.auth(DISTRICT)).json()["history"]
    assert history[-1]["on_behalf_of"] == "district_chief"
    assert history[-1]["role"] == "district_cd_office"


def test_send_back_and_correct_through_the_api(web: Web) -> None:
    _workshop(web)
    fixed = web.client.post(
        f"{A2}/correct",
        headers=web.auth(DISTRICT),
        data={"data.participants": "28", "reason": "นับใหม่"},
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["kind"] == "correct" and fixed.json()["data"] == {"participants": 28}
    view = web.client.get(A2, headers=web.auth(PROVINCE)).json()
    assert view["review"] == {"send_back_to": ["workshop", "coordinate"], "correct": None}
    assert (
        web.client.post(
            f"{A2}/send-back", headers=web.auth(DISTRICT), data={"comment": "x"}
        ).status_code
        == 403
    )
    no_comment = web.client.post(
        f"{A2}/send-back", headers=web.auth(PROVINCE), data={"comment": ""}
    )
    assert no_comment.status_code == 422 and no_comment.json()["detail_th"]
    sent = web.client.post(
        f"{A2}/send-back",
        headers=web.auth(PROVINCE),
        data={"comment": "รายชื่อไม่ครบ", "expected_version": str(view["version"])},
    )
    assert sent.status_code == 200, sent.text
    assert (sent.json()["from"], sent.json()["to"]) == ("evaluate", "workshop")
    stale = web.client.post(
        f"{A2}/send-back",
        headers=web.auth(PROVINCE),
        data={"comment": "again", "expected_version": str(view["version"])},
    )
    assert stale.status_code == 409
    after = web.client.get(A2, headers=web.auth(DISTRICT)).json()
    assert after["state"] == "workshop"
    assert [h["trigger"] for h in after["history"]][-2:] == ["correct", "send_back"]


def test_the_page_sends_back_and_corrects(web: Web) -> None:
    _workshop(web)
    web.login(DISTRICT)
    page = web.client.get("/instances/2568/activity2/240101").text
    assert 'id="correct"' in page and 'id="send-back"' not in page
    assert 'name="data.participants" value="25"' in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    saved = web.client.post(
        "/instances/2568/activity2/240101/correct",
        data={
            "csrf": csrf,
            "data.participants": "26",
            "data.workshop_date": "2025-02-03",
            "reason": "นับใหม่",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = web.client.get("/instances/2568/activity2/240101").text
    assert "แก้ไขข้อมูล" in page and 'name="data.participants" value="26"' in page
    web.login(PROVINCE)
    page = web.client.get("/instances/2568/activity2/240101").text
    assert 'id="send-back"' in page and 'id="correct"' not in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    refused = web.client.post(
        "/instances/2568/activity2/240101/send-back", data={"csrf": csrf, "comment": " "}
    )
    assert refused.status_code == 422 and "ความเห็น" in refused.text
