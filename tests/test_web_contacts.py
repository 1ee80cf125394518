"""Contacts managed on the web (issue 14, item 6): the API's CRUD and permissions (a
province manages its own areas, an administrator everywhere, others are refused), the
test message through the outbox and the real channel, each contact's last delivery,
bad input refused by field with nothing changed, and the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from plancycle.notifier.channels import LogChannel, MemoryChannel
from plancycle.store.actors import add_actor
from plancycle.store.models import Area, Contact, DeliveryAttempt, OutboxMessage
from plancycle.store.tokens import issue_token
from tests.webapp import DISTRICT, PROVINCE, Web, make_web

URL = "/api/v1/contacts"
ADMIN = "admin-a"
OTHER_PROVINCE = "pcd-10"
GOOD = {
    "area_code": "2401",
    "role": "district_cd_office",
    "channel": "email",
    "address": "cd2401@example.go.th",
    "name": "พช.อำเภอเมืองฉะเชิงเทรา",
}


@pytest.fixture
def mail() -> MemoryChannel:
    return MemoryChannel("email")


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path, mail: MemoryChannel) -> Web:
    web = make_web(engine, tmp_path, channels={"log": LogChannel(), "email": mail})
    with Session(engine) as session, session.begin():
        session.add(
            Area(
                code="10",
                level="province",
                name_th="กรุงเทพมหานคร",
                province_code="10",
                source="test",
            )
        )
        session.flush()
        add_actor(
            session,
            OTHER_PROVINCE,
            "provincial_cd_office",
            "10",
            "CD 10",
            {"provincial_cd_office"},
            web.world.clock.now(),
        )
        web.tokens[ADMIN] = issue_token(session, ADMIN)
        web.tokens[OTHER_PROVINCE] = issue_token(session, OTHER_PROVINCE)
    return web


def _count(web: Web) -> int:
    with Session(web.world.db) as session:
        return session.exec(select(func.count()).select_from(Contact)).one()


def test_api_crud_in_the_province(web: Web) -> None:
    added = web.client.post(URL, json=GOOD, headers=web.auth(PROVINCE))
    assert added.status_code == 200, added.text
    body = added.json()
    assert body["effective_delivery"] == "digest"  # a district office's default
    assert body["delivery"] is None and body["last_delivery"] == {
        "kind": "never",
        "at": None,
        "error": None,
    }
    cid = body["id"]
    listed = web.client.get(URL, params={"role": "district_cd_office"}, headers=web.auth(PROVINCE))
    assert [c["id"] for c in listed.json()["contacts"]] == [cid]
    assert web.client.get(
        URL, params={"channel": "webhook"}, headers=web.auth(PROVINCE)
    ).json() == {"contacts": []}
    changed = web.client.patch(
        f"{URL}/{cid}", json={"delivery": "immediate", "name": "พช."}, headers=web.auth(PROVINCE)
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["effective_delivery"] == "immediate"
    assert (
        changed.json()["delivery"] == "immediate" and changed.json()["address"] == GOOD["address"]
    )
    gone = web.client.delete(f"{URL}/{cid}", headers=web.auth(PROVINCE))
    assert gone.status_code == 200 and gone.json()["id"] == cid and _count(web) == 0
    assert web.client.delete(f"{URL}/{cid}", headers=web.auth(PROVINCE)).status_code == 404


def test_permissions(web: Web) -> None:
    # a district office, and a nation-wide actor that is not an administrator: refused
    assert web.client.get(URL, headers=web.auth(DISTRICT)).status_code == 403
    assert web.client.post(URL, json=GOOD, headers=web.auth(DISTRICT)).status_code == 403
    # the other province can neither add in province 24 nor see or touch its contacts
    outside = web.client.post(URL, json=GOOD, headers=web.auth(OTHER_PROVINCE))
    assert outside.status_code == 403 and outside.json()["invalid"] == ["area_code"]
    assert outside.json()["detail_th"]
    cid = web.client.post(URL, json=GOOD, headers=web.auth(PROVINCE)).json()["id"]
    assert web.client.get(URL, headers=web.auth(OTHER_PROVINCE)).json() == {"contacts": []}
    for answer in (
        web.client.patch(f"{URL}/{cid}", json={"name": "x"}, headers=web.auth(OTHER_PROVINCE)),
        web.client.delete(f"{URL}/{cid}", headers=web.auth(OTHER_PROVINCE)),
        web.client.post(f"{URL}/{cid}/test", headers=web.auth(OTHER_PROVINCE)),
    ):
        assert answer.status_code == 404, answer.text
    # province 24 cannot move its contact to province 10 either, nor add a nation-wide one
    moved = web.client.patch(f"{URL}/{cid}", json={"area_code": "1001"}, headers=web.auth(PROVINCE))
    assert moved.status_code == 403
    nation = web.client.post(
        URL, json={**GOOD, "area_code": "", "role": "cdd"}, headers=web.auth(PROVINCE)
    )
    assert nation.status_code == 403
    # the administrator manages everywhere
    assert (
        web.client.post(
            URL, json={**GOOD, "area_code": "", "role": "cdd"}, headers=web.auth(ADMIN)
        ).status_code
        == 200
    )
    assert (
        web.client.patch(f"{URL}/{cid}", json={"name": "แก้"}, headers=web.auth(ADMIN)).status_code
        == 200
    )
    assert _count(web) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"address": "not-an-email"}, "address"),
        ({"role": "nobody"}, "role"),
        ({"channel": "pigeon"}, "channel"),
        ({"area_code": "123"}, "area_code"),
        ({"delivery": "weekly"}, "delivery"),
    ],
)
def test_bad_input_is_refused_by_field(web: Web, change: dict[str, str], field: str) -> None:
    answer = web.client.post(URL, json={**GOOD, **change}, headers=web.auth(PROVINCE))
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["invalid"] == [field] and "ผู้ติดต่อ" in problem["detail_th"]
    assert _count(web) == 0


def test_duplicate_refused_and_nothing_changed(web: Web) -> None:
    first = web.client.post(URL, json=GOOD, headers=web.auth(PROVINCE)).json()
    again = web.client.post(URL, json=GOOD, headers=web.auth(PROVINCE))
    assert again.status_code == 422 and again.json()["invalid"] == ["address"]
    other = web.client.post(
        URL, json={**GOOD, "address": "b@example.go.th"}, headers=web.auth(PROVINCE)
    ).json()
    clash = web.client.patch(
        f"{URL}/{other['id']}", json={"address": GOOD["address"]}, headers=web.auth(PROVINCE)
    )
    assert clash.status_code == 422 and _count(web) == 2
    listed = web.client.get(URL, headers=web.auth(PROVINCE)).json()["contacts"]
    assert sorted(c["address"] for c in listed) == ["b@example.go.th", first["address"]]


def test_test_message_is_queued_and_delivered(web: Web, mail: MemoryChannel) -> None:
    cid = web.client.post(URL, json=GOOD, headers=web.auth(PROVINCE)).json()["id"]
    sent = web.client.post(f"{URL}/{cid}/test", headers=web.auth(PROVINCE))
    assert sent.status_code == 200, sent.text
    last = sent.json()["last_delivery"]
    assert last["kind"] == "delivered" and last["at"].startswith("2024-11-27")
    assert [m.address for m in mail.sent] == [GOOD["address"]]
    assert "ข้อความทดสอบ" in mail.sent[0].subject
    with Session(web.world.db) as session:
        message = session.exec(select(OutboxMessage)).one()
        assert message.status == "delivered" and message.payload["test"] is True
        assert session.exec(select(func.count()).select_from(DeliveryAttempt)).one() == 1
    # a failure is kept with its error, and shown as the last delivery
    mail.fail(1)
    failed = web.client.post(f"{URL}/{cid}/test", headers=web.auth(PROVINCE)).json()
    assert failed["last_delivery"]["kind"] == "failed"
    assert "simulated failure" in failed["last_delivery"]["error"]
    listed = web.client.get(URL, headers=web.auth(PROVINCE)).json()["contacts"]
    assert listed[0]["last_delivery"]["kind"] == "failed"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_the_page(web: Web, mail: MemoryChannel) -> None:
    web.login(DISTRICT)
    assert 'id="nav-contacts"' not in web.client.get("/inbox").text
    assert web.client.get("/contacts").status_code == 403
    web.client.cookies.clear()
    web.login(PROVINCE)
    page = web.client.get("/contacts").text
    assert 'id="nav-contacts"' in page and "ยังไม่มีผู้ติดต่อ" in page
    csrf = _csrf(page)
    bad = web.client.post("/contacts", data={**GOOD, "address": "ไม่ใช่อีเมล", "csrf": csrf})
    assert bad.status_code == 422
    assert 'id="problem-address"' in bad.text and "ไม่ใช่ที่อยู่อีเมล" in bad.text
    assert 'value="ไม่ใช่อีเมล"' in bad.text and _count(web) == 0  # kept as typed
    forged = web.client.post("/contacts", data={**GOOD, "csrf": "forged"})
    assert forged.status_code == 403 and _count(web) == 0
    saved = web.client.post("/contacts", data={**GOOD, "csrf": csrf}, follow_redirects=False)
    assert saved.status_code == 303
    page = web.client.get("/contacts").text
    assert 'id="contact-saved"' in page and "ค่าเริ่มต้น" in page and "ยังไม่เคยส่ง" in page
    cid = web.client.get(URL, headers=web.auth(PROVINCE)).json()["contacts"][0]["id"]
    tested = web.client.post(f"/contacts/{cid}/test", data={"csrf": csrf})
    assert tested.status_code == 200 and 'id="contact-tested" data-kind="delivered"' in tested.text
    assert 'data-kind="delivered">ส่งถึงแล้ว' in tested.text and len(mail.sent) == 1
    edit = web.client.get(f"/contacts?edit={cid}").text
    assert f'action="/contacts/{cid}"' in edit and GOOD["address"] in edit
    confirm = web.client.get(f"/contacts?delete={cid}").text
    assert 'id="confirm-delete"' in confirm and _count(web) == 1
    web.client.post(f"/contacts/{cid}/delete", data={"csrf": csrf})
    assert _count(web) == 0
