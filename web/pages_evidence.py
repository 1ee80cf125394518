"""``/evidence/{sha256}``: an evidence file opened from a page's link, under the
session's actor (the same rule and answers as ``GET /api/v1/evidence/{sha256}``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from plancycle.web.api_evidence import SHA256, open_evidence
from plancycle.web.pages_common import PageUser

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/evidence/{sha256}")
def evidence_page(request: Request, who: PageUser, sha256: SHA256) -> Response:
    return open_evidence(request.app.state.web, who, sha256)
