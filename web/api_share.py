"""Share links through the API: make, list and revoke (a province office or CDD;
:mod:`plancycle.workflow.share_links`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from plancycle.store.models import ShareLink
from plancycle.web.api_models import Share, ShareIn, ShareList, ShareMade
from plancycle.web.api_schema import errors
from plancycle.web.deps import ApiUser, State
from plancycle.workflow.share_links import create_share, list_shares, revoke_share

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])


def _row(link: ShareLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "area_code": link.area_code,
        "fiscal_year": link.fiscal_year,
        "created_by": link.created_by,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "uses": link.uses,
        "last_used_at": link.last_used_at,
    }


@router.get(
    "/shares",
    summary="The share links in the caller's area (province office or CDD)",
    response_model=ShareList,
    responses=errors(401, 403),
)
def shares(web: State, who: ApiUser) -> dict[str, Any]:
    return {"shares": [_row(s) for s in list_shares(web.db, who.id)]}


@router.post(
    "/shares/create",
    summary="Make a read-only link to an area's pages; the path holds the token, shown once",
    response_model=ShareMade,
    responses=errors(401, 403, 404, 422),
)
def share_create(web: State, who: ApiUser, body: ShareIn) -> dict[str, Any]:
    made = create_share(web.db, who.id, body.area, body.fy, body.days, web.now())
    return {**_row(made.link), "path": f"/s/{made.token}"}


@router.post(
    "/shares/{share_id}/revoke",
    summary="Revoke a share link: it answers 404 from now on",
    response_model=Share,
    responses=errors(401, 403, 404, 422),
)
def share_revoke(web: State, who: ApiUser, share_id: int) -> dict[str, Any]:
    return _row(revoke_share(web.db, who.id, share_id, web.now()))
