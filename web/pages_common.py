"""What every page shares: the session's user, language and digits, rendering a template
with them, the error page, and the check that a form came from our own page (CSRF)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from plancycle.web.auth import NotLoggedIn, Principal, principal_for_session
from plancycle.web.links import Links
from plancycle.web.state import WebState
from plancycle.web.ui import Ui
from plancycle.workflow.access import may_manage_contacts
from plancycle.workflow.errors import NotAllowed
from plancycle.workflow.share_links import may_share

__all__ = ["PageUser", "check_csrf", "ensure_csrf", "error_page", "page_user", "render", "ui_for"]


def page_user(request: Request) -> Principal:
    web: WebState = request.app.state.web
    return principal_for_session(web.db, request.session)


PageUser = Annotated[Principal, Depends(page_user)]


def ui_for(request: Request) -> Ui:
    web: WebState = request.app.state.web
    lang = request.session.get("lang") or web.settings.default_lang
    return Ui(lang, bool(request.session.get("thai_digits")))


def _who(request: Request) -> Principal | None:
    try:
        return page_user(request)
    except NotLoggedIn:
        return None


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    who: Principal | None = None,
) -> HTMLResponse:
    web: WebState = request.app.state.web
    ui = ui_for(request)
    years = getattr(request.state, "year", None) or web.choose(None)
    who = who or _who(request)
    base = {
        "years": years,  # the chosen fiscal year, the default and the years that exist
        "link": Links(request, years),  # every link a template draws, the year carried
        "ui": ui,
        "who": who,
        "manages_contacts": who is not None and may_manage_contacts(who.role, who.area),
        "shares": who is not None and may_share(who.area),
        "csrf": request.session.get("csrf", ""),
        "now": web.now(),
        "roles": web.catalog.roles,
        "fragment": bool(request.headers.get("hx-request")),
    }
    response = web.templates.TemplateResponse(
        request, name, {**base, **context}, status_code=status
    )
    response.headers["Content-Language"] = ui.lang
    return response


def error_page(request: Request, status: int, en: str, th: str) -> HTMLResponse:
    return render(request, "error.html", {"status": status, "en": en, "th": th}, status)


def ensure_csrf(request: Request) -> str:
    """The session's CSRF token, made now if it has none (the login form, before any
    sign-in, needs one too)."""
    if not request.session.get("csrf"):
        request.session["csrf"] = secrets.token_urlsafe(24)
    return request.session["csrf"]


def check_csrf(request: Request, sent: object) -> None:
    """Refuse a form whose token is not the session's (compared as UTF-8 bytes, so any
    text sent, Thai included, is a plain refusal)."""
    expected = request.session.get("csrf")
    given = sent if isinstance(sent, str) else ""
    if (
        not expected
        or not given
        or not secrets.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())
    ):
        raise NotAllowed(
            "the form is out of date or did not come from this site; reload the page and retry",
            "แบบฟอร์มหมดอายุหรือไม่ได้มาจากเว็บไซต์นี้ โปรดโหลดหน้าใหม่แล้วลองอีกครั้ง",
        )
