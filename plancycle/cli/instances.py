"""`plancycle instances list`: find instances by process, state, area and lateness."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from plancycle.cli.context import AppContext
from plancycle.cli.options import BadOption
from plancycle.cli.render import Col, Fit, Renderer, console, fitted_table, print_json
from plancycle.cli.steps import District, Json, Province, Tambon, area_filter
from plancycle.cli.years import Fy, chosen_year, nothing_found
from plancycle.workflow.overdue import is_overdue
from plancycle.workflow.reports import MAX_OFFSET, InstanceFilter, list_instances
from plancycle.workflow.views import instance_row

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    process: Annotated[
        str | None, typer.Option("--process", help="Process id, e.g. activity2.")
    ] = None,
    state: Annotated[str | None, typer.Option("--state")] = None,
    province: Province = None,
    district: District = None,
    tambon: Tambon = None,
    fy: Fy = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only instances past their step's deadline.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: Json = False,
) -> None:
    """Instances matching the filters, by key."""
    app_ctx: AppContext = ctx.obj
    if offset > MAX_OFFSET:
        raise BadOption(
            f"--offset {offset} is past the end of any instance list; give at most "
            f"{MAX_OFFSET:,} (the number of instances to skip)",
            f"--offset {offset} เกินจำนวนรายการทั้งหมด; ระบุไม่เกิน {MAX_OFFSET:,} (จำนวนรายการที่ข้าม)",
        )
    if process and process not in {d.id for d in app_ctx.catalog.latest()}:
        known = ", ".join(d.id for d in app_ctx.catalog.latest())
        raise BadOption(
            f"--process {process!r} is not a process; give one of {known}",
            f"--process {process!r} ไม่ใช่กระบวนการที่มี; ระบุหนึ่งใน {known}",
        )
    now = app_ctx.clock.now()
    choice = chosen_year(app_ctx, fy)
    flt = InstanceFilter(
        choice.year,
        process,
        state,
        app_ctx.visible(area_filter(province, district, tambon)),
        now if overdue else None,
        limit,
        offset,
    )
    rows, total = list_instances(app_ctx.db, flt)
    if as_json:
        print_json(
            {
                **choice.as_dict(),
                "total": total,
                "offset": offset,
                "instances": [instance_row(i, now) for i in rows],
            }
        )
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    if not total:
        console.print(nothing_found(r, choice), highlight=False, markup=False)
        return
    year = r.num(str(choice.year))
    cols = [
        Col(r.pick("รหัสรายการ", "key"), Fit.ID),
        Col(r.pick("ขั้นปัจจุบัน", "state")),
        Col(r.pick("กำหนดส่ง", "due"), Fit.ID),
    ]
    table = []
    for i in rows:
        due = r.when(i.due_at)
        late = is_overdue(i.due_at, i.completed_at, now)
        label = app_ctx.catalog.state_label(i.definition_id, i.state, i.definition_version)
        table.append([i.key, escape(label.pick(r.lang)), f"[red]{due}[/]" if late else due])
    title = r.pick(
        f"ปีงบประมาณ {year}: {r.num(len(rows))} จาก {r.num(total)} รายการ",
        f"Fiscal year {year}: {r.num(len(rows))} of {r.num(total)} instances",
    )
    console.print(fitted_table(cols, table, title))
