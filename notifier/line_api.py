"""The LINE Messaging API as plancycle uses it: ids, one HTTP call, the push quota.

A LINE id is ``U`` (a user), ``C`` (a group) or ``R`` (a multi-person chat, "room")
followed by 32 lowercase hex digits. :func:`call` makes one request with the channel
access token and answers the status, headers and body, whatever the status; network
failures raise ``OSError``/``HTTPException`` for the caller to word. The push quota is
the month's limit (``GET /v2/bot/message/quota``) and what has been used
(``GET /v2/bot/message/quota/consumption``).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from http.client import HTTPException
from typing import Any

from plancycle.errors import PlancycleError

__all__ = [
    "LINE_ID",
    "NEARLY_USED",
    "LineApiError",
    "LineQuota",
    "Reply",
    "call",
    "line_id_problem",
    "read_quota",
    "reply_detail",
    "retry_after",
    "retry_key",
    "token_refused",
]

LINE_ID = re.compile(r"[UCR][0-9a-f]{32}")
#: The share of the month's quota from which the log warns.
NEARLY_USED = 0.9
_RETRY_KEYS = uuid.UUID("6f0c1b0e-6c8a-5b9e-9a55-2d1e9a4c7e31")  # plancycle's namespace
_DETAIL_MAX = 300


class LineApiError(PlancycleError):
    """The LINE API could not be reached or refused a request (other than a push)."""

    exit_code = 5


def line_id_problem(address: str) -> tuple[str, str] | None:
    """(English, Thai) of what is wrong with ``address`` as a LINE id; None if nothing."""
    if LINE_ID.fullmatch(address):
        return None
    return (
        f"{address!r} is not a LINE id: U (a user), C (a group) or R (a room) followed by "
        "32 hex digits 0-9 a-f, 33 characters in all (see the README: LINE)",
        f"{address!r} ไม่ใช่รหัสไลน์: ต้องขึ้นต้นด้วย U (ผู้ใช้) C (กลุ่ม) หรือ R (ห้องแชท) "
        "ตามด้วยเลขฐานสิบหก 0-9 a-f อีก 32 ตัว รวม 33 ตัวอักษร (ดู README หัวข้อ LINE)",
    )


def retry_key(message_id: int | None, created_at: datetime | None) -> str:
    """The ``X-Line-Retry-Key`` of an outbox message: the same UUID on every attempt,
    so LINE accepts a push once however often it is retried (within 24 hours)."""
    at = created_at
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    stamp = "" if at is None else f"{at.timestamp():.6f}"
    return str(uuid.uuid5(_RETRY_KEYS, f"outbox:{message_id}:{stamp}"))


@dataclass(frozen=True, slots=True)
class Reply:
    """What LINE answered."""

    status: int
    headers: Message
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not an answer: urllib would turn a POST into a GET."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def call(
    base: str,
    token: str,
    method: str,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Reply:
    """One request to ``base + path``; the reply whatever its status."""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        base.rstrip("/") + path,
        data=data,
        headers={
            "Authorization": f"Bearer {token}",
            **({"Content-Type": "application/json; charset=utf-8"} if data else {}),
            **(headers or {}),
        },
        method=method,
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        try:
            return Reply(exc.code, exc.headers, exc.read(64 * 1024))
        except (OSError, HTTPException):
            return Reply(exc.code, exc.headers, b"")
        finally:
            exc.close()


def reply_detail(reply: Reply) -> str:
    """LINE's own words about a refusal: ``message`` and its ``details``, or the body."""
    text = reply.body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("message"):
        text = str(data["message"])
        details = data.get("details")
        if isinstance(details, list) and details:
            text += (
                " ("
                + "; ".join(
                    f"{d.get('property', '')}: {d.get('message', '')}".strip(": ")
                    for d in details
                    if isinstance(d, dict)
                )
                + ")"
            )
    return " ".join(text.split())[:_DETAIL_MAX]


def retry_after(reply: Reply) -> float | None:
    """``Retry-After`` in seconds, when given as a number of seconds."""
    value = (reply.headers.get("Retry-After") or "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def token_refused(status: int, detail: str) -> tuple[str, str]:
    """(English, Thai) for HTTP 401/403: the channel access token is wrong."""
    said = f": {detail}" if detail else ""
    return (
        f"LINE refused the channel access token (HTTP {status}{said}): set "
        "PLANCYCLE_LINE_TOKEN to the channel's long-lived access token (LINE Developers "
        "console > the channel > Messaging API > Channel access token)",
        f"ไลน์ไม่ยอมรับโทเค็นของช่องทาง (HTTP {status}{said}): ตั้งค่า PLANCYCLE_LINE_TOKEN "
        "เป็น Channel access token (long-lived) ของช่องทาง (LINE Developers console > "
        "ช่องทาง > Messaging API > Channel access token)",
    )


@dataclass(frozen=True, slots=True)
class LineQuota:
    """This month's push quota: ``limit`` None means no limit."""

    limit: int | None
    used: int

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def share(self) -> float | None:
        """The share used, 0..1 (or more); None without a limit."""
        if self.limit is None:
            return None
        return self.used / self.limit if self.limit else 1.0

    @property
    def nearly_used(self) -> bool:
        return self.share is not None and self.share >= NEARLY_USED


def read_quota(base: str, token: str, timeout: float = 10) -> LineQuota:
    """This month's quota and consumption; LineApiError when LINE cannot tell."""
    quota = _get_json(base, token, "/v2/bot/message/quota", timeout)
    used = _get_json(base, token, "/v2/bot/message/quota/consumption", timeout)
    limit = quota.get("value") if quota.get("type") == "limited" else None
    try:
        return LineQuota(None if limit is None else int(limit), int(used.get("totalUsage", 0)))
    except (TypeError, ValueError) as exc:
        raise LineApiError(
            f"LINE's quota answer cannot be read: {quota} {used}",
            f"อ่านโควตาที่ไลน์ตอบมาไม่ได้: {quota} {used}",
        ) from exc


def _get_json(base: str, token: str, path: str, timeout: float) -> dict[str, Any]:
    try:
        reply = call(base, token, "GET", path, timeout=timeout)
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
        raise LineApiError(
            f"cannot reach the LINE API at {base} ({exc}): check PLANCYCLE_LINE_API and "
            "the network",
            f"ติดต่อ API ของไลน์ที่ {base} ไม่ได้ ({exc}): ตรวจค่า PLANCYCLE_LINE_API และเครือข่าย",
        ) from exc
    detail = reply_detail(reply)
    if reply.status in (401, 403):
        raise LineApiError(*token_refused(reply.status, detail))
    if reply.status != 200:
        raise LineApiError(
            f"LINE answered HTTP {reply.status} to {path}: {detail}",
            f"ไลน์ตอบ HTTP {reply.status} ที่ {path}: {detail}",
        )
    try:
        data = json.loads(reply.body.decode("utf-8"))
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise LineApiError(
            f"LINE's answer to {path} is not a JSON object",
            f"คำตอบของไลน์ที่ {path} ไม่ใช่ออบเจกต์ JSON",
        )
    return data
