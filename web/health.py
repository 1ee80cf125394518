"""Liveness and readiness for load balancers and orchestrators.

``/healthz``: the process answers (no store access: a busy database must not get a
live process restarted). ``/readyz``: the store answers and its schema is at the head
revision this code needs; 503 otherwise, so a proxy sends no request to a node whose
store is down or not yet migrated (``plancycle init``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from plancycle.store.db import current_revision, head_revision

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    head = head_revision()
    try:
        revision = current_revision(request.app.state.web.db)
    except Exception as exc:  # any failure to reach the store means "not ready"
        return JSONResponse(
            {"status": "unavailable", "detail": type(exc).__name__, "head": head}, 503
        )
    ready = revision == head
    return JSONResponse(
        {"status": "ready" if ready else "behind", "revision": revision, "head": head},
        200 if ready else 503,
    )
