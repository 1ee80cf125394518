"""Real delivery: an aiosmtpd SMTP server and an http.server webhook on 127.0.0.1.

Time is moved by passing ``now``; nothing sleeps to wait for a retry.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from plancycle.notifier.channels import (
    DeliveryError,
    EmailChannel,
    LogChannel,
    NotifierConfigError,
    SmtpSettings,
    WebhookChannel,
    channels_for,
)
from plancycle.notifier.contacts import ContactBook
from plancycle.notifier.dispatch import DispatchReport, dispatch_once
from plancycle.notifier.messages import render
from plancycle.notifier.outbox import enqueue
from plancycle.settings import BadSetting, load_settings
from plancycle.store.models import Contact, DeliveryAttempt, OutboxMessage
from tests.test_notifier_messages import make_notice

T0 = datetime(2025, 4, 3, 2, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """aiosmtpd handler keeping every message it accepts, parsed."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.rcpt: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        self.mails.append(email.message_from_bytes(raw, policy=email.policy.default))  # type: ignore[arg-type]
        self.rcpt.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self.inbox

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def settings(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender="plancycle@cdd.go.th", timeout=5)


def outbox_message(channel: str, address: str) -> OutboxMessage:
    notice = make_notice()
    subject, body = render(notice)
    return OutboxMessage(
        id=1,
        channel=channel,
        address=address,
        role=notice.role,
        area_code="2401",
        subject=subject,
        body=body,
        payload=notice.payload(),
        next_attempt_at=T0,
        created_at=T0,
    )


# --- e-mail ------------------------------------------------------------------


def test_email_reaches_a_real_smtp_server_with_thai_intact() -> None:
    port = free_port()
    message = outbox_message("email", "cd2401@example.go.th")
    with SmtpServer(port) as inbox:
        EmailChannel(settings(port)).send(message)
    [mail] = inbox.mails
    assert inbox.rcpt == [["cd2401@example.go.th"]]
    assert mail["From"] == "plancycle@cdd.go.th" and mail["To"] == "cd2401@example.go.th"
    assert mail["Subject"] == message.subject
    assert "เกินกำหนด 3 วัน" in mail["Subject"] and "ตำบลหน้าเมือง" in mail["Subject"]
    assert mail["X-Plancycle-Key"] == "2568/activity2/240101"
    assert mail.get_content_charset() == "utf-8"
    body = mail.get_content()
    assert "31 มี.ค. 68 23:59 น." in body and "31 Mar 2568 23:59" in body
    assert body.replace("\r\n", "\n") == message.body


def test_email_to_a_closed_port_is_a_delivery_error() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(DeliveryError, match=f"127.0.0.1:{port} failed") as caught:
        EmailChannel(settings(port)).send(outbox_message("email", "x@example.go.th"))
    assert "ส่งอีเมลถึง x@example.go.th" in caught.value.th


def add_email_message(db: sa.Engine, address: str) -> int:
    with Session(db) as s:
        s.add(
            Contact(
                area_code="2401",
                role="district_cd_office",
                channel="email",
                address=address,
                delivery="immediate",  # an office's default is the digest
            )
        )
        s.commit()
        assert enqueue(s, None, make_notice(), "2401", ContactBook.load(s), T0) == 1
        s.commit()
        return s.exec(select(OutboxMessage.id)).one()


def test_smtp_down_retries_with_backoff_then_delivers_once(engine: sa.Engine) -> None:
    port = free_port()
    mid = add_email_message(engine, "cd2401@example.go.th")
    channels = {"email": EmailChannel(settings(port))}
    now = T0
    for n, wait in enumerate([60, 120, 240], start=1):
        assert dispatch_once(engine, channels, now, worker="w") == DispatchReport(1, 0, 1, 0)
        with Session(engine) as s:
            m = s.get(OutboxMessage, mid)
            assert m is not None
            assert (m.status, m.attempts, m.claimed_by) == ("pending", n, None)
            assert m.next_attempt_at == now + timedelta(seconds=wait)
            assert "Connection refused" in (m.last_error or "")
            now = m.next_attempt_at
    with Session(engine) as s:
        tries = s.exec(select(DeliveryAttempt).where(DeliveryAttempt.message_id == mid)).all()
    assert [t.ok for t in tries] == [False, False, False]
    with SmtpServer(port) as inbox:
        early = dispatch_once(engine, channels, now - timedelta(seconds=1), worker="w")
        assert early.claimed == 0 and inbox.mails == []
        assert dispatch_once(engine, channels, now, worker="w").delivered == 1
        assert dispatch_once(engine, channels, now + timedelta(hours=2), worker="w").claimed == 0
    assert len(inbox.mails) == 1
    assert "ตำบลหน้าเมือง" in inbox.mails[0]["Subject"]
    with Session(engine) as s:
        m = s.get(OutboxMessage, mid)
        assert m is not None and (m.status, m.attempts, m.delivered_at) == ("delivered", 4, now)
        tries = s.exec(select(DeliveryAttempt).where(DeliveryAttempt.message_id == mid)).all()
    assert [t.ok for t in tries] == [False, False, False, True]


# --- webhook -----------------------------------------------------------------


class Hook:
    """A real HTTP server on 127.0.0.1 recording POSTs and answering ``status``."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers["Content-Length"]))
                hook.requests.append((self.path, dict(self.headers), data))
                self.send_response(hook.status)
                if 300 <= hook.status < 400:
                    self.send_header("Location", "/hooks/moved")
                self.send_header("Content-Length", "4")
                self.end_headers()
                self.wfile.write(b"nope" if hook.status >= 300 else b"done")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/cd"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    h.thread.start()
    yield h
    h.server.shutdown()
    h.server.server_close()
    h.thread.join(5)


def test_webhook_posts_utf8_json_to_a_real_server(hook: Hook) -> None:
    message = outbox_message("webhook", hook.url)
    WebhookChannel(timeout=5).send(message)
    [(path, headers, data)] = hook.requests
    assert path == "/hooks/cd"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert "ตำบล".encode() in data  # UTF-8, not \\u escapes
    sent = json.loads(data.decode("utf-8"))
    assert sent == {
        "subject": message.subject,
        "body": message.body,
        "payload": json.loads(json.dumps(message.payload)),
    }
    assert sent["payload"]["key"] == "2568/activity2/240101"


@pytest.mark.parametrize("status", [500, 404, 302])
def test_webhook_non_2xx_is_a_delivery_error(hook: Hook, status: int) -> None:
    hook.status = status
    with pytest.raises(DeliveryError, match=f"answered HTTP {status}, not 2xx: nope"):
        WebhookChannel(timeout=5).send(outbox_message("webhook", hook.url))
    assert len(hook.requests) == 1  # a redirect is not followed


def test_webhook_refuses_non_http_addresses(tmp_path: Any) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    with pytest.raises(DeliveryError, match="not an http"):
        WebhookChannel().send(outbox_message("webhook", f"file://{secret}"))


def test_webhook_failure_through_the_dispatcher_is_retried(engine: sa.Engine, hook: Hook) -> None:
    with Session(engine) as s:
        s.add(
            Contact(
                area_code="2401",
                role="district_cd_office",
                channel="webhook",
                address=hook.url,
                delivery="immediate",
            )
        )
        s.commit()
        enqueue(s, None, make_notice(), "2401", ContactBook.load(s), T0)
        s.commit()
    hook.status = 503
    channels = {"webhook": WebhookChannel(timeout=5)}
    assert dispatch_once(engine, channels, T0, worker="w").retried == 1
    hook.status = 200
    assert dispatch_once(engine, channels, T0 + timedelta(seconds=60), worker="w").delivered == 1
    assert len(hook.requests) == 2


# --- log channel and settings --------------------------------------------------


def test_log_channel_writes_one_line(capture_log: list[str]) -> None:
    LogChannel().send(outbox_message("log", "district_chief@2401"))
    [line] = capture_log
    assert "\n" not in line.rstrip("\n")
    assert "2568/activity2/240101" in line and "district_chief@2401" in line
    assert "เกินกำหนด 3 วัน" in line


@pytest.fixture
def capture_log() -> Iterator[list[str]]:
    from loguru import logger

    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), format="{message}", level="INFO")
    yield lines
    logger.remove(sink)


def test_smtp_settings_from_env() -> None:
    env = {
        "PLANCYCLE_SMTP_HOST": "smtp.cdd.go.th",
        "PLANCYCLE_SMTP_PORT": "587",
        "PLANCYCLE_SMTP_FROM": "noreply@cdd.go.th",
        "PLANCYCLE_SMTP_USER": "plancycle",
        "PLANCYCLE_SMTP_PASSWORD": "s3cret",
        "PLANCYCLE_SMTP_STARTTLS": "true",
    }
    s = SmtpSettings.of(load_settings(env))
    assert (s.host, s.port, s.sender, s.user, s.password, s.starttls) == (
        "smtp.cdd.go.th",
        587,
        "noreply@cdd.go.th",
        "plancycle",
        "s3cret",
        True,
    )
    bare = SmtpSettings.of(load_settings({"PLANCYCLE_SMTP_HOST": "mail"}))
    assert (bare.port, bare.starttls, bare.user, bare.sender) == (
        25,
        False,
        None,
        "plancycle@localhost",
    )


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({}, "PLANCYCLE_SMTP_HOST is not set"),
        ({"PLANCYCLE_SMTP_HOST": "m", "PLANCYCLE_SMTP_PORT": "2x5"}, "PLANCYCLE_SMTP_PORT='2x5'"),
        ({"PLANCYCLE_SMTP_HOST": "m", "PLANCYCLE_SMTP_STARTTLS": "maybe"}, "true/false"),
    ],
)
def test_smtp_settings_refuse_bad_values(env: dict[str, str], match: str) -> None:
    with pytest.raises((NotifierConfigError, BadSetting), match=match) as caught:
        SmtpSettings.of(load_settings(env))
    assert caught.value.th != caught.value.en


def test_channels_from_settings() -> None:
    plain = channels_for(load_settings({}))
    assert set(plain) == {"log", "webhook"}
    assert isinstance(plain["log"], LogChannel) and isinstance(plain["webhook"], WebhookChannel)
    full = channels_for(load_settings({"PLANCYCLE_SMTP_HOST": "smtp.cdd.go.th"}))
    assert set(full) == {"log", "webhook", "email"}
    email_channel = full["email"]
    assert isinstance(email_channel, EmailChannel)
    assert email_channel.settings.host == "smtp.cdd.go.th"
    assert {name: c.name for name, c in full.items()} == {n: n for n in full}
