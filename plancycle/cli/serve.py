"""`plancycle serve`: the coordinators' web app and HTTP API (uvicorn), in one process
or in several worker processes."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.render import console
from plancycle.errors import PlancycleError

__all__ = ["GRACEFUL_SECONDS", "WorkersRefused", "register"]

#: how long a stopping server lets the requests in flight finish
GRACEFUL_SECONDS = 20
#: How long an idle HTTP connection is kept open: longer than the reverse proxy keeps its
#: idle connections to the app (deploy/Caddyfile: 60 s), so the proxy, never the app,
#: closes them; otherwise a request sent on a connection the app is closing fails.
KEEP_ALIVE_SECONDS = 75


class WorkersRefused(PlancycleError):
    """``--workers N`` that several processes cannot serve safely."""


def check_workers(app_ctx: AppContext, workers: int) -> None:
    if workers <= 1:
        return
    if app_ctx.raw_db.dialect.name == "sqlite":
        raise WorkersRefused(
            f"--workers {workers} needs PostgreSQL: a SQLite store takes one writer at a "
            "time and lives on one machine; serve it with one worker, or set PLANCYCLE_DB "
            "to postgresql://USER@HOST:PORT/DB",
            f"--workers {workers} ต้องใช้ PostgreSQL: SQLite เขียนได้ทีละราย และอยู่บน"
            "เครื่องเดียว ใช้ 1 worker หรือตั้ง PLANCYCLE_DB เป็น postgresql://ผู้ใช้@โฮสต์:พอร์ต/ฐานข้อมูล",
        )
    if not app_ctx.settings.secret_key:
        raise WorkersRefused(
            f"--workers {workers} needs PLANCYCLE_SECRET_KEY: every worker must sign and "
            "read the same session cookies; set it to one long random value on every node "
            '(python3 -c "import secrets; print(secrets.token_urlsafe(32))")',
            f"--workers {workers} ต้องตั้ง PLANCYCLE_SECRET_KEY: ทุก worker ต้องใช้กุญแจ"
            "เดียวกันลงนามคุกกี้เข้าสู่ระบบ ตั้งเป็นค่าสุ่มยาวค่าเดียวกันทุกเครื่อง "
            '(python3 -c "import secrets; print(secrets.token_urlsafe(32))")',
        )


def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="App processes (PostgreSQL and PLANCYCLE_SECRET_KEY when more than 1).",
        ),
    ] = 1,
) -> None:
    """Serve the web pages and the HTTP API (OpenAPI at /api/openapi.json). Sign-in is
    with an actor's token; set PLANCYCLE_SECRET_KEY so sessions survive restarts."""
    import uvicorn

    from plancycle.web import WebSettings, create_app
    from plancycle.web.factory import warm_in_background

    app_ctx: AppContext = ctx.obj
    check_workers(app_ctx, workers)
    settings = WebSettings.of(
        app_ctx.db, app_ctx.catalog, app_ctx.settings, app_ctx.clock, lang=app_ctx.lang
    )
    web_app = create_app(settings)  # refused here, before a word, if it cannot serve
    console.print(
        app_ctx.text(
            f"เปิดบริการที่ http://{host}:{port}/ (ฐานข้อมูล {app_ctx.url}, {workers} โพรเซส)",
            f"serving http://{host}:{port}/ (store {app_ctx.url}, {workers} process(es))",
        ),
        highlight=False,
    )
    if workers == 1:
        warm_in_background(web_app)
        uvicorn.run(
            web_app,
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
        return
    # each worker is a new process that builds its own app from its settings
    # (plancycle.web.factory): hand it the store and language this command was given
    # (--db, --lang) in the environment it starts with; this process has read its own
    os.putenv("PLANCYCLE_DB", app_ctx.url)
    os.putenv("PLANCYCLE_LANG", app_ctx.lang)
    uvicorn.run(
        "plancycle.web.factory:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
