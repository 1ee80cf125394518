"""`plancycle holidays`: the Thai working-day calendar (list, add, remove)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from sqlmodel import Session

from plancycle.cli.context import AppContext
from plancycle.cli.options import fiscal_year
from plancycle.cli.render import Col, Fit, Renderer, console, fitted_table, print_json
from plancycle.kinds import HolidayAction
from plancycle.store.models import HolidayChange
from plancycle.thai.dateinput import read_date
from plancycle.thai.dates import format_date
from plancycle.thai.fiscal import fy_range
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.holidays import HolidayDone, change_holiday, holiday_changes
from plancycle.workflow.workdays import DayOff, DayOffKind

app = typer.Typer(no_args_is_help=True)

Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
By = Annotated[
    str | None,
    typer.Option("--by", help="The administrator making the change (or --token)."),
]
Day = Annotated[str, typer.Argument(help="The day, BE or CE: 12/05/2568, 2025-05-12.")]

_WEEKDAYS_TH = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SOURCE = {
    DayOffKind.WEEKEND: ("สุดสัปดาห์", "weekend"),
    DayOffKind.PUBLIC: ("วันหยุดราชการ", "package"),
    DayOffKind.ADDED: ("เพิ่ม", "added"),
}


def _source(off: DayOff | None, lang: str) -> str:
    th, en = _SOURCE[off.kind] if off else ("ยกเลิก", "removed")
    return th if lang == "th" else en


def _latest(changes: list[HolidayChange]) -> dict[date, HolidayChange]:
    return {date.fromisoformat(c.day): c for c in changes}


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    fy: Annotated[str, typer.Option("--fy", help="Fiscal year in BE, e.g. 2568.")],
    weekends: Annotated[
        bool, typer.Option("--weekends", help="Also every Saturday and Sunday.")
    ] = False,
    as_json: Json = False,
) -> None:
    """Every holiday of a fiscal year (and each removed one): BE date, weekday, Thai
    name, and where it comes from (package, added, removed)."""
    app_ctx: AppContext = ctx.obj
    year = fiscal_year(fy)
    first, last = fy_range(year)
    with Session(app_ctx.db) as session:
        calendar = load_calendar(session)
        latest = _latest(holiday_changes(session))
    rows: list[tuple[date, DayOff | None]] = [
        (o.day, o)
        for o in calendar.days_off(first, last)
        if weekends or o.kind != DayOffKind.WEEKEND
    ]
    rows += [(d, None) for d in calendar.removed if first <= d <= last]
    rows.sort(key=lambda pair: pair[0])
    if as_json:
        print_json(
            [
                {
                    "day": d.isoformat(),
                    "weekday": d.isoweekday(),
                    "name_th": o.name_th if o else latest[d].name_th or "",
                    "name_en": o.name_en if o else "",
                    "source": _source(o, "en"),
                    "by": latest[d].actor_id if d in latest else None,
                }
                for d, o in rows
            ]
        )
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    cols = [
        Col(r.pick("วันที่", "date"), Fit.ID),
        Col(r.pick("วัน", "day"), Fit.ID),
        Col(r.pick("ชื่อวันหยุด", "holiday"), Fit.TEXT, 3),
        Col(r.pick("ที่มา", "source"), Fit.ID),
        Col(r.pick("โดย", "by"), Fit.ID),
    ]
    table_rows = [
        [
            r.num(format_date(d, "medium", lang=r.lang)),
            r.pick(_WEEKDAYS_TH[d.weekday()], _WEEKDAYS_EN[d.weekday()]),
            (o.name_th if r.lang == "th" else o.name_en) if o else "-",
            _source(o, r.lang),
            latest[d].actor_id if d in latest else "-",
        ]
        for d, o in rows
    ]
    console.print(fitted_table(cols, table_rows))


def _done(app_ctx: AppContext, done: HolidayDone) -> None:
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    day = r.num(format_date(done.day, "medium", lang=r.lang))
    what = (
        r.pick(f"เพิ่มวันหยุด {day}", f"holiday added: {day}")
        if done.action == HolidayAction.ADD
        else r.pick(f"ยกเลิกวันหยุด {day} (เป็นวันทำการ)", f"holiday removed: {day} (a working day)")
    )
    moved = r.pick(
        f"; กำหนดส่งเลื่อน {r.num(len(done.moved))} รายการ",
        f"; {r.num(len(done.moved))} deadlines moved",
    )
    console.print(what + moved, highlight=False)
    for key in done.moved:
        console.print(f"  {key}", highlight=False)


def _change(
    app_ctx: AppContext, day: str, action: HolidayAction, name: str | None, by: str | None
) -> None:
    actor = app_ctx.acting(by)
    done = change_holiday(
        app_ctx.db, app_ctx.catalog, read_date(day), action, name, actor, app_ctx.clock.now()
    )
    _done(app_ctx, done)


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    day: Day,
    name: Annotated[str, typer.Argument(help="The holiday's Thai name, e.g. วันหยุดพิเศษ.")],
    by: By = None,
) -> None:
    """Make a day a holiday (a special holiday the Cabinet declares); administrators only.
    Deadlines that roll or count working days move, each with an audit record."""
    _change(ctx.obj, day, HolidayAction.ADD, name, by)


@app.command("remove")
def remove_cmd(ctx: typer.Context, day: Day, by: By = None) -> None:
    """Make a holiday a working day (an added day, or a public holiday cancelled);
    administrators only."""
    _change(ctx.obj, day, HolidayAction.REMOVE, None, by)
