"""Request dependencies shared by the API and the pages: the app's state, the caller,
and the area and instance checks (a district sees and acts only within its district)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from plancycle.errors import PlancycleError
from plancycle.store.areas import normalize_code
from plancycle.thai.areacode import level_of
from plancycle.web.auth import Principal, check_area, principal_for_bearer
from plancycle.web.state import WebState
from plancycle.workflow.access import check_scope
from plancycle.workflow.inbox import Inbox, InboxActor, InboxFilter, inbox
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.views import InstanceView, instance_view

__all__ = [
    "ApiUser",
    "BadQuery",
    "State",
    "api_user",
    "area_for",
    "detail_for",
    "inbox_for",
    "process_for",
    "web_state",
]


class BadQuery(PlancycleError, ValueError):
    """A query parameter that names nothing the store knows."""


def web_state(request: Request) -> WebState:
    return request.app.state.web


State = Annotated[WebState, Depends(web_state)]


def api_user(
    web: State,
    authorization: Annotated[
        str | None, Header(description="Bearer TOKEN (see `plancycle actors token ID`)")
    ] = None,
) -> Principal:
    return principal_for_bearer(web.db, authorization)


ApiUser = Annotated[Principal, Depends(api_user)]


def area_for(who: Principal, code: str | None) -> str:
    """The area asked for (default: the caller's own), refused outside the caller's."""
    chosen = normalize_code(code) if code else who.home
    if chosen and level_of(chosen) is None:
        raise BadQuery(
            f"area {code!r} is not a DOPA code (2, 4, 6 or 8 digits)",
            f"พื้นที่ {code!r} ไม่ใช่รหัสกรมการปกครอง (๒ ๔ ๖ หรือ ๘ หลัก)",
        )
    check_area(who, chosen)
    return chosen


def process_for(web: WebState, process: str | None) -> str | None:
    known = [d.id for d in web.catalog.latest()]
    if process and process not in known:
        raise BadQuery(
            f"unknown process {process!r}; known: {', '.join(known)}",
            f"ไม่รู้จักกระบวนการ {process!r}; ที่มี: {', '.join(known)}",
        )
    return process


def detail_for(web: WebState, who: Principal, fy: int, process: str, area: str) -> InstanceView:
    """The instance, if it lies in the caller's area: scope first, so one outside it is
    answered as one that does not exist (UnknownInstance), telling nothing about it."""
    key = f"{fy}/{process}/{area}"
    check_scope(key, who.area, area)
    return instance_view(web.db, web.catalog, key, web.now())


def inbox_for(
    web: WebState,
    who: Principal,
    year: int,
    area: str | None,
    process: str | None,
    state: str | None,
    limit: int,
    offset: int,
) -> Inbox:
    """The caller's inbox (``workflow/inbox.py``) for a request's parameters, inside the
    caller's area, in ``year`` (the request's chosen one: :meth:`WebState.choose`)."""
    flt = InboxFilter(
        year,
        AreaFilter.of(area_for(who, area)),
        process or None,
        state or None,
        limit,
        offset,
    )
    return inbox(web.db, web.catalog, InboxActor(who.id, who.role, who.area), flt, web.now())
