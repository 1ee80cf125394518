"""The inbox page: what the user's office must do now, soonest first, each group a form
for bulk entry (GET to ``/bulk``), and what in its area waits on another office."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from plancycle.web.areas_view import area_view
from plancycle.web.deps import inbox_for
from plancycle.web.links import PageYear
from plancycle.web.pages_common import PageUser, render
from plancycle.web.state import WebState

__all__ = ["PER_GROUP", "router"]

router = APIRouter(include_in_schema=False)

PER_GROUP = 25  # instances a group shows per page (a province's groups hold thousands)


@router.get("/inbox")
def inbox_page(
    request: Request,
    who: PageUser,
    years: PageYear,
    area: str | None = None,
    process: str | None = None,
    state: str | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    web: WebState = request.app.state.web
    found = inbox_for(web, who, years.year, area, process, state, PER_GROUP, (page - 1) * PER_GROUP)
    home = area_view(web.db, who.home)
    chosen = found.flt.area.code
    return render(
        request,
        "inbox.html",
        {
            "inbox": found,
            "page": page,
            "per_group": PER_GROUP,
            "area": chosen,
            "home": home,
            "areas": [home.area, *home.children],
            "chosen_area": area_view(web.db, chosen).area if chosen != who.home else None,
            "processes": web.catalog.latest(),
            "process_def": web.catalog.get(found.flt.process) if found.flt.process else None,
        },
        who=who,
    )
