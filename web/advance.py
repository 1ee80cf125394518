"""Doing a step over HTTP, for the API and the instance page alike: read the multipart
form and call the engine (in a worker thread) with the uploads' own file objects, as
the authenticated actor: the same checks and messages as `plancycle advance`.

Advances run in a small thread pool of their own (:data:`WRITE_THREADS` per server),
not in the one that serves reads: when the store's write lock is held elsewhere,
waiting writers fill their own pool and reads still find a thread at once. An advance
that waited in the queue for that pool longer than the store's busy timeout is answered
"busy" without touching the store, so no request waits more than about twice
``PLANCYCLE_BUSY_TIMEOUT_S``."""

from __future__ import annotations

import time

import anyio
from anyio.lowlevel import RunVar
from fastapi import Request

from plancycle.web.auth import Principal
from plancycle.web.state import WebState
from plancycle.web.uploads import AdvanceForm, evidence_inputs, parse_advance_form
from plancycle.workflow.engine import AdvanceResult

__all__ = ["WRITE_THREADS", "advance_from_request", "result_dict"]

WRITE_THREADS = 8
_WRITERS: RunVar[anyio.CapacityLimiter] = RunVar("plancycle_writers")


def _writers() -> anyio.CapacityLimiter:
    """The advances' thread pool of this event loop."""
    try:
        return _WRITERS.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(WRITE_THREADS)
        _WRITERS.set(limiter)
        return limiter


async def read_form(request: Request) -> AdvanceForm:
    form = await request.form(max_files=50, max_fields=200)
    return parse_advance_form(form, request.headers.get("if-match"))


def _advance(
    web: WebState, who: Principal, key: str, form: AdvanceForm, queued_at: float
) -> AdvanceResult:
    waited = time.monotonic() - queued_at
    if waited > web.engine.busy_timeout_s:
        raise web.engine.refuse_busy(key, form.trigger, who.id, waited)
    evidence = evidence_inputs(form.files)
    return web.engine.advance(
        key, form.trigger, who.id, evidence, form.note, form.data, form.expected_version
    )


async def advance_from_request(
    request: Request, web: WebState, who: Principal, key: str
) -> AdvanceResult:
    form = await read_form(request)
    try:
        return await anyio.to_thread.run_sync(
            _advance, web, who, key, form, time.monotonic(), limiter=_writers()
        )
    finally:
        for _, upload in form.files:
            await upload.close()


def result_dict(result: AdvanceResult) -> dict:
    return {
        "key": result.key,
        "trigger": result.trigger,
        "from": result.from_state,
        "to": result.to_state,
        "seq": result.seq,
        "at": result.at,
        "due_at": result.due_at,
        "completed": result.completed,
        "evidence": list(result.evidence),
    }
