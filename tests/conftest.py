"""Store fixtures shared by every test.

``engine`` runs a test twice: on a fresh, migrated SQLite file and on PostgreSQL. Each test
process (one per pytest-xdist worker) has its own PostgreSQL database named after the one
in ``PLANCYCLE_TEST_PG`` (``test`` -> ``test_gw0``, ``test_gw1``; ``test_main`` without
workers), made anew for each test as a copy of a template migrated once per process. The
configured database itself only holds the lock and issues ``CREATE DATABASE`` (the role
needs CREATEDB). When PostgreSQL cannot be reached the postgres half is skipped with the
reason, except under ``CI``, where it fails: CI must run it.

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

from plancycle.cli.sample import SampleStore, fresh_sample_store
from plancycle.definitions.loader import load_catalog
from plancycle.store.db import make_engine, migrate
from plancycle.store.geothai_import import import_geothai
from plancycle.store.villages import generate_sample_villages
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.engine import Engine
from tests.world import bkk

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
PG_LOCK_KEY = 2568_0001  # one test process at a time on each derived database


def configured_pg_url() -> str:
    """The server and base database name the tests were given (``PLANCYCLE_TEST_PG``)."""
    return os.environ.get("PLANCYCLE_TEST_PG") or PG_DEFAULT


def worker_id() -> str:
    """``gw0``, ``gw1``, ... under pytest-xdist; ``main`` in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER") or "main"


def _derived(suffix: str) -> str:
    base = sa.engine.make_url(configured_pg_url()).database or "test"
    return f"{base}_{worker_id()}{suffix}"


def pg_url() -> str:
    """This test process's own database (``<configured name>_<worker>``): recreated for
    every test from a template migrated once, so parallel workers never share one."""
    url = sa.engine.make_url(configured_pg_url()).set(database=_derived(""))
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[sa.Connection | str]:
    """An autocommit connection to the configured database, or why there is none.

    It creates and drops this process's databases (``_derived``). Two runs given the same
    ``PLANCYCLE_TEST_PG`` (two people, or CI and a person) would drop each other's: each
    process holds an advisory lock keyed by its database's name for as long as it uses
    PostgreSQL, and another run's process of the same name waits (``PLANCYCLE_TEST_PG_WAIT``).
    """
    probe = sa.engine.make_url(configured_pg_url()).update_query_dict({"connect_timeout": "5"})
    engine = make_engine(probe.render_as_string(hide_password=False))
    try:
        try:
            connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except sa.exc.OperationalError as exc:
            yield str(exc.orig or exc).strip().splitlines()[0]
            return
        with connection:
            _wait_for_lock(connection)
            try:
                yield connection
            finally:
                _drop(connection, _derived(""))
                _drop(connection, _derived("_tmpl"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _pg_available(_pg_admin: sa.Connection | str) -> str | None:
    """None when PostgreSQL answers, else why not (checked once per session)."""
    return _pg_admin if isinstance(_pg_admin, str) else None


def _wait_for_lock(connection: sa.Connection) -> None:
    wait = float(os.environ.get("PLANCYCLE_TEST_PG_WAIT", "600"))
    deadline = time.monotonic() + wait
    take = sa.text("SELECT pg_try_advisory_lock(:key, hashtext(:name))")
    name = {"key": PG_LOCK_KEY, "name": _derived("")}
    while not connection.execute(take, name).scalar():
        if time.monotonic() > deadline:
            pytest.fail(
                f"another test run has held the PostgreSQL test database {name['name']} "
                f"for {wait:.0f} s (advisory lock {PG_LOCK_KEY})"
            )
        time.sleep(0.2)


def _require_pg(reason: str | None) -> None:
    if reason is None:
        return
    shown = sa.engine.make_url(configured_pg_url()).render_as_string(hide_password=True)
    message = f"PostgreSQL at {shown} is unreachable ({reason}); set PLANCYCLE_TEST_PG"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests: {message}")
    pytest.skip(message)


def _admin(request: pytest.FixtureRequest) -> sa.Connection:
    admin = request.getfixturevalue("_pg_admin")
    _require_pg(admin if isinstance(admin, str) else None)
    assert isinstance(admin, sa.Connection)
    return admin


def _drop(admin: sa.Connection, name: str) -> None:
    admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_template(_pg_admin: sa.Connection | str) -> str:
    """A database migrated to head once per test process; each test gets a copy.

    Copying it (``CREATE DATABASE ... TEMPLATE``, ~0.05 s) replaced dropping the schema
    and running every migration for each test (~1.2 s)."""
    assert isinstance(_pg_admin, sa.Connection)
    name = _derived("_tmpl")
    _drop(_pg_admin, name)
    _pg_admin.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(configured_pg_url()).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        migrate(engine)
    finally:
        engine.dispose()  # a template takes no connections while it is copied
    return name


def _fresh_pg(admin: sa.Connection, template: str | None) -> sa.Engine:
    """This process's database made anew: a copy of ``template``, or empty."""
    name = _derived("")
    _drop(admin, name)  # FORCE: a connection a test left open does not block the reset
    copy = f' TEMPLATE "{template}" STRATEGY WAL_LOG' if template else ""
    admin.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
    return make_engine(pg_url())


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A fresh database with no tables at all (SQLite file or a new PostgreSQL database)."""
    if request.param == "postgres":
        # ``engine`` (below) wants it migrated: copy the template rather than empty + migrate
        wanted = "engine" in request.fixturenames
        template = request.getfixturevalue("_pg_template") if wanted else None
        engine = _fresh_pg(_admin(request), template)
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
    return empty_engine  # already a copy of the migrated template


@pytest.fixture
def pg_engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """A fresh, migrated PostgreSQL store (for tests about several processes sharing it)."""
    engine = _fresh_pg(_admin(request), request.getfixturevalue("_pg_template"))
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


@pytest.fixture(scope="session")
def _sample_province(tmp_path_factory: pytest.TempPathFactory) -> SampleStore:
    """Province 24 started for FY2568 on 3 February 2568 09:00 (``fresh_sample_store``),
    built once per session; ``copy_sample_store`` gives each test its own copy."""
    path = tmp_path_factory.mktemp("sample") / "site.db"
    store = fresh_sample_store(path, load_catalog(), "24", 2568, bkk(2025, 2, 3, 9))
    store.engine.db.dispose()  # the last connection closing folds the WAL into the file
    return store


def copy_sample_store(template: SampleStore, path: Path) -> SampleStore:
    """A private copy of ``template`` at ``path``: the file, its evidence folder, an engine
    on it and a manual clock at the template's time."""
    source = template.engine.db.url.database
    assert source is not None
    shutil.copyfile(source, path)
    folder = path.with_name(path.stem + "-evidence")
    shutil.copytree(template.pdf.parent, folder)
    clock = ManualClock(template.clock.now())
    db = make_engine(f"sqlite:///{path}")
    engine = Engine(template.engine.catalog, db, clock, evidence_folder=folder)
    return SampleStore(engine, clock, template.actors, template.started, folder / template.pdf.name)
