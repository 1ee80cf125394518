"""`plancycle actors`: who may advance steps, with which role, where."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code
from plancycle.cli.render import Col, Fit, Renderer, console, err_console, fitted_table
from plancycle.store.actors import add_actor, list_actors
from plancycle.store.tokens import issue_token, revoke_token

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
    app_ctx.manages([code])
    with Session(app_ctx.db) as session, session.begin():
        add_actor(
            session, actor_id, role, code, name, set(app_ctx.catalog.roles), app_ctx.clock.now()
        )
    console.print(
        app_ctx.text(
            f"เพิ่มผู้ใช้ {actor_id} ({_role_th(app_ctx, role)}, {code or 'ทั่วประเทศ'})",
            f"added actor {actor_id} ({role}, {code or 'nation-wide'})",
        )
    )


def _role_th(app_ctx: AppContext, role: str) -> str:
    spec = app_ctx.catalog.roles.get(role)
    return spec.label.th if spec else role


@app.command("list")
def list_cmd(ctx: typer.Context) -> None:
    """Every actor."""
    app_ctx: AppContext = ctx.obj
    with Session(app_ctx.db) as session:
        actors = list_actors(session)
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    roles = app_ctx.catalog.roles
    yes, no = r.pick("ใช่", "yes"), r.pick("ไม่", "no")
    cols = [
        Col(r.pick("รหัสผู้ใช้", "id"), Fit.ID),
        Col(r.pick("ชื่อ", "name")),
        Col(r.pick("บทบาท", "role"), ratio=2),
        Col(r.pick("พื้นที่", "area"), Fit.ID),
        Col(r.pick("ใช้งาน", "active")),
        Col(r.pick("โทเค็น", "token")),
    ]
    rows = [
        [
            a.id,
            escape(a.name),
            escape(roles[a.role].label.pick(r.lang) if a.role in roles else a.role),
            a.area_code or r.pick("ทั่วประเทศ", "nation"),
            yes if a.active else no,
            r.pick("มี", "yes") if a.token_hash else "-",
        ]
        for a in actors
    ]
    console.print(fitted_table(cols, rows))


@app.command("token")
def token_cmd(ctx: typer.Context, actor_id: Annotated[str, typer.Argument()]) -> None:
    """Issue a new API token for an actor (replacing its old one); shown only this once."""
    app_ctx: AppContext = ctx.obj
    app_ctx.manages(app_ctx.actor_area(actor_id))
    with Session(app_ctx.db) as session, session.begin():
        token = issue_token(session, actor_id)
    err_console.print(
        app_ctx.text(
            "เก็บโทเค็นนี้ไว้ให้ปลอดภัย ระบบเก็บเฉพาะค่าแฮชและจะไม่แสดงอีก:",
            "keep this token safe; the store keeps only its hash and will not show it again:",
        )
    )
    console.print(token, highlight=False, markup=False)


@app.command("revoke")
def revoke_cmd(ctx: typer.Context, actor_id: Annotated[str, typer.Argument()]) -> None:
    """Revoke an actor's API token."""
    app_ctx: AppContext = ctx.obj
    app_ctx.manages(app_ctx.actor_area(actor_id))
    with Session(app_ctx.db) as session, session.begin():
        done = revoke_token(session, actor_id)
    console.print(
        app_ctx.text(
            "เพิกถอนแล้ว" if done else "ไม่มีโทเค็นให้เพิกถอน", "revoked" if done else "no token to revoke"
        )
    )
