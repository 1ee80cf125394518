"""`plancycle actors`: who may advance steps, with which role, where."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code
from plancycle.cli.render import console
from plancycle.store.actors import add_actor, list_actors

app = typer.Typer(no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    actor_id: Annotated[str, typer.Argument(help="A short id, e.g. cd-2401.")],
    role: Annotated[
        str, typer.Option("--role", help="A role code of the definitions, e.g. district_cd_office.")
    ],
    area: Annotated[
        str | None, typer.Option("--area", help="Area code the actor works in; none = nation-wide.")
    ] = None,
    name: Annotated[str, typer.Option("--name")] = "",
) -> None:
    """Add an actor with one role in one area."""
    app_ctx: AppContext = ctx.obj
    code = area_code(area)
    with Session(app_ctx.db) as session, session.begin():
        add_actor(
            session, actor_id, role, code, name, set(app_ctx.catalog.roles), app_ctx.clock.now()
        )
    console.print(
        app_ctx.text(
            f"เพิ่มผู้ใช้ {actor_id} ({role}, {code or 'ทั่วประเทศ'})",
            f"added actor {actor_id} ({role}, {code or 'nation-wide'})",
        )
    )


@app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """Every actor."""
    app_ctx: AppContext = ctx.obj
    with Session(app_ctx.db) as session:
        actors = list_actors(session)
    table = Table()
    for head in ("id", "name", "role", "area", "active"):
        table.add_column(head)
    for a in actors:
        table.add_row(a.id, a.name, a.role, a.area_code or "-", "yes" if a.active else "no")
    console.print(table)
