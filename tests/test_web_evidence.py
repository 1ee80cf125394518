"""Evidence files opened over HTTP: ``GET /api/v1/evidence/{sha256}`` and the pages'
``/evidence/{sha256}`` links. Only an actor whose area has an instance that attached the
file gets it (with its media type and the name it was attached under); anyone else is
told it does not exist, exactly as for an unknown file, and the refusal is kept.
The round trip runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.responses import FileResponse
from sqlmodel import Session, select

from plancycle.store.models import RefusedAttempt
from plancycle.web.api_evidence import evidence_response
from plancycle.workflow.evidence_files import OPEN_EVIDENCE, StoredFile, evidence_key
from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import DISTRICT, NATION, OTHER_DISTRICT, PROVINCE, Web, make_web

KEY = "2568/activity2/240101"
NAME = "ใบลงชื่อ อบรม.pdf"
SHA = hashlib.sha256(MINIMAL_PDF).hexdigest()


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    web = make_web(engine, tmp_path)
    web.world.engine.advance(KEY, "meeting_set", web.world.actors["district_cd_office"])
    answer = web.client.post(
        f"/api/v1/instances/{KEY}/advance",
        headers=web.auth(DISTRICT),
        data={
            "trigger": "workshop_held",
            "data.participants": "25",
            "data.workshop_date": "2025-02-03",
        },
        files={"evidence.attendance": (NAME, MINIMAL_PDF, "application/pdf")},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["evidence"] == [SHA]
    return web


def _refusals(web: Web) -> list[RefusedAttempt]:
    assert web.world.engine.refusals.flush(10)
    with Session(web.world.db) as session:
        return list(
            session.exec(select(RefusedAttempt).where(RefusedAttempt.trigger == OPEN_EVIDENCE))
        )


def test_an_actor_in_scope_gets_the_file_with_its_type_and_name(web: Web) -> None:
    for actor in (DISTRICT, PROVINCE, NATION):
        answer = web.client.get(f"/api/v1/evidence/{SHA}", headers=web.auth(actor))
        assert answer.status_code == 200, answer.text
        assert answer.content == MINIMAL_PDF
        assert answer.headers["content-type"] == "application/pdf"
        disposition = answer.headers["content-disposition"]
        assert disposition.startswith("inline;")
        assert f"filename*=UTF-8''{quote(NAME, safe='')}" in disposition
        assert answer.headers["x-content-type-options"] == "nosniff"
        policy = answer.headers["content-security-policy"]
        assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert _refusals(web) == []


def test_another_district_is_told_it_does_not_exist_and_it_is_kept(web: Web) -> None:
    theirs = web.client.get(f"/api/v1/evidence/{SHA}", headers=web.auth(OTHER_DISTRICT))
    unknown_sha = "0" * 64
    unknown = web.client.get(f"/api/v1/evidence/{unknown_sha}", headers=web.auth(OTHER_DISTRICT))
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.headers["content-type"] == unknown.headers["content-type"]
    told, missing = theirs.json(), unknown.json()
    assert told["type"] == missing["type"] == "urn:plancycle:problem:unknown-evidence"
    # the same answer down to the words, but for the hash asked about
    assert told["detail"].replace(SHA[:12], "X") == missing["detail"].replace(unknown_sha[:12], "X")
    assert "240101" not in theirs.text
    kept = {r.error: r for r in _refusals(web)}
    assert set(kept) == {"EvidenceOutOfScope", "UnknownEvidence"}
    out = kept["EvidenceOutOfScope"]
    assert out.actor_id == OTHER_DISTRICT and out.key == evidence_key(SHA)
    assert "240101" in out.reason and "2402" in out.reason


def test_bad_hashes_and_missing_tokens(web: Web) -> None:
    assert web.client.get(f"/api/v1/evidence/{SHA}").status_code == 401
    bad = web.client.get(f"/api/v1/evidence/{SHA[:20]}", headers=web.auth(DISTRICT))
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


def test_the_instance_page_links_each_file_and_the_link_opens_under_the_session(
    web: Web,
) -> None:
    assert web.client.get(f"/evidence/{SHA}", follow_redirects=False).status_code == 303
    web.login(DISTRICT)
    page = web.client.get(f"/instances/{KEY}").text
    history = page[page.index('id="history"') :]
    listed = page[page.index('id="evidence"') : page.index('id="history"')]
    for part in (history, listed):
        [href] = set(re.findall(r'href="(/evidence/[0-9a-f]{64})"', part))
        assert href == f"/evidence/{SHA}"
        assert NAME in part
    opened = web.client.get(f"/evidence/{SHA}")
    assert opened.status_code == 200 and opened.content == MINIMAL_PDF
    assert opened.headers["content-type"] == "application/pdf"
    web.client.cookies.clear()
    web.login(OTHER_DISTRICT)
    refused = web.client.get(f"/evidence/{SHA}")
    assert refused.status_code == 404
    assert "ไม่พบไฟล์หลักฐาน" in refused.text
    assert [r.error for r in _refusals(web)] == ["EvidenceOutOfScope"]


def test_a_file_is_streamed_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"\0" * 10)
    answer = evidence_response(StoredFile("a" * 64, path, "a.zip", "application/zip", 10))
    assert isinstance(answer, FileResponse)  # sends the file in chunks
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["content-security-policy"].startswith("sandbox;")
    image = evidence_response(StoredFile("b" * 64, path, "a.png", "image/png", 10))
    assert image.headers["content-disposition"].startswith("inline;")
    assert image.headers["content-security-policy"].startswith("sandbox;")
