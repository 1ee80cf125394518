"""`POST /line/webhook`: LINE's signed events tell an office its group's id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from loguru import logger

from plancycle.definitions.loader import load_catalog
from plancycle.notifier.line_webhook import answer_text, read_events, signed
from plancycle.web import WebSettings, create_app
from tests.test_notifier_line import GROUP, TOKEN, USER, FakeLine

SECRET = "0123456789abcdef0123456789abcdef"


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def events(*items: dict[str, Any]) -> bytes:
    return json.dumps({"destination": USER, "events": list(items)}, ensure_ascii=False).encode()


def join(group: str = GROUP) -> dict[str, Any]:
    return {"type": "join", "replyToken": "r-join", "source": {"type": "group", "groupId": group}}


def said(text: str, group: str = GROUP) -> dict[str, Any]:
    return {
        "type": "message",
        "replyToken": f"r-{text}",
        "source": {"type": "group", "groupId": group, "userId": USER},
        "message": {"type": "text", "id": "1", "text": text},
    }


@pytest.fixture
def fake() -> Iterator[FakeLine]:
    server = FakeLine()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    server.thread.join(5)


@pytest.fixture
def app_for(sqlite_engine: sa.Engine, tmp_path: Path, fake: FakeLine):
    def build(**overrides: Any) -> TestClient:
        settings = WebSettings(
            sqlite_engine,
            load_catalog(),
            evidence_folder=tmp_path / "evidence",
            line_api=fake.base,
            **{"line_secret": SECRET, "line_token": TOKEN, **overrides},
        )
        return TestClient(create_app(settings))

    return build


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), format="{message}", level="INFO")
    yield lines
    logger.remove(sink)


def test_the_bot_added_to_a_group_answers_with_its_id(
    app_for,
    fake: FakeLine,
    log_lines: list[str],
) -> None:
    body = events(join())
    answer = app_for().post("/line/webhook", content=body, headers={"X-Line-Signature": sign(body)})
    assert answer.status_code == 200 and answer.json() == {"events": 1}
    [sent] = fake.replies
    assert sent["replyToken"] == "r-join"
    [message] = sent["messages"]
    assert GROUP in message["text"] and "รหัสกลุ่มนี้" in message["text"]
    assert f"line,{GROUP}," in message["text"]
    assert any(f"join from group {GROUP}" in x for x in log_lines)
    assert fake.pushes == []  # a reply, not a push: no quota spent


def test_asking_in_the_group_answers_and_chatter_is_only_logged(
    app_for,
    fake: FakeLine,
    log_lines: list[str],
) -> None:
    body = events(said("สวัสดีครับ"), said("รหัสกลุ่ม"), said(" Group ID "))
    answer = app_for().post("/line/webhook", content=body, headers={"X-Line-Signature": sign(body)})
    assert answer.status_code == 200 and answer.json() == {"events": 3}
    assert [r["replyToken"] for r in fake.replies] == ["r-รหัสกลุ่ม", "r- Group ID "]
    assert sum(f"message from group {GROUP}" in x for x in log_lines) == 3


@pytest.mark.parametrize("signature", [None, "", "bm90IHRoZSBzaWduYXR1cmU=", "wrong-secret"])
def test_an_unsigned_or_badly_signed_request_is_refused(
    app_for,
    fake: FakeLine,
    signature: str | None,
) -> None:
    body = events(join())
    headers = {} if signature is None else {"X-Line-Signature": signature}
    if signature == "wrong-secret":
        headers["X-Line-Signature"] = sign(body, "another secret")
    answer = app_for().post("/line/webhook", content=body, headers=headers)
    assert answer.status_code == 401
    assert "PLANCYCLE_LINE_SECRET" in answer.json()["detail"]
    assert "PLANCYCLE_LINE_SECRET" in answer.json()["detail_th"]
    assert fake.replies == []


def test_the_webhook_is_off_without_a_secret(app_for, fake: FakeLine) -> None:
    body = events(join())
    answer = app_for(line_secret=None).post(
        "/line/webhook", content=body, headers={"X-Line-Signature": sign(body)}
    )
    assert answer.status_code == 404 and "PLANCYCLE_LINE_SECRET" in answer.json()["detail"]
    assert fake.replies == []


def test_without_a_token_the_id_is_only_logged(
    app_for,
    fake: FakeLine,
    log_lines: list[str],
) -> None:
    body = events(join())
    answer = app_for(line_token=None).post(
        "/line/webhook", content=body, headers={"X-Line-Signature": sign(body)}
    )
    assert answer.status_code == 200 and fake.replies == []
    assert any(GROUP in x for x in log_lines)


def test_events_are_read_only_when_signed() -> None:
    body = events(join(), {"type": "unfollow", "source": {"type": "user", "userId": USER}})
    assert signed(SECRET, body, sign(body)) and not signed(SECRET, body + b" ", sign(body))
    group, user = read_events(SECRET, body, sign(body))
    assert (group.kind, group.id, group.asks) == ("group", GROUP, True)
    assert (user.event, user.kind, user.id, user.asks) == ("unfollow", "user", USER, False)
    assert "รหัสผู้ใช้นี้" in answer_text(user)
