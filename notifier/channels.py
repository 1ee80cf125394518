"""Where an outbox message goes: a log line, an e-mail, a webhook call, a LINE push,
or memory.

A :class:`Channel` has a ``name`` and ``send(message)``, which returns when the
message was handed over and raises :class:`DeliveryError` when it was not. The
dispatcher (``plancycle.notifier.dispatch``) looks channels up by the message's
``channel`` column, retries failures with backoff and records every attempt.

``channels_for`` builds the usual set from the settings (``PLANCYCLE_SMTP_*``,
``PLANCYCLE_LINE_*``); they are passed in, so tests never touch the real environment.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from http.client import HTTPException
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from loguru import logger

from plancycle.errors import PlancycleError
from plancycle.notifier.line_api import (
    LineApiError,
    call,
    line_id_problem,
    read_quota,
    reply_detail,
    retry_after,
    retry_key,
    token_refused,
)
from plancycle.notifier.line_text import line_messages
from plancycle.settings import Settings
from plancycle.store.models import OutboxMessage
from plancycle.text import one_line

__all__ = [
    "Channel",
    "DeliveryError",
    "EmailChannel",
    "LINE_API",
    "LineChannel",
    "LineSettings",
    "LogChannel",
    "MemoryChannel",
    "NotifierConfigError",
    "DEFAULT_SENDER",
    "SmtpSettings",
    "WebhookChannel",
    "channels_for",
]

DEFAULT_SENDER = "plancycle@localhost"
LINE_API = "https://api.line.me"


class DeliveryError(PlancycleError):
    """A channel could not hand a message over; the dispatcher will try again later.

    ``retry_after`` (seconds) is when the receiver asked to be tried again (HTTP 429's
    ``Retry-After``): the dispatcher waits that long instead of its backoff.
    ``permanent`` means trying again cannot help (the receiver refused the message
    itself, e.g. HTTP 400): the message is dead at once, kept with the error.
    """

    exit_code = 5

    def __init__(
        self,
        en: str,
        th: str | None = None,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(en, th)
        self.retry_after = retry_after
        self.permanent = permanent


class NotifierConfigError(PlancycleError):
    """A ``PLANCYCLE_SMTP_*`` (or other notifier) setting that cannot be used."""

    exit_code = 2


@runtime_checkable
class Channel(Protocol):
    """One way of delivering outbox messages."""

    name: str

    def send(self, message: OutboxMessage) -> None:
        """Hand ``message`` over; raise DeliveryError if that failed."""
        ...


def _key(message: OutboxMessage) -> str:
    return str((message.payload or {}).get("key", ""))


class LogChannel:
    """Writes each message as one structured loguru line (the fallback that loses nothing)."""

    name = "log"

    def __init__(self, level: str = "INFO") -> None:
        self.level = level

    def send(self, message: OutboxMessage) -> None:
        logger.bind(
            notice_key=_key(message),
            role=message.role,
            area_code=message.area_code,
            address=message.address,
            kind=(message.payload or {}).get("kind"),
        ).log(
            self.level,
            "notice {key} to {address}: {subject}",
            key=_key(message),
            address=message.address,
            subject=message.subject,
        )


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """How to reach the SMTP server (see :meth:`of`)."""

    host: str
    port: int = 25
    sender: str = DEFAULT_SENDER
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0

    @classmethod
    def of(cls, settings: Settings) -> SmtpSettings:
        """From ``PLANCYCLE_SMTP_HOST`` (required), ``_PORT`` (25), ``_FROM``, ``_USER``,
        ``_PASSWORD``, ``_STARTTLS`` and ``_TIMEOUT`` (seconds), as the settings hold them."""
        host = (settings.smtp_host or "").strip()
        if not host:
            raise NotifierConfigError(
                "PLANCYCLE_SMTP_HOST is not set: give the SMTP server's host name",
                "ยังไม่ได้ตั้งค่า PLANCYCLE_SMTP_HOST: ระบุชื่อเครื่องของเซิร์ฟเวอร์ SMTP",
            )
        return cls(
            host=host,
            port=settings.smtp_port,
            sender=(settings.smtp_from or "").strip() or DEFAULT_SENDER,
            user=settings.smtp_user,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=float(settings.smtp_timeout),
        )


class EmailChannel:
    """Sends each message as a UTF-8 e-mail through SMTP (``smtplib``)."""

    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def build(self, message: OutboxMessage) -> EmailMessage:
        """The e-mail for ``message``: Thai subject encoded per RFC 2047, body base64 UTF-8."""
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = message.address
        mail["Subject"] = one_line(message.subject)  # a message queued before names were cleaned
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2] or None)
        if key := _key(message):
            mail["X-Plancycle-Key"] = key
        mail.set_content(message.body, charset="utf-8", cte="base64")
        return mail

    def send(self, message: OutboxMessage) -> None:
        s = self.settings
        try:
            mail = self.build(message)
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password or "")
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            raise DeliveryError(
                f"e-mail to {message.address} via {s.host}:{s.port} failed: {_describe(exc)}",
                f"ส่งอีเมลถึง {message.address} ผ่าน {s.host}:{s.port} ไม่สำเร็จ: {_describe(exc)}",
            ) from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not a delivery: urllib would turn the POST into a GET and lose it."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class WebhookChannel:
    """POSTs ``{"subject", "body", "payload"}`` as UTF-8 JSON to the message's address."""

    name = "webhook"

    def __init__(self, timeout: float = 10) -> None:
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, message: OutboxMessage) -> None:
        url = message.address
        if urlsplit(url).scheme not in ("http", "https"):
            raise DeliveryError(
                f"webhook address {url!r} is not an http(s) URL",
                f"ที่อยู่ webhook {url!r} ไม่ใช่ URL แบบ http(s)",
            )
        data = {"subject": message.subject, "body": message.body, "payload": message.payload}
        request = urllib.request.Request(
            url,
            data=json.dumps(data, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        detail = ""
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status, detail = exc.code, _peek(exc)
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            raise DeliveryError(
                f"webhook {url} failed: {_describe(exc)}",
                f"เรียก webhook {url} ไม่สำเร็จ: {_describe(exc)}",
            ) from exc
        if not 200 <= status < 300:
            raise DeliveryError(
                f"webhook {url} answered HTTP {status}, not 2xx{detail}",
                f"webhook {url} ตอบกลับ HTTP {status} ซึ่งไม่ใช่ 2xx{detail}",
            )


@dataclass(frozen=True, slots=True)
class LineSettings:
    """How to reach the LINE Messaging API (see :meth:`of`)."""

    token: str
    api: str = LINE_API
    timeout: float = 10.0
    quota_every: int = 50  # pushes between two looks at the month's quota

    @classmethod
    def of(cls, settings: Settings) -> LineSettings:
        """From ``PLANCYCLE_LINE_TOKEN`` (required) and ``PLANCYCLE_LINE_API``."""
        token = (settings.line_token or "").strip()
        if not token:
            raise NotifierConfigError(
                "PLANCYCLE_LINE_TOKEN is not set: give the channel access token of the "
                "LINE Official Account (LINE Developers console > Messaging API)",
                "ยังไม่ได้ตั้งค่า PLANCYCLE_LINE_TOKEN: ระบุ Channel access token ของบัญชีไลน์ทางการ "
                "(LINE Official Account) จากเว็บ LINE Developers console > Messaging API",
            )
        api = settings.line_api.strip().rstrip("/")
        if not _is_http(api):
            raise NotifierConfigError(
                f"PLANCYCLE_LINE_API={api!r} is not an http(s) URL: leave it unset for {LINE_API}",
                f"PLANCYCLE_LINE_API={api!r} ไม่ใช่ URL แบบ http(s): ไม่ต้องตั้งค่าก็จะใช้ {LINE_API}",
            )
        return cls(token=token, api=api)


class LineChannel:
    """Pushes each message to a LINE user, group or room (the Messaging API).

    The subject and body go as text messages split within LINE's limits
    (``notifier/line_text.py``), with an ``X-Line-Retry-Key`` that is the same on every
    attempt of one outbox message, so a retried push is delivered once. HTTP 429 asks
    the dispatcher to wait ``Retry-After``; 5xx and network failures are retried with
    backoff; 401/403 name the token setting; other 4xx (400: LINE refused the message
    itself) are permanent. Every ``quota_every`` pushes the month's quota is read, and
    the log warns when it is nearly used.
    """

    name = "line"

    def __init__(self, settings: LineSettings) -> None:
        self.settings = settings
        self._pushed = 0
        self._lock = threading.Lock()

    def build(self, message: OutboxMessage) -> dict[str, object]:
        """The push request's JSON body for ``message``."""
        text = f"{one_line(message.subject)}\n\n{message.body}"
        return {
            "to": message.address,
            "messages": [{"type": "text", "text": part} for part in line_messages(text)],
        }

    def send(self, message: OutboxMessage) -> None:
        s = self.settings
        to = message.address
        if problem := line_id_problem(to):
            raise DeliveryError(*problem, permanent=True)
        try:
            reply = call(
                s.api,
                s.token,
                "POST",
                "/v2/bot/message/push",
                body=self.build(message),
                headers={"X-Line-Retry-Key": retry_key(message.id, message.created_at)},
                timeout=s.timeout,
            )
        except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
            raise DeliveryError(
                f"LINE push to {to} via {s.api} failed: {_describe(exc)}",
                f"ส่งไลน์ถึง {to} ผ่าน {s.api} ไม่สำเร็จ: {_describe(exc)}",
            ) from exc
        status = reply.status
        if 200 <= status < 300 or status == 409:  # 409: this retry key was accepted before
            self._pushed_one()
            return
        detail = reply_detail(reply)
        if status == 429:
            wait = retry_after(reply)
            logger.warning(
                "LINE push to {to}: HTTP 429 {detail} (retry after {wait} s)",
                to=to,
                detail=detail,
                wait=wait,
            )
            raise DeliveryError(
                f"LINE push to {to}: too many requests (HTTP 429: {detail})",
                f"ส่งไลน์ถึง {to}: ส่งถี่เกินไปหรือโควตาหมด (HTTP 429: {detail})",
                retry_after=wait,
            )
        if status in (401, 403):
            en, th = token_refused(status, detail)
            logger.error("LINE push to {to}: {en}", to=to, en=en)
            raise DeliveryError(en, th)
        if status >= 500 or status == 408:
            raise DeliveryError(
                f"LINE push to {to}: LINE answered HTTP {status} ({detail}); will retry",
                f"ส่งไลน์ถึง {to}: ไลน์ตอบ HTTP {status} ({detail}) จะลองส่งใหม่",
            )
        raise DeliveryError(
            f"LINE refused the push to {to} (HTTP {status}): {detail}",
            f"ไลน์ไม่รับข้อความถึง {to} (HTTP {status}): {detail}",
            permanent=True,
        )

    def _pushed_one(self) -> None:
        """Count a push; on the first and every ``quota_every``-th, look at the quota."""
        with self._lock:
            look = self._pushed % self.settings.quota_every == 0
            self._pushed += 1
        if look:
            self.check_quota()

    def check_quota(self) -> None:
        """Read the month's quota and warn in the log when it is nearly used."""
        s = self.settings
        try:
            quota = read_quota(s.api, s.token, s.timeout)
        except LineApiError as exc:
            logger.warning("LINE quota not read: {error}", error=exc.en)
            return
        if quota.nearly_used:
            logger.warning(
                "LINE push quota nearly used: {used} of {limit} this month ({left} left); "
                "`plancycle outbox line-quota` shows it",
                used=quota.used,
                limit=quota.limit,
                left=quota.left,
            )


class MemoryChannel:
    """Keeps what it is sent in ``sent``; ``fail(n)`` makes the next ``n`` sends fail.

    For tests and simulations; safe to share between dispatcher threads.
    """

    def __init__(self, name: str = "memory", *, fail_times: int = 0) -> None:
        self.name = name
        self.sent: list[OutboxMessage] = []
        self.failures = 0  # sends refused so far
        self._fail_left = fail_times
        self._lock = threading.Lock()

    def fail(self, times: int) -> None:
        """Refuse the next ``times`` sends with DeliveryError."""
        with self._lock:
            self._fail_left = times

    def send(self, message: OutboxMessage) -> None:
        with self._lock:
            if self._fail_left > 0:
                self._fail_left -= 1
                self.failures += 1
                raise DeliveryError(
                    f"{self.name}: simulated failure for {message.address}",
                    f"{self.name}: จำลองการส่งไม่สำเร็จถึง {message.address}",
                )
            self.sent.append(message)


def channels_for(settings: Settings) -> dict[str, Channel]:
    """``log`` and ``webhook`` always; ``email`` when ``PLANCYCLE_SMTP_HOST`` is set;
    ``line`` when ``PLANCYCLE_LINE_TOKEN`` is set."""
    channels: dict[str, Channel] = {"log": LogChannel(), "webhook": WebhookChannel()}
    if (settings.smtp_host or "").strip():
        channels["email"] = EmailChannel(SmtpSettings.of(settings))
    if (settings.line_token or "").strip():
        channels["line"] = LineChannel(LineSettings.of(settings))
    return channels


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _peek(exc: urllib.error.HTTPError) -> str:
    """The start of an error response's body (": ..."), for the attempt's record."""
    try:
        text = exc.read(200).decode("utf-8", "replace").strip()
    except (OSError, HTTPException):
        text = ""
    finally:
        exc.close()
    return f": {' '.join(text.split())}" if text else ""


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
