"""Store fixtures shared by every test.

``engine`` runs a test twice: on a fresh, migrated SQLite file and on PostgreSQL
(``PLANCYCLE_TEST_PG``; the ``public`` schema is dropped and migrated again before each
test). When PostgreSQL cannot be reached the postgres half is skipped with the reason,
except under ``CI``, where it fails: CI must run it.

``chachoengsao_db`` is a path to a private copy of a SQLite store holding province 24
from geothai and its sample villages, built once per session.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plancycle.store.db import make_engine, migrate
from plancycle.store.geothai_import import import_geothai
from plancycle.store.villages import generate_sample_villages

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
PG_LOCK_KEY = 2568_0001  # one test run at a time on the PostgreSQL test database


def pg_url() -> str:
    return os.environ.get("PLANCYCLE_TEST_PG") or PG_DEFAULT


@pytest.fixture(scope="session")
def _pg_available() -> Iterator[str | None]:
    """None when PostgreSQL answers, else why not (checked once per session).

    Every test run drops the ``public`` schema, so two runs at once (two people, or
    CI and a person) would break each other: a run holds an advisory lock for as long
    as it uses PostgreSQL, and another run waits for it (``PLANCYCLE_TEST_PG_WAIT``).
    """
    probe = sa.engine.make_url(pg_url()).update_query_dict({"connect_timeout": "5"})
    engine = make_engine(probe.render_as_string(hide_password=False))
    try:
        try:
            connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except sa.exc.OperationalError as exc:
            yield str(exc.orig or exc).strip().splitlines()[0]
            return
        with connection:
            _wait_for_lock(connection)
            yield None
    finally:
        engine.dispose()


def _wait_for_lock(connection: sa.Connection) -> None:
    wait = float(os.environ.get("PLANCYCLE_TEST_PG_WAIT", "600"))
    deadline = time.monotonic() + wait
    take = f"SELECT pg_try_advisory_lock({PG_LOCK_KEY})"
    while not connection.exec_driver_sql(take).scalar():
        if time.monotonic() > deadline:
            pytest.fail(
                f"another test run has held the PostgreSQL test database for "
                f"{wait:.0f} s (advisory lock {PG_LOCK_KEY})"
            )
        time.sleep(0.2)


def _require_pg(reason: str | None) -> None:
    if reason is None:
        return
    shown = sa.engine.make_url(pg_url()).render_as_string(hide_password=True)
    message = f"PostgreSQL at {shown} is unreachable ({reason}); set PLANCYCLE_TEST_PG"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests: {message}")
    pytest.skip(message)


def _fresh_pg() -> sa.Engine:
    engine = make_engine(pg_url())
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    return engine


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A fresh database with no tables at all (SQLite file or a reset PostgreSQL schema)."""
    if request.param == "postgres":
        _require_pg(request.getfixturevalue("_pg_available"))
        engine = _fresh_pg()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head, copied for every test that wants a fresh store
    (running every migration again for each test cost most of the suite's time)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as connection:  # fold the log in: the copy is the whole store
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _fresh_sqlite(template: Path, path: Path) -> sa.Engine:
    shutil.copyfile(template, path)
    return make_engine(f"sqlite:///{path}")


@pytest.fixture
def engine(empty_engine: sa.Engine, request: pytest.FixtureRequest) -> sa.Engine:
    """A fresh, migrated store, once on SQLite and once on PostgreSQL."""
    if empty_engine.dialect.name == "sqlite":
        empty_engine.dispose()  # nothing was opened: take the migrated copy's place
        database = empty_engine.url.database
        assert database is not None
        fresh = _fresh_sqlite(request.getfixturevalue("_migrated_sqlite"), Path(database))
        request.addfinalizer(fresh.dispose)
        return fresh
    migrate(empty_engine)
    return empty_engine


@pytest.fixture
def pg_engine(_pg_available: str | None) -> Iterator[sa.Engine]:
    """A fresh, migrated PostgreSQL store (for tests about several processes sharing it)."""
    _require_pg(_pg_available)
    engine = _fresh_pg()
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path, _migrated_sqlite: Path) -> Iterator[sa.Engine]:
    """A fresh, migrated SQLite store (for tests that need no PostgreSQL run)."""
    engine = _fresh_sqlite(_migrated_sqlite, tmp_path / "sqlite-store.db")
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    """A session on ``engine``; tests commit when they mean to."""
    with Session(engine) as s:
        yield s


@pytest.fixture(scope="session")
def _chachoengsao_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "chachoengsao.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
        with Session(engine) as s, s.begin():
            import_geothai(s, ["24"])
            generate_sample_villages(s, "24")
    finally:
        engine.dispose()  # the last connection closing folds the WAL into the file
    return path


@pytest.fixture
def chachoengsao_db(_chachoengsao_template: Path, tmp_path: Path) -> Path:
    """A private copy of a migrated SQLite store with province 24 and sample villages."""
    target = tmp_path / "chachoengsao.db"
    shutil.copy(_chachoengsao_template, target)
    return target
