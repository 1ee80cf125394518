"""``/bulk/sheet``: the filled batch sheet (the file ``plancycle advance-many`` reads)
uploaded in the browser, with the evidence files its rows name.

Two steps, both through the batch core (:func:`run_batch`): *check* reads the sheet and
checks every row (a dry run: nothing is written; the evidence files are stored by
content, as any upload is); *write* runs the same rows, each its own audited advance,
all or nothing unless the user chose to write the valid ones. Between the two the page
carries what was checked, not the file again: the sheet's bytes and its files' names
and SHA-256, signed with the app's secret key for this actor (``web/kept_uploads.py``'s
rule), so the rows written are the rows checked."""

from __future__ import annotations

import base64
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.datastructures import FormData, UploadFile

from plancycle.definitions.model import Text
from plancycle.errors import PlancycleError
from plancycle.store.evidence import store_evidence, stored_path
from plancycle.web.advance import writers
from plancycle.web.auth import Principal
from plancycle.web.forms import FormLimits, read_form
from plancycle.web.pages_common import PageUser, check_csrf, render
from plancycle.web.problems import status_for
from plancycle.web.state import WebState
from plancycle.web.uploads import evidence_inputs
from plancycle.web.wording import FORM_WORDING, message_for
from plancycle.workflow.batch import BatchResult, run_batch
from plancycle.workflow.batch_files import sheet_batch
from plancycle.workflow.batch_sheet import BadSheet, format_of, read_sheet
from plancycle.workflow.batch_template import keyed_rows
from plancycle.workflow.errors import BadStepInput

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_SALT = "plancycle.checked-sheet"
CHECK, WRITE = "check", "write"


class NoSheet(BadSheet):
    def __init__(self) -> None:
        super().__init__(
            "choose the filled sheet (.xlsx or .csv) to upload",
            "เลือกไฟล์แบบฟอร์มที่กรอกแล้ว (.xlsx หรือ .csv) เพื่ออัปโหลด",
        )


class StaleCheck(BadStepInput):
    def __init__(self) -> None:
        super().__init__(
            "the checked sheet can no longer be written (too old, or checked by another "
            "user); upload it again",
            "บันทึกไฟล์ที่ตรวจไว้ไม่ได้แล้ว (นานเกินไปหรือผู้ใช้อื่นเป็นผู้ตรวจ); อัปโหลดอีกครั้ง",
        )


@dataclass(frozen=True, slots=True)
class _Checked:
    """What the check read: the sheet, and each file sent with it (name -> SHA-256)."""

    name: str
    raw: bytes
    files: dict[str, tuple[str, str]]  # name sent -> (name recorded, sha256)
    partial: bool


def _signer(web: WebState) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(web.settings.secret_key, salt=_SALT)


def _seal(web: WebState, who: Principal, c: _Checked) -> str:
    fact = {
        "a": who.id,
        "n": c.name,
        "d": base64.b64encode(c.raw).decode("ascii"),
        "f": c.files,
        "p": c.partial,
    }
    return str(_signer(web).dumps(fact))


def _unseal(web: WebState, who: Principal, sealed: str) -> _Checked:
    try:
        fact = _signer(web).loads(sealed, max_age=web.settings.session_max_age)
    except BadData:
        raise StaleCheck() from None
    if fact.get("a") != who.id:
        raise StaleCheck()
    files = {k: (v[0], v[1]) for k, v in fact["f"].items()}
    return _Checked(fact["n"], base64.b64decode(fact["d"]), files, bool(fact["p"]))


def _received(web: WebState, form: FormData) -> _Checked:
    """The sheet and the files uploaded with it; every file stored (by content) now, so
    the write step finds it."""
    sheet = form.get("sheet")
    if not isinstance(sheet, UploadFile) or not sheet.filename:
        raise NoSheet()
    name = Path(sheet.filename).name
    format_of(Path(name))  # .csv or .xlsx, before a byte is read
    raw = sheet.file.read()
    uploads = [v for k, v in form.multi_items() if k == "evidence" and isinstance(v, UploadFile)]
    uploads = [u for u in uploads if u.filename]
    files: dict[str, tuple[str, str]] = {}
    for u, given in zip(uploads, evidence_inputs([(None, u) for u in uploads]), strict=True):
        stored = store_evidence(given, web.engine.evidence_folder, web.engine.evidence_max_bytes)
        files[Path(u.filename or "").name] = (given.file_name, stored.sha256)
    return _Checked(name, raw, files, form.get("partial") == "on")


def _run(web: WebState, who: Principal, c: _Checked, write: bool) -> BatchResult:
    rows = read_sheet(c.raw, c.name, format_of(Path(c.name)))
    with ExitStack() as stack:
        sent: dict[str, tuple[str, BinaryIO]] = {}
        for name, (recorded, sha) in c.files.items():
            path = stored_path(web.engine.evidence_folder, sha)
            if not path.is_file():
                raise StaleCheck()
            sent[name] = (recorded, stack.enter_context(path.open("rb")))
        batch = sheet_batch(rows, sent)
        return run_batch(web.engine, batch, who.id, partial=c.partial, dry_run=not write)


def _areas(web: WebState, who: Principal, result: BatchResult) -> dict[str, Text]:
    found = keyed_rows(web.db, [r.key for r in result.rows], who.area)
    return {r.key: r.area_name for r in found if r is not None}


def _show(request: Request, who: Principal, **context: Any) -> Response:
    result: BatchResult | None = context.get("result")
    web: WebState = request.app.state.web
    context.setdefault("error", None)
    context.setdefault("sealed", None)
    context.setdefault("checked", None)
    context["areas"] = _areas(web, who, result) if result else {}
    context["messages"] = (
        {x.row: message_for(x.error, FORM_WORDING) for x in result.rows if x.error}
        if result
        else {}
    )
    status = context.pop("status", 200)
    return render(request, "bulk_sheet.html", context, status, who=who)


@router.get("/bulk/sheet")
def sheet_page(request: Request, who: PageUser) -> Response:
    return _show(request, who, result=None)


@router.post("/bulk/sheet")
async def sheet_post(request: Request, who: PageUser) -> Response:
    web: WebState = request.app.state.web
    limits = FormLimits(web.settings.upload_max_files + 1, web.settings.form_max_fields)
    form = await read_form(request, limits, lambda f: check_csrf(request, f.get("csrf")))
    try:
        write = form.get("step") == WRITE
        checked: _Checked | None = None
        try:
            if write:
                checked = _unseal(web, who, str(form.get("sealed") or ""))
            else:
                checked = await anyio.to_thread.run_sync(_received, web, form)
            result = await anyio.to_thread.run_sync(
                _run, web, who, checked, write, limiter=writers()
            )
        except PlancycleError as exc:
            error = message_for(exc, FORM_WORDING)
            return _show(request, who, result=None, error=error, status=status_for(exc))
        sealed = _seal(web, who, checked) if not write and not _nothing_to_write(result) else None
        status = 200 if result.complete or result.dry_run else 422
        if result.stopped is not None:
            status = status_for(result.stopped)
        return _show(request, who, result=result, sealed=sealed, checked=checked, status=status)
    finally:
        await form.close()


def _nothing_to_write(result: BatchResult) -> bool:
    """A check after which writing would write nothing: no valid row, or a refused row
    while all or nothing was asked for."""
    valid = result.counts()["valid"]
    return valid == 0 or (bool(result.refused) and not result.partial)
