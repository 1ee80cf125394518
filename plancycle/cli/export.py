"""`plancycle export KIND`: a process's sheet, the BPM fields or the per-district summary
as an XLSX or CSV file, the same file the web app's exports give."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code, cannot_write
from plancycle.cli.render import Renderer, console
from plancycle.cli.years import Fy, chosen_year
from plancycle.web.areas_view import area_view
from plancycle.web.sheets import SUMMARY, build_sheet
from plancycle.web.summary_sheet import build_summary
from plancycle.web.tabular import to_csv, to_xlsx
from plancycle.workflow.batch_sheet import SheetFormat, format_of
from plancycle.workflow.reports import AreaFilter

__all__ = ["register"]


def export_cmd(
    ctx: typer.Context,
    kind: Annotated[
        str, typer.Argument(help="A process id (activity2, village_plan, ...), bpm or summary.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="file.xlsx or file.csv")],
    area: Annotated[
        str | None, typer.Option("--area", help="Area code (default: your own area).")
    ] = None,
    process: Annotated[
        str | None, typer.Option("--process", help="For bpm: the budgeted activity.")
    ] = None,
    fy: Fy = None,
) -> None:
    """Write an export: one row per instance of KIND in AREA (the summary: one row per
    district), as the web app's /exports give it."""
    app_ctx: AppContext = ctx.obj
    fmt = format_of(output)
    code = app_ctx.visible(AreaFilter.of(area_code(area) or "")).code
    year = chosen_year(app_ctx, fy).year
    lang = "th" if app_ctx.thai else "en"
    view = area_view(app_ctx.db, code)
    name = view.area.name_th if app_ctx.thai else view.area.name_en
    now = app_ctx.clock.now()
    if kind == SUMMARY:
        sheet = build_summary(app_ctx.db, app_ctx.catalog, year, code, name, now, lang)
    else:
        sheet = build_sheet(app_ctx.db, app_ctx.catalog, kind, year, code, name, now, lang, process)
    body = to_xlsx(sheet) if fmt is SheetFormat.XLSX else to_csv(sheet)
    try:
        output.write_bytes(body)
    except OSError as exc:
        raise cannot_write(output, exc) from exc
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    console.print(
        r.pick(
            f"{output}: {r.num(len(sheet.rows))} แถว ({sheet.title} {sheet.area})",
            f"{output}: {r.num(len(sheet.rows))} rows ({sheet.title}, {sheet.area})",
        ),
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)
