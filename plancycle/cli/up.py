"""`plancycle up`: the web app and the scheduler in one process, for one office or a
trial, on the embedded SQLite store by default.

The store is prepared if it needs to be (`plancycle init`); with ``--sample`` an empty
store gets the Chachoengsao sample (FY2568 started, one sample actor per role and
area) and the sample offices' sign-in tokens are printed. The scheduler's two jobs run
in background threads; the web server runs in the foreground. Ctrl-C (SIGINT) or
SIGTERM stops the server (requests in flight finish), then the scheduler, which lets a
running sweep or dispatch finish: nothing is cut midway."""

from __future__ import annotations

import signal
from datetime import datetime
from typing import Annotated

import typer
from sqlmodel import Session, select

from plancycle.cli.context import AppContext
from plancycle.cli.render import console
from plancycle.cli.sample import fill_sample
from plancycle.cli.serve import GRACEFUL_SECONDS, KEEP_ALIVE_SECONDS
from plancycle.notifier.channels import channels_for
from plancycle.store.db import is_migrated, migrate
from plancycle.store.models import Area
from plancycle.store.tokens import issue_token
from plancycle.thai.fiscal import BANGKOK
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.scheduler import SchedulerSettings, build_scheduler

__all__ = ["SAMPLE_SIGN_INS", "register"]

SAMPLE_PROVINCE, SAMPLE_FY = "24", 2568
SAMPLE_START = datetime(2024, 11, 27, 9, tzinfo=BANGKOK)  # the letter's date, as the demo
#: the sample actors whose tokens `up --sample` prints: (area code, role)
SAMPLE_SIGN_INS = (
    ("24", "provincial_cd_office"),
    ("2401", "district_cd_office"),
    ("2401", "cd_officer"),
)


def _prepare(app_ctx: AppContext, sample: bool) -> dict[str, str]:
    """The store migrated (and, with ``sample``, filled when empty); the tokens issued."""
    raw = app_ctx.raw_db
    if not is_migrated(raw):
        migrate(raw)
    if not sample:
        return {}
    with Session(raw) as session:
        empty = session.exec(select(Area.code).limit(1)).first() is None
    if empty:
        clock = ManualClock(SAMPLE_START)
        fill_sample(raw, app_ctx.catalog, SAMPLE_PROVINCE, SAMPLE_FY, clock)
    tokens: dict[str, str] = {}
    with Session(raw) as session, session.begin():
        for area, role in SAMPLE_SIGN_INS:
            actor_id = f"{role.replace('_', '-')}-{area}"
            tokens[actor_id] = issue_token(session, actor_id)
    return tokens


def up_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    sample: Annotated[
        bool,
        typer.Option(
            "--sample", help="Fill an empty store with the Chachoengsao sample; print tokens."
        ),
    ] = False,
    sweep_minutes: Annotated[float, typer.Option("--sweep-minutes", min=0.01)] = 15,
    dispatch_seconds: Annotated[float, typer.Option("--dispatch-seconds", min=1)] = 60,
) -> None:
    """The web app and the scheduler together, in one process (Ctrl-C stops both)."""
    import uvicorn

    from plancycle.web import WebSettings, create_app
    from plancycle.web.factory import warm_in_background

    app_ctx: AppContext = ctx.obj
    tokens = _prepare(app_ctx, sample)
    web_app = create_app(
        WebSettings.of(
            app_ctx.db, app_ctx.catalog, app_ctx.settings, app_ctx.clock, lang=app_ctx.lang
        )
    )
    scheduler = build_scheduler(
        app_ctx.engine,
        channels_for(app_ctx.settings),
        SchedulerSettings(sweep_minutes=sweep_minutes, dispatch_seconds=dispatch_seconds),
        app_ctx.delivery_rules,
        background=True,
    )
    _greet(app_ctx, host, port, tokens, sweep_minutes)
    # SIGTERM (systemd, docker stop) stops as Ctrl-C does: uvicorn restores this handler
    # and raises the signal again once it has shut down
    signal.signal(signal.SIGTERM, _interrupt)
    scheduler.start()
    warm_in_background(web_app)
    try:
        uvicorn.run(
            web_app,
            host=host,
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
    except KeyboardInterrupt:  # uvicorn re-raises the signal it stopped on
        pass
    finally:
        scheduler.shutdown(wait=True)  # a running sweep or dispatch finishes first
    console.print(app_ctx.text("หยุดแล้ว", "stopped"))


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _greet(
    app_ctx: AppContext, host: str, port: int, tokens: dict[str, str], sweep_minutes: float
) -> None:
    url = f"http://{host}:{port}/"
    console.print(
        app_ctx.text(
            f"เปิดบริการที่ {url} (ฐานข้อมูล {app_ctx.url}); ตรวจกำหนดทุก "
            f"{sweep_minutes:g} นาที; กด Ctrl-C เพื่อหยุด",
            f"serving {url} (store {app_ctx.url}); sweeping every {sweep_minutes:g} min; "
            "Ctrl-C stops",
        ),
        highlight=False,
        soft_wrap=True,
    )
    if not tokens:
        console.print(
            app_ctx.text(
                "เข้าสู่ระบบด้วยโทเคน: plancycle actors token รหัสผู้ใช้ (ดูรหัสด้วย plancycle actors list)",
                "sign in with a token: plancycle actors token ACTOR (actors: plancycle "
                "actors list)",
            ),
            highlight=False,
            soft_wrap=True,
        )
        return
    console.print(app_ctx.text("โทเคนเข้าสู่ระบบ (ตัวอย่าง):", "sign-in tokens (sample):"))
    for actor_id, token in tokens.items():
        console.print(f"  {actor_id}: {token}", highlight=False, soft_wrap=True, markup=False)


def register(app: typer.Typer) -> None:
    app.command("up")(up_cmd)
