"""`plancycle definitions`: check, list and draw the process definitions; move running
instances to a newer version (`migrate`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from plancycle.cli.context import AppContext
from plancycle.cli.options import fiscal_year
from plancycle.cli.render import Renderer, console, err_console
from plancycle.definitions.diagram import to_mermaid
from plancycle.definitions.loader import budget_findings
from plancycle.workflow.versions import (
    MigrationPlan,
    cycle_pins,
    migrate_instances,
    plan_migration,
)

app = typer.Typer(no_args_is_help=True)


@app.command("check")
def check(ctx: typer.Context) -> None:
    """Load every definition, report every problem at once, and the seed's budget findings."""
    app_ctx: AppContext = ctx.obj
    catalog = app_ctx.catalog  # raises DefinitionError listing all problems
    for definition in catalog.latest():
        for finding in budget_findings(definition):
            err_console.print(f"[yellow]finding:[/] {definition.id}: {finding}", highlight=False)
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
    table = Table()
    for head in ("id", "version", r.pick("ชื่อ", "title"), "scope", r.pick("ขั้น", "steps")):
        table.add_column(head)
    for d in app_ctx.catalog.latest():
        steps = sum(1 for s in d.states if not s.final)
        table.add_row(d.id, str(d.version), r.pick(d.title.th, d.title.en), d.scope, str(steps))
    console.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    process: Annotated[str, typer.Argument(help="Process id, e.g. activity2.")],
    version: Annotated[int | None, typer.Option("--version")] = None,
    mermaid: Annotated[
        bool, typer.Option("--mermaid", help="Print a Mermaid state diagram.")
    ] = False,
) -> None:
    """The steps, triggers, roles and deadlines of one process."""
    app_ctx: AppContext = ctx.obj
    d = app_ctx.catalog.get(process, version)
    if mermaid:
        console.print(to_mermaid(d, lang=app_ctx.lang), markup=False, highlight=False)
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    console.print(f"[bold]{d.id}[/] v{d.version}: {r.pick(d.title.th, d.title.en)} ({d.scope})")
    table = Table()
    for head in (
        "state",
        r.pick("ขั้น", "step"),
        "source",
        r.pick("กำหนด", "due"),
        r.pick("ขั้นต่อไป", "triggers (roles)"),
    ):
        table.add_column(head)
    for s in d.states:
        due = "; ".join(x.describe() for x in s.due) or "-"
        if s.opens:
            due += f"\nopens {s.opens.describe()}"
        if s.wait:
            due += "\n(waiting)"
        outs = "\n".join(_step(t) for t in d.transitions_from(s.id))
        table.add_row(s.id, r.pick(s.label.th, s.label.en), s.source, due, outs)
    console.print(table)
    if d.migrates_from:
        m = d.migrates_from
        console.print(
            r.pick(f"ย้ายจากรุ่น {m.version}: ", f"migrates from v{m.version}: ")
            + ", ".join(f"{old} → {new}" for old, new in m.states.items()),
            highlight=False,
            markup=False,
        )
    console.print(
        r.pick(f"ลำดับการแจ้งเตือน '{d.ladder_name}': ", f"deadline ladder '{d.ladder_name}': ")
        + "; ".join(
            f"L{g.level} {g.kind} {g.offset_days:+d}d → {', '.join(g.notify)}" for g in d.ladder
        ),
        highlight=False,
    )


def _step(t) -> str:
    auto = f" [auto: all {t.auto.process} ≥ {t.auto.reached}]" if t.auto else ""
    return escape(f"{t.trigger} → {t.dest} ({', '.join(t.roles)}){auto}")


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
    table = Table()
    table.add_column(r.pick("ขั้นเดิม", "from state"))
    table.add_column(r.pick("ขั้นใหม่", "to state"))
    table.add_column(r.pick("จำนวน", "instances"), justify="right")
    for (old, new), count in plan.counts.items():
        table.add_row(old, new or r.pick("? (ไม่ได้กำหนด)", "? (not mapped)"), r.num(count))
    console.print(table)
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
