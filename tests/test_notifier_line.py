"""The LINE channel against a fake LINE Messaging API on 127.0.0.1.

The fake answers pushes as scripted (status, headers, body), keeps the retry keys it
accepted (a second push with one answers 409, as LINE does) and serves the quota.
Time is moved by passing ``now``; nothing sleeps to wait for a retry.
"""

from __future__ import annotations

import json
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from loguru import logger
from rich.cells import cell_len
from sqlmodel import Session, select
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.kinds import Delivery
from plancycle.notifier.channels import (
    DeliveryError,
    LineChannel,
    LineSettings,
    NotifierConfigError,
    channels_for,
)
from plancycle.notifier.contacts import ContactBook, ContactImportError, import_contacts_csv
from plancycle.notifier.dispatch import DispatchReport, dispatch_once
from plancycle.notifier.line_api import retry_key
from plancycle.notifier.line_text import MAX_CHARS, line_length, line_messages
from plancycle.notifier.outbox import enqueue
from plancycle.settings import load_settings
from plancycle.store.models import Contact, DeliveryAttempt, OutboxMessage
from tests.cli_demo import console_width
from tests.test_notifier_delivery import outbox_message
from tests.test_notifier_messages import make_notice

T0 = datetime(2025, 4, 3, 2, tzinfo=UTC)
TOKEN = "test-channel-access-token"
GROUP = "C" + "0123456789abcdef" * 2
USER = "U" + "fedcba9876543210" * 2


class FakeLineHandler(BaseHTTPRequestHandler):
    """Answers as :class:`FakeLine` (``self.server.fake``) says."""

    @property
    def fake(self) -> FakeLine:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def do_POST(self) -> None:
        fake = self.fake
        data = self.rfile.read(int(self.headers["Content-Length"]))
        body = json.loads(data.decode("utf-8"))
        headers = dict(self.headers)
        if self.path == "/v2/bot/message/reply":
            fake.replies.append(body)
            return self.answer(200, {}, {})
        fake.pushes.append((headers, body))
        if self.path != "/v2/bot/message/push":
            return self.answer(404, {}, {"message": "Not found"})
        if fake.script:
            return self.answer(*fake.script.pop(0))
        key = headers.get("X-Line-Retry-Key", "")
        if key in fake.accepted:
            return self.answer(409, {}, {"message": "The retry key is already accepted"})
        fake.accepted[key] = body
        fake.used += 1
        return self.answer(200, {}, {"sentMessages": []})

    def do_GET(self) -> None:
        fake = self.fake
        fake.gets.append(self.path)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.answer(401, {}, {"message": "Authentication failed"})
        if self.path == "/v2/bot/message/quota":
            limited = {"type": "limited", "value": fake.limit}
            return self.answer(200, {}, {"type": "none"} if fake.limit is None else limited)
        if self.path == "/v2/bot/message/quota/consumption":
            return self.answer(200, {}, {"totalUsage": fake.used})
        return self.answer(404, {}, {"message": "Not found"})

    def answer(self, status: int, headers: dict[str, str], body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeLine:
    """A LINE Messaging API on 127.0.0.1: scripted push answers, quota, retry keys."""

    def __init__(self) -> None:
        self.pushes: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.gets: list[str] = []
        self.replies: list[dict[str, Any]] = []
        self.script: list[tuple[int, dict[str, str], dict[str, Any]]] = []
        self.accepted: dict[str, dict[str, Any]] = {}
        self.limit: int | None = 1000
        self.used = 10
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLineHandler)
        self.server.fake = self  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def fail(self, times: int, status: int, headers: dict[str, str] | None = None) -> None:
        message = {401: "Authentication failed", 400: "The property, 'to', is invalid"}
        body = {"message": message.get(status, "Internal server error")}
        self.script = [(status, headers or {}, body)] * times


@pytest.fixture
def line() -> Iterator[FakeLine]:
    fake = FakeLine()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    fake.thread.join(5)


def channel(fake: FakeLine, token: str = TOKEN) -> LineChannel:
    settings = load_settings({"PLANCYCLE_LINE_TOKEN": token, "PLANCYCLE_LINE_API": fake.base})
    return LineChannel(LineSettings.of(settings))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), format="{level} {message}", level="INFO")
    yield lines
    logger.remove(sink)


# --- one push -------------------------------------------------------------------


def test_push_sends_the_notice_with_token_and_retry_key(line: FakeLine) -> None:
    message = outbox_message("line", GROUP)
    channel(line).send(message)
    [(headers, body)] = line.pushes
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    key = headers["X-Line-Retry-Key"]
    assert uuid.UUID(key) and key == key.lower()
    assert key == retry_key(message.id, message.created_at)
    assert body["to"] == GROUP
    [text] = body["messages"]
    assert text["type"] == "text"
    assert text["text"] == f"{message.subject}\n\n{message.body.rstrip()}"
    assert "เกินกำหนด 3 วัน" in text["text"] and "31 มี.ค. 68 23:59 น." in text["text"]
    assert line.gets == ["/v2/bot/message/quota", "/v2/bot/message/quota/consumption"]


def test_retry_key_is_the_same_per_message_and_differs_between_messages() -> None:
    assert retry_key(1, T0) == retry_key(1, T0) == retry_key(1, T0.replace(tzinfo=None))
    assert retry_key(1, T0) != retry_key(2, T0)
    assert retry_key(1, T0) != retry_key(1, T0 + timedelta(seconds=1))


def test_a_push_accepted_before_is_not_delivered_twice(line: FakeLine) -> None:
    message = outbox_message("line", USER)
    sender = channel(line)
    sender.send(message)
    sender.send(message)  # the claim had expired: the same message goes out again
    assert len(line.pushes) == 2 and len(line.accepted) == 1


def test_a_bad_token_names_the_setting(line: FakeLine) -> None:
    line.fail(1, 401)
    with pytest.raises(DeliveryError) as caught:
        channel(line, token="wrong").send(outbox_message("line", GROUP))
    error = caught.value
    assert "HTTP 401" in error.en and "PLANCYCLE_LINE_TOKEN" in error.en
    assert "Authentication failed" in error.en
    assert "PLANCYCLE_LINE_TOKEN" in error.th and "โทเค็น" in error.th
    assert not error.permanent  # fixed the token, the messages still go


def test_closed_port_is_a_delivery_error_to_retry(line: FakeLine) -> None:
    sender = channel(line)
    line.server.shutdown()
    line.server.server_close()
    with pytest.raises(DeliveryError, match="LINE push to C0123.* failed") as caught:
        sender.send(outbox_message("line", GROUP))
    assert not caught.value.permanent and "ส่งไลน์ถึง" in caught.value.th


def test_an_address_that_is_no_line_id_is_refused_for_good(line: FakeLine) -> None:
    with pytest.raises(DeliveryError, match="not a LINE id") as caught:
        channel(line).send(outbox_message("line", "line-group-of-2401"))
    assert caught.value.permanent and line.pushes == []


def test_nearly_used_quota_is_said_in_the_log(line: FakeLine, log_lines: list[str]) -> None:
    line.limit, line.used = 300, 280
    channel(line).send(outbox_message("line", GROUP))
    [warning] = [x for x in log_lines if "quota" in x]
    assert warning.startswith("WARNING") and "281 of 300" in warning and "19 left" in warning


def test_quota_is_not_read_on_every_push(line: FakeLine, log_lines: list[str]) -> None:
    sender = channel(line)
    for i in range(1, 52):
        sender.send(outbox_message("line", GROUP).model_copy(update={"id": i}))
    assert line.gets.count("/v2/bot/message/quota") == 2  # the 1st push and the 51st
    assert not [x for x in log_lines if "quota" in x]


# --- through the dispatcher -----------------------------------------------------


def add_line_message(db: sa.Engine, address: str = GROUP) -> int:
    with Session(db) as s:
        s.add(
            Contact(
                area_code="2401",
                role="district_cd_office",
                channel="line",
                address=address,
                delivery=Delivery.IMMEDIATE,  # an office's default is the morning digest
            )
        )
        s.commit()
        assert enqueue(s, None, make_notice(), "2401", ContactBook.load(s), T0) == 1
        s.commit()
        return s.exec(select(OutboxMessage.id)).one()


def stored(db: sa.Engine, mid: int) -> tuple[OutboxMessage, list[DeliveryAttempt]]:
    with Session(db) as s:
        m = s.get(OutboxMessage, mid)
        assert m is not None
        tries = s.exec(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.message_id == mid)
            .order_by(DeliveryAttempt.id)  # type: ignore[arg-type]
        ).all()
        return m, list(tries)


def test_429_waits_retry_after_then_delivers_once(engine: sa.Engine, line: FakeLine) -> None:
    mid = add_line_message(engine)
    channels = {"line": channel(line)}
    line.fail(1, 429, {"Retry-After": "30"})
    assert dispatch_once(engine, channels, T0, worker="w") == DispatchReport(1, 0, 1, 0)
    m, _ = stored(engine, mid)
    assert (m.status, m.attempts) == ("pending", 1)
    assert m.next_attempt_at.replace(tzinfo=UTC) == T0 + timedelta(seconds=30)  # not 60 s
    assert "HTTP 429" in (m.last_error or "")
    assert dispatch_once(engine, channels, T0 + timedelta(seconds=29), worker="w").claimed == 0
    assert dispatch_once(engine, channels, T0 + timedelta(seconds=30), worker="w").delivered == 1
    m, tries = stored(engine, mid)
    assert (m.status, m.attempts) == ("delivered", 2)
    assert [t.ok for t in tries] == [False, True]
    keys = {headers["X-Line-Retry-Key"] for headers, _ in line.pushes}
    assert len(line.pushes) == 2 and len(keys) == 1 and len(line.accepted) == 1


def test_500_eight_times_is_dead_with_nothing_lost(engine: sa.Engine, line: FakeLine) -> None:
    mid = add_line_message(engine)
    channels = {"line": channel(line)}
    line.fail(100, 500)
    now = T0
    for n in range(1, 9):
        report = dispatch_once(engine, channels, now, worker="w")
        m, _ = stored(engine, mid)
        if n < 8:
            assert report == DispatchReport(1, 0, 1, 0)
            assert m.next_attempt_at.replace(tzinfo=UTC) - now == timedelta(
                seconds=min(3600, 60 * 2 ** (n - 1))
            )
            now = m.next_attempt_at.replace(tzinfo=UTC)
    assert report == DispatchReport(1, 0, 0, 1)
    m, tries = stored(engine, mid)
    assert (m.status, m.attempts) == ("dead", 8)
    assert "HTTP 500" in (m.last_error or "") and "Internal server error" in (m.last_error or "")
    assert [t.ok for t in tries] == [False] * 8
    assert "เกินกำหนด 3 วัน" in m.body and m.address == GROUP  # kept whole, to send again
    assert len(line.pushes) == 8 and line.accepted == {}
    assert dispatch_once(engine, channels, now + timedelta(days=1), worker="w").claimed == 0


def test_400_is_dead_at_once_with_lines_message(engine: sa.Engine, line: FakeLine) -> None:
    mid = add_line_message(engine)
    line.fail(1, 400)
    report = dispatch_once(engine, {"line": channel(line)}, T0, worker="w")
    assert report == DispatchReport(1, 0, 0, 1)
    m, tries = stored(engine, mid)
    assert (m.status, m.attempts) == ("dead", 1) and len(tries) == 1
    assert "HTTP 400" in (m.last_error or "") and "'to', is invalid" in (m.last_error or "")


def test_bad_token_through_the_dispatcher_is_retried(engine: sa.Engine, line: FakeLine) -> None:
    mid = add_line_message(engine)
    line.fail(1, 401)
    assert dispatch_once(engine, {"line": channel(line)}, T0, worker="w").retried == 1
    m, _ = stored(engine, mid)
    assert "PLANCYCLE_LINE_TOKEN" in (m.last_error or "")


# --- long Thai text -------------------------------------------------------------

THAI_LINE = "ขอให้สำนักงานพัฒนาชุมชนอำเภอเร่งรัดการจัดเวทีประชาคมหมู่บ้านให้แล้วเสร็จภายในกำหนด"


def assert_whole_thai(parts: list[str]) -> None:
    for part in parts:
        assert 0 < line_length(part) <= MAX_CHARS
        assert not unicodedata.category(part[0]).startswith("M"), part[:5]  # no orphan mark
        assert part[-1] not in "เแโใไ"  # no leading vowel cut from its consonant


def test_long_thai_text_is_split_at_line_boundaries() -> None:
    text = "\n".join(f"{i}. {THAI_LINE}" for i in range(200))  # about 17,000 characters
    parts = line_messages(text)
    assert len(parts) == 4
    assert_whole_thai(parts)
    assert "\n".join(parts) == text  # every line whole, in order
    assert all(p.split("\n")[0].split(". ")[1] == THAI_LINE for p in parts)


def test_a_thai_line_longer_than_a_message_is_cut_between_characters() -> None:
    text = THAI_LINE * 70  # one line of 5,600 characters, no spaces
    parts = line_messages(text)
    assert len(parts) == 2
    assert_whole_thai(parts)
    assert "".join(parts) == text


def test_emoji_count_twice() -> None:
    parts = line_messages("😀" * 3000)
    assert [line_length(p) for p in parts] == [5000, 1000]


def test_beyond_five_messages_the_rest_is_a_link() -> None:
    link = "https://plancycle.example.go.th/instances/2568/activity2/240101"
    text = f"ดูรายละเอียดที่ {link}\n" + "\n".join(f"{i}. {THAI_LINE}" for i in range(400))
    parts = line_messages(text)
    assert len(parts) == 5
    assert_whole_thai(parts)
    assert parts[-1].endswith(f"… ดูทั้งหมดที่ {link}")
    assert "\n".join(parts[:4]) == text[: len("\n".join(parts[:4]))]
    without = line_messages("\n".join(f"{i}. {THAI_LINE}" for i in range(400)))
    assert len(without) == 5 and without[-1].endswith("… (ตัดส่วนที่เหลือ)")


def test_a_long_notice_goes_as_several_messages(line: FakeLine) -> None:
    message = outbox_message("line", GROUP)
    message.body = "\n".join(THAI_LINE for _ in range(150))
    channel(line).send(message)
    [(_, body)] = line.pushes
    texts = [m["text"] for m in body["messages"]]
    assert len(texts) == 3 and all(len(t) <= MAX_CHARS for t in texts)
    assert "\n".join(texts) == f"{message.subject}\n\n{message.body}"


# --- contacts, settings, the quota command --------------------------------------

ROLES = {"district_cd_office", "district_chief"}


def test_contacts_import_takes_line_ids(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "area_code,role,channel,address,name\n"
        f"2401,district_cd_office,line,{GROUP},กลุ่มไลน์ พช.อำเภอเมือง\n"
        f"2401,district_chief,LINE,{USER},\n",
        encoding="utf-8",
    )
    assert import_contacts_csv(session, path, ROLES) == 2
    session.commit()
    book = ContactBook.load(session)
    assert book.lookup("district_cd_office", "2401") == [("line", GROUP)]
    assert book.lookup("district_chief", "2401") == [("line", USER)]
    assert book.offices("district_chief", "2401") == []  # an id is not shown as a name


def test_contacts_import_refuses_bad_line_ids(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "area_code,role,channel,address\n"
        f"2401,district_cd_office,line,{GROUP}\n"
        f"2401,district_chief,line,{GROUP[:-1]}\n"  # 32 characters
        f"2402,district_chief,line,{GROUP.upper()}\n"  # upper-case hex
        f"2403,district_chief,line,X{GROUP[1:]}\n"  # no U, C or R
        "2404,district_chief,line,@plancycle-2404\n",  # a LINE handle, not an id
        encoding="utf-8",
    )
    with pytest.raises(ContactImportError) as caught:
        import_contacts_csv(session, path, ROLES)
    assert [p.line for p in caught.value.problems] == [3, 4, 5, 6]
    assert all(
        "is not a LINE id" in p.en and "33 characters" in p.en for p in caught.value.problems
    )
    assert all("ไม่ใช่รหัสไลน์" in p.th and "33 ตัวอักษร" in p.th for p in caught.value.problems)
    assert session.exec(select(Contact)).all() == []


def test_line_settings() -> None:
    assert "line" not in channels_for(load_settings({}))
    both = channels_for(load_settings({"PLANCYCLE_LINE_TOKEN": "t"}))
    line_channel = both["line"]
    assert isinstance(line_channel, LineChannel)
    assert (line_channel.settings.token, line_channel.settings.api) == ("t", "https://api.line.me")
    with pytest.raises(NotifierConfigError, match="PLANCYCLE_LINE_TOKEN is not set") as caught:
        LineSettings.of(load_settings({}))
    assert "PLANCYCLE_LINE_TOKEN" in caught.value.th
    with pytest.raises(NotifierConfigError, match="PLANCYCLE_LINE_API='ftp://x'"):
        LineSettings.of(
            load_settings({"PLANCYCLE_LINE_TOKEN": "t", "PLANCYCLE_LINE_API": "ftp://x"})
        )


def quota_cli(
    fake: FakeLine, tmp_path: Path, *args: str, token: str = TOKEN, json_out: bool = False
) -> tuple[int, str, str]:
    env = {
        "PLANCYCLE_DB": f"sqlite:///{tmp_path / 'cli.db'}",
        "PLANCYCLE_LINE_TOKEN": token,
        "PLANCYCLE_LINE_API": fake.base,
        "COLUMNS": "80",
    }
    with console_width(80):
        result = CliRunner().invoke(
            app, [*args, "outbox", "line-quota", *(["--json"] if json_out else [])], env=env
        )
    return result.exit_code, result.stdout, result.stderr


def test_quota_command_in_thai_and_json(line: FakeLine, tmp_path: Path) -> None:
    assert (
        CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "init"]).exit_code == 0
    )
    line.limit, line.used = 300, 275
    code, out, err = quota_cli(line, tmp_path, "--lang", "th")
    assert code == 0, err
    assert "โควตาเดือนนี้" in out and "300" in out and "275" in out and "25" in out
    assert "92%" in out and "โควตาใกล้หมดแล้ว" in out
    assert all(cell_len(x) <= 80 for x in out.splitlines())
    assert not any(w in out for w in ("quota", "used", "left"))  # Thai only
    code, out, _ = quota_cli(line, tmp_path, "--lang", "en")
    assert code == 0 and "this month's quota" in out and "nearly used" in out
    line.limit = None
    code, out, _ = quota_cli(line, tmp_path, json_out=True)
    assert code == 0
    assert json.loads(out) == {
        "limit": None,
        "used": 275,
        "left": None,
        "share": None,
        "nearly_used": False,
    }


def test_quota_command_with_a_bad_token_names_the_setting(line: FakeLine, tmp_path: Path) -> None:
    assert (
        CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "init"]).exit_code == 0
    )
    code, out, err = quota_cli(line, tmp_path, "--lang", "th", token="wrong")
    assert code == 5 and out == ""
    assert "PLANCYCLE_LINE_TOKEN" in err and "HTTP 401" in err and "โทเค็น" in err


def test_the_splitting_examples_hold() -> None:
    import doctest

    from plancycle.notifier import line_text

    result = doctest.testmod(line_text)
    assert result.attempted == 2 and result.failed == 0
