"""The review loop through the API: send a step back, correct a step's data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from plancycle.web.api_models import Reviewed
from plancycle.web.api_schema import errors
from plancycle.web.deps import ApiUser, State
from plancycle.web.review_forms import correct_from_request, review_dict, send_back_from_request

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])


def _form(fields: dict[str, dict[str, Any]], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "required": required, "properties": fields}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": schema},
                "multipart/form-data": {"schema": schema},
            },
        }
    }


_VERSION = {"type": "integer", "description": "or an If-Match header"}


@router.post(
    "/instances/{fy}/{process}/{area}/send-back",
    summary="Send a completed step back (a reviewer), with a comment",
    openapi_extra=_form(
        {
            "comment": {"type": "string", "minLength": 1},
            "to": {"type": "string", "description": "a state the instance has left"},
            "expected_version": _VERSION,
        },
        ["comment"],
    ),
    response_model=Reviewed,
    responses=errors(401, 403, 404, 409, 422),
)
async def send_back(
    request: Request, web: State, who: ApiUser, fy: int, process: str, area: str
) -> dict[str, Any]:
    """Allowed to the roles the definition's ``review: send_back`` names; the lead is told."""
    result = await send_back_from_request(request, web, who, f"{fy}/{process}/{area}")
    return review_dict(result)


@router.post(
    "/instances/{fy}/{process}/{area}/correct",
    summary="Correct the newest step's data while the instance has not moved on",
    openapi_extra=_form(
        {
            "reason": {"type": "string", "minLength": 1},
            "data": {"type": "string", "description": 'a JSON object: {"participants": 27}'},
            "expected_version": _VERSION,
        },
        ["reason"],
    ),
    response_model=Reviewed,
    responses=errors(401, 403, 404, 409, 422),
)
async def correct(
    request: Request, web: State, who: ApiUser, fy: int, process: str, area: str
) -> dict[str, Any]:
    """A new ``correct`` record holding the values it changes; the old record stays."""
    result = await correct_from_request(request, web, who, f"{fy}/{process}/{area}")
    return review_dict(result)
