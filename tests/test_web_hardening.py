"""Web request hardening (issue #11, items 3, 7 and 9): bodies limited before they are
read, form text kept exactly as typed (UTF-8 only), sessions that logout ends, the login
form's CSRF token, and failed sign-ins throttled."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from pathlib import Path

import anyio
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from starlette import formparsers

from plancycle.store.models import Instance, SignInFailure, TransitionRecord
from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import DISTRICT, PROVINCE, Web, make_web

A2 = "/api/v1/instances/2568/activity2/240101"
PAGE = "/instances/2568/activity2/240101"
MB = 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    # room for 2 files of 1 MB each, plus 1 MB of fields: 3 MB per advance
    return make_web(sqlite_engine, tmp_path, upload_max_bytes=MB, upload_max_files=2)


def problem(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["status"] == status and body["detail"] and body["detail_th"]
    return body


FILE_PART = (
    b'--b\r\nContent-Disposition: form-data; name="trigger"\r\n\r\nmeeting_set\r\n'
    b'--b\r\nContent-Disposition: form-data; name="evidence.attendance"; filename="a.pdf"\r\n'
    b"Content-Type: application/pdf\r\n\r\n%PDF-"
)


def _send(
    app, path: str, headers: dict[str, str], chunks: int, head: bytes = FILE_PART
) -> tuple[int, bytes, int]:
    """POST ``head`` then ``chunks`` chunks of 64 KB to the ASGI app as a streamed body
    (a file that never ends), the way a server hands it over; (status, body, chunks the
    app took, ``head`` included)."""
    taken = 0
    answer: dict = {"body": b""}

    async def receive() -> dict:
        nonlocal taken
        if taken >= chunks:
            return {"type": "http.disconnect"}
        taken += 1
        body = head if taken == 1 else b"x" * CHUNK
        return {"type": "http.request", "body": body, "more_body": taken < chunks}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(web_app(app), scope, receive, send)
    return answer["status"], answer["body"], taken


def web_app(app):
    async def run(scope, receive, send):
        await app(scope, receive, send)

    return run


def test_a_body_declared_over_the_limit_is_refused_unread(web: Web) -> None:
    headers = {**web.auth(DISTRICT), "content-type": "multipart/form-data; boundary=b"}
    status, body, taken = _send(
        web.client.app, f"{A2}/advance", {**headers, "content-length": str(300 * MB)}, 4800
    )
    assert status == 413 and taken == 0
    shown = json.loads(body)
    assert shown["type"] == "urn:plancycle:problem:too-large" and shown["limit"] == 3 * MB


def test_a_streamed_body_is_stopped_as_soon_as_it_passes_the_limit(web: Web) -> None:
    headers = {**web.auth(DISTRICT), "content-type": "multipart/form-data; boundary=b"}
    status, body, taken = _send(web.client.app, f"{A2}/advance", headers, 300 * MB // CHUNK)
    assert status == 413 and json.loads(body)["type"] == "urn:plancycle:problem:too-large"
    assert (taken - 1) * CHUNK <= 3 * MB + CHUNK  # read no further than the limit
    # the login form takes 4 KB at most
    status, _, taken = _send(
        web.client.app, "/login", {"content-type": "application/x-www-form-urlencoded"}, 100
    )
    assert status == 413 and taken == 2  # the head, then the chunk that passed 4 KB


def test_too_many_files_are_refused_and_a_forged_form_reads_none(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    real = formparsers.SpooledTemporaryFile

    def counting(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(formparsers, "SpooledTemporaryFile", counting)
    files = [("evidence", (f"f{i}.pdf", MINIMAL_PDF, "application/pdf")) for i in range(51)]
    web.login(DISTRICT)
    forged = web.client.post(f"{PAGE}/advance", data={"csrf": "x", "trigger": "a"}, files=files)
    assert forged.status_code == 403 and opened == []  # refused before the first file
    many = web.client.post(
        f"{A2}/advance", headers=web.auth(DISTRICT), data={"trigger": "a"}, files=files[:3]
    )
    assert problem(many, 413)["limit"] == 2
    assert len(opened) == 2  # the third file was never read
    fields = {f"data.f{i}": "1" for i in range(101)}
    crowded = web.client.post(
        f"{A2}/advance", headers=web.auth(DISTRICT), data={"trigger": "a", **fields}
    )
    assert problem(crowded, 413)["detail"].startswith("the request is too large: too many fields")


@pytest.mark.parametrize(
    "data",
    [
        '{"participants": ' + "[" * 990 + "]" * 990 + "}",
        '{"participants": ' + "9" * 5000 + "}",
        '{"participants": NaN}',
    ],
    ids=["deep", "huge-integer", "nan"],
)
def test_deep_json_and_huge_numbers_in_data_are_422(web: Web, data: str) -> None:
    answer = web.client.post(
        f"{A2}/advance", headers=web.auth(DISTRICT), data={"trigger": "meeting_set", "data": data}
    )
    assert problem(answer, 422)["type"] == "urn:plancycle:problem:bad-step-input"


def _records(web: Web) -> int:
    with Session(web.world.db) as session:
        return len(session.exec(select(TransitionRecord)).all())


def test_tis620_bytes_are_refused_and_nothing_is_stored(web: Web) -> None:
    before = _records(web)
    typed = "ทดสอบ".encode("tis-620")
    body = (
        b'--b\r\nContent-Disposition: form-data; name="trigger"\r\n\r\nmeeting_set\r\n'
        b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\n' + typed + b"\r\n--b--\r\n"
    )
    headers = {**web.auth(DISTRICT), "content-type": "multipart/form-data; boundary=b"}
    refused = problem(web.client.post(f"{A2}/advance", headers=headers, content=body), 422)
    assert "UTF-8" in refused["detail"] and "TIS-620" in refused["detail"]
    assert "UTF-8" in refused["detail_th"]
    web.login(DISTRICT)
    page = web.client.get(PAGE).text
    token = page.split('name="csrf" value="')[1].split('"')[0]
    urlencoded = f"csrf={token}&trigger=meeting_set&note=".encode() + b"%B7%B4%CA%CD%BA"
    answer = web.client.post(
        f"{PAGE}/advance",
        content=urlencoded,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 422 and "UTF-8" in answer.text
    assert _records(web) == before
    with Session(web.world.db) as session:
        inst = session.exec(select(Instance).where(Instance.key == "2568/activity2/240101")).one()
        assert inst.state == "coordinate"
    # the same text as UTF-8 is kept as typed
    web.client.post(
        f"{A2}/advance",
        headers=web.auth(DISTRICT),
        data={"trigger": "meeting_set", "note": "ทดสอบ"},
    )
    history = web.client.get(f"{A2}/history", headers=web.auth(DISTRICT)).json()
    assert any(r.get("note") == "ทดสอบ" for r in history["records"])


@pytest.fixture
def on_each_store(engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(engine, tmp_path)


def test_logout_ends_a_copied_session_cookie(on_each_store: Web) -> None:
    web = on_each_store
    web.login(DISTRICT)
    copied = web.client.cookies.get("plancycle_session")
    page = web.client.get("/areas/2401").text
    token = page.split('name="csrf" value="')[1].split('"')[0]
    web.client.post("/logout", data={"csrf": token})
    web.client.cookies.set("plancycle_session", copied)
    answer = web.client.get("/areas/2401", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_the_login_form_needs_its_csrf_token_and_takes_no_files(web: Web) -> None:
    token = web.tokens[DISTRICT]
    assert web.client.post("/login", data={"token": token}).status_code == 403
    multipart = web.client.post(
        "/login", data={"token": token}, files={"f": ("a.pdf", b"%PDF-", "application/pdf")}
    )
    assert multipart.status_code == 422
    assert web.client.get("/areas/2401", follow_redirects=False).status_code == 303


def test_a_non_ascii_csrf_token_is_a_403(web: Web) -> None:
    web.login(DISTRICT)
    assert web.client.post("/logout", data={"csrf": "ทดสอบ"}).status_code == 403
    assert web.login_form(csrf="ทดสอบ", token="x").status_code == 403


def test_the_11th_failed_sign_in_in_a_minute_is_429_until_the_minute_is_over(
    on_each_store: Web,
) -> None:
    web = on_each_store
    for _ in range(10):
        assert web.login_form(token="pc_wrong").status_code == 401
    locked = web.login_form(token=web.tokens[DISTRICT])  # even the right token
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) == 60
    assert "429" not in locked.text and "60" in locked.text
    with Session(web.world.db) as session:
        assert len(session.exec(select(SignInFailure)).all()) == 10
    seen = web.client.get("/api/v1/sign-in/lockouts", headers=web.auth(PROVINCE)).json()
    assert [(x["client"], x["failures"]) for x in seen["lockouts"]] == [("testclient", 10)]
    problem(web.client.get("/api/v1/sign-in/lockouts", headers=web.auth(DISTRICT)), 403)
    web.world.clock.advance(timedelta(seconds=61))
    assert web.login_form(token=web.tokens[DISTRICT]).status_code == 303
    seen = web.client.get("/api/v1/sign-in/lockouts", headers=web.auth(PROVINCE)).json()
    assert seen["lockouts"] == []


def test_partial_files_a_killed_server_left_are_removed_at_start(
    sqlite_engine: sa.Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "web-evidence"
    folder.mkdir()
    stale, running = folder / ".0123456789abcdef.part", folder / ".fedcba9876543210.part"
    stale.write_bytes(b"%PDF- cut short by kill -9")
    running.write_bytes(b"%PDF- still being copied")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    make_web(sqlite_engine, tmp_path)
    assert not stale.exists() and running.exists()
