"""Backups of a whole store and their restore into a fresh one.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent
snapshot while the app and the scheduler keep writing; the copy is an ordinary SQLite
file. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --single-transaction``
(the client tools of the server's major version). A restore goes only into a store
that holds no tables: it never overwrites rows, and a failed restore leaves nothing
behind (SQLite: the copy is written beside the target and renamed; PostgreSQL: one
transaction). Evidence files live on disk beside the store, not in it: copy the
evidence folder with the backup (its files are named by their SHA-256, so a copy that
has them all is complete).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from plancycle.store.errors import StoreError

__all__ = ["BackupError", "backup_store", "restore_store", "store_kind"]

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(StoreError):
    """A backup or restore that cannot be made as asked; nothing was changed."""


def store_kind(engine: sa.Engine) -> str:
    return "sqlite" if engine.dialect.name == "sqlite" else "postgresql"


def _libpq_url(url: URL) -> str:
    """The URL as libpq's tools take it (no ``+psycopg``)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_file(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError(
            "an in-memory SQLite store has nothing to back up or restore into; use sqlite:///FILE",
            "ฐานข้อมูล SQLite ในหน่วยความจำสำรองหรือกู้คืนไม่ได้ ใช้ sqlite:///ไฟล์",
        )
    return Path(url.database or "")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client tools "
            f"(Debian: apt install postgresql-client)",
            f"ไม่พบโปรแกรม {name}; ติดตั้งเครื่องมือของ PostgreSQL "
            f"(Debian: apt install postgresql-client)",
        )
    return found


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        raise BackupError(
            f"{what} failed: {why[0]}; nothing was changed",
            f"{what} ไม่สำเร็จ: {why[0]}; ยังไม่มีการเปลี่ยนแปลงใด ๆ",
        )


def backup_store(engine: sa.Engine, target: Path) -> None:
    """Write a backup of the store to ``target`` (a new file)."""
    if target.exists():
        raise BackupError(
            f"{target} exists already; name a new file for the backup",
            f"มีไฟล์ {target} อยู่แล้ว ระบุชื่อไฟล์ใหม่สำหรับข้อมูลสำรอง",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if store_kind(engine) == "sqlite":
            source = sqlite3.connect(_sqlite_file(engine.url))
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            url = _libpq_url(engine.url)
            _run([_tool("pg_dump"), "--format=custom", "--file", str(partial), url], "pg_dump")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _has_tables(engine: sa.Engine) -> bool:
    return bool(sa.inspect(engine).get_table_names())


def restore_store(engine: sa.Engine, source: Path) -> None:
    """Restore the backup ``source`` into the store of ``engine``, which must hold no
    tables (a new SQLite file or an empty PostgreSQL database)."""
    if not source.is_file():
        raise BackupError(
            f"no backup file {source}; give the file `plancycle backup` wrote",
            f"ไม่พบไฟล์ข้อมูลสำรอง {source}; ระบุไฟล์ที่ได้จาก `plancycle backup`",
        )
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    kind = store_kind(engine)
    wanted = SQLITE_HEADER if kind == "sqlite" else PG_DUMP_HEADER
    if not head.startswith(wanted):
        other = "PostgreSQL" if kind == "sqlite" else "SQLite"
        raise BackupError(
            f"{source} is not a {kind} backup made by `plancycle backup`; a backup is "
            f"restored into a store of its own kind (give a {kind} backup, or an empty "
            f"{other} store as --db)",
            f"{source} ไม่ใช่ข้อมูลสำรองแบบ {kind} จาก `plancycle backup`; กู้คืนได้เฉพาะ"
            f"ฐานข้อมูลชนิดเดียวกัน (ระบุข้อมูลสำรองแบบ {kind} หรือฐานข้อมูล {other} ว่างใน --db)",
        )
    if kind == "sqlite":
        target = _sqlite_file(engine.url)
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(
                f"{target} exists already; restore into a new file (--db sqlite:///NEW.db)",
                f"มีไฟล์ {target} อยู่แล้ว กู้คืนลงไฟล์ใหม่ (--db sqlite:///ไฟล์ใหม่.db)",
            )
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        try:
            backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            copy = sqlite3.connect(partial)
            try:
                backup.backup(copy)
            finally:
                copy.close()
                backup.close()
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return
    if _has_tables(engine):
        raise BackupError(
            "the PostgreSQL database holds tables already; restore into an empty one "
            "(createdb NEW, then --db postgresql://…/NEW)",
            "ฐานข้อมูล PostgreSQL นี้มีตารางอยู่แล้ว กู้คืนลงฐานข้อมูลว่าง "
            "(createdb ชื่อใหม่ แล้วระบุ --db postgresql://…/ชื่อใหม่)",
        )
    url = _libpq_url(engine.url)
    _run(
        [
            _tool("pg_restore"),
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--dbname",
            url,
            str(source),
        ],
        "pg_restore",
    )
