"""PostgreSQL's pool tries a connection before handing it out only when it has rested
longer than ``IDLE_PING_SECONDS`` (a busy page takes a dozen in turn; trying each cost a
round trip): a rested one the server closed is replaced without an error, a recently used
one is handed out as it is and, should the server have closed it meanwhile, the one
statement on it fails and the pool connects afresh for the next."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from plancycle.store import db as store_db
from plancycle.store.db import IDLE_PING_SECONDS, make_engine
from tests.conftest import pg_url

PID = sa.text("SELECT pg_backend_pid()")


def _close_on_the_server(pid: int) -> None:
    killer = make_engine(pg_url())
    try:
        with killer.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        killer.dispose()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(store_db, "_monotonic", lambda: now[0])
    return now


@pytest.fixture
def dead_connection(pg_engine: sa.Engine, clock: list[float]) -> Iterator[tuple[sa.Engine, int]]:
    """An engine of its own (on the database pg_engine made) whose one pooled connection
    the server has closed, returned to the pool at ``clock``'s time, and that connection's
    backend pid."""
    engine = make_engine(pg_url())
    try:
        with engine.connect() as connection:
            pid = connection.execute(PID).scalar_one()
        _close_on_the_server(pid)
        yield engine, pid
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_rested_connection_the_server_closed_is_replaced_before_use(
    dead_connection: tuple[sa.Engine, int], clock: list[float]
) -> None:
    engine, first = dead_connection
    clock[0] += IDLE_PING_SECONDS + 1
    with engine.connect() as connection:
        again = connection.execute(PID).scalar_one()  # no error: tried, then replaced
    assert again != first


@pytest.mark.postgres
def test_a_recently_used_connection_is_handed_out_untried(
    dead_connection: tuple[sa.Engine, int], clock: list[float]
) -> None:
    engine, first = dead_connection
    clock[0] += IDLE_PING_SECONDS - 1
    with pytest.raises(sa.exc.OperationalError), engine.connect() as connection:
        connection.execute(PID)
    with engine.connect() as connection:  # the pool has let the dead one go
        assert connection.execute(PID).scalar_one() != first
