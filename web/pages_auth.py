"""Logging in with an actor's token, logging out, the language and digit switches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from plancycle.errors import PlancycleError
from plancycle.web.auth import log_in, log_out
from plancycle.web.forms import BadForm, FormLimits, read_form
from plancycle.web.links import Links, PageYear
from plancycle.web.pages_common import check_csrf, ensure_csrf, page_user, render
from plancycle.web.problems import TooManySignIns, status_for
from plancycle.web.state import WebState
from plancycle.web.ui import LANGS
from plancycle.web.wording import message_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

URLENCODED = "application/x-www-form-urlencoded"
LOGIN_FORM = FormLimits(max_files=0, max_fields=4, max_part=2048)


def _local(target: str | None) -> str:
    """Only a path on this site (never //host or a full URL) may be a redirect target."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/")
def home(request: Request, years: PageYear) -> Response:
    """After login: the user's inbox (the area overview is a link in the header); the
    chosen year goes along."""
    page_user(request)
    return RedirectResponse(Links(request, years)("/inbox"), status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    ensure_csrf(request)
    return render(request, "login.html", {"next": _local(next), "error": None})


async def _login_fields(request: Request) -> FormData:
    """The login form: a few urlencoded fields only (no files, no multipart), with the
    session's CSRF token."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind != URLENCODED:
        raise BadForm(
            f"the login form is sent as {URLENCODED}, not {kind or 'nothing'}",
            f"แบบฟอร์มเข้าสู่ระบบต้องส่งแบบ {URLENCODED} ไม่ใช่ {kind or 'ไม่ระบุ'}",
        )
    form = await read_form(request, LOGIN_FORM)
    check_csrf(request, form.get("csrf"))
    return form


@router.post("/login")
async def login(request: Request) -> Response:
    web: WebState = request.app.state.web
    form = await _login_fields(request)
    token, target = str(form.get("token") or ""), _local(str(form.get("next") or "/"))
    client = request.client.host if request.client else "unknown"
    try:
        await run_in_threadpool(
            log_in, web.db, request.session, token.strip(), client, web.throttle, web.now()
        )
    except TooManySignIns as exc:
        ensure_csrf(request)
        answer = render(request, "login.html", {"next": target, "error": message_for(exc)}, 429)
        answer.headers["Retry-After"] = str(exc.retry_after)
        return answer
    except PlancycleError as exc:
        ensure_csrf(request)
        return render(
            request, "login.html", {"next": target, "error": message_for(exc)}, status_for(exc)
        )
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    web: WebState = request.app.state.web
    log_out(request.session, web.db, web.now())
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{lang}")
def switch_lang(request: Request, lang: str, next: str | None = None) -> Response:
    if lang in LANGS:
        request.session["lang"] = lang
    return RedirectResponse(_local(next), status_code=303)


@router.get("/digits/{choice}")
def switch_digits(request: Request, choice: str, next: str | None = None) -> Response:
    request.session["thai_digits"] = choice == "thai"
    return RedirectResponse(_local(next), status_code=303)
