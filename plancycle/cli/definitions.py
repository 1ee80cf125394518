"""`plancycle definitions`: check, list and draw the process definitions; move running
instances to a newer version (`migrate`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from sqlmodel import Session

from plancycle.cli.context import AppContext
from plancycle.cli.options import fiscal_year
from plancycle.cli.render import Col, Fit, Renderer, console, err_console, fitted_table
from plancycle.definitions.describe import (
    guard_text,
    kpi_text,
    ladder_text,
    source_text,
    step_text,
    tagged_deadline_text,
    wait_text,
)
from plancycle.definitions.diagram import to_mermaid
from plancycle.definitions.findings import deadline_findings, role_findings
from plancycle.definitions.loader import budget_findings
from plancycle.definitions.model import Catalog, Deadline, Definition, State
from plancycle.thai.areacode import AreaLevel
from plancycle.workflow.deadlines import due_day, moved_text
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.versions import (
    MigrationPlan,
    cycle_pins,
    migrate_instances,
    plan_migration,
)
from plancycle.workflow.workdays import WorkCalendar

app = typer.Typer(no_args_is_help=True)


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Load every definition, report every problem at once, then the findings about the
    letter: its budgets, its contradicting dates, and roles that neither act nor are
    declared informed only."""
    app_ctx: AppContext = ctx.obj
    catalog = app_ctx.catalog  # raises DefinitionError listing all problems
    head = app_ctx.text("ข้อสังเกต", "finding")
    lang = app_ctx.lang
    for definition in catalog.latest():
        found = [*budget_findings(definition, lang), *deadline_findings(definition, lang)]
        for finding in found:
            err_console.print(
                f"[yellow]{head}:[/] {definition.id}: {escape(finding)}", highlight=False
            )
    for finding in role_findings(catalog, lang):
        err_console.print(f"[yellow]{head}:[/] roles.yaml: {escape(finding)}", highlight=False)
    console.print(
        app_ctx.text(
            f"ผ่าน: {len(catalog.latest())} กระบวนการ, {len(catalog.roles)} บทบาท",
            f"ok: {len(catalog.latest())} processes, {len(catalog.roles)} roles",
        )
    )


@app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """Every process with its version, scope and number of steps."""
    app_ctx: AppContext = ctx.obj
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    cols = [
        Col(r.pick("กระบวนการ", "process"), Fit.ID),
        Col(r.pick("รุ่น", "version"), Fit.NUMBER),
        Col(r.pick("ชื่อ", "title")),
        Col(r.pick("ระดับ", "scope")),
        Col(r.pick("ขั้น", "steps"), Fit.NUMBER),
    ]
    rows = [
        [
            d.id,
            r.num(d.version),
            escape(r.pick(d.title.th, d.title.en)),
            AreaLevel(d.scope).pick(r.lang),
            r.num(sum(1 for s in d.states if not s.final)),
        ]
        for d in app_ctx.catalog.latest()
    ]
    console.print(fitted_table(cols, rows))


@app.command("show")
def show(
    ctx: typer.Context,
    process: Annotated[str, typer.Argument(help="Process id, e.g. activity2.")],
    version: Annotated[int | None, typer.Option("--version")] = None,
    mermaid: Annotated[
        bool, typer.Option("--mermaid", help="Print a Mermaid state diagram.")
    ] = False,
    fy: Annotated[
        str | None,
        typer.Option(
            "--fy",
            help="Also the day each deadline falls due in this fiscal year (BE), by the "
            "store's holiday calendar, and why a roll moved it.",
        ),
    ] = None,
) -> None:
    """The steps, triggers, roles and deadlines of one process."""
    app_ctx: AppContext = ctx.obj
    catalog = app_ctx.catalog
    d = catalog.get(process, version)
    year = fiscal_year(fy) if fy is not None else None
    calendar = None
    if year is not None:
        with Session(app_ctx.db) as session:
            calendar = load_calendar(session)
    if mermaid:
        console.print(to_mermaid(d, lang=app_ctx.lang), markup=False, highlight=False)
        return
    r, lang = Renderer(app_ctx.lang, app_ctx.thai_digits), app_ctx.lang
    say = lambda line: console.print(line, highlight=False, markup=False)  # noqa: E731
    say(
        f"{d.id} {r.pick('รุ่น', 'v')}{r.pick(' ', '')}{r.num(d.version)}: "
        f"{d.title.pick(lang)} ({AreaLevel(d.scope).pick(lang)})"
    )
    if (kpi := kpi_text(d, lang)) is not None:
        say(kpi)
    for basis in d.basis:
        say(r.pick("อาศัย: ", "basis: ") + basis.pick(lang))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for s in d.states:
        _state_rows(grid, s, d, catalog, r, (year, calendar) if year and calendar else None)
    console.print(grid)
    if d.migrates_from:
        m = d.migrates_from
        say(
            r.pick(f"ย้ายจากรุ่น {m.version}: ", f"migrates from v{m.version}: ")
            + ", ".join(f"{old} → {new}" for old, new in m.states.items())
        )
    say(r.pick("ลำดับการแจ้งเตือนเมื่อใกล้และเลยกำหนด:", "deadline ladder:"))
    ladder = Table.grid(padding=(0, 1))
    ladder.add_column(no_wrap=True)
    ladder.add_column(overflow="fold")
    for line in ladder_text(d, catalog.roles, lang):
        ladder.add_row(" ", Text(line))
    console.print(ladder)


def _due_text(
    spec: Deadline, d: Definition, r: Renderer, year: tuple[int, WorkCalendar] | None
) -> str:
    """A deadline as written and, for a fiscal year, the day it falls due there."""
    text = tagged_deadline_text(spec, d, r.lang)
    day = due_day(spec, year[0], {}, calendar=year[1]) if year else None
    return f"{text}: {r.num(moved_text(day, r.lang))}" if day else text


def _state_rows(
    grid: Table,
    s: State,
    d: Definition,
    catalog: Catalog,
    r: Renderer,
    year: tuple[int, WorkCalendar] | None = None,
) -> None:
    """One step of ``definitions show``: its code and label, then its source, deadlines
    (with ``year``: the day each falls due that fiscal year) and the steps that may
    follow it (each with its trigger and who may do it)."""
    lang = r.lang
    due = [_due_text(x, d, r, year) for x in s.due]
    if s.opens:
        due.append(r.pick("เปิด ", "opens ") + tagged_deadline_text(s.opens, d, lang))
    if s.wait:
        due.append(wait_text(d, s, lang))
    lines = [
        (r.pick("ที่มา", "source"), source_text(s.source, lang)),
        (r.pick("กำหนด", "due"), "; ".join(due) or "-"),
    ]
    for t in d.transitions_from(s.id):
        lines.append((r.pick("ทำต่อ", "next"), step_text(t, d, catalog, lang)))
        lines.extend((r.pick("  กติกา", "  rule"), guard_text(g, lang)) for g in t.guards)
    grid.add_row(Text(s.id, style="bold"), Text(s.label.pick(lang), style="bold"))
    for head, value in lines:
        grid.add_row(Text(f"  {head}"), Text(value))


@app.command("migrate")
def migrate(
    ctx: typer.Context,
    process: Annotated[str, typer.Argument(help="Process id, e.g. activity2.")],
    from_version: Annotated[
        int, typer.Option("--from", help="The version the running instances are on.")
    ],
    to_version: Annotated[
        int, typer.Option("--to", help="The newer version; it must declare migrates_from.")
    ],
    fy: Annotated[
        str | None, typer.Option("--fy", help="Only this fiscal year (BE, e.g. 2568).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would move; change nothing.")
    ] = False,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="The admin actor who migrates (not for --dry-run)."),
    ] = None,
) -> None:
    """Move the running instances of PROCESS from version --from to version --to, all or
    none, along the --to version's migrates_from mapping."""
    app_ctx: AppContext = ctx.obj
    year = fiscal_year(fy) if fy is not None else None
    catalog, db = app_ctx.catalog, app_ctx.db
    plan = plan_migration(db, catalog, process, from_version, to_version, year)
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    if dry_run:
        _print_plan(plan, r)
        refusal = plan.refusal()
        if refusal is not None:
            raise refusal
        console.print(r.pick("ทดลองเท่านั้น: ไม่มีการเปลี่ยนแปลง", "dry run: nothing was changed"))
        return
    who = app_ctx.acting(actor)
    moved = migrate_instances(
        db, catalog, process, from_version, to_version, who, app_ctx.clock.now(), year
    )
    console.print(
        r.pick(
            f"ย้าย {process} จากรุ่น {from_version} เป็นรุ่น {to_version} แล้ว "
            f"{r.num(moved)} รายการ (งานที่เสร็จแล้วคงอยู่รุ่นเดิม {r.num(plan.completed_kept)})",
            f"moved {r.num(moved)} instance(s) of {process} from v{from_version} to "
            f"v{to_version} ({r.num(plan.completed_kept)} completed stay on v{from_version})",
        ),
        highlight=False,
    )
    now_pinned = cycle_pins(db, process, [p.fiscal_year for p in plan.pins])
    for pinned_year, version in sorted(now_pinned.items()):
        console.print(
            r.pick(
                f"ปีงบประมาณ {pinned_year}: {process} ใช้รุ่น {version}",
                f"FY {pinned_year}: {process} pins v{version}",
            ),
            highlight=False,
        )


def _print_plan(plan: MigrationPlan, r: Renderer) -> None:
    where = f" FY {plan.fiscal_year}" if plan.fiscal_year else ""
    console.print(
        r.pick(
            f"แผนการย้าย {plan.process} รุ่น {plan.from_version} → {plan.to_version}{where}: "
            f"{r.num(len(plan.moves))} รายการที่ยังดำเนินการ",
            f"plan: {plan.process} v{plan.from_version} → v{plan.to_version}{where}: "
            f"{r.num(len(plan.moves))} running instance(s)",
        ),
        highlight=False,
    )
    cols = [
        Col(r.pick("ขั้นเดิม", "from state"), Fit.ID),
        Col(r.pick("ขั้นใหม่", "to state"), Fit.ID),
        Col(r.pick("จำนวน", "instances"), Fit.NUMBER),
    ]
    rows = [
        [old, new or r.pick("? (ไม่ได้กำหนด)", "? (not mapped)"), r.num(count)]
        for (old, new), count in plan.counts.items()
    ]
    console.print(fitted_table(cols, rows))
    console.print(
        r.pick(
            f"งานที่เสร็จแล้ว {r.num(plan.completed_kept)} รายการคงอยู่รุ่น {plan.from_version}",
            f"{r.num(plan.completed_kept)} completed instance(s) stay on v{plan.from_version}",
        ),
        highlight=False,
    )
    if plan.refusal() is None:
        _print_pins(plan, r)


def _print_pins(plan: MigrationPlan, r: Renderer) -> None:
    for pin in plan.pins:
        if pin.changes:
            text = r.pick(
                f"ปีงบประมาณ {pin.fiscal_year}: {plan.process} จะเปลี่ยนเป็นรุ่น {pin.becomes} "
                f"(เดิม {pin.pinned})",
                f"FY {pin.fiscal_year}: {plan.process} would pin v{pin.becomes} "
                f"(now v{pin.pinned})",
            )
        else:
            text = r.pick(
                f"ปีงบประมาณ {pin.fiscal_year}: {plan.process} คงรุ่น {pin.pinned}",
                f"FY {pin.fiscal_year}: {plan.process} would keep v{pin.pinned}",
            )
        console.print(text, highlight=False)
