"""`plancycle sweep`, `plancycle dispatch` and `plancycle scheduler run`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape

from plancycle.cli.context import AppContext
from plancycle.cli.options import instant_in_cycle
from plancycle.cli.render import Col, Fit, Renderer, console, fitted_table, print_json
from plancycle.definitions.describe import KIND_LABELS
from plancycle.kinds import EscalationKind
from plancycle.notifier.channels import channels_for
from plancycle.notifier.digest import build_digests
from plancycle.notifier.dispatch import dispatch_until_idle
from plancycle.workflow.cycle import key_process
from plancycle.workflow.scheduler import SchedulerSettings, build_scheduler, worker_name
from plancycle.workflow.sweep_apply import SweepReport, run_sweep

__all__ = ["register", "scheduler_app"]

scheduler_app = typer.Typer(no_args_is_help=True, help="The scheduler process.")
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
_SHOWN = 40


def as_of(text: str | None, app_ctx: AppContext) -> datetime:
    """``--as-of``: an ISO or Thai date/time (a date means its start, Bangkok time)."""
    return instant_in_cycle(text, "--as-of") if text else app_ctx.clock.now()


def sweep_cmd(
    ctx: typer.Context,
    as_of_text: Annotated[
        str | None,
        typer.Option("--as-of", help="Sweep as if it were this time: 2025-04-01, '1 เม.ย. 68'."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would happen.")] = False,
    as_json: Json = False,
) -> None:
    """One sweep: open windows, reminders, overdue flags, escalations, automatic steps."""
    app_ctx: AppContext = ctx.obj
    report = run_sweep(
        app_ctx.engine,
        as_of(as_of_text, app_ctx),
        dry_run=dry_run,
        rules=app_ctx.delivery_rules,
    )
    if as_json:
        print_json({**report.as_dict(), "actions": _actions(report)})
        return
    print_sweep(app_ctx, report)


def _actions(report: SweepReport) -> list[dict]:
    plan = report.plan
    if plan is None:
        return []
    out = [
        {
            "key": n.instance.key,
            "state": n.instance.state,
            "level": n.level,
            "kind": n.kind,
            "notify": list(n.recipients),
        }
        for n in plan.notices
    ]
    out += [{"key": a.instance.key, "advance": a.trigger} for a in plan.advances]
    return out


def print_sweep(app_ctx: AppContext, report: SweepReport) -> None:
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    kind = lambda k: KIND_LABELS[EscalationKind(k)].pick(r.lang)  # noqa: E731
    head = (
        r.pick("จะทำ (ทดลอง)", "would do (dry run)") if report.dry_run else r.pick("ทำแล้ว", "done")
    )
    console.print(
        f"{r.pick('ตรวจกำหนด', 'sweep')} {r.when(report.now)} — {head}: "
        + ", ".join(f"{kind(k)} {r.num(v)}" for k, v in sorted(report.notices.items()))
        + (
            f"; {r.pick('ข้อความ', 'messages')} {r.num(report.messages)}"
            if not report.dry_run
            else ""
        )
        + f"; {r.pick('เลื่อนขั้นอัตโนมัติ', 'automatic steps')} "
        + r.num(len(report.plan.advances) if report.dry_run and report.plan else report.advanced),
        highlight=False,
    )
    actions = _actions(report)
    if not actions:
        return
    label, roles = app_ctx.catalog.state_label, app_ctx.catalog.roles
    cols = [
        Col(r.pick("รหัสรายการ", "key"), Fit.ID),
        Col(r.pick("ขั้น", "step"), ratio=2),
        Col(r.pick("ระดับ", "level")),
        Col(r.pick("แจ้ง", "notify"), ratio=2),
    ]
    rows = []
    for a in actions[:_SHOWN]:
        if "advance" in a:
            auto = r.pick("อัตโนมัติ", "automatic")
            rows.append([a["key"], f"→ {a['advance']}", auto, ""])
            continue
        told = [roles[x].label.pick(r.lang) if x in roles else x for x in a["notify"]]
        state = label(key_process(a["key"]), a["state"]).pick(r.lang)
        level = f"{kind(a['kind'])} {r.num(a['level'])}"
        rows.append([a["key"], escape(state), level, escape(", ".join(told))])
    console.print(fitted_table(cols, rows))
    if len(actions) > _SHOWN:
        console.print(
            r.pick(
                f"… และอีก {r.num(len(actions) - _SHOWN)} รายการ (--json ดูทั้งหมด)",
                f"… and {r.num(len(actions) - _SHOWN)} more (--json shows all)",
            )
        )


def dispatch_cmd(ctx: typer.Context, as_json: Json = False) -> None:
    """Build the working morning's digests and the immediate contacts' bundles, then
    deliver what is due (until none is left, or 50 s have passed)."""
    app_ctx: AppContext = ctx.obj
    now = app_ctx.clock.now()
    digests = build_digests(app_ctx.db, now, app_ctx.delivery_rules)
    report = dispatch_until_idle(
        app_ctx.db,
        channels_for(app_ctx.settings),
        now,
        worker=worker_name(),
        rules=app_ctx.delivery_rules,
    )
    if as_json:
        print_json({**vars(report), "digests": vars(digests)})
        return
    console.print(
        app_ctx.text(
            f"สรุปงานประจำวัน {digests.digests:,} ฉบับ ({digests.items:,} รายการ); "
            f"แจ้งทันทีรวม {digests.bundles:,} ฉบับ ({digests.bundled:,} รายการ); "
            f"ส่งแล้ว {report.delivered:,} รอส่งใหม่ {report.retried:,} ส่งไม่สำเร็จถาวร {report.dead:,}",
            f"digests {digests.digests} ({digests.items} items); "
            f"bundles {digests.bundles} ({digests.bundled} items); "
            f"delivered {report.delivered}, to retry {report.retried}, dead {report.dead}",
        )
    )


@scheduler_app.command("run")
def scheduler_run(
    ctx: typer.Context,
    sweep_minutes: Annotated[float, typer.Option("--sweep-minutes", min=0.1)] = 15,
    dispatch_seconds: Annotated[float, typer.Option("--dispatch-seconds", min=1)] = 60,
) -> None:
    """Run the sweep (every 15 minutes) and the dispatcher (every minute) until stopped."""
    app_ctx: AppContext = ctx.obj
    settings = SchedulerSettings(sweep_minutes=sweep_minutes, dispatch_seconds=dispatch_seconds)
    scheduler = build_scheduler(
        app_ctx.engine, channels_for(app_ctx.settings), settings, app_ctx.delivery_rules
    )
    console.print(
        app_ctx.text(
            f"เริ่มตัวจัดกำหนดการ: กวาดทุก {sweep_minutes:g} นาที ส่งข้อความทุก {dispatch_seconds:g} วินาที",
            f"scheduler started: sweep every {sweep_minutes:g} min, dispatch every "
            f"{dispatch_seconds:g} s (Ctrl-C to stop)",
        )
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep_cmd)
    app.command("dispatch")(dispatch_cmd)
    app.add_typer(scheduler_app, name="scheduler")
