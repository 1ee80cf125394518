"""Sign-in lockouts for the province: which clients are locked out now, and until when.

Only a province office or a nation-wide actor (CDD) sees them: a wrong token names no
area, so a lockout belongs to no district."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from plancycle.store.sign_in import lockouts
from plancycle.web.api_models import Lockouts
from plancycle.web.api_schema import errors
from plancycle.web.deps import ApiUser, State
from plancycle.workflow.access import check_sees_sign_in_lockouts

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])


@router.get(
    "/sign-in/lockouts",
    summary="Clients locked out after too many failed sign-ins (province and CDD)",
    responses=errors(401, 403),
    response_model=Lockouts,
)
async def sign_in_lockouts(web: State, who: ApiUser) -> dict[str, Any]:
    check_sees_sign_in_lockouts(who.id, who.area)
    now = web.now()
    found = await run_in_threadpool(lockouts, web.db, web.throttle, now)
    return {
        "max_failures": web.throttle.max_failures,
        "window_seconds": int(web.throttle.window.total_seconds()),
        "lockouts": [lock.as_dict() | {"retry_after": lock.retry_after(now)} for lock in found],
    }
