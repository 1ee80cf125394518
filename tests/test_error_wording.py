"""The engine's refusals hold facts; the CLI, the web form and the API each word the hint
in their own terms (``--data participants=N``, the field's label, ``data.participants``)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from plancycle.cli.wording import CLI_WORDING
from plancycle.web.wording import API_WORDING, FORM_WORDING
from plancycle.workflow.errors import BadData, GuardFailed, MissingEvidence
from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import DISTRICT, Web, make_web
from tests.world import evidence_of

KEY = "2568/activity2/240101"
ORDERS = "2568/orders/2401"  # its copies are PDFs the letter asks for: refused when missing
API = f"/api/v1/instances/{KEY}/advance"
PAGE = f"/instances/{KEY}"
PDF = ("attendance.pdf", MINIMAL_PDF, "application/pdf")
SHELL_WORDS = ("--data", "--evidence", "data.", "evidence.")


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    web = make_web(sqlite_engine, tmp_path)
    web.world.engine.advance(KEY, "meeting_set", web.world.actors["district_cd_office"])
    return web


def _refused(web: Web, exc_type: type, data: dict, with_pdf: bool = True):
    files = evidence_of([("attendance", web.world.pdf)]) if with_pdf else []
    actor = web.world.actors["district_cd_office"]
    with pytest.raises(exc_type) as caught:
        web.world.engine.advance(KEY, "workshop_held", actor, files, None, data)
    return caught.value


def _no_orders(web: Web) -> MissingEvidence:
    """The orders' copies sent without the PDFs the letter asks for: refused."""
    actor = web.world.actors["district_cd_office"]
    web.world.engine.advance(ORDERS, "reviewed", actor)
    with pytest.raises(MissingEvidence) as caught:
        web.world.engine.advance(ORDERS, "sent_to_province", actor)
    return caught.value


def test_the_engine_holds_facts_and_speaks_no_shell(web: Web) -> None:
    missing = _refused(web, BadData, {})
    assert [r.name for r in missing.missing] == ["workshop_date", "participants"]
    assert missing.missing[1].label_th == "จำนวนผู้เข้าร่วม (ไม่น้อยกว่า ๒๐ คน)"
    guard = _refused(web, GuardFailed, {"participants": 12, "workshop_date": "2025-02-03"})
    [refusal] = guard.refusals
    assert (refusal.guard, dict(refusal.params), dict(refusal.actual), refusal.fields) == (
        "min_participants",
        {"min": 20},
        {"participants": 12},
        ("participants",),
    )
    slot = _no_orders(web)
    assert [s.name for s in slot.slots][:2] == ["order_3_1", "order_3_2"]
    for exc in (missing, guard, slot):
        assert not any(word in exc.en + exc.th for word in SHELL_WORDS), exc.en


def test_each_shell_words_the_hint_its_own_way(web: Web) -> None:
    guard = _refused(web, GuardFailed, {"participants": 12, "workshop_date": "2025-02-03"})
    cli_en, cli_th = guard.worded(CLI_WORDING)
    assert "needs at least 20 participants, got 12 (give --data participants=N)" in cli_en
    assert "(ใส่ --data participants=จำนวน)" in cli_th
    api_en, _ = guard.worded(API_WORDING)
    assert "(give data.participants)" in api_en
    form_en, form_th = guard.worded(FORM_WORDING)
    assert "(give “Participants (at least 20)”)" in form_en
    assert "(ใส่ “จำนวนผู้เข้าร่วม (ไม่น้อยกว่า ๒๐ คน)”)" in form_th
    slot = _no_orders(web)
    assert "--evidence order_3_1=FILE" in slot.worded(CLI_WORDING)[0]
    assert "evidence.order_3_1" in slot.worded(API_WORDING)[0]
    assert (
        "“๓.๑ คำสั่งแต่งตั้งคณะกรรมการบริหารงานตำบลแบบบูรณาการ (ก.บ.ต.)”" in (slot.worded(FORM_WORDING)[1])
    )


def test_the_api_names_form_fields_and_keeps_structured_members(web: Web) -> None:
    missing = web.client.post(
        API, headers=web.auth(DISTRICT), data={"trigger": "workshop_held"}, files={}
    )
    body = missing.json()
    assert missing.status_code == 422
    assert body["missing"] == ["data.workshop_date", "data.participants"]
    assert (
        "(give data.workshop_date, data.participants)" in body["detail"]
        and "--data" not in body["detail"]
    )
    low = web.client.post(
        API,
        headers=web.auth(DISTRICT),
        data={
            "trigger": "workshop_held",
            "data.participants": "12",
            "data.workshop_date": "2025-02-03",
        },
        files={"evidence.attendance": PDF},
    )
    [refusal] = low.json()["refusals"]
    assert refusal["guard"] == "min_participants" and refusal["params"] == {"min": 20}
    assert refusal["actual"] == {"participants": 12} and refusal["fields"] == ["participants"]
    orders = f"/api/v1/instances/{ORDERS}/advance"
    web.client.post(orders, headers=web.auth(DISTRICT), data={"trigger": "reviewed"})
    no_file = web.client.post(
        orders, headers=web.auth(DISTRICT), data={"trigger": "sent_to_province"}
    )
    assert no_file.json()["missing"][:2] == ["evidence.order_3_1", "evidence.order_3_2"]
    wrong = web.client.post(API, headers=web.auth(DISTRICT), data={"trigger": "nope"})
    assert wrong.json()["valid_triggers"] == ["workshop_held"]
    assert wrong.json()["state"] == "workshop"


def test_the_form_names_the_fields_label(web: Web) -> None:
    web.login(DISTRICT)

    def refused() -> str:
        token = re.search(r'name="csrf" value="([^"]+)"', web.client.get(PAGE).text).group(1)
        answer = web.client.post(
            f"{PAGE}/advance",
            headers={"HX-Request": "true"},
            data={
                "csrf": token,
                "trigger": "workshop_held",
                "data.participants": "12",
                "data.workshop_date": "2025-02-03",
            },
            files={"evidence.attendance": PDF},
        )
        assert answer.status_code == 422
        return html.unescape(answer.text)

    text = refused()  # in Thai mode, in Thai only
    assert "(ใส่ “จำนวนผู้เข้าร่วม (ไม่น้อยกว่า ๒๐ คน)”)" in text and "(give " not in text
    assert "--data" not in text and "data.participants)" not in text
    web.client.get("/lang/en")
    text = refused()
    assert "(give “Participants (at least 20)”)" in text and "(ใส่ " not in text
    assert "--data" not in text and "data.participants)" not in text
