"""``plancycle share create|list|revoke``: read-only links to an area's pages for people
without a login (:mod:`plancycle.workflow.share_links`)."""

from __future__ import annotations

from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code
from plancycle.cli.render import Col, Fit, Renderer, console, err_console, fitted_table
from plancycle.cli.years import Fy, chosen_year
from plancycle.workflow.share_links import create_share, list_shares, revoke_share

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Read-only links to an area's pages.")

By = Annotated[str, typer.Option("--by", help="The actor making the change (a province office).")]


@app.command("create")
def create_cmd(
    ctx: typer.Context,
    area: Annotated[str, typer.Option("--area", help="Area code to share: 24, 2401.")],
    by: By,
    fy: Fy = None,
    days: Annotated[int, typer.Option("--days", help="Days the link lasts (1-365).")] = 30,
) -> None:
    """Make a read-only link to an area's pages; the link is shown only this once."""
    app_ctx: AppContext = ctx.obj
    year = chosen_year(app_ctx, fy).year
    made = create_share(app_ctx.db, by, area_code(area) or "", year, days, app_ctx.clock.now())
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    err_console.print(
        app_ctx.text(
            f"ลิงก์หมายเลข {made.link.id} ใช้ได้ถึง {r.when(made.link.expires_at)}; "
            "ต่อท้ายที่อยู่ของเว็บไซต์ ระบบเก็บเฉพาะค่าแฮชและจะไม่แสดงอีก:",
            f"link {made.link.id}, valid until {r.when(made.link.expires_at)}; append it to "
            "the site's address. The store keeps only its hash and will not show it again:",
        )
    )
    console.print(f"/s/{made.token}", highlight=False, markup=False, soft_wrap=True)


@app.command("list")
def list_cmd(ctx: typer.Context, by: By) -> None:
    """The share links in the actor's area, newest first."""
    app_ctx: AppContext = ctx.obj
    now = app_ctx.clock.now()
    links = list_shares(app_ctx.db, by)
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)

    def state(revoked: bool, expired: bool) -> str:
        if revoked:
            return r.pick("ยกเลิกแล้ว", "revoked")
        return r.pick("หมดอายุ", "expired") if expired else r.pick("ใช้ได้", "live")

    cols = [
        Col(r.pick("ที่", "id"), Fit.NUMBER),
        Col(r.pick("พื้นที่", "area"), Fit.ID),
        Col(r.pick("ปีงบ", "FY"), Fit.ID),
        Col(r.pick("สถานะ", "state")),
        Col(r.pick("หมดอายุ", "expires")),
        Col(r.pick("ครั้ง", "uses"), Fit.NUMBER),
        Col(r.pick("ใช้ล่าสุด", "last used")),
        Col(r.pick("ผู้สร้าง", "by")),
    ]
    rows = [
        [
            r.num(s.id or 0),
            s.area_code,
            str(s.fiscal_year),
            state(s.revoked_at is not None, s.expires_at <= now),
            r.when(s.expires_at),
            r.num(s.uses),
            r.when(s.last_used_at) if s.last_used_at else "-",
            s.created_by,
        ]
        for s in links
    ]
    console.print(fitted_table(cols, rows))


@app.command("revoke")
def revoke_cmd(
    ctx: typer.Context,
    share_id: Annotated[int, typer.Argument(help="The link's number (see share list).")],
    by: By,
) -> None:
    """Revoke a share link: it answers "not found" from now on."""
    app_ctx: AppContext = ctx.obj
    link = revoke_share(app_ctx.db, by, share_id, app_ctx.clock.now())
    console.print(app_ctx.text(f"ยกเลิกลิงก์หมายเลข {link.id} แล้ว", f"revoked share link {link.id}"))
