"""Many steps in one request (`POST /api/v1/advance-batch`): the batch core checks every
item first and writes none unless all pass (or ``partial``); each item's result names
its index, status, record and, when refused, its problem document."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from plancycle.web.advance import writers
from plancycle.web.api_models import BatchIn, BatchOut
from plancycle.web.api_schema import errors
from plancycle.web.auth import Principal
from plancycle.web.deps import ApiUser, State
from plancycle.web.problems import PROBLEM_JSON, headers_for, problem, problem_for, status_for
from plancycle.web.state import WebState
from plancycle.workflow.batch import BatchResult, BatchRow, RowResult, run_batch

__all__ = ["batch_dict", "router"]

router = APIRouter(prefix="/api/v1", tags=["api"])


def _item(x: RowResult) -> dict[str, Any]:
    return {
        "index": x.row,
        "key": x.key,
        "trigger": x.trigger,
        "status": x.status.value,
        "seq": x.seq,
        "problem": None if x.error is None else problem_for(x.error, x.key),
    }


def batch_dict(result: BatchResult) -> dict[str, Any]:
    return {**result.summary(), "items": [_item(x) for x in result.rows]}


def _run(web: WebState, who: Principal, body: BatchIn) -> BatchResult:
    rows = [
        BatchRow(i, item.key, item.trigger, dict(item.data), (), item.note)
        for i, item in enumerate(body.items)
    ]
    return run_batch(web.engine, rows, who.id, partial=body.partial, dry_run=body.dry_run)


@router.post(
    "/advance-batch",
    summary="Do steps on many instances (JSON items; all or nothing unless partial)",
    response_model=BatchOut,
    responses=errors(400, 401, 409, 422, 503),
)
async def advance_batch(web: State, who: ApiUser, body: BatchIn) -> Any:
    """Every item is checked as a single advance would be (scope, role, trigger, step
    data, guards) before any is written. 422 with every item's result when one is
    refused and ``partial`` is false: nothing written. When a write fails mid-way (store
    busy, an instance changed), the items before it stay written, and the answer (409 or
    503) says which. Steps that need evidence files take the single advance."""
    result = await anyio.to_thread.run_sync(_run, web, who, body, limiter=writers())
    if result.stopped is not None:
        stop = result.stopped
        body_out = problem_for(stop) | {"items": batch_dict(result)["items"]}
        return JSONResponse(
            body_out, status_for(stop), headers=headers_for(stop), media_type=PROBLEM_JSON
        )
    if result.refused and not result.partial:
        n = len(result.refused)
        return JSONResponse(
            problem(
                422,
                f"{n} of {len(result.rows)} items were refused, so none was written; fix them "
                "and send the batch again (or set partial)",
                f"ถูกปฏิเสธ {n} จาก {len(result.rows)} รายการ จึงไม่ได้บันทึกรายการใดเลย; "
                "แก้ไขแล้วส่งใหม่ (หรือตั้ง partial)",
                "BatchRefused",
                items=batch_dict(result)["items"],
            ),
            422,
            media_type=PROBLEM_JSON,
        )
    return batch_dict(result)
