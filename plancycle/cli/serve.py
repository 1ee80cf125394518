"""`plancycle serve`: the coordinators' web app and HTTP API (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.render import console

__all__ = ["register"]


def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
) -> None:
    """Serve the web pages and the HTTP API (OpenAPI at /api/openapi.json). Sign-in is
    with an actor's token; set PLANCYCLE_SECRET_KEY so sessions survive restarts."""
    import uvicorn

    from plancycle.web import WebSettings, create_app

    app_ctx: AppContext = ctx.obj
    settings = WebSettings.of(
        app_ctx.db, app_ctx.catalog, app_ctx.settings, app_ctx.clock, lang=app_ctx.lang
    )
    web_app = create_app(settings)  # refused here, before a word, if it cannot serve
    console.print(
        app_ctx.text(
            f"เปิดบริการที่ http://{host}:{port}/ (ฐานข้อมูล {app_ctx.url})",
            f"serving http://{host}:{port}/ (store {app_ctx.url})",
        )
    )
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
