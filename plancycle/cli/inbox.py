"""`plancycle inbox`: what the actor's office must do now, soonest first, and what in its
area waits on another office (the rule and the grouping: ``workflow/inbox.py``)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from plancycle.cli.context import AppContext
from plancycle.cli.render import Col, Fit, Renderer, console, fitted_table, print_json
from plancycle.cli.steps import District, Json, Province, Tambon, area_filter
from plancycle.cli.years import Fy, chosen_year, nothing_found
from plancycle.definitions.model import Text
from plancycle.thai.dates import format_date
from plancycle.workflow.inbox import (
    DEFAULT_ROWS,
    MAX_ROWS,
    Inbox,
    InboxActor,
    InboxFilter,
    InboxGroup,
    RecordFor,
    inbox,
)
from plancycle.workflow.reports import MAX_OFFSET

__all__ = ["register"]


def inbox_cmd(
    ctx: typer.Context,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="As a local administrator: look as this actor id."),
    ] = None,
    process: Annotated[
        str | None, typer.Option("--process", help="Only this process, e.g. activity2.")
    ] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="Only this step (state id), e.g. workshop.")
    ] = None,
    province: Province = None,
    district: District = None,
    tambon: Tambon = None,
    fy: Fy = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=MAX_ROWS, help="Instances shown per group.")
    ] = DEFAULT_ROWS,
    offset: Annotated[
        int, typer.Option("--offset", min=0, max=MAX_OFFSET, help="Skip this many per group.")
    ] = 0,
    as_json: Json = False,
) -> None:
    """What your office must do now (overdue first, then by deadline), grouped by process
    and step, and what in your area waits on another office."""
    app_ctx: AppContext = ctx.obj
    who = app_ctx.acting_actor(actor)
    choice = chosen_year(app_ctx, fy)
    flt = InboxFilter(
        choice.year,
        area_filter(province, district, tambon),
        process,
        state,
        limit,
        offset,
    )
    found = inbox(
        app_ctx.db,
        app_ctx.catalog,
        InboxActor(who.id, who.role, who.area_code),
        flt,
        app_ctx.clock.now(),
    )
    if as_json:
        print_json({**choice.as_dict(), **found.as_dict()})
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    if not choice.has_cycle:
        console.print(nothing_found(r, choice), highlight=False, markup=False)
        return
    print_inbox(r, found)


def print_inbox(r: Renderer, found: Inbox) -> None:
    text = lambda t: r.pick(t.th, t.en)  # noqa: E731
    say = lambda line: console.print(line, highlight=False, markup=False)  # noqa: E731
    flt, area = found.flt, found.flt.area.code
    year = r.num(str(flt.fiscal_year))
    where = f" · {area}" if area else ""  # a code, typed as it is
    say(
        r.pick("งานที่ต้องทำ: ", "Inbox: ")
        + f"{text(found.role_label)}{where} · "
        + r.pick(f"ปีงบประมาณ {year}", f"fiscal year {year}")
    )
    say(r.pick("ข้อมูล ณ ", "as of ") + r.when(found.as_of))
    _print_list(r, found.mine, True, flt.offset)
    _print_list(r, found.waiting, False, flt.offset)


def _print_list(r: Renderer, groups: tuple[InboxGroup, ...], mine: bool, offset: int) -> None:
    total, late = sum(g.total for g in groups), sum(g.overdue for g in groups)
    head = r.pick("ต้องดำเนินการ", "To do") if mine else r.pick("รอหน่วยงานอื่น", "Waiting on others")
    console.print(
        f"\n[bold]{head}[/] {r.num(total)} {r.pick('รายการ', 'instances')}"
        + (f", [red]{r.pick('เกินกำหนด', 'overdue')} {r.num(late)}[/]" if late else ""),
        highlight=False,
    )
    if not groups:
        console.print(r.pick("  ไม่มีรายการ", "  nothing"), highlight=False)
    for g in groups:
        _print_group(r, g, mine, offset)


def _print_group(r: Renderer, g: InboxGroup, mine: bool, offset: int) -> None:
    late = f", {r.pick('เกินกำหนด', 'overdue')} {r.num(g.overdue)}" if g.overdue else ""
    console.print(
        f"\n[bold]{escape(_pick(r, g.title))} › {escape(_pick(r, g.state_label))}[/] "
        f"({r.num(g.total)} {r.pick('รายการ', 'instances')}{late})",
        highlight=False,
    )
    lines = []
    if mine and g.triggers:
        doing = ", ".join(f"{_pick(r, x)} [{t}]" for t, x in g.triggers)
        lines.append(r.pick("ทำได้: ", "you may: ") + doing)
    if mine:
        lines.extend(_record_for(r, x) for x in g.records_for)
    else:
        lines.append(r.pick("รอ: ", "waiting on: ") + ", ".join(_pick(r, x) for _, x in g.roles))
    for line in lines:
        console.print(line, highlight=False, markup=False)
    console.print(_table(r, g, mine))
    shown = len(g.rows)
    if g.total > 0 and shown < g.total:
        start = r.num(offset + 1)
        end = r.num(offset + shown)
        more = f"--process {g.process} --state {g.state} --offset {offset + shown}"
        console.print(
            r.pick(
                f"  {start}-{end} จาก {r.num(g.total)}; ต่อไป: {more}",
                f"  {start}-{end} of {r.num(g.total)}; next: {more}",
            ),
            highlight=False,
            markup=False,
        )


def _record_for(r: Renderer, x: RecordFor) -> str:
    """A step the office records for another role, and that the role must otherwise act."""
    who = _pick(r, x.role_label)
    return r.pick(
        f"บันทึกแทน {who}: {x.label.th} [{x.trigger}] "
        f"(ผู้ต้องดำเนินการคือ{who} แนบเอกสารที่ลงนามแล้ว --on-behalf-of {x.role})",
        f"record for the {who.lower()}: {x.label.en} [{x.trigger}] "
        f"(the {who.lower()} must otherwise act; attach the signed document, "
        f"--on-behalf-of {x.role})",
    )


def _pick(r: Renderer, t: Text) -> str:
    return r.pick(t.th, t.en)


def _table(r: Renderer, g: InboxGroup, mine: bool) -> Table:
    cols = [
        Col(r.pick("รายการ", "instance"), Fit.ID),  # a key, copied whole
        Col(r.pick("พื้นที่", "area")),
        Col(r.pick("กำหนดส่ง", "due"), Fit.ID),
        Col(r.pick("สถานะ", "status"), Fit.NUMBER),
    ]
    if not mine:
        cols.append(Col(r.pick("หน่วยงาน", "office")))
    rows = []
    for row in g.rows:
        due = (
            format_date(row.due_at, "short", lang=r.lang, thai_digits=r.thai_digits)
            if row.due_at
            else "-"
        )
        if row.overdue:
            status = f"[red]{r.pick('เกิน', 'late')} {r.num(row.days_late)} {r.pick('วัน', 'd')}[/]"
        elif row.days_left is not None:
            status = f"{r.pick('เหลือ', 'in')} {r.num(row.days_left)} {r.pick('วัน', 'd')}"
        else:
            status = "-"
        cells = [escape(row.key), escape(_pick(r, row.area_name)), due, status]
        if not mine:
            offices = [o for w in row.waiting_on for o in w.offices]
            cells.append(escape(", ".join(offices)) or "-")
        rows.append(cells)
    return fitted_table(cols, rows)


def register(app: typer.Typer) -> None:
    app.command("inbox")(inbox_cmd)
