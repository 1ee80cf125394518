"""The review loop: ``send-back`` (a reviewer returns a step, with a comment) and
``correct`` (new values for the newest step's data, with a reason). The rules and the
records are :mod:`plancycle.workflow.review`'s."""

from __future__ import annotations

from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.pairs import parse_pairs
from plancycle.cli.render import Renderer, console
from plancycle.workflow.review import ReviewResult, correct, send_back

__all__ = ["register"]

ActorOpt = Annotated[
    str | None,
    typer.Option("--actor", help="As a local administrator: act as this actor id."),
]


def send_back_cmd(
    ctx: typer.Context,
    key: str,
    comment: Annotated[
        str | None, typer.Option("--comment", help="What must be fixed (required).")
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="The step (state id) to return to; default: the newest done."),
    ] = None,
    actor: ActorOpt = None,
) -> None:
    """Send a completed step of instance KEY back (a reviewer, e.g. the provincial CD
    office), with a comment; the process's lead is told."""
    app_ctx: AppContext = ctx.obj
    result = send_back(app_ctx.engine, key, app_ctx.acting(actor), comment, to)
    _say(app_ctx, result, "ส่งกลับไปขั้น", "sent back to")


def correct_cmd(
    ctx: typer.Context,
    key: str,
    data: Annotated[
        list[str] | None, typer.Option("--data", help="NAME=VALUE to correct; repeatable.")
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why the values change (required).")
    ] = None,
    actor: ActorOpt = None,
) -> None:
    """Correct the data of the newest step of instance KEY while it has not moved on: a
    new record that supersedes the values (the old record stays)."""
    app_ctx: AppContext = ctx.obj
    pairs = parse_pairs(data or [])
    result = correct(app_ctx.engine, key, app_ctx.acting(actor), pairs, reason)
    _say(app_ctx, result, "แก้ไขข้อมูลของขั้น", "corrected the data of")


def _say(app_ctx: AppContext, result: ReviewResult, th: str, en: str) -> None:
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    label = f"“{result.step.pick(r.lang)}”"
    due = r.pick(" กำหนดส่ง ", " due ") + r.when(result.due_at) if result.due_at else ""
    console.print(
        f"{result.key}: {r.pick(th, en)} {label} (#{r.num(result.seq)}){due}",
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.command("send-back")(send_back_cmd)
    app.command("correct")(correct_cmd)
