"""Read-only share links in the web app (:mod:`plancycle.workflow.share_links`):

- ``/shares``: a province office makes, lists and revokes links to areas of its own;
- ``/s/{token}``, ``/s/{token}/areas/{code}`` and ``/s/{token}/report/{code}/{kind}.{fmt}``:
  the shared area's pages (progress, charts, the areas under it) and its reports, for
  anyone holding the link, without a login and without any form; each request counts
  as a use. An unknown, altered, revoked or expired token is a 404 page in Thai and
  English."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from plancycle.store.areas import normalize_code
from plancycle.store.models import ShareLink
from plancycle.thai.areacode import in_area, level_of
from plancycle.web.area_charts import report_chart
from plancycle.web.areas_view import area_view
from plancycle.web.pages_areas import area_context
from plancycle.web.pages_common import PageUser, check_csrf, render, ui_for
from plancycle.web.report_document import report_document
from plancycle.web.report_files import DOC_FORMATS, to_docx, to_pdf
from plancycle.web.state import WebState
from plancycle.workflow.errors import NotAllowed
from plancycle.workflow.share_links import (
    NewShare,
    UnknownShare,
    check_shares,
    create_share,
    list_shares,
    open_share,
    revoke_share,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _web(request: Request) -> WebState:
    return request.app.state.web


def _shares_page(request: Request, who: PageUser, made: NewShare | None = None) -> Response:
    web = _web(request)
    check_shares(who.id, who.area, who.home)
    view = area_view(web.db, who.home)
    years = web.choose(None)
    context = {
        "links": list_shares(web.db, who.id),
        "areas": [a for a in (view.area, *view.children) if a.code],
        "year": years.year,
        "made": made,
        "made_url": f"{str(request.base_url).rstrip('/')}/s/{made.token}" if made else "",
    }
    return render(request, "shares.html", context, status=201 if made else 200, who=who)


@router.get("/shares")
def shares_page(request: Request, who: PageUser) -> Response:
    return _shares_page(request, who)


def _number(value: object, en: str, th: str) -> int:
    text = value if isinstance(value, str) else ""
    if not text.strip().isdigit():
        raise NotAllowed(f"{en} must be a whole number", f"{th}ต้องเป็นจำนวนเต็ม")
    return int(text)


@router.post("/shares")
async def share_create(request: Request, who: PageUser) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf"))
    web = _web(request)
    area = form.get("area")
    days = _number(form.get("days"), "days", "จำนวนวัน")
    fy = _number(form.get("fy"), "the fiscal year", "ปีงบประมาณ")
    made = await run_in_threadpool(
        create_share, web.db, who.id, area if isinstance(area, str) else "", fy, days, web.now()
    )
    return await run_in_threadpool(_shares_page, request, who, made)


@router.post("/shares/{share_id}/revoke")
async def share_revoke(request: Request, who: PageUser, share_id: int) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf"))
    web = _web(request)
    await run_in_threadpool(revoke_share, web.db, who.id, share_id, web.now())
    return RedirectResponse("/shares", status_code=303)


def _missing(request: Request) -> HTMLResponse:
    error = UnknownShare()
    web = _web(request)
    return web.templates.TemplateResponse(
        request,
        "shared_missing.html",
        {"ui": ui_for(request), "en": error.en, "th": error.th},
        status_code=404,
    )


def _open(request: Request, token: str, code: str | None) -> tuple[ShareLink, str] | None:
    """The live link and the area asked for inside it; None (a 404) otherwise."""
    web = _web(request)
    try:
        link = open_share(web.db, token, web.now())
    except UnknownShare:
        return None
    chosen = normalize_code(code) if code else link.area_code
    if level_of(chosen) is None or not in_area(link.area_code, chosen):
        return None
    return link, chosen


@router.get("/s/{token}")
@router.get("/s/{token}/areas/{code}")
def shared_area(request: Request, token: str, code: str | None = None) -> Response:
    opened = _open(request, token, code)
    if opened is None:
        return _missing(request)
    link, chosen = opened
    try:
        context = area_context(request, link.fiscal_year, chosen)
    except LookupError:
        return _missing(request)
    context.update(share=link, base=f"/s/{token}")
    response = render(request, "shared_area.html", context)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token stays in this page
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/s/{token}/report/{code}/{kind}.{fmt}")
def shared_report(
    request: Request, token: str, code: str, kind: str, fmt: Literal["pdf", "docx"]
) -> Response:
    opened = _open(request, token, code)
    if opened is None:
        return _missing(request)
    link, chosen = opened
    web = _web(request)
    doc = report_document(web.db, web.catalog, kind, link.fiscal_year, chosen, web.now())
    if fmt == "pdf":
        chart = report_chart(web.db, web.catalog, kind, doc.fiscal_year, doc.area_code)
        body = to_pdf(doc, chart)
    else:
        body = to_docx(doc)
    return Response(
        body,
        media_type=DOC_FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{doc.filename}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )
