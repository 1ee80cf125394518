"""`plancycle definitions`: check, list and draw the process definitions."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from plancycle.cli.context import AppContext
from plancycle.cli.render import Renderer, console, err_console
from plancycle.definitions.diagram import to_mermaid
from plancycle.definitions.loader import budget_findings

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
