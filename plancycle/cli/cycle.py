"""`plancycle cycle start`: create a fiscal year's instances."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code, fiscal_year
from plancycle.cli.render import Renderer, console, err_console, progress_bar
from plancycle.workflow.cycle import start_cycle

app = typer.Typer(no_args_is_help=True)


@app.command("start")
def start(
    ctx: typer.Context,
    year: Annotated[str, typer.Argument(help="Fiscal year in BE, e.g. 2568 or ๒๕๖๘.")],
    province: Annotated[
        str | None, typer.Option("--province", help="Only this province (e.g. 24).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Create every instance of the fiscal year that does not exist yet (safe to run again)."""
    app_ctx: AppContext = ctx.obj
    fy = fiscal_year(year)
    prov = area_code(province, level="province")
    with progress_bar(app_ctx.text("สร้างรายการ", "creating instances"), quiet) as bar:
        result = start_cycle(app_ctx.db, app_ctx.catalog, fy, prov, app_ctx.clock, bar)
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    for process, count in sorted(result.created.items()):
        had = result.existing.get(process, 0)
        console.print(
            r.pick(
                f"{app_ctx.catalog.get(process).title.th} ({process}): สร้างใหม่ {r.num(count)} "
                f"(มีอยู่แล้ว {r.num(had)})",
                f"{process}: {r.num(count)} created ({r.num(had)} already there)",
            ),
            highlight=False,
        )
    for warning in result.warnings:
        err_console.print(
            f"[yellow]{r.pick('คำเตือน', 'warning')}:[/] {escape(warning.pick(r.lang))}",
            highlight=False,
        )
    console.print(
        r.pick(
            f"รวมสร้างใหม่ {r.num(result.total_created)} รายการ",
            f"{r.num(result.total_created)} instances created in all",
        )
    )
