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
from collections.abc import Mapping

import anyio
from anyio.lowlevel import RunVar
from fastapi import Request
from starlette.datastructures import FormData

from plancycle.store.evidence import EvidenceFile
from plancycle.web.auth import Principal
from plancycle.web.forms import FormLimits, Gate, read_form
from plancycle.web.kept_uploads import Kept, KeptFiles
from plancycle.web.problems import UnsupportedMedia
from plancycle.web.state import WebState
from plancycle.web.uploads import AdvanceForm, evidence_inputs, parse_advance_form
from plancycle.workflow.engine import AdvanceResult

__all__ = ["WRITE_THREADS", "advance_form_of", "advance_from_request", "result_dict", "writers"]

WRITE_THREADS = 8
_WRITERS: RunVar[anyio.CapacityLimiter] = RunVar("plancyclewriters")


def writers() -> anyio.CapacityLimiter:
    """The advances' thread pool of this event loop (single advances and batches)."""
    try:
        return _WRITERS.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(WRITE_THREADS)
        _WRITERS.set(limiter)
        return limiter


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def advance_form_of(request: Request, web: WebState, gate: Gate | None = None) -> FormData:
    """The advance's form, read within the limits of the settings (``gate``: see
    :func:`plancycle.web.forms.read_form`); another media type is 415."""
    given = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if given not in FORM_TYPES:
        raise UnsupportedMedia(given, FORM_TYPES)
    limits = FormLimits(web.settings.upload_max_files, web.settings.form_max_fields)
    return await read_form(request, limits, gate)


def _advance(
    web: WebState,
    who: Principal,
    key: str,
    form: AdvanceForm,
    queued_at: float,
    kept: Mapping[str, Kept],
    stored: list[EvidenceFile],
) -> AdvanceResult:
    waited = time.monotonic() - queued_at
    if waited > web.engine.busy_timeout_s:
        raise web.engine.refuse_busy(key, form.trigger, who.id, waited)
    with KeptFiles.opened(kept, web.engine.evidence_folder) as again:
        files = evidence_inputs(form.files) + again
        stored += web.engine.store_files(key, form.trigger, who.id, files)
    return web.engine.advance(
        key,
        form.trigger,
        who.id,
        stored,
        form.note,
        form.data,
        form.expected_version,
        on_behalf_of=form.on_behalf_of,
    )


async def advance_from_request(
    request: Request,
    web: WebState,
    who: Principal,
    key: str,
    form: FormData | None = None,
    kept: Mapping[str, Kept] | None = None,
    stored: list[EvidenceFile] | None = None,
) -> AdvanceResult:
    """Do the step the form asks for; every file of the form is closed (its temporary
    file removed) however this ends, also the parts a refused form never used.
    ``kept``: files a refused form kept (the instance page's), attached as if uploaded
    again; ``stored`` receives the files stored, also when the step is then refused."""
    form = form if form is not None else await advance_form_of(request, web)
    try:
        parsed = parse_advance_form(form, request.headers.get("if-match"))
        return await anyio.to_thread.run_sync(
            _advance,
            web,
            who,
            key,
            parsed,
            time.monotonic(),
            kept or {},
            stored if stored is not None else [],
            limiter=writers(),
        )
    finally:
        await form.close()
        await request.close()


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
