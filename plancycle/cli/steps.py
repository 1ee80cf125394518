"""Commands on instances' steps: status, show, advance, history."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code
from plancycle.cli.pairs import parse_pairs
from plancycle.cli.render import (
    Col,
    Fit,
    Renderer,
    console,
    err_console,
    fitted_table,
    print_json,
)
from plancycle.cli.years import Fy, chosen_year, nothing_found
from plancycle.store.evidence import open_evidence
from plancycle.store.models import TransitionRecord
from plancycle.thai.dates import format_date
from plancycle.workflow.audit import CORRECT_TRIGGER, SEND_BACK_TRIGGER
from plancycle.workflow.cycle import key_process
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.rollup import ProcessStatus, Rollup, status
from plancycle.workflow.views import InstanceView, StepStatus, Who, instance_view, record_dict
from plancycle.workflow.years import YearChoice

__all__ = ["register"]

_SLOT = re.compile(r"^([a-z][a-z0-9_]*)=(.+)$")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

Province = Annotated[str | None, typer.Option("--province", help="Province code, e.g. 24.")]
District = Annotated[str | None, typer.Option("--district", help="District code, e.g. 2401.")]
Tambon = Annotated[str | None, typer.Option("--tambon", help="Tambon code, e.g. 240101.")]
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def area_filter(province: str | None, district: str | None, tambon: str | None) -> AreaFilter:
    return AreaFilter(
        province=area_code(province, level="province"),
        district=area_code(district, level="district"),
        tambon=area_code(tambon, level="tambon"),
    )


def status_cmd(
    ctx: typer.Context,
    province: Province = None,
    district: District = None,
    tambon: Tambon = None,
    fy: Fy = None,
    as_json: Json = False,
) -> None:
    """Progress per process: counts per state, % complete, overdue."""
    app_ctx: AppContext = ctx.obj
    choice = chosen_year(app_ctx, fy)
    area = app_ctx.visible(area_filter(province, district, tambon))
    rows = status(app_ctx.db, app_ctx.catalog, choice.year, area, app_ctx.clock.now())
    if as_json:
        print_json({**choice.as_dict(), **Rollup(area.code, rows).as_dict()})
        return
    print_status(app_ctx, choice, rows)


def print_status(app_ctx: AppContext, choice: YearChoice, rows: list[ProcessStatus]) -> None:
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    year = choice.year
    if not rows:
        console.print(nothing_found(r, choice), highlight=False, markup=False)
        return
    cols = [
        Col(r.pick("กระบวนการ", "process"), Fit.ID),
        Col(r.pick("ชื่อ", "title"), Fit.TITLE),
        Col(r.pick("ทั้งหมด", "total"), Fit.NUMBER),
        Col(r.pick("เสร็จ", "done"), Fit.NUMBER),
        Col("%", Fit.NUMBER),
        Col(r.pick("เกิน", "late"), Fit.NUMBER),
        Col(r.pick("ตัวชี้วัด %", "KPI %"), Fit.NUMBER),
    ]
    table = [
        [
            row.process,
            escape(r.pick(row.title_th, row.title_en)),
            r.num(row.total),
            r.num(row.done),
            r.num(f"{row.percent_done:.1f}"),
            f"[red]{r.num(row.overdue)}[/]" if row.overdue else r.num(0),
            _kpi_cell(r, row.kpi()),
        ]
        for row in rows
    ]
    title = r.pick(
        f"ความก้าวหน้า ปีงบประมาณ {r.num(str(year))}", f"Progress, fiscal year {r.num(str(year))}"
    )
    console.print(fitted_table(cols, table, title))
    console.print(
        r.pick(
            "เกิน = เกินกำหนด; ตัวชี้วัด = ร้อยละที่ได้/เป้าหมาย ตามนิยามด้านล่าง",
            "late = overdue; KPI = actual/target per cent, as defined below",
        ),
        highlight=False,
    )
    for row in rows:
        kpi = row.kpi()
        if kpi is not None:
            label = r.pick(kpi["label_th"], kpi["label_en"])
            basis = r.pick(kpi["basis_th"] or "", kpi["basis_en"] or "")
            counted = r.pick(
                f"{r.num(kpi['achieved'])} จาก {r.num(kpi['counted'])}",
                f"{r.num(kpi['achieved'])} of {r.num(kpi['counted'])}",
            )
            how = f" {r.pick('นับจาก', 'counted as')}: {basis}" if basis else ""
            console.print(
                f"{row.process}: {label} ({counted}).{how}", highlight=False, markup=False
            )
        finding = row.count_finding()
        if finding is not None:
            err_console.print(
                f"[yellow]{r.pick('คำเตือน', 'warning')}:[/] {escape(finding.pick(r.lang))}",
                highlight=False,
            )
    _print_by_state(app_ctx, rows, r)


def _kpi_cell(r: Renderer, kpi: dict[str, Any] | None) -> str:
    """ "actual/target" of a process's KPI, or "-" when it has none."""
    if kpi is None:
        return "-"
    return r.num(f"{kpi['actual_percent']:g}/{kpi['target_percent']:g}")


def _print_by_state(app_ctx: AppContext, rows: list[ProcessStatus], r: Renderer) -> None:
    """How many instances of each process wait at each step."""
    cols = [
        Col(r.pick("กระบวนการ", "process"), Fit.ID),
        Col(r.pick("ขั้นปัจจุบัน", "step now")),
        Col(r.pick("จำนวน", "count"), Fit.NUMBER),
    ]
    table: list[list[str]] = []
    for row in rows:
        order = {s.id: n for n, s in enumerate(app_ctx.catalog.get(row.process).states)}
        counts = sorted(row.by_state.items(), key=lambda kv: (order.get(kv[0], len(order)), kv))
        for i, (state, count) in enumerate(counts):
            label = app_ctx.catalog.state_label(row.process, state).pick(r.lang)
            table.append([row.process if i == 0 else "", escape(label), r.num(count)])
    console.print(fitted_table(cols, table, r.pick("ตามขั้น", "by step")))


def _view(app_ctx: AppContext, key: str) -> InstanceView:
    view = instance_view(app_ctx.db, app_ctx.catalog, key, app_ctx.clock.now())
    app_ctx.visible(AreaFilter.of(view.inst.area_code))
    return view


_MARK = {StepStatus.DONE: "✓", StepStatus.CURRENT: "▶", StepStatus.PENDING: "·"}


def show_cmd(ctx: typer.Context, key: str, as_json: Json = False) -> None:
    """One instance: its steps with deadlines, where it is now, what can be done next."""
    app_ctx: AppContext = ctx.obj
    view = _view(app_ctx, key)
    if as_json:
        print_json(view.as_dict(app_ctx.viewer))
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    inst, text = view.inst, lambda t: r.pick(t.th, t.en)
    say = lambda line: console.print(line, highlight=False, markup=False)  # noqa: E731
    say(f"{inst.key} {text(view.definition.title)}")
    say(f"{text(view.area_name)} ({inst.area_code})")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold", ratio=1)
    grid.add_column(no_wrap=True)
    for step in view.steps:
        mark = "■" if step.status is StepStatus.FINAL and inst.completed_at else "□"
        due = f"{r.pick('กำหนด', 'due')} {r.when(step.due_at)}" if step.due_at else ""
        grid.add_row(f" {_MARK.get(step.status, mark)}", Text(text(step.label)), due)
    console.print(grid)
    done, total = view.progress
    say(
        r.pick("ความก้าวหน้า ", "progress ")
        + f"{r.num(done)}/{r.num(total)} ({r.num(f'{view.percent:.0f}')} %)"
    )
    _show_state(r, view, say, app_ctx.viewer)


def _show_state(
    r: Renderer, view: InstanceView, say: Callable[[str], None], viewer: Who | None
) -> None:
    """Lateness, who must act and the steps that can be done next."""
    if view.overdue:
        rung = (
            f"; {r.pick('ยกระดับขั้น', 'escalation level')} {r.num(view.rung.level)}"
            if view.rung
            else ""
        )
        say(r.pick("เกินกำหนด ", "late by ") + r.num(view.days_late) + r.pick(" วัน", " days") + rung)
    roles = [r.pick(view.role_label(x).th, view.role_label(x).en) for x in view.must_act()]
    if roles:
        say(r.pick("ผู้ต้องดำเนินการ: ", "must act: ") + ", ".join(roles))
    waiting = view.waiting_on()
    if waiting:
        title = view.catalog.get(waiting["process"]).title
        say(r.pick("รอ: ", "waiting on: ") + r.pick(title.th, title.en))
    for t in view.next_steps():
        if t.auto is None:
            say(f"  → {r.pick(t.label.th, t.label.en)}  [{t.trigger}]")
    for t, of in view.on_behalf(viewer) if viewer else ():
        role = view.role_label(of).pick(r.lang)
        say(
            r.pick("  บันทึกแทน", "  record on behalf of the ")
            + f"{role}: [{t.trigger}] --on-behalf-of {of}"
        )


def _evidence(values: list[str]) -> list[tuple[str | None, Path]]:
    """``--evidence`` values as (slot or None, file path); the files are opened later."""
    out: list[tuple[str | None, Path]] = []
    for value in values:
        match = _SLOT.match(value)
        if match and not Path(value).exists():
            out.append((match.group(1), Path(match.group(2))))
        else:
            out.append((None, Path(value)))
    return out


def advance_cmd(
    ctx: typer.Context,
    key: str,
    trigger: str,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="As a local administrator: act as this actor id."),
    ] = None,
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="FILE or SLOT=FILE; repeatable.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    data: Annotated[
        list[str] | None, typer.Option("--data", help="NAME=VALUE; repeatable.")
    ] = None,
    on_behalf_of: Annotated[
        str | None,
        typer.Option(
            "--on-behalf-of",
            help="Record the step for the ROLE that performs it (บันทึกแทน), where the "
            "definition allows it; attach the signed document.",
        ),
    ] = None,
) -> None:
    """Do a step: TRIGGER on instance KEY, as the --token's actor (or --actor), with
    evidence and data."""
    app_ctx: AppContext = ctx.obj
    pairs = parse_pairs(data or [])
    with open_evidence(_evidence(evidence or [])) as files:
        result = app_ctx.engine.advance(
            key,
            trigger,
            app_ctx.acting(actor),
            evidence=files,
            note=note,
            data=pairs,
            on_behalf_of=on_behalf_of,
        )
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    due = (
        r.pick(" เสร็จสิ้นกระบวนการ", " process complete")
        if result.completed
        else (r.pick(" กำหนดส่ง ", " due ") + r.when(result.due_at))
    )
    label = app_ctx.catalog.state_label
    process = key_process(result.key)
    console.print(
        f"{result.key}: {label(process, result.from_state).pick(r.lang)} → "
        f"{label(process, result.to_state).pick(r.lang)} (#{r.num(result.seq)}){due}",
        highlight=False,
        markup=False,
    )
    for warning in result.warnings:  # a derived rule (severity warn): recorded, not refused
        head = r.pick("ข้อสังเกต (บันทึกไว้ ไม่ปฏิเสธ)", "finding (recorded, not refused)")
        err_console.print(
            f"{head}: {r.pick(warning.th, warning.en)}", highlight=False, markup=False
        )


def history_cmd(ctx: typer.Context, key: str, as_json: Json = False) -> None:
    """Every transition of an instance, oldest first."""
    app_ctx: AppContext = ctx.obj
    view = _view(app_ctx, key)
    if as_json:
        print_json(
            {
                "key": view.inst.key,
                "state": view.inst.state,
                "records": [record_dict(x, view.files, view.names) for x in view.records],
            }
        )
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    label = view.definition.state(view.inst.state).label
    cols = [
        Col("#", Fit.NUMBER),
        Col(r.pick("เวลา", "at")),
        Col(r.pick("ผู้ดำเนินการ", "actor"), Fit.ID),
        Col(r.pick("ขั้น", "step"), ratio=2),
        Col(r.pick("ข้อมูล", "data")),
    ]
    rows = [
        [
            r.num(x.seq),
            r.when(x.at),
            escape(_actor(view, x, r)),
            escape(_step(view, x, r)),
            escape(_data(view, x, r)),
        ]
        for x in view.records
    ]
    console.print(fitted_table(cols, rows, f"{view.inst.key} ({escape(label.pick(r.lang))})"))


def _actor(view: InstanceView, x: TransitionRecord, r: Renderer) -> str:
    """The actor, and the role it recorded the step for (บันทึกแทน)."""
    if x.on_behalf_of is None:
        return x.actor_id
    return f"{x.actor_id} ({r.pick('แทน', 'for')} {view.role_label(x.on_behalf_of).pick(r.lang)})"


def _step(view: InstanceView, x: TransitionRecord, r: Renderer) -> str:
    """The step's label; a send-back names the step it returned to."""
    label = view.trigger_label(x.trigger).pick(r.lang)
    if x.trigger == SEND_BACK_TRIGGER:
        return f"{label} → {view.state_label(x.to_state).pick(r.lang)}"
    return label


def _data(view: InstanceView, x: TransitionRecord, r: Renderer) -> str:
    """The values recorded (a correction's under the corrected step's labels), and the
    comment or reason of a send-back or correction."""
    if x.trigger == SEND_BACK_TRIGGER:
        return f"{r.pick('ความเห็น', 'comment')}: {x.note or ''}"
    step = view.data_trigger(x)
    shown = ", ".join(
        f"{view.field_label(step, k).pick(r.lang)}: {_value(v, r)}"
        for k, v in (x.data or {}).items()
    )
    if x.trigger == CORRECT_TRIGGER:
        return f"{shown} ({r.pick('เหตุผล', 'reason')}: {x.note or ''})"
    return shown


def _value(value: object, r: Renderer) -> str:
    """A recorded value as a person reads it: numbers with separators, ISO dates in BE."""
    if isinstance(value, bool):
        return r.pick("ใช่", "yes") if value else r.pick("ไม่", "no")
    if isinstance(value, int):
        return r.num(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return format_date(
            date.fromisoformat(value), "short", lang=r.lang, thai_digits=r.thai_digits
        )
    if isinstance(value, dict) and "th" in value and "en" in value:  # a recorded finding
        return str(value[r.lang])
    if isinstance(value, list):
        return ", ".join(_value(v, r) for v in value)
    return str(value)


def register(app: typer.Typer) -> None:
    app.command("status")(status_cmd)
    app.command("show")(show_cmd)
    app.command("advance")(advance_cmd)
    app.command("history")(history_cmd)
