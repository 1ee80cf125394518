"""Send-back and correct through the API and the instance page: the form read, the
engine's rules run (:mod:`plancycle.workflow.review`) in the writers' thread pool."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import Request

from plancycle.web.advance import advance_form_of, writers
from plancycle.web.auth import Principal
from plancycle.web.forms import Gate
from plancycle.web.state import WebState
from plancycle.web.uploads import form_data, form_version
from plancycle.workflow.review import ReviewResult, correct, send_back

__all__ = ["correct_from_request", "review_dict", "send_back_from_request"]


def _text(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


async def send_back_from_request(
    request: Request, web: WebState, who: Principal, key: str, gate: Gate | None = None
) -> ReviewResult:
    """``comment`` (required), ``to`` (a state id; the newest step done by default),
    ``expected_version`` or If-Match."""
    form = await advance_form_of(request, web, gate)
    try:
        version = form_version(form, request.headers.get("if-match"))
        comment, to = _text(form, "comment"), _text(form, "to")
        return await anyio.to_thread.run_sync(
            lambda: send_back(web.engine, key, who.id, comment, to, version), limiter=writers()
        )
    finally:
        await form.close()


async def correct_from_request(
    request: Request, web: WebState, who: Principal, key: str, gate: Gate | None = None
) -> ReviewResult:
    """``data.NAME`` fields or ``data`` (JSON), ``reason`` (required), ``expected_version``
    or If-Match."""
    form = await advance_form_of(request, web, gate)
    try:
        version = form_version(form, request.headers.get("if-match"))
        data, reason = form_data(form), _text(form, "reason")
        return await anyio.to_thread.run_sync(
            lambda: correct(web.engine, key, who.id, data, reason, version), limiter=writers()
        )
    finally:
        await form.close()


def review_dict(result: ReviewResult) -> dict[str, Any]:
    return {
        "key": result.key,
        "kind": result.trigger,
        "from": result.from_state,
        "to": result.to_state,
        "seq": result.seq,
        "at": result.at,
        "due_at": result.due_at,
        "data": result.data,
    }
