"""Speaking to the database driver directly, for the few statements on the hot path.

An advance runs a handful of fixed statements. Through the ORM each costs hundreds
of Python calls (statement building, cache keys, identity map, flush); through the
DB-API cursor of a pooled connection it costs a few microseconds. This module holds
what that needs and nothing more: the driver's parameter marks, how a time and a
JSON document are bound and read back exactly as the SQLAlchemy column types do
(:mod:`plancycle.store.types`), one transaction on a pooled connection, and the
translation of driver errors into SQLAlchemy's, so that callers catch one family.

On SQLite each thread keeps the pooled connection it first took (taking one from
the pool and giving it back costs more than the rest of a transaction's Python
work; an idle SQLite connection holds no lock and no snapshot, and ``make_engine``
lets the pool grow past its size for it). A process forked from the one that took
it takes its own. PostgreSQL connections are taken from the pool (pre-pinged) for
each transaction and given back.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, overload

import sqlalchemy as sa

from plancycle.thai.fiscal import to_utc

__all__ = [
    "PG_LOCK_SQLSTATES",
    "SQLITE_LOCK_CODES",
    "Driver",
    "LockKind",
    "SchemaDrift",
    "insert_sql",
    "is_lock_error",
    "lock_kind",
    "select_list",
    "update_sql",
]

_DRIVERS: weakref.WeakKeyDictionary[sa.Engine, Driver] = weakref.WeakKeyDictionary()

#: SQLite's primary result codes for a lock held elsewhere (an extended code, such as
#: SQLITE_BUSY_SNAPSHOT, carries its primary code in its low byte).
SQLITE_LOCK_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
#: PostgreSQL's SQLSTATEs for losing to another transaction: serialization failure,
#: deadlock detected, lock not available (NOWAIT, lock_timeout), and a statement
#: cancelled by statement_timeout while it waited.
PG_LOCK_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014"})


def is_lock_error(exc: sa.exc.DBAPIError) -> bool:
    """Whether the database refused for a lock held by another writer: the caller lost a
    race. Decided by the driver's error code (SQLite's result code, PostgreSQL's
    SQLSTATE), never by the message's wording."""
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in SQLITE_LOCK_CODES
    return getattr(orig, "sqlstate", None) in PG_LOCK_SQLSTATES


class LockKind(StrEnum):
    """Why the database refused for a lock held elsewhere."""

    #: another transaction changed what ours had read (SQLite's stale snapshot,
    #: PostgreSQL's serialization failure or deadlock): run the transaction again
    LOST_RACE = "lost_race"
    #: the lock was not free within the bounded wait (SQLite's busy timeout or a locked
    #: table, PostgreSQL's lock_timeout / statement_timeout): the store is busy
    BUSY = "busy"


#: SQLite's extended result code for a read snapshot that another writer made stale.
SQLITE_BUSY_SNAPSHOT = getattr(sqlite3, "SQLITE_BUSY_SNAPSHOT", 517)
_PG_LOST_RACE = frozenset({"40001", "40P01"})


def lock_kind(exc: sa.exc.DBAPIError) -> LockKind | None:
    """What kind of lock error ``exc`` is (None: not a lock error), by the driver's code."""
    if not is_lock_error(exc):
        return None
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if code is not None:
        return LockKind.LOST_RACE if code == SQLITE_BUSY_SNAPSHOT else LockKind.BUSY
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return LockKind.LOST_RACE if sqlstate in _PG_LOST_RACE else LockKind.BUSY


class SchemaDrift(Exception):
    """A hand-written statement and its table's columns disagree (raised at import)."""


def _names(table: sa.Table, names: Iterable[str]) -> list[str]:
    missing = [name for name in names if name not in table.c]
    if missing:
        raise SchemaDrift(f"{table.name} has no column {', '.join(missing)}")
    return [f'"{table.c[name].name}"' for name in names]


def insert_sql(table: sa.Table, columns: Iterable[str]) -> str:
    """The INSERT of ``columns`` (in that order, ``?`` marks) into ``table``; refused
    unless they are exactly the columns the database does not fill itself, so that a
    column added to the model and not to the statement stops the import."""
    columns = list(columns)
    own = {c.name for c in table.columns if c is not table.autoincrement_column}
    if set(columns) != own or len(columns) != len(own):
        raise SchemaDrift(
            f"INSERT INTO {table.name}: columns {sorted(own)} expected, {columns} given"
        )
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table.name} ({', '.join(_names(table, columns))}) VALUES ({marks})"


def update_sql(
    table: sa.Table, sets: Iterable[str], where: Iterable[str], kept: Iterable[str]
) -> str:
    """The UPDATE of ``sets`` under ``where`` (``?`` marks, in that order); refused unless
    every column of ``table`` is either set or declared ``kept`` (never changed by it)."""
    sets, kept = list(sets), set(kept)
    unknown = (set(sets) | kept) ^ {c.name for c in table.columns}
    if unknown:
        raise SchemaDrift(
            f"UPDATE {table.name}: neither set nor kept, or not columns: {sorted(unknown)}"
        )
    assignments = ", ".join(f"{name} = ?" for name in _names(table, sets))
    condition = " AND ".join(f"{name} = ?" for name in _names(table, where))
    return f"UPDATE {table.name} SET {assignments} WHERE {condition}"


def select_list(table: sa.Table, columns: Iterable[str], alias: str = "") -> str:
    """``alias."col", …`` for the columns of ``table`` a read names (each must exist)."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{name}" for name in _names(table, columns))


class Driver:
    """One engine's driver: SQLite (``sqlite3``) or PostgreSQL (``psycopg``)."""

    def __init__(self, db: sa.Engine) -> None:
        self._db = weakref.ref(db)  # the engine owns its driver, not the other way
        self.postgres = db.dialect.name == "postgresql"
        self._error = db.dialect.loaded_dbapi.Error
        self._held = threading.local()  # SQLite: (pid, connection) of this thread
        self._texts: dict[str, str] = {}  # statements in the driver's parameter style

    @classmethod
    def of(cls, db: sa.Engine) -> Driver:
        """The driver of ``db`` (made once per engine)."""
        driver = _DRIVERS.get(db)
        if driver is None:
            driver = _DRIVERS[db] = cls(db)
        return driver

    def sql(self, text: str) -> str:
        """``text`` written with ``?`` marks, in the driver's parameter style (rewritten
        once per statement and driver, then looked up)."""
        if not self.postgres:
            return text
        done = self._texts.get(text)
        if done is None:
            done = self._texts[text] = text.replace("?", "%s")
        return done

    def when(self, value: datetime | None) -> datetime | str | None:
        """Bind an aware datetime as ``UTCDateTime`` does: ``timestamptz`` on PostgreSQL,
        naive UTC text with microseconds on SQLite."""
        if value is None:
            return None
        if value.tzinfo is not UTC:
            value = to_utc(value)  # a naive datetime is refused
        if self.postgres:
            return value
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")

    @overload
    def read_when(self, value: datetime | str) -> datetime: ...
    @overload
    def read_when(self, value: None) -> None: ...
    def read_when(self, value: datetime | str | None) -> datetime | None:
        """A time read back, as an aware UTC datetime."""
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @staticmethod
    def json(value: Any) -> str:
        """A JSON column's value as SQLAlchemy's ``JSON`` type writes it (PostgreSQL casts
        the text to ``json``)."""
        return json.dumps(value)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A DB-API cursor on a pooled connection, committed when the block ends and
        rolled back when it raises. Driver errors come out as SQLAlchemy's
        ``DBAPIError`` subclasses; a connection the server dropped is discarded."""
        db = self._db()
        assert db is not None, "the engine of this driver is gone"
        con = db.raw_connection() if self.postgres else self._thread_connection(db)
        try:
            cursor = con.cursor()
            yield cursor
            con.commit()
        except self._error as exc:
            self._rollback(con)
            if db.dialect.is_disconnect(exc, con.dbapi_connection, None):
                con.invalidate(exc)
                self._held.__dict__.pop("con", None)
            raise sa.exc.DBAPIError.instance(
                None, None, exc, self._error, dialect=db.dialect
            ) from exc
        except BaseException:
            self._rollback(con)
            raise
        finally:
            if self.postgres:
                con.close()

    def _thread_connection(self, db: sa.Engine) -> Any:
        held = getattr(self._held, "con", None)
        if held is None or held[0] != os.getpid() or not held[1].is_valid:
            held = self._held.con = (os.getpid(), db.raw_connection())
        return held[1]

    def _rollback(self, con: Any) -> None:
        with suppress(self._error):  # the connection is gone; the pool discards it
            con.rollback()
