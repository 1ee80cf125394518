"""The instance page (timeline, diagram, history, the advance form) and its form's POST.

With htmx the form posts in place and the answer is the page's main part, redrawn; without
JavaScript it posts normally and the browser is sent back to the page (303)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from plancycle.definitions.diagram import to_mermaid
from plancycle.errors import PlancycleError
from plancycle.web.advance import advance_form_of, advance_from_request
from plancycle.web.auth import Principal
from plancycle.web.deps import detail_for
from plancycle.web.links import set_page_year
from plancycle.web.pages_common import PageUser, check_csrf, render, ui_for
from plancycle.web.problems import status_for
from plancycle.web.state import WebState
from plancycle.web.wording import FORM_WORDING, message_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PATH = "/instances/{fy}/{process}/{area}"


def _show(
    request: Request, who: Principal, fy: int, process: str, area: str, status: int = 200, **extra
) -> Response:
    web: WebState = request.app.state.web
    found = detail_for(web, who, fy, process, area)
    set_page_year(request, found.inst.fiscal_year)  # the year in its address is the chosen one
    context = {
        "year_home": f"/areas/{found.inst.area_code}",  # where picking another year leads
        "d": found,
        "catalog": web.catalog,
        "allowed": found.allowed(who),
        "diagram": to_mermaid(found.definition, ui_for(request).lang, current=found.inst.state),
        "flash": None,
        "error": None,
        "given": {},
    }
    context.update(extra)
    name = "_instance_main.html" if request.headers.get("hx-request") else "instance.html"
    return render(request, name, context, status, who=who)


@router.get(PATH)
def instance_page(request: Request, who: PageUser, fy: int, process: str, area: str) -> Response:
    flash = request.session.pop("flash", None)
    return _show(request, who, fy, process, area, flash=flash)


@router.post(PATH + "/advance")
async def advance_form(
    request: Request, who: PageUser, fy: int, process: str, area: str
) -> Response:
    web: WebState = request.app.state.web
    form = await advance_form_of(
        request, web, lambda fields: check_csrf(request, fields.get("csrf"))
    )
    try:
        result = await advance_from_request(request, web, who, f"{fy}/{process}/{area}", form)
    except PlancycleError as exc:
        given = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf"}
        return await run_in_threadpool(
            _show,
            request,
            who,
            fy,
            process,
            area,
            status_for(exc),
            error=message_for(exc, FORM_WORDING),
            given=given,
        )
    flash = {"seq": result.seq, "to": result.to_state}
    if request.headers.get("hx-request"):
        return await run_in_threadpool(_show, request, who, fy, process, area, flash=flash)
    request.session["flash"] = flash
    return RedirectResponse(f"/instances/{fy}/{process}/{area}", status_code=303)
