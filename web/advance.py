"""Doing a step over HTTP, for the API and the instance page alike: read the multipart
form and call the engine (in a worker thread) with the uploads' own file objects, as
the authenticated actor: the same checks and messages as `plancycle advance`."""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from plancycle.web.auth import Principal
from plancycle.web.problems import BadForm, UnsupportedMedia
from plancycle.web.state import WebState
from plancycle.web.uploads import AdvanceForm, evidence_inputs, parse_advance_form
from plancycle.workflow.engine import AdvanceResult

__all__ = ["advance_from_request", "result_dict"]


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


async def read_form(request: Request) -> AdvanceForm:
    """The form of an advance; another media type is 415, an unreadable form 422."""
    given = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if given not in FORM_TYPES:
        raise UnsupportedMedia(given, FORM_TYPES)
    try:
        form = await request.form(max_files=50, max_fields=200)
    except (MultiPartException, HTTPException) as exc:
        raise BadForm(str(getattr(exc, "message", None) or getattr(exc, "detail", ""))) from None
    return parse_advance_form(form, request.headers.get("if-match"))


def _advance(web: WebState, who: Principal, key: str, form: AdvanceForm) -> AdvanceResult:
    evidence = evidence_inputs(form.files)
    return web.engine.advance(
        key, form.trigger, who.id, evidence, form.note, form.data, form.expected_version
    )


async def advance_from_request(
    request: Request, web: WebState, who: Principal, key: str
) -> AdvanceResult:
    try:
        form = await read_form(request)
        return await run_in_threadpool(_advance, web, who, key, form)
    finally:
        await request.close()  # every uploaded part, also those a refused form never used


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
