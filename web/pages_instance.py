"""The instance page (timeline, diagram, history, the advance form) and its form's POST.

With htmx the form posts in place and the answer is the page's main part, redrawn; without
JavaScript it posts normally and the browser is sent back to the page (303). A refused
form comes back as it was filled in: its values, and the files it attached, kept
(:mod:`plancycle.web.kept_uploads`)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from plancycle.definitions.diagram import to_mermaid
from plancycle.errors import PlancycleError
from plancycle.store.evidence import EvidenceFile
from plancycle.thai.dates import parse_date
from plancycle.web.advance import advance_form_of, advance_from_request
from plancycle.web.auth import Principal
from plancycle.web.deps import detail_for
from plancycle.web.diagram_svg import state_svg
from plancycle.web.kept_uploads import Kept, KeptFiles, StaleKept
from plancycle.web.links import set_page_year
from plancycle.web.pages_common import PageUser, check_csrf, render, ui_for
from plancycle.web.problems import status_for
from plancycle.web.state import WebState
from plancycle.web.wording import FORM_WORDING, message_for
from plancycle.workflow.extensions import ExtendRequest, extend_deadline, may_extend
from plancycle.workflow.views import InstanceView
from plancycle.workflow.withdraw import MIN_REASON, withdraw_instance

__all__ = ["PATH", "router", "show_page"]

router = APIRouter(include_in_schema=False)

PATH = "/instances/{fy}/{process}/{area}"


def _show(
    request: Request,
    who: Principal,
    fy: int,
    process: str,
    area: str,
    status: int = 200,
    refused: tuple[PlancycleError, Callable[[InstanceView], dict[str, Kept]]] | None = None,
    **extra,
) -> Response:
    web: WebState = request.app.state.web
    found = detail_for(web, who, fy, process, area)
    set_page_year(request, found.inst.fiscal_year)  # the year in its address is the chosen one
    context = {
        "year_home": f"/areas/{found.inst.area_code}",  # where picking another year leads
        "d": found,
        "catalog": web.catalog,
        "allowed": found.allowed(who),
        "min_reason": MIN_REASON,
        "can_withdraw": found.may_withdraw(who),
        "can_extend": found.inst.completed_at is None
        and found.inst.withdrawn_at is None
        and may_extend(who.role, who.area, found.inst.area_code),
        # the steps the viewer may do, each with the role it records it for (None: its own)
        "doable": [(t, None) for t in found.allowed(who)] + found.on_behalf(who),
        "send_back_to": found.send_back_to(who),
        "correctable": found.correctable(who),
        "review_form": None,
        "diagram": to_mermaid(found.definition, ui_for(request).lang, current=found.inst.state),
        "diagram_svg": state_svg(found.definition, ui_for(request).lang, found.inst.state),
        "flash": None,
        "error": None,
        "given": {},
        "kept": {},
    }
    if refused is not None:  # worded with the instance's labels, what it kept shown again
        exc, keep = refused
        context.update(error=message_for(exc, FORM_WORDING, found), kept=keep(found))
    context.update(extra)
    name = "_instance_main.html" if request.headers.get("hx-request") else "instance.html"
    return render(request, name, context, status, who=who)


def show_page(
    request: Request,
    who: Principal,
    fy: int,
    process: str,
    area: str,
    status: int = 200,
    refused: PlancycleError | None = None,
    **extra,
) -> Response:
    """The page (or its main part), with a refused review form's message."""
    if refused is None:
        return _show(request, who, fy, process, area, status, **extra)
    return _show(request, who, fy, process, area, status, (refused, lambda _: {}), **extra)


@router.get(PATH)
def instance_page(request: Request, who: PageUser, fy: int, process: str, area: str) -> Response:
    flash = request.session.pop("flash", None)
    return _show(request, who, fy, process, area, flash=flash)


def _texts(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf"}


def _chosen(form: FormData) -> set[str]:
    """The slots a file was chosen for (an empty file input sends a part with no name)."""
    return {
        k.partition(".")[2]
        for k, v in form.multi_items()
        if isinstance(v, UploadFile) and v.filename
    }


@router.post(PATH + "/advance")
async def advance_form(
    request: Request, who: PageUser, fy: int, process: str, area: str
) -> Response:
    web: WebState = request.app.state.web
    form = await advance_form_of(
        request, web, lambda fields: check_csrf(request, fields.get("csrf"))
    )
    key = f"{fy}/{process}/{area}"
    given = _texts(form)
    files = KeptFiles(web.settings.secret_key, who.id, key, web.settings.session_max_age)
    stored: list[EvidenceFile] = []
    carried: dict[str, Kept] = {}
    try:
        carried = files.read(given, _chosen(form))
        result = await advance_from_request(request, web, who, key, form, carried, stored)
    except PlancycleError as exc:
        trigger = given.get("trigger", "")
        before = {} if isinstance(exc, StaleKept) else carried

        def keep(view: InstanceView) -> dict[str, Kept]:
            step = next((t for t in view.next_steps() if t.trigger == trigger), None)
            return {**before, **files.keep(stored, step)}

        await form.close()
        return await run_in_threadpool(
            _show, request, who, fy, process, area, status_for(exc), (exc, keep), given=given
        )
    flash = {"seq": result.seq, "to": result.to_state}
    if request.headers.get("hx-request"):
        return await run_in_threadpool(_show, request, who, fy, process, area, flash=flash)
    request.session["flash"] = flash
    return RedirectResponse(f"/instances/{fy}/{process}/{area}", status_code=303)


@router.post(PATH + "/withdraw")
async def withdraw_form(
    request: Request, who: PageUser, fy: int, process: str, area: str
) -> Response:
    """Withdraw the instance (admin, provincial CD office): audited, never deleted."""
    web: WebState = request.app.state.web
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    key = f"{fy}/{process}/{area}"
    reason = str(form.get("reason") or "")  # too short: the engine words it for the page
    try:
        await run_in_threadpool(detail_for, web, who, fy, process, area)  # scope first
        await run_in_threadpool(withdraw_instance, web.db, key, who.id, reason, web.now())
    except PlancycleError as exc:  # worded for the page, roles by their labels
        return await run_in_threadpool(
            _show, request, who, fy, process, area, status_for(exc), (exc, _kept_nothing)
        )
    return RedirectResponse(f"/instances/{fy}/{process}/{area}", status_code=303)


@router.post(PATH + "/extend")
async def extend_form(
    request: Request, who: PageUser, fy: int, process: str, area: str
) -> Response:
    """Extend the current step's deadline (admin, provincial CD office): audited."""
    web: WebState = request.app.state.web
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    key = f"{fy}/{process}/{area}"
    given = {name: str(form.get(name) or "") for name in ("step", "until", "reason")}
    try:
        await run_in_threadpool(detail_for, web, who, fy, process, area)  # scope first
        req = ExtendRequest(
            who.id, given["step"], parse_date(given["until"]), given["reason"], key=key
        )
        await run_in_threadpool(extend_deadline, web.db, web.catalog, req, web.now())
    except PlancycleError as exc:
        return await run_in_threadpool(
            _show,
            request,
            who,
            fy,
            process,
            area,
            status_for(exc),
            (exc, _kept_nothing),
            given=given,
        )
    return RedirectResponse(f"/instances/{fy}/{process}/{area}", status_code=303)


def _kept_nothing(_: InstanceView) -> dict[str, Kept]:
    return {}
