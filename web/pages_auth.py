"""Logging in with an actor's token, logging out, the language and digit switches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from plancycle.errors import PlancycleError
from plancycle.web.auth import log_in, log_out
from plancycle.web.pages_common import check_csrf, page_user, render
from plancycle.web.state import WebState
from plancycle.web.ui import LANGS

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _local(target: str | None) -> str:
    """Only a path on this site (never //host or a full URL) may be a redirect target."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/")
def home(request: Request) -> Response:
    who = page_user(request)
    return RedirectResponse(f"/areas/{who.home}" if who.home else "/areas", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _local(next), "error": None})


@router.post("/login")
def login(
    request: Request, token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    web: WebState = request.app.state.web
    try:
        log_in(web.db, request.session, token.strip())
    except PlancycleError as exc:
        return render(request, "login.html", {"next": _local(next), "error": exc}, 401)
    return RedirectResponse(_local(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    log_out(request.session)
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
