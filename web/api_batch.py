"""Many steps in one request (`POST /api/v1/advance-batch`): the batch core checks every
item first and writes none unless all pass (or ``partial``); each item's result names
its index, status, record and, when refused, its problem document."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from plancycle.web.advance import writers
from plancycle.web.api_models import BatchIn, BatchOut
from plancycle.web.api_schema import errors
from plancycle.web.auth import Principal
from plancycle.web.deps import ApiUser, State
from plancycle.web.forms import BadForm, FormLimits, read_form
from plancycle.web.problems import PROBLEM_JSON, headers_for, problem, problem_for, status_for
from plancycle.web.state import WebState
from plancycle.web.uploads import evidence_inputs
from plancycle.workflow.batch import BatchResult, BatchRow, RowResult, run_batch
from plancycle.workflow.batch_files import FilesNotNamed, Sent, named_files, unnamed

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


def _run(web: WebState, who: Principal, body: BatchIn, sent: Sent) -> BatchResult:
    """Each item with its own files (``evidence``: slot -> part name, in ``sent``)."""
    rows = []
    for i, item in enumerate(body.items):
        files, problem_ = named_files(list(item.evidence.items()), sent)
        rows.append(
            BatchRow(i, item.key, item.trigger, dict(item.data), files, item.note, problem_)
        )
    return run_batch(web.engine, rows, who.id, partial=body.partial, dry_run=body.dry_run)


def _answer(result: BatchResult) -> Any:
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
    503) says which. Items that carry evidence files take ``/advance-batch/upload``."""
    result = await anyio.to_thread.run_sync(_run, web, who, body, {}, limiter=writers())
    return _answer(result)


_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["batch"],
                    "properties": {
                        "batch": {
                            "type": "string",
                            "minLength": 1,
                            "contentMediaType": "application/json",
                            "description": "the JSON body of /advance-batch; an item's "
                            '"evidence" maps a slot to the name of a file part: '
                            '{"attendance": "scan-240101"}',
                        },
                    },
                    "additionalProperties": {
                        "type": "string",
                        "format": "binary",
                        "description": "a file part, named as the items name it",
                    },
                }
            }
        },
    }
}


def _batch_of(form: FormData) -> BatchIn:
    text = form.get("batch")
    if not isinstance(text, str) or not text.strip():
        raise BadForm(
            "the field 'batch' is required: the batch as JSON, as /advance-batch takes it",
            "ต้องมีช่อง 'batch': รายการทั้งชุดเป็น JSON แบบเดียวกับ /advance-batch",
        )
    try:
        return BatchIn.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "batch"
        raise BadForm(
            f"the field 'batch' is not a valid batch: {where}: {first['msg']}",
            f"ช่อง 'batch' ไม่ใช่รายการชุดที่ถูกต้อง: {where}: {first['msg']}",
        ) from None


def _sent(form: FormData) -> Sent:
    """Every file part by its name (an empty file input sends a part with no file name)."""
    uploads = [(k, v) for k, v in form.multi_items() if isinstance(v, UploadFile) and v.filename]
    inputs = evidence_inputs([(None, v) for _, v in uploads])
    return {k: (i.file_name, i.stream) for (k, _), i in zip(uploads, inputs, strict=True)}


@router.post(
    "/advance-batch/upload",
    summary="Do steps on many instances, each item with its own evidence files (multipart)",
    openapi_extra=_UPLOAD,
    response_model=BatchOut,
    responses=errors(401, 409, 422, 503),
)
async def advance_batch_upload(request: Request, web: State, who: ApiUser) -> Any:
    """As ``/advance-batch``, with files: ``batch`` holds the same JSON, and each item's
    ``evidence`` names the file parts that are its own (slot -> part name). Items that
    name the same part share it (stored once). A part no item names, or an item naming a
    part not sent, is refused; nothing is written unless every item passes (or
    ``partial``)."""
    limits = FormLimits(web.settings.upload_max_files, web.settings.form_max_fields)
    form = await read_form(request, limits)
    try:
        body = _batch_of(form)
        sent = _sent(form)
        extra = unnamed([list(i.evidence.items()) for i in body.items], sent)
        if extra:
            raise FilesNotNamed(extra)
        result = await anyio.to_thread.run_sync(_run, web, who, body, sent, limiter=writers())
        return _answer(result)
    finally:
        await form.close()
