"""`plancycle db app-role`: the PostgreSQL role the application should run as."""

from __future__ import annotations

from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.render import console, err_console
from plancycle.store.roles import create_app_role

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@app.command("app-role")
def app_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The role's name, e.g. plancycle_app.")],
    execute: Annotated[
        bool,
        typer.Option(
            "--execute", help="Create it now (as the schema's owner) instead of printing."
        ),
    ] = False,
) -> None:
    """Print (or, with --execute, run) the SQL that creates a login role that reads and
    writes rows but cannot TRUNCATE, ALTER, DROP or CREATE: run the app and the
    scheduler as it; keep `plancycle init` to the schema's owner."""
    app_ctx: AppContext = ctx.obj
    statements = create_app_role(app_ctx.db, name, execute=execute)
    if execute:
        err_console.print(
            app_ctx.text(
                f"สร้างบทบาท {name} แล้ว; ตั้งรหัสผ่านด้วย ALTER ROLE {name} PASSWORD '…'",
                f"role {name} created; set its password with ALTER ROLE {name} PASSWORD '…'",
            ),
            highlight=False,
        )
        return
    for statement in statements:
        console.print(statement + ";", highlight=False, markup=False, soft_wrap=True)
