"""A busy or lost store is "busy" or "unavailable", never a conflict (issue #11, item 4).

Real contention: a second ``sqlite3`` connection holds the write lock (``BEGIN
IMMEDIATE``) while the engine, the API and the CLI try to advance. PostgreSQL lost in
the middle of an advance: the advance's own backend is terminated from another
connection. Bounds on time are generous (the point is seconds, not the 35 s seen).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from plancycle.store.db import make_engine, migrate
from plancycle.store.errors import StoreBusy
from plancycle.store.models import RefusedAttempt, TransitionRecord
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import Conflict
from tests.conftest import pg_url
from tests.webapp import DISTRICT, make_web
from tests.world import World, populate

KEY = "2568/activity2/240101"
A2 = "/api/v1/instances/2568/activity2/240101"
BUSY_S = 0.5


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another process's writer: SQLite's write lock held until the block ends."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _refusals(db: sa.Engine, error: str) -> int:
    with Session(db) as session:
        query = select(func.coalesce(func.sum(RefusedAttempt.count), 0)).where(
            RefusedAttempt.error == error
        )  # repeats of one refusal fold into one counted row (plancycle.store.refusals)
        return int(session.exec(query).one())


@pytest.fixture
def busy_world(tmp_path: Path) -> tuple[World, Path]:
    path = tmp_path / "busy.db"
    db = make_engine(f"sqlite:///{path}", busy_timeout_s=BUSY_S)
    migrate(db)
    world = populate(db, tmp_path)
    world.engine = Engine(
        world.catalog, db, world.clock, tmp_path / "evidence", busy_timeout_s=BUSY_S
    )
    return world, path


def test_a_held_write_lock_is_busy_within_the_bound_not_a_conflict(busy_world) -> None:
    world, path = busy_world
    with write_lock_held(path):
        started = time.monotonic()
        with pytest.raises(StoreBusy) as caught:
            world.engine.advance(KEY, "meeting_set", DISTRICT)
        took = time.monotonic() - started
    assert not isinstance(caught.value, Conflict)
    assert caught.value.exit_code == 6 and caught.value.retry_after >= 1
    assert took < 3.0, took  # the busy timeout (0.5 s), not six retries of 5 s
    assert "busy" in caught.value.en and "ฐานข้อมูล" in caught.value.th
    assert world.engine.refusals.flush(10)
    assert _refusals(world.db, "StoreBusy") == 1
    # the lock gone, the very same advance goes through
    assert world.engine.advance(KEY, "meeting_set", DISTRICT).to_state == "workshop"


def test_many_writers_waiting_lose_no_refusal_row(busy_world) -> None:
    world, path = busy_world
    with write_lock_held(path), ThreadPoolExecutor(16) as pool:
        outcomes = list(
            pool.map(lambda _: _outcome(world.engine, KEY, "meeting_set", DISTRICT), range(50))
        )
    assert outcomes == ["StoreBusy"] * 50
    assert world.engine.refusals.flush(20)
    assert _refusals(world.db, "StoreBusy") == 50


def _outcome(engine: Engine, key: str, trigger: str, actor: str) -> str:
    try:
        engine.advance(key, trigger, actor)
    except Exception as exc:  # noqa: BLE001 - the class name is the outcome
        return type(exc).__name__
    return "done"


def test_the_api_answers_503_with_retry_after_and_reads_do_not_wait(
    tmp_path: Path, monkeypatch
) -> None:
    """60 advances wait behind a lock held for longer than the server's 40 threads could
    wait it out (3 s each): a read sent while they wait still answers in under 2 s."""
    busy_s = 3.0
    path = tmp_path / "web.db"
    db = make_engine(f"sqlite:///{path}", busy_timeout_s=busy_s)
    migrate(db)
    web = make_web(db, tmp_path, busy_timeout_s=busy_s)
    engine = web.client.app.state.web.engine
    waiting = threading.Semaphore(0)
    advance = engine.advance

    def counted(*args, **kwargs):
        waiting.release()  # this advance is now waiting on the store
        return advance(*args, **kwargs)

    monkeypatch.setattr(engine, "advance", counted)
    with TestClient(web.client.app) as client, write_lock_held(path):

        def post(_: int) -> int:
            return client.post(
                f"{A2}/advance", headers=web.auth(DISTRICT), data={"trigger": "meeting_set"}
            ).status_code

        with ThreadPoolExecutor(60) as pool:
            posts = [pool.submit(post, i) for i in range(60)]
            for _ in range(8):  # the writers' threads are all taken
                assert waiting.acquire(timeout=30)
            started = time.monotonic()
            read = client.get(A2, headers=web.auth(DISTRICT))
            read_took = time.monotonic() - started
            statuses = [p.result() for p in posts]
        one = client.post(
            f"{A2}/advance", headers=web.auth(DISTRICT), data={"trigger": "meeting_set"}
        )
    assert read.status_code == 200 and read_took < 2.0, read_took
    assert statuses == [503] * 60
    assert one.status_code == 503 and int(one.headers["Retry-After"]) >= 1
    body = one.json()
    assert body["type"] == "urn:plancycle:problem:store-busy" and body["detail_th"]
    assert engine.refusals.flush(30)
    assert _refusals(db, "StoreBusy") == 61


@pytest.mark.timed  # a wall-clock bound: make test runs it alone
def test_the_cli_exits_6_when_the_store_is_busy(
    chachoengsao_db: Path, tmp_path: Path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from plancycle.cli.app import app

    path = tmp_path / "cli.db"
    path.write_bytes(chachoengsao_db.read_bytes())
    monkeypatch.setenv("PLANCYCLE_DB", f"sqlite:///{path}")
    monkeypatch.setenv("PLANCYCLE_BUSY_TIMEOUT_S", str(BUSY_S))
    runner = CliRunner()
    for args in (
        ["actors", "add", "cd-2401", "--role", "district_cd_office", "--area", "2401"],
        ["cycle", "start", "2568", "--province", "24", "--quiet"],
    ):
        assert runner.invoke(app, args).exit_code == 0
    with write_lock_held(path):
        started = time.monotonic()
        result = runner.invoke(
            app, ["--lang", "en", "advance", KEY, "meeting_set", "--actor", "cd-2401"]
        )
        took = time.monotonic() - started
    assert result.exit_code == 6, result.stderr
    assert "busy" in result.stderr and "Traceback" not in result.stderr
    assert took < 5.0, took


@pytest.mark.postgres
def test_postgres_lost_mid_advance_is_503_and_writes_nothing(
    pg_engine: sa.Engine, tmp_path: Path, monkeypatch
) -> None:
    web = make_web(pg_engine, tmp_path)
    engine = web.client.app.state.web.engine
    original = engine.check_guards
    killer = make_engine(pg_url())

    def lose_the_server(cursor, *args, **kwargs):
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
        with killer.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return original(cursor, *args, **kwargs)

    monkeypatch.setattr(engine, "check_guards", lose_the_server)
    answer = web.client.post(
        f"{A2}/advance", headers=web.auth(DISTRICT), data={"trigger": "meeting_set"}
    )
    killer.dispose()
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["Retry-After"]
    assert answer.json()["type"] == "urn:plancycle:problem:store-unavailable"
    with Session(pg_engine) as session:
        assert session.exec(select(func.count()).select_from(TransitionRecord)).one() == 0
    monkeypatch.undo()
    again = web.client.post(
        f"{A2}/advance", headers=web.auth(DISTRICT), data={"trigger": "meeting_set"}
    )
    assert again.status_code == 200, again.text
