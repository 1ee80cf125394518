"""The `plancycle` command: global options, error reporting, and the command groups."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy.exc
import typer
from typer._click import Context  # typer's own copy of click
from typer._click.exceptions import NoArgsIsHelpError
from typer.core import TyperGroup

from plancycle import __version__
from plancycle.cli import (
    actors,
    areas,
    audit,
    backup,
    batch,
    cycle,
    db,
    definitions,
    demo,
    export,
    extensions,
    holidays,
    inbox,
    instances,
    notify,
    report,
    review,
    schedule,
    serve,
    share,
    simulate,
    steps,
    up,
)
from plancycle.cli.context import AppContext
from plancycle.cli.help_lang import THAI, help_language, shows_help, use_help_language
from plancycle.cli.render import console, report_error
from plancycle.cli.usage import UsageError, UsageRefused, usage_refused
from plancycle.errors import PlancycleError
from plancycle.logs import configure_logging
from plancycle.settings import load_settings
from plancycle.store.errors import StoreUnavailable

__all__ = ["app", "main"]


class ReportingGroup(TyperGroup):
    """Turns every PlancycleError into a two-language message and its exit code."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        """`--help` is answered while the arguments are parsed: its language is read first."""
        thai = shows_help(self, args) and help_language(args, self.commands) == THAI
        use_help_language(self, ctx, thai)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PlancycleError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except NoArgsIsHelpError:  # a group named alone: its help is printed already
            raise typer.Exit(UsageRefused.exit_code) from None
        except UsageError as exc:  # a subcommand's own arguments and options
            refused = usage_refused(exc)
            report_error(refused)
            raise typer.Exit(refused.exit_code) from None
        except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError) as exc:
            report_error(
                StoreUnavailable(
                    f"the store cannot be used: {exc.orig}; check PLANCYCLE_DB / --db",
                    f"ใช้ฐานข้อมูลไม่ได้: {exc.orig}; ตรวจสอบ PLANCYCLE_DB หรือ --db",
                )
            )
            raise typer.Exit(StoreUnavailable.exit_code) from None


app = typer.Typer(
    cls=ReportingGroup,
    no_args_is_help=True,
    help="plancycle: the yearly area development planning cycle (village, tambon and district "
    "plans; CDD activities) as state machines with deadlines and an audit trail.",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"plancycle {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Store URL (default: PLANCYCLE_DB or sqlite:///plancycle.db)."),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="th or en (default: PLANCYCLE_LANG or th).")
    ] = "",
    thai_digits: Annotated[
        bool, typer.Option("--thai-digits", help="Show numbers and dates in Thai digits.")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Act and see as the actor holding this API token (default: PLANCYCLE_TOKEN).",
        ),
    ] = None,
    log_json: Annotated[
        str | None,
        typer.Option("--log-json", help="Also write JSON-lines logs to this file (log shippers)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    settings = load_settings()
    chosen = (lang or settings.language).lower()
    if chosen not in ("th", "en"):
        raise typer.BadParameter(f"--lang takes th or en, not {lang!r}")
    configure_logging(settings.log_level, log_json or settings.log_json)
    ctx.obj = AppContext(
        db_url=db,
        lang=chosen,
        thai_digits=thai_digits,
        token=token or settings.token,
        settings=settings,
    )


@app.command()
def init(ctx: typer.Context) -> None:
    """Create or upgrade the store's tables (Alembic migrations)."""
    from plancycle.store.db import current_revision, migrate

    app_ctx: AppContext = ctx.obj
    migrate(app_ctx.raw_db)
    console.print(
        app_ctx.text(
            f"พร้อมใช้งาน: {app_ctx.url} (โครงสร้างรุ่น {current_revision(app_ctx.raw_db)})",
            f"store ready: {app_ctx.url} (revision {current_revision(app_ctx.raw_db)})",
        )
    )


app.add_typer(
    areas.app, name="areas", help="Provinces, districts, tambons, villages and target lists."
)
app.add_typer(cycle.app, name="cycle", help="Start a fiscal year's instances.")
app.add_typer(
    holidays.app, name="holidays", help="The working-day calendar: holidays added and removed."
)
app.add_typer(instances.app, name="instances", help="List and withdraw instances.")
app.add_typer(actors.app, name="actors", help="People and offices who advance steps.")
app.add_typer(definitions.app, name="definitions", help="The process definitions.")
app.add_typer(audit.app, name="audit")
app.add_typer(db.app, name="db", help="The PostgreSQL role the application runs as.")
app.add_typer(notify.contacts_app, name="contacts")
app.add_typer(notify.outbox_app, name="outbox")
app.add_typer(report.app, name="report", help="The letter's reports as documents (PDF, DOCX).")
app.add_typer(share.app, name="share", help="Read-only links to an area's pages.")
steps.register(app)
review.register(app)
extensions.register(app)
batch.register(app)
export.register(app)
inbox.register(app)
schedule.register(app)
serve.register(app)
up.register(app)
backup.register(app)
simulate.register(app)
demo.register(app)


def main() -> None:
    app()
