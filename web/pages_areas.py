"""The drill-down (nation, province, district, tambon), the overdue list and the exports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from plancycle.web.area_charts import area_charts, report_chart
from plancycle.web.areas_view import area_view
from plancycle.web.deps import area_for, process_for
from plancycle.web.exports import export_response
from plancycle.web.links import Fy, PageYear
from plancycle.web.pages_common import PageUser, render, ui_for
from plancycle.web.report_document import report_document
from plancycle.web.report_files import DOC_FORMATS, to_docx, to_pdf
from plancycle.web.sheets import budgeted
from plancycle.web.state import WebState
from plancycle.web.ui import short_titles
from plancycle.workflow.area_summary import leaf
from plancycle.workflow.late import overdue_rows
from plancycle.workflow.overdue import is_overdue
from plancycle.workflow.reports import AreaFilter, InstanceFilter, list_instances

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PER_PAGE = 100  # rows of the overdue list per page (a phone shows a page at a time)


def _web(request: Request) -> WebState:
    return request.app.state.web


def area_context(request: Request, year: int, chosen: str, again: bool = False) -> dict[str, Any]:
    """What an area's page shows (the signed-in page and the shared one); ``again``: its
    kept figures read afresh."""
    web = _web(request)
    now = web.now()
    view = area_view(web.db, chosen)
    summary = web.summaries.get(year, chosen, [c.code for c in view.children], now, again)
    instances = []
    if leaf(chosen):
        flt = InstanceFilter(year, area=AreaFilter.of(chosen), limit=500)
        instances = list_instances(web.db, flt)[0]
    return {
        "view": view,
        "summary": summary,
        "own": summary.own,
        "kids": summary.children,
        "instances": instances,
        "late": {i.key for i in instances if is_overdue(i.due_at, i.completed_at, now)},
        "year": year,
        "catalog": web.catalog,
        "names": {a.code: a for a in (view.area, *view.children)},
        "short": short_titles(web.catalog),
        "child_processes": {p.process for r in summary.children.values() for p in r.processes},
        "charts": area_charts(summary, ui_for(request)),
    }


@router.get("/areas")
@router.get("/areas/{code}")
def area_page(
    request: Request, who: PageUser, years: PageYear, code: str = "", fresh: bool = False
) -> Response:
    """An area's page; ``?fresh=1`` reads the nation's or a province's kept figures now."""
    chosen = area_for(who, code or None)
    context = area_context(request, years.year, chosen, fresh)
    context["read_again"] = f"/areas/{chosen}" if chosen else "/areas"
    return render(request, "area.html", context, who=who)


@router.get("/overdue")
def overdue_page(
    request: Request,
    who: PageUser,
    years: PageYear,
    area: str | None = None,
    process: str | None = None,
    sort: Literal["days_late", "key", "due_at"] = "days_late",
    order: Literal["asc", "desc"] = "desc",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    web = _web(request)
    code = area_for(who, area)
    flt = InstanceFilter(
        years.year,
        process_for(web, process),
        None,
        AreaFilter.of(code),
        web.now(),
        PER_PAGE,
        (page - 1) * PER_PAGE,
    )
    rows, total = overdue_rows(web.db, web.catalog, flt, sort, order == "desc")
    pages = max(1, -(-total // PER_PAGE))
    return render(
        request,
        "overdue.html",
        {
            "rows": rows,
            "page": page,
            "pages": pages,
            "total": total,
            "sort": sort,
            "order": order,
            "area": code,
            "view": area_view(web.db, code),
            "process": process or "",
            "processes": web.catalog.latest(),
        },
        who=who,
    )


@router.get("/exports")
def exports_page(
    request: Request, who: PageUser, years: PageYear, area: str | None = None
) -> Response:
    web = _web(request)
    view = area_view(web.db, area_for(who, area))
    return render(
        request,
        "exports.html",
        {
            "view": view,
            "year": years.year,
            "budgeted": budgeted(web.catalog),
            "processes": web.catalog.latest(),
        },
        who=who,
    )


@router.get("/exports/{kind}.{fmt}")
def export_download(
    request: Request,
    who: PageUser,
    kind: str,
    fmt: Literal["csv", "xlsx"],
    fy: Fy = None,
    area: str | None = None,
    process: str | None = None,
) -> Response:
    return export_response(
        _web(request), area_for(who, area), kind, fmt, fy, process, ui_for(request).lang
    )


@router.get("/areas/{code}/report/{kind}.{fmt}")
def report_download(
    request: Request,
    who: PageUser,
    code: str,
    kind: str,
    fmt: Literal["pdf", "docx"],
    fy: Fy = None,
) -> Response:
    """The letter's report no. 1 (activity2) or no. 2 (activity3) of the area, as a document."""
    web = _web(request)
    doc = report_document(web.db, web.catalog, kind, fy, area_for(who, code), web.now())
    if fmt == "pdf":
        chart = report_chart(web.db, web.catalog, kind, doc.fiscal_year, doc.area_code)
        body = to_pdf(doc, chart)
    else:
        body = to_docx(doc)
    return Response(
        body,
        media_type=DOC_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{doc.filename}.{fmt}"'},
    )
