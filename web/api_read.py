"""The read side of the HTTP API: who am I, areas, instances, status and KPI roll-ups,
the overdue and escalation list."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from plancycle.web.api_models import (
    AreaOut,
    Health,
    History,
    InboxOut,
    InstanceDetail,
    InstancePage,
    Me,
    OverduePage,
    StatusOut,
)
from plancycle.web.api_schema import ERRORS, errors
from plancycle.web.areas_view import area_view
from plancycle.web.deps import ApiUser, State, area_for, detail_for, inbox_for, process_for
from plancycle.web.links import Fy
from plancycle.workflow.inbox import DEFAULT_ROWS, MAX_ROWS
from plancycle.workflow.late import overdue_rows
from plancycle.workflow.reports import MAX_OFFSET, AreaFilter, InstanceFilter, list_instances
from plancycle.workflow.rollup import area_rollup, children_rollup
from plancycle.workflow.views import instance_row, record_dict
from plancycle.workflow.years import YearChoice

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])

Area = Annotated[str | None, Query(description="DOPA code (default: the caller's own area)")]


@router.get("/health", tags=["meta"], summary="Liveness (no token needed)", response_model=Health)
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/me", summary="The caller", response_model=Me, responses=errors(401))
def me(who: ApiUser) -> dict[str, Any]:
    return {"id": who.id, "name": who.name, "role": who.role, "area": who.area}


@router.get(
    "/areas",
    summary="An area with its parents and children",
    response_model=AreaOut,
    responses=ERRORS,
)
def areas(web: State, who: ApiUser, parent: Area = None) -> dict[str, Any]:
    return area_view(web.db, area_for(who, parent)).as_dict()


@router.get(
    "/areas/{code}",
    summary="One area",
    response_model=AreaOut,
    responses=errors(401, 403, 404, 422),
)
def area(web: State, who: ApiUser, code: str) -> dict[str, Any]:
    return area_view(web.db, area_for(who, code)).as_dict()


@router.get(
    "/instances",
    summary="Instances by fiscal year, process, state, area, lateness",
    response_model=InstancePage,
    responses=ERRORS,
)
def instances(
    web: State,
    who: ApiUser,
    fy: Fy = None,
    process: str | None = None,
    state: str | None = None,
    area: Area = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    now, years = web.now(), web.choose(fy)
    flt = _filter(web, who, years, area, process, state, now if overdue else None, limit, offset)
    rows, total = list_instances(web.db, flt)
    return {
        **years.as_dict(),
        "total": total,
        "offset": offset,
        "limit": limit,
        "instances": [instance_row(i, now) for i in rows],
    }


@router.get(
    "/instances/{fy}/{process}/{area}",
    summary="One instance: steps, deadlines, next steps, history",
    response_model=InstanceDetail,
    responses=errors(401, 403, 404),
)
def instance(
    web: State, who: ApiUser, fy: int, process: str, area: str, response: Response
) -> dict[str, Any]:
    found = detail_for(web, who, fy, process, area)
    response.headers["ETag"] = f'"{found.inst.version}"'
    return found.as_dict(who)


@router.get(
    "/instances/{fy}/{process}/{area}/history",
    summary="The audit history",
    response_model=History,
    responses=errors(401, 403, 404),
)
def instance_history(web: State, who: ApiUser, fy: int, process: str, area: str) -> dict[str, Any]:
    found = detail_for(web, who, fy, process, area)
    return {
        "key": found.inst.key,
        "state": found.inst.state,
        "records": [record_dict(r, found.files, found.names) for r in found.records],
    }


@router.get(
    "/status",
    summary="Progress and KPI per process, for an area and each area under it",
    response_model=StatusOut,
    responses=errors(401, 403, 404, 422),
)
def status(web: State, who: ApiUser, fy: Fy = None, area: Area = None) -> dict[str, Any]:
    code, years, now = area_for(who, area), web.choose(fy), web.now()
    year = years.year
    view = area_view(web.db, code)
    kids = children_rollup(web.db, web.catalog, year, code, [c.code for c in view.children], now)
    names = {c.code: c for c in view.children}
    return {
        **years.as_dict(),
        "as_of": now,
        "area": view.area.as_dict(),
        **area_rollup(web.db, web.catalog, year, code, now).as_dict(),
        "children": [{**names[c].as_dict(), **r.as_dict()} for c, r in kids.items()],
    }


@router.get(
    "/overdue",
    summary="Overdue instances, days late, escalation reached",
    response_model=OverduePage,
    responses=ERRORS,
)
def overdue(
    web: State,
    who: ApiUser,
    fy: Fy = None,
    area: Area = None,
    process: str | None = None,
    sort: Literal["days_late", "key", "due_at"] = "days_late",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    now, years = web.now(), web.choose(fy)
    flt = _filter(web, who, years, area, process, None, now, limit, offset)
    rows, total = overdue_rows(web.db, web.catalog, flt, sort, order == "desc")
    return {
        **years.as_dict(),
        "as_of": now,
        "total": total,
        "offset": offset,
        "limit": limit,
        "instances": [r.as_dict() for r in rows],
    }


@router.get(
    "/inbox",
    summary="What the caller's office must do now, soonest first; what waits on others",
    response_model=InboxOut,
    responses=ERRORS,
)
def inbox(
    web: State,
    who: ApiUser,
    fy: Fy = None,
    area: Area = None,
    process: str | None = None,
    state: str | None = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_ROWS, description="instances per group")
    ] = DEFAULT_ROWS,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="skipped per group")] = 0,
) -> dict[str, Any]:
    years = web.choose(fy)
    found = inbox_for(web, who, years.year, area, process, state, limit, offset)
    return {**years.as_dict(), **found.as_dict()}


def _filter(
    web, who, years: YearChoice, area, process, state, overdue_at, limit: int, offset: int
) -> InstanceFilter:
    """The instance filter of a request, limited to what the caller may see."""
    code = area_for(who, area)
    return InstanceFilter(
        years.year,
        process_for(web, process),
        state,
        AreaFilter.of(code),
        overdue_at,
        limit,
        offset,
    )
