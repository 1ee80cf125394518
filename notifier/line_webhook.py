"""Finding a LINE group's id: what the bot's webhook is told, and the answer it gives.

LINE posts events to the bot's webhook URL signed with the channel secret
(``X-Line-Signature``: base64 of HMAC-SHA256 of the body). When the bot is added to
a group (a ``join`` event), or anyone in a chat with the bot writes ``รหัสกลุ่ม`` or
``group id``, the bot answers in that chat with the id to put in the contacts file
(a reply, which does not count against the month's push quota). Every event's source
is logged. ``web/line_webhook.py`` is the route; this module holds the rules.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from loguru import logger

from plancycle.errors import PlancycleError
from plancycle.notifier.line_api import LineApiError, call, reply_detail

__all__ = ["ASK_WORDS", "BadWebhook", "LineSource", "answer_text", "read_events", "reply", "signed"]

#: What a person writes in a chat to be told its id.
ASK_WORDS = frozenset({"รหัสกลุ่ม", "group id", "plancycle id"})
_ID_FIELD = {"group": "groupId", "room": "roomId", "user": "userId"}


class BadWebhook(PlancycleError):
    """A webhook request that is not LINE's (no or a wrong signature, not JSON)."""

    exit_code = 2


def signed(secret: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is LINE's signature of ``body`` with the channel secret."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode("ascii"), signature.strip())


@dataclass(frozen=True, slots=True)
class LineSource:
    """Where one event came from, and whether it asks for the id."""

    event: str  # join, message, follow …
    kind: str  # group, room or user
    id: str
    reply_token: str | None
    asks: bool  # a join, a follow, or a message asking for the id

    @property
    def label(self) -> tuple[str, str]:
        """(Thai, English) name of the kind of chat."""
        return {
            "group": ("กลุ่ม", "group"),
            "room": ("ห้องแชท", "room"),
            "user": ("ผู้ใช้", "user"),
        }.get(self.kind, (self.kind, self.kind))


def read_events(secret: str, body: bytes, signature: str) -> list[LineSource]:
    """The sources of the events in a signed webhook body; BadWebhook otherwise."""
    if not signature or not signed(secret, body, signature):
        raise BadWebhook(
            "the X-Line-Signature header is missing or does not match the body: check "
            "PLANCYCLE_LINE_SECRET (the channel secret, LINE Developers console > Basic settings)",
            "ไม่มีลายเซ็น X-Line-Signature หรือไม่ตรงกับข้อมูล: ตรวจค่า PLANCYCLE_LINE_SECRET "
            "(Channel secret ในหน้า Basic settings ของ LINE Developers console)",
        )
    try:
        data = json.loads(body.decode("utf-8"))
    except ValueError as exc:
        raise BadWebhook("the body is not JSON", "ข้อมูลที่ส่งมาไม่ใช่ JSON") from exc
    events = data.get("events") if isinstance(data, dict) else None
    found = [_source(e) for e in events if isinstance(e, dict)] if isinstance(events, list) else []
    sources = [s for s in found if s is not None]
    for s in sources:
        logger.bind(line_id=s.id, line_source=s.kind, line_event=s.event).info(
            "LINE webhook: {event} from {kind} {id}", event=s.event, kind=s.kind, id=s.id
        )
    return sources


def _source(event: dict[str, Any]) -> LineSource | None:
    source = event.get("source")
    if not isinstance(source, dict):
        return None
    kind = str(source.get("type", ""))
    ident = source.get(_ID_FIELD.get(kind, ""))
    if not isinstance(ident, str) or not ident:
        return None
    event_type = str(event.get("type", ""))
    message = event.get("message")
    text = message.get("text", "") if isinstance(message, dict) else ""
    asks = event_type in ("join", "follow") or (
        isinstance(text, str) and text.strip().lower() in ASK_WORDS
    )
    token = event.get("replyToken")
    return LineSource(event_type, kind, ident, token if isinstance(token, str) else None, asks)


def answer_text(source: LineSource) -> str:
    """What the bot says in the chat: its id, for the contacts file."""
    th, en = source.label
    return (
        f"รหัส{th}นี้สำหรับ plancycle:\n{source.id}\n"
        f"ใส่ในแฟ้มผู้ติดต่อ: รหัสพื้นที่,บทบาท,line,{source.id},ชื่อ\n\n"
        f"This {en}'s id for plancycle: {source.id}"
    )


def reply(api: str, token: str, source: LineSource, timeout: float = 10) -> None:
    """Answer ``source`` with its id (LINE's reply API); failures are logged, not raised."""
    if source.reply_token is None:
        return
    body = {
        "replyToken": source.reply_token,
        "messages": [{"type": "text", "text": answer_text(source)}],
    }
    try:
        answer = call(api, token, "POST", "/v2/bot/message/reply", body=body, timeout=timeout)
    except (OSError, HTTPException, ValueError, LineApiError) as exc:
        logger.warning("LINE reply to {id} failed: {error}", id=source.id, error=exc)
        return
    if not 200 <= answer.status < 300:
        logger.warning(
            "LINE reply to {id}: HTTP {status} {detail}",
            id=source.id,
            status=answer.status,
            detail=reply_detail(answer),
        )
