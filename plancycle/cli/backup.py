"""`plancycle backup` and `plancycle restore`: a whole store to a file and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.render import console
from plancycle.store.backup import backup_store, restore_store
from plancycle.store.db import current_revision

__all__ = ["register"]


def backup_cmd(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(help="The new backup file.")],
) -> None:
    """Back up the store to a new file while it runs (SQLite: the online backup API;
    PostgreSQL: pg_dump). Copy the evidence folder with it."""
    app_ctx: AppContext = ctx.obj
    backup_store(app_ctx.db, target)
    console.print(
        app_ctx.text(
            f"สำรองข้อมูลแล้ว: {target} (ไฟล์หลักฐานอยู่ในโฟลเดอร์หลักฐาน คัดลอกไปด้วย)",
            f"backed up to {target} (copy the evidence folder with it)",
        ),
        highlight=False,
    )


def restore_cmd(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="A file `plancycle backup` wrote.")],
) -> None:
    """Restore a backup into a store that holds no tables (a new SQLite file, an empty
    PostgreSQL database); then run `plancycle audit verify`."""
    app_ctx: AppContext = ctx.obj
    restore_store(app_ctx.raw_db, source)
    app_ctx.raw_db.dispose()
    revision = current_revision(app_ctx.raw_db)
    console.print(
        app_ctx.text(
            f"กู้คืนแล้ว: {app_ctx.url} (โครงสร้างรุ่น {revision}); "
            "ตรวจด้วย `plancycle audit verify` และสั่ง `plancycle init` หากรุ่นเก่ากว่า",
            f"restored into {app_ctx.url} (revision {revision}); check it with "
            "`plancycle audit verify`, and run `plancycle init` if the revision is older",
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
