"""`plancycle extend`: move a step's deadline later, for one instance or for a process in
a district or the province; `plancycle extensions list`: the extensions recorded. The
rules and the records are :mod:`plancycle.workflow.extensions`'s."""

from __future__ import annotations

from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.options import BadOption, area_code
from plancycle.cli.render import Col, Fit, Renderer, console, fitted_table, print_json
from plancycle.cli.years import Fy, chosen_year
from plancycle.thai.dates import format_date, parse_date
from plancycle.workflow.extensions import (
    ExtendRequest,
    extend_deadline,
    extension_dict,
    list_extensions,
)

__all__ = ["extensions_app", "register"]

extensions_app = typer.Typer(no_args_is_help=True)


def extend_cmd(
    ctx: typer.Context,
    key: Annotated[
        str | None, typer.Argument(help="Instance key, e.g. 2568/activity2/240101.")
    ] = None,
    step: Annotated[
        str | None, typer.Option("--step", help="The step (state id) whose deadline moves.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="The new deadline day, e.g. 2568-04-30.")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (required; kept in the record).")
    ] = None,
    process: Annotated[
        str | None, typer.Option("--process", help="Without KEY: the process, e.g. activity2.")
    ] = None,
    area: Annotated[
        str | None,
        typer.Option("--area", help="Without KEY: a district (4 digits) or province (2 digits)."),
    ] = None,
    fy: Fy = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="As a local administrator: act as this actor id."),
    ] = None,
) -> None:
    """Extend the deadline of instance KEY's step, or (--process, --area) of a process's
    step in a district or the province (admin, or the provincial CD office); audited."""
    app_ctx: AppContext = ctx.obj
    if not step or not until:
        raise BadOption(
            "give the step and the new deadline: --step STATE --until 2568-04-30",
            "ระบุขั้นและกำหนดเวลาใหม่: --step ขั้น --until 2568-04-30",
        )
    if key and (process or area):
        raise BadOption(
            "give either an instance KEY or --process with --area, not both",
            "ระบุรหัสรายการ หรือ --process กับ --area อย่างใดอย่างหนึ่ง",
        )
    code = area_code(area)
    year = chosen_year(app_ctx, fy).year if key is None else None
    req = ExtendRequest(
        app_ctx.acting(by),
        step,
        parse_date(until),
        reason or "",
        key=key,
        process=process,
        area=code,
        fiscal_year=year,
    )
    done = extend_deadline(app_ctx.db, app_ctx.catalog, req, app_ctx.clock.now())
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    day = format_date(done.until, "medium", lang=r.lang, thai_digits=r.thai_digits)
    moved = r.num(len(done.moved))
    label = app_ctx.catalog.state_label(done.process, done.state).pick(r.lang)
    scope_th = done.scope if key else f"{done.process} ในพื้นที่ {done.scope}"
    scope_en = done.scope if key else f"{done.process} in area {done.scope}"
    console.print(
        r.pick(
            f"ขยายกำหนดเวลาขั้น “{label}” ({done.state}) ของ {scope_th} ถึง {day} แล้ว "
            f"(เลขที่ {r.num(done.id)}; เลื่อนรายการที่อยู่ในขั้นนี้ {moved} รายการ)",
            f"extended step “{label}” ({done.state}) of {scope_en} to {day} "
            f"(no. {r.num(done.id)}; {moved} instance(s) in the step moved)",
        ),
        highlight=False,
        markup=False,
    )


@extensions_app.command("list")
def list_cmd(
    ctx: typer.Context,
    area: Annotated[
        str | None,
        typer.Option("--area", help="Only extensions reaching this area (any level)."),
    ] = None,
    fy: Fy = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The deadline extensions recorded, oldest first."""
    app_ctx: AppContext = ctx.obj
    code = area_code(area)
    viewer = app_ctx.token_actor
    if viewer is not None and viewer.area_code:
        code = code if code and code.startswith(viewer.area_code) else viewer.area_code
    year = chosen_year(app_ctx, fy).year if fy else None
    rows = list_extensions(app_ctx.db, area=code, fiscal_year=year)
    if as_json:
        print_json({"extensions": [extension_dict(x) for x in rows]})
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    if not rows:
        console.print(r.pick("ยังไม่มีการขยายกำหนดเวลา", "no deadline extensions"))
        return
    cols = [
        Col(r.pick("เลขที่", "no."), Fit.ID),
        Col(r.pick("ขยายให้ / ผู้ขยาย", "for / by"), Fit.ID),
        Col(r.pick("ขั้น", "step")),
        Col(r.pick("ถึง", "until"), Fit.ID),
        Col(r.pick("เหตุผล", "reason"), Fit.TEXT, 3),
    ]
    table = [
        [
            r.num(x.id or 0),
            f"{x.instance_key or f'{x.area_code} {x.definition_id}'}\n"
            f"{r.pick('โดย', 'by')} {x.actor_id}",
            x.state,
            format_date(x.until, "short", lang=r.lang, thai_digits=r.thai_digits),
            x.reason,
        ]
        for x in rows
    ]
    title = r.pick("การขยายกำหนดเวลา", "Deadline extensions")
    console.print(fitted_table(cols, table, title))


def register(app: typer.Typer) -> None:
    app.command("extend")(extend_cmd)
    app.add_typer(extensions_app, name="extensions", help="Deadline extensions recorded.")
