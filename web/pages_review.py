"""The instance page's send-back and correct forms: posted in place with htmx (the main
part redrawn) or normally (303 back to the page); a refusal shows the page with the
message and the values typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from plancycle.errors import PlancycleError
from plancycle.web.auth import Principal
from plancycle.web.forms import Gate
from plancycle.web.pages_common import PageUser, check_csrf
from plancycle.web.pages_instance import PATH, show_page
from plancycle.web.problems import status_for
from plancycle.web.review_forms import correct_from_request, send_back_from_request
from plancycle.web.state import WebState
from plancycle.workflow.review import ReviewResult

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Write = Callable[[Request, WebState, Principal, str, Gate], Awaitable[ReviewResult]]


async def _post(
    request: Request, who: Principal, fy: int, process: str, area: str, write: Write, form: str
) -> Response:
    web: WebState = request.app.state.web
    key = f"{fy}/{process}/{area}"
    try:
        result = await write(
            request, web, who, key, lambda fields: check_csrf(request, fields.get("csrf"))
        )
    except PlancycleError as exc:
        return await run_in_threadpool(
            show_page, request, who, fy, process, area, status_for(exc), exc, review_form=form
        )
    flash = {"seq": result.seq, "to": result.to_state}
    if request.headers.get("hx-request"):
        return await run_in_threadpool(show_page, request, who, fy, process, area, flash=flash)
    request.session["flash"] = flash
    return RedirectResponse(f"/instances/{fy}/{process}/{area}", status_code=303)


@router.post(PATH + "/send-back")
async def send_back_form(
    request: Request, who: PageUser, fy: int, process: str, area: str
) -> Response:
    return await _post(request, who, fy, process, area, send_back_from_request, "send-back")


@router.post(PATH + "/correct")
async def correct_form(
    request: Request, who: PageUser, fy: int, process: str, area: str
) -> Response:
    return await _post(request, who, fy, process, area, correct_from_request, "correct")
