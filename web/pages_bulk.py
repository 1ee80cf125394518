"""Bulk entry in the browser: the batch sheet of an area (`/templates/PROCESS/TRIGGER.xlsx`)
and one form for one step on many instances (`/bulk`), posted to the batch core.

The bulk page takes ``process``, ``trigger`` and ``key`` repeated (the inbox's checked
rows). The step's date fields are asked per row (each village's forum date), with a
"same for all" value that fills the rows left empty; its other fields, the note and the
evidence files are given once, for every row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from plancycle.definitions.model import DataField, Text, Transition
from plancycle.errors import PlancycleError
from plancycle.thai.areacode import in_area
from plancycle.web.advance import writers
from plancycle.web.forms import FormLimits, read_form
from plancycle.web.links import PageYear
from plancycle.web.pages_common import PageUser, check_csrf, render
from plancycle.web.problems import status_for
from plancycle.web.state import WebState
from plancycle.web.tabular import CSV, XLSX
from plancycle.web.uploads import evidence_inputs
from plancycle.web.wording import FORM_WORDING, message_for
from plancycle.workflow.batch import BatchResult, BatchRow, RowResult, run_batch
from plancycle.workflow.batch_sheet import template_csv, template_xlsx
from plancycle.workflow.batch_template import TemplateRow, keyed_rows, step_of, template_for

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

MAX_BULK_FIELDS = 20_000  # a district's 960 villages, a few fields each


class SheetNotFound(PlancycleError, LookupError):
    """An area outside the caller's: told as one that is not there."""

    exit_code = 3

    def __init__(self, area: str) -> None:
        super().__init__(f"no area {area!r} to make a sheet of", f"ไม่พบพื้นที่ {area!r}")


@router.get("/templates/{process}/{trigger}.{fmt}")
def sheet_template(
    request: Request,
    who: PageUser,
    process: str,
    trigger: str,
    fmt: Literal["xlsx", "csv"],
    years: PageYear,
    area: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    """The sheet `plancycle template` writes; 404 for an area outside the caller's."""
    web: WebState = request.app.state.web
    code = area or who.home
    if not in_area(who.area, code):
        raise SheetNotFound(code)
    year = years.year
    sheet = template_for(web.db, web.catalog, process, trigger, code, year)
    body = template_xlsx(sheet) if fmt == "xlsx" else template_csv(sheet)
    name = f"{process}-{trigger}-{code or 'all'}-{year}.{fmt}"
    return Response(
        body,
        media_type=XLSX if fmt == "xlsx" else CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@dataclass
class _Form:
    """The page's inputs: what was entered, kept when a row is refused."""

    process: str
    trigger: str
    rows: list[TemplateRow]
    missing: list[str]  # keys chosen that name no instance the caller sees
    given: dict[str, str]


def _split(step: Transition) -> tuple[list[DataField], list[DataField]]:
    """(asked per row, asked once): a date differs from instance to instance."""
    per_row = [f for f in step.data if f.type == "date"]
    return per_row, [f for f in step.data if f.type != "date"]


def _show(
    request: Request,
    who: Any,
    form: _Form,
    result: BatchResult | None = None,
    error: Any = None,
    status: int = 200,
) -> Response:
    web: WebState = request.app.state.web
    step = step_of(web.catalog, form.process, form.trigger)
    per_row, shared = _split(step)
    outcome: dict[str, RowResult] = {}
    if result is not None:
        outcome = {form.rows[x.row - 1].key: x for x in result.rows}
    context = {
        "process": form.process,
        "title": web.catalog.get(form.process).title,
        "step": step,
        "per_row": per_row,
        "shared": shared,
        "rows": form.rows,
        "missing": form.missing,
        "given": form.given,
        "outcome": outcome,
        "messages": {k: message_for(x.error, FORM_WORDING) for k, x in outcome.items() if x.error},
        "result": result,
        "error": error,
    }
    return render(request, "bulk.html", context, status, who=who)


def _chosen(web: WebState, who: Any, keys: list[str]) -> tuple[list[TemplateRow], list[str]]:
    keys = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    found = keyed_rows(web.db, keys, who.area)
    return [r for r in found if r is not None], [
        k for k, r in zip(keys, found, strict=True) if r is None
    ]


@router.get("/bulk")
def bulk_page(
    request: Request,
    who: PageUser,
    process: Annotated[str, Query(max_length=40)],
    trigger: Annotated[str, Query(max_length=80)],
    key: Annotated[list[str] | None, Query(max_length=2000)] = None,
) -> Response:
    web: WebState = request.app.state.web
    rows, missing = _chosen(web, who, key or [])
    return _show(request, who, _Form(process, trigger, rows, missing, {}))


def _uploads(form: FormData, prefix: str) -> dict[str | None, UploadFile]:
    """The files chosen under ``prefix`` (``evidence`` or ``row.N.evidence``), by slot."""
    return {
        k[len(prefix) :].lstrip(".") or None: v
        for k, v in form.multi_items()
        if (k == prefix or k.startswith(prefix + ".")) and isinstance(v, UploadFile) and v.filename
    }


def _rows(form: FormData, step: Transition) -> list[BatchRow]:
    """One batch row per posted row: the shared fields, then the row's own (or the
    "same for all" value where the row's is empty); a row's own file for a slot takes
    the place of the shared one (the shared file is one stream: stored once)."""
    per_row, shared = _split(step)
    shared_files = _uploads(form, "evidence")
    common = {f.name: str(form.get(f"data.{f.name}") or "") for f in shared}
    note = str(form.get("note") or "").strip() or None
    out: list[BatchRow] = []
    n = 0
    while (key := form.get(f"row.{n}.key")) is not None:
        data = {k: v for k, v in common.items() if v}
        for f in per_row:
            own = str(form.get(f"row.{n}.data.{f.name}") or "")
            same = str(form.get(f"all.data.{f.name}") or "")
            if own or same:
                data[f.name] = own or same
        chosen = shared_files | _uploads(form, f"row.{n}.evidence")
        files = evidence_inputs(list(chosen.items()))
        out.append(BatchRow(n + 1, str(key), step.trigger, data, files, note))
        n += 1
    return out


@router.post("/bulk")
async def bulk_post(request: Request, who: PageUser) -> Response:
    web: WebState = request.app.state.web
    limits = FormLimits(web.settings.upload_max_files, MAX_BULK_FIELDS)
    form = await read_form(request, limits, lambda f: check_csrf(request, f.get("csrf")))
    try:
        process, trigger = str(form.get("process") or ""), str(form.get("trigger") or "")
        step = step_of(web.catalog, process, trigger)
        given = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf"}
        rows = _rows(form, step)
        found = keyed_rows(web.db, [r.key for r in rows], who.area)
        # a key the caller does not see stays a row: the batch refuses it as not found
        shown = [
            f or TemplateRow(r.key, "", Text(r.key, r.key), "")
            for r, f in zip(rows, found, strict=True)
        ]
        page = _Form(process, trigger, shown, [], given)
        partial = form.get("partial") == "on"
        try:
            result = await anyio.to_thread.run_sync(
                lambda: run_batch(web.engine, rows, who.id, partial=partial), limiter=writers()
            )
        except PlancycleError as exc:
            return _show(request, who, page, None, message_for(exc, FORM_WORDING), status_for(exc))
        status = 200 if result.complete else (status_for(result.stopped) if result.stopped else 422)
        return _show(request, who, page, result, None, status)
    finally:
        await form.close()
