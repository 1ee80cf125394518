"""Doing a step through the API, withdrawing an instance, and the report exports."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response

from plancycle.thai.dates import parse_date
from plancycle.web.advance import advance_from_request, result_dict
from plancycle.web.api_models import (
    EXPORT_OK,
    Advanced,
    Extended,
    ExtendIn,
    Extensions,
    WithdrawIn,
    Withdrawn,
)
from plancycle.web.api_schema import errors
from plancycle.web.deps import ApiUser, State, area_for
from plancycle.web.exports import export_response
from plancycle.web.links import Fy
from plancycle.workflow.access import check_scope
from plancycle.workflow.extensions import (
    ExtendRequest,
    extend_deadline,
    extension_dict,
    list_extensions,
)
from plancycle.workflow.withdraw import withdraw_instance

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])

_MULTIPART = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["trigger"],
                    "properties": {
                        "trigger": {
                            "type": "string",
                            "minLength": 1,
                            "examples": ["workshop_held"],
                        },
                        "note": {"type": "string"},
                        "on_behalf_of": {
                            "type": "string",
                            "description": "record the step for this role (บันทึกแทน), "
                            "where the definition allows it; attach the signed document",
                        },
                        "expected_version": {
                            "type": "integer",
                            "description": "or an If-Match header",
                        },
                        "data": {
                            "type": "string",
                            "description": 'step data as a JSON object: {"participants": 25}',
                        },
                        "evidence": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "files for the step's slots in order",
                        },
                    },
                    "additionalProperties": {
                        "description": "evidence.SLOT (a file for that slot) or data.NAME "
                        "(one value of the step data)",
                    },
                }
            }
        },
    }
}


@router.post(
    "/instances/{fy}/{process}/{area}/advance",
    summary="Do a step (multipart: trigger, data, evidence files)",
    openapi_extra=_MULTIPART,
    response_model=Advanced,
    responses=errors(401, 403, 404, 409, 422),
)
async def advance(
    request: Request, web: State, who: ApiUser, fy: int, process: str, area: str
) -> dict[str, Any]:
    """The engine checks the role and the area, and keeps every refusal."""
    result = await advance_from_request(request, web, who, f"{fy}/{process}/{area}")
    return result_dict(result)


@router.post(
    "/instances/{fy}/{process}/{area}/withdraw",
    summary="Withdraw an instance created by mistake (admin, provincial CD office)",
    response_model=Withdrawn,
    responses=errors(401, 403, 404, 409, 422),
)
def withdraw(
    web: State, who: ApiUser, fy: int, process: str, area: str, body: WithdrawIn
) -> dict[str, Any]:
    """Audited (a record names who and why), never deleted; left out of counts, lists,
    KPIs, the sweep and the inbox."""
    key = f"{fy}/{process}/{area}"
    check_scope(key, who.area, area)
    inst = withdraw_instance(web.db, key, who.id, body.reason, web.now())
    return {"key": inst.key, "withdrawn_at": inst.withdrawn_at, "reason": body.reason.strip()}


@router.post(
    "/extensions",
    summary="Extend a step's deadline for an instance or an area (admin, provincial CD office)",
    response_model=Extended,
    responses=errors(400, 401, 403, 404, 409, 422),
)
def extend(web: State, who: ApiUser, body: ExtendIn) -> dict[str, Any]:
    """Audited (each instance moved gets a record naming who and why); the ladder restarts
    from the new deadline."""
    if body.key is not None:
        check_scope(body.key, who.area, body.key.rsplit("/", 1)[-1])
    req = ExtendRequest(
        who.id,
        body.step,
        parse_date(body.until),
        body.reason,
        key=body.key,
        process=body.process,
        area=body.area,
        fiscal_year=body.fy,
    )
    done = extend_deadline(web.db, web.catalog, req, web.now())
    rows = [x for x in list_extensions(web.db) if x.id == done.id]
    return {"extension": extension_dict(rows[0]), "moved": [k for k, _ in done.moved]}


@router.get(
    "/extensions",
    summary="The deadline extensions reaching the caller's area (or ?area=)",
    response_model=Extensions,
    responses=errors(401, 403, 422),
)
def extensions(web: State, who: ApiUser, area: str | None = None, fy: Fy = None) -> dict[str, Any]:
    code = area_for(who, area) if area or who.area else None
    rows = list_extensions(web.db, area=code, fiscal_year=fy)
    return {"extensions": [extension_dict(x) for x in rows]}


@router.get(
    "/exports/{kind}.{fmt}",
    summary="An export: a process's sheet (by process id), bpm, or the per-district summary",
    response_class=Response,
    responses={**EXPORT_OK, **errors(401, 403, 404, 422)},
)
def export(
    web: State,
    who: ApiUser,
    kind: str,
    fmt: Literal["csv", "xlsx"],
    fy: Fy = None,
    area: str | None = None,
    process: str | None = None,
    lang: Literal["th", "en"] = "th",
) -> Response:
    return export_response(web, area_for(who, area), kind, fmt, fy, process, lang)
