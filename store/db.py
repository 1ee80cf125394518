"""Opening the database and bringing its schema up to date.

The URL is given (``PLANCYCLE_DB`` in the settings; default ``sqlite:///plancycle.db`` in the current
folder). SQLite connections get WAL, ``synchronous=NORMAL``, foreign keys and a
5-second busy timeout; PostgreSQL goes through psycopg 3 whatever the URL spelled.
The schema is managed by Alembic only (``migrate``), never by ``create_all``.

SQLite moves the write-ahead log back into the database file (a checkpoint, with
its fsyncs) in the connection whose commit makes the log pass ``wal_autocheckpoint``
pages. The default, 1,000 pages (4 MB), runs a checkpoint every ~160 advances on the
national store, each writing scattered pages of a 100+ MB file: ~25 % of an
advance's wall time. At 10,000 pages (a log of up to ~40 MB) the pages a busy day
touches again and again are written once per checkpoint instead of ten times.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError

from plancycle.store.errors import StoreError

__all__ = [
    "DEFAULT_URL",
    "DEFAULT_BUSY_TIMEOUT_S",
    "SQLITE_PRAGMAS",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "is_migrated",
    "make_engine",
    "migrate",
]

DEFAULT_URL = "sqlite:///plancycle.db"

#: how long a statement waits for a lock another writer holds before the store is
#: reported busy (``PLANCYCLE_BUSY_TIMEOUT_S``)
DEFAULT_BUSY_TIMEOUT_S = 5.0


def sqlite_pragmas(busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> tuple[str, ...]:
    """What every SQLite connection is set to (the benchmarks' bare-sqlite3 baselines use
    the same); wal_autocheckpoint: see the module's docstring."""
    return (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA wal_autocheckpoint=10000",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={round(busy_timeout_s * 1000)}",
    )


SQLITE_PRAGMAS = sqlite_pragmas()
_POSTGRES_DRIVERS = {"postgres", "postgresql", "postgresql+psycopg"}


def make_engine(url: str = DEFAULT_URL, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> Engine:
    """An engine for ``url`` (``PLANCYCLE_DB``: see :mod:`plancycle.settings`); SQLite or
    PostgreSQL only. No statement waits longer than ``busy_timeout_s`` for a lock (SQLite's
    busy timeout, PostgreSQL's ``lock_timeout``), for a pooled connection, or for a
    PostgreSQL server to answer a new connection."""
    parsed = _parse(url)
    if parsed.drivername.startswith("sqlite"):
        return _sqlite_engine(parsed, busy_timeout_s)
    wait_ms = max(1, round(busy_timeout_s * 1000))
    engine = sa.create_engine(
        parsed,
        pool_timeout=busy_timeout_s,
        connect_args={
            "connect_timeout": max(1, round(busy_timeout_s)),
            "options": f"-c lock_timeout={wait_ms}",
        },
    )
    _ping_when_idle(engine)
    return engine


# A pooled PostgreSQL connection that has rested longer than this is tried (SELECT 1)
# before it is handed out, and replaced if the server has gone away; one used more
# recently is handed out as it is. A page takes up to a dozen connections from the pool
# in turn: trying each (SQLAlchemy's pool_pre_ping) cost a round trip every time.
IDLE_PING_SECONDS = 10.0
_monotonic = time.monotonic  # the pool's clock (a test moves it)


def _ping_when_idle(engine: Engine) -> None:
    @sa.event.listens_for(engine, "checkin")
    def _rested(_dbapi_connection: Any, record: Any) -> None:
        record.info["rested_at"] = _monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _try(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        rested = record.info.get("rested_at")
        if rested is None or _monotonic() - rested < IDLE_PING_SECONDS:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:  # the server closed it: the pool connects again
            raise sa.exc.DisconnectionError(str(exc)) from exc


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise _unsupported(url, "it is not a database URL") from exc
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed
    if parsed.drivername in _POSTGRES_DRIVERS:
        return parsed.set(drivername="postgresql+psycopg")
    raise _unsupported(parsed.render_as_string(hide_password=True), "unsupported scheme")


def _unsupported(shown: str, why: str) -> StoreError:
    return StoreError(
        f"Cannot open database {shown!r}: {why}. Use sqlite:///FILE or "
        f"postgresql://USER@HOST:PORT/DB (set PLANCYCLE_DB)",
        f"เปิดฐานข้อมูล {shown!r} ไม่ได้: รองรับเฉพาะ sqlite:///ไฟล์ หรือ "
        f"postgresql://ผู้ใช้@โฮสต์:พอร์ต/ฐานข้อมูล (ตั้งค่าใน PLANCYCLE_DB)",
    )


def _sqlite_engine(url: URL, busy_timeout_s: float) -> Engine:
    # a file's pool may grow past its size: the engine's hot path keeps one connection
    # per thread (plancycle.store.driver), and SQLite connections are cheap
    in_memory = url.database in (None, "", ":memory:")
    engine = sa.create_engine(url) if in_memory else sa.create_engine(url, max_overflow=-1)

    pragmas = sqlite_pragmas(busy_timeout_s)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    return engine


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration built in code, for ``plancycle.store.migrations``."""
    config = Config()
    location = str(files("plancycle.store.migrations"))
    config.set_main_option("script_location", location.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


#: the PostgreSQL advisory lock held while the schema changes (any fixed bigint)
MIGRATION_LOCK_KEY = 2568_1015
#: how long ``plancycle init`` waits for another node's migration to finish
MIGRATION_WAIT = "10min"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (Alembic ``upgrade head``); a no-op when
    it is there already. Safe to run from every node at once: the change is made under
    a lock (PostgreSQL: a transaction-level advisory lock; a SQLite file: an exclusive
    lock on ``FILE.migrate-lock``), so the others wait, then find the head and do nothing."""
    with _migration_lock(engine), _schema_change(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{MIGRATION_WAIT}'")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        command.upgrade(alembic_config(connection), "head")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock on a file beside a SQLite database (one machine holds the file;
    an in-memory database has a single user). PostgreSQL's lock is taken in the
    migration's own transaction."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        yield
        return
    lock_path = Path(f"{database}.migrate-lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (Alembic ``downgrade``), rows kept."""
    with _schema_change(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


@contextmanager
def _schema_change(engine: Engine) -> Iterator[sa.Connection]:
    """One transaction for a schema change. SQLite rebuilds a table to alter it (batch
    mode), and dropping the old copy of a table other rows refer to fails while foreign
    keys are on; they can only be turned off outside a transaction, so they are, and
    every reference is checked before the change commits."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                yield connection
                _check_references(connection)
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _check_references(connection: sa.Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise StoreError(
            f"the schema change would leave rows referring to missing rows: {broken[:5]}",
            f"การเปลี่ยนโครงสร้างฐานข้อมูลจะทำให้มีแถวที่อ้างถึงแถวที่ไม่มีอยู่: {broken[:5]}",
        )


def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_migrated(engine: Engine) -> bool:
    """Whether the database is at the newest revision."""
    return current_revision(engine) == head_revision()
