"""Deadline extensions through the API, the instance page and the exports (issue 14,
item 2): only an administrator or the provincial CD office; refusals in Thai and English
change nothing; the export shows the effective deadline and whether it was extended."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.webapp import DISTRICT, OTHER_DISTRICT, PROVINCE, Web, make_web
from tests.world import bkk

KEY = "2568/activity2/240101"
PAGE = "/instances/" + KEY


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    made = make_web(engine, tmp_path)
    made.world.clock.set(bkk(2025, 3, 20, 9))
    return made


def _ask(**fields: object) -> dict[str, object]:
    return {"step": "coordinate", "until": "2568-04-30", "reason": "น้ำท่วมพื้นที่ตำบล", **fields}


def test_api_extend_and_list(web: Web) -> None:
    refused = web.client.post("/api/v1/extensions", json=_ask(key=KEY), headers=web.auth(DISTRICT))
    assert refused.status_code == 403 and "ขยายกำหนดเวลา" in refused.json()["detail_th"]
    hidden = web.client.post(
        "/api/v1/extensions", json=_ask(key=KEY), headers=web.auth(OTHER_DISTRICT)
    )
    assert hidden.status_code == 404
    early = web.client.post(
        "/api/v1/extensions", json=_ask(key=KEY, until="2568-03-25"), headers=web.auth(PROVINCE)
    )
    assert early.status_code == 422 and "ไม่ช้ากว่า" in early.json()["detail_th"]
    empty = web.client.post(
        "/api/v1/extensions", json=_ask(key=KEY, reason=" "), headers=web.auth(PROVINCE)
    )
    assert empty.status_code == 422 and "เหตุผล" in empty.json()["detail_th"]
    listed = web.client.get("/api/v1/extensions", headers=web.auth(PROVINCE)).json()
    assert listed["extensions"] == []

    done = web.client.post("/api/v1/extensions", json=_ask(key=KEY), headers=web.auth(PROVINCE))
    assert done.status_code == 200, done.text
    assert done.json()["moved"] == [KEY] and done.json()["extension"]["until"] == "2025-04-30"
    area = web.client.post(
        "/api/v1/extensions",
        json=_ask(step="workshop", process="activity2", area="2401", fy=2568),
        headers=web.auth(PROVINCE),
    )
    assert area.status_code == 200 and area.json()["moved"] == []
    shown = web.client.get(f"/api/v1/instances/{KEY}", headers=web.auth(DISTRICT)).json()
    assert shown["due_at"].startswith("2025-04-30T16:59:59")
    mine = web.client.get("/api/v1/extensions", headers=web.auth(DISTRICT)).json()
    assert [x["instance_key"] or x["area_code"] for x in mine["extensions"]] == [KEY, "2401"]
    other = web.client.get("/api/v1/extensions", headers=web.auth(OTHER_DISTRICT)).json()
    assert other["extensions"] == []

    sheet = web.client.get(
        "/api/v1/exports/activity2.csv?area=2401&lang=en", headers=web.auth(PROVINCE)
    )
    assert sheet.status_code == 200, sheet.text
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    head = rows[0]
    due, extended = head.index("Current step due"), head.index("Deadline extended")
    by_code = {r[head.index("Tambon code")]: r for r in rows[1:] if len(r) == len(head)}
    assert by_code["240101"][extended] == "yes" and "30 April 2025" in by_code["240101"][due]
    assert by_code["240102"][extended] == "no" and "31 March 2025" in by_code["240102"][due]


def test_instance_page_form(web: Web) -> None:
    web.login(DISTRICT)
    assert 'action="' + PAGE + '/extend"' not in web.client.get(PAGE).text
    refused = web.client.post(PAGE + "/extend", data={"csrf": "x"})
    assert refused.status_code in (403, 422)
    web.client.post("/logout")
    web.login(PROVINCE)
    page = web.client.get(PAGE).text
    assert 'action="' + PAGE + '/extend"' in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    bad = web.client.post(
        PAGE + "/extend",
        data={"csrf": csrf, "step": "coordinate", "until": "2568-03-01", "reason": "ฝนตกหนัก"},
    )
    assert bad.status_code == 422 and "ผ่านไปแล้ว" in bad.text
    done = web.client.post(
        PAGE + "/extend",
        data={"csrf": csrf, "step": "coordinate", "until": "2568-04-30", "reason": "ฝนตกหนัก"},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "ขยายกำหนดเวลา" in done.text and "ฝนตกหนัก" in done.text
