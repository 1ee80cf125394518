"""Request bodies limited before they are read: a pure ASGI middleware that refuses a
body whose ``Content-Length`` is over the path's limit (413, nothing read) and counts
the bytes of every body as it streams in, stopping it as soon as it passes the limit.

An advance (``.../advance``) may carry evidence files: its limit is the settings'
(``PLANCYCLE_REQUEST_MAX_MB``, by default room for ``PLANCYCLE_UPLOAD_MAX_FILES`` files
at ``PLANCYCLE_EVIDENCE_MAX_MB`` each); the login form takes a few fields
(``LOGIN_MAX_BYTES``); any other request ``SMALL_MAX_BYTES``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plancycle.web.problems import PROBLEM_JSON, TooLarge, problem

__all__ = ["LOGIN_MAX_BYTES", "SMALL_MAX_BYTES", "BodyLimit", "body_too_large", "limit_for"]

LOGIN_MAX_BYTES = 4 * 1024
SMALL_MAX_BYTES = 64 * 1024
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


BATCH_PATHS = frozenset(
    {"/api/v1/advance-batch", "/api/v1/advance-batch/upload", "/bulk", "/bulk/sheet"}
)  # many steps in one body


def limit_for(path: str, advance_max_bytes: int) -> int:
    """The most bytes a request body to ``path`` may hold."""
    if path.endswith("/advance") or path in BATCH_PATHS:
        return advance_max_bytes
    if path == "/login":
        return LOGIN_MAX_BYTES
    return SMALL_MAX_BYTES


def body_too_large(limit: int) -> TooLarge:
    return TooLarge("the body is over its size in bytes", "ขนาดข้อมูลที่ส่ง (ไบต์)", limit)


def _content_length(scope: Scope) -> int | None:
    """The declared length; -1 when the header is there but is no number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else -1
    return None


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: Callable[[str], int]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        declared = _content_length(scope)
        if declared is not None and not 0 <= declared <= limit:
            await _refuse(scope, send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise body_too_large(limit)  # answered by the app's error handlers
            return message

        await self.app(scope, counted, send)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    exc = body_too_large(limit)
    body = json.dumps(
        problem(413, exc.en, exc.th, "TooLarge", scope["path"], limit=limit), ensure_ascii=False
    ).encode("utf-8")
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
