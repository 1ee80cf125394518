"""Each row of a batch with its own evidence files: the batch API's multipart form
(``POST /api/v1/advance-batch/upload``: items name their file parts) and the bulk page's
file input per row, with a shared file still shared. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from plancycle.workflow.reports import history
from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import DISTRICT, Web, make_web

KEYS = [f"2568/activity2/2401{n:02d}" for n in (1, 2, 3)]
PDF_A, PDF_B = MINIMAL_PDF, MINIMAL_PDF + b"\n% another scan\n"
SHA_A, SHA_B = (hashlib.sha256(x).hexdigest() for x in (PDF_A, PDF_B))
UPLOAD = "/api/v1/advance-batch/upload"


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    web = make_web(engine, tmp_path)
    for key in KEYS:
        web.world.engine.advance(key, "meeting_set", web.world.actors["district_cd_office"])
    return web


def _item(key: str, part: str | None, participants: int = 25) -> dict:
    out: dict = {
        "key": key,
        "trigger": "workshop_held",
        "data": {"participants": participants, "workshop_date": "2025-02-03"},
    }
    if part:
        out["evidence"] = {"attendance": part}
    return out


def _evidence(web: Web, key: str) -> list[str]:
    return list(history(web.world.db, key)[1][-1].evidence)


def _records(web: Web, key: str) -> int:
    return len(history(web.world.db, key)[1])


def test_each_item_attaches_its_own_part_and_a_shared_part_is_stored_once(web: Web) -> None:
    items = [_item(KEYS[0], "a"), _item(KEYS[1], "b"), _item(KEYS[2], "a")]
    answer = web.client.post(
        UPLOAD,
        headers=web.auth(DISTRICT),
        data={"batch": json.dumps({"items": items})},
        files=[
            ("a", ("ลงชื่อ 01.pdf", PDF_A, "application/pdf")),
            ("b", ("scan-02.pdf", PDF_B, "application/pdf")),
        ],
    )
    assert answer.status_code == 200, answer.text
    assert [i["status"] for i in answer.json()["items"]] == ["written"] * 3
    assert [_evidence(web, k) for k in KEYS] == [[SHA_A], [SHA_B], [SHA_A]]
    folder = web.client.app.state.web.engine.evidence_folder
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == sorted({SHA_A, SHA_B})


def test_a_part_not_sent_refuses_its_item_and_nothing_is_written(web: Web) -> None:
    items = [_item(KEYS[0], "a"), _item(KEYS[1], "missing")]
    answer = web.client.post(
        UPLOAD,
        headers=web.auth(DISTRICT),
        data={"batch": json.dumps({"items": items})},
        files=[("a", ("a.pdf", PDF_A, "application/pdf"))],
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert [i["status"] for i in body["items"]] == ["valid", "refused"]
    problem = body["items"][1]["problem"]
    assert "'missing'" in problem["detail"] and "ไม่ได้แนบมาด้วย" in problem["detail_th"]
    assert [_records(web, k) for k in KEYS] == [1, 1, 1]  # meeting_set only


def test_a_part_no_item_names_is_refused_before_any_check(web: Web) -> None:
    answer = web.client.post(
        UPLOAD,
        headers=web.auth(DISTRICT),
        data={"batch": json.dumps({"items": [_item(KEYS[0], "a")]})},
        files=[
            ("a", ("a.pdf", PDF_A, "application/pdf")),
            ("typo", ("b.pdf", PDF_B, "application/pdf")),
        ],
    )
    assert answer.status_code == 422
    assert "'typo'" in answer.json()["detail"] and answer.json()["detail_th"]
    assert _records(web, KEYS[0]) == 1


def test_a_batch_field_that_is_not_json_is_a_clear_422(web: Web) -> None:
    answer = web.client.post(
        UPLOAD,
        headers=web.auth(DISTRICT),
        data={"batch": "{not json"},
        files=[("a", ("a.pdf", PDF_A, "application/pdf"))],
    )
    assert answer.status_code == 422
    assert "'batch'" in answer.json()["detail"] and "'batch'" in answer.json()["detail_th"]


def test_the_json_batch_refuses_an_item_naming_a_part(web: Web) -> None:
    answer = web.client.post(
        "/api/v1/advance-batch",
        headers=web.auth(DISTRICT),
        json={"items": [_item(KEYS[0], "a")]},
    )
    assert answer.status_code == 422
    assert answer.json()["items"][0]["problem"]["detail"].count("'a'") == 1
    assert _records(web, KEYS[0]) == 1


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_the_bulk_page_takes_a_file_per_row_and_a_shared_one(web: Web) -> None:
    web.login(DISTRICT)
    query = "&".join(f"key={k}" for k in KEYS)
    page = web.client.get(f"/bulk?process=activity2&trigger=workshop_held&{query}")
    assert page.status_code == 200
    assert 'name="row.0.evidence.attendance"' in page.text
    form = {"csrf": _csrf(page.text), "process": "activity2", "trigger": "workshop_held"}
    form |= {f"row.{i}.key": k for i, k in enumerate(KEYS)}
    form |= {"data.participants": "30", "all.data.workshop_date": "2025-02-03"}
    answer = web.client.post(
        "/bulk",
        data=form,
        files=[
            ("evidence.attendance", ("shared.pdf", PDF_A, "application/pdf")),
            ("row.1.evidence.attendance", ("own.pdf", PDF_B, "application/pdf")),
        ],
    )
    assert answer.status_code == 200, answer.text
    assert [_evidence(web, k) for k in KEYS] == [[SHA_A], [SHA_B], [SHA_A]]
