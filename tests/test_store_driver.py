"""The hand-written advance SQL stays honest: built from the tables, lock errors told
by their codes, and the rows it writes the same as the ORM's."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plancycle.store.audit_hash import genesis_hash, record_hash
from plancycle.store.chain import RECORD_COLUMNS, Move, append_move
from plancycle.store.driver import (
    Driver,
    SchemaDrift,
    insert_sql,
    is_lock_error,
    update_sql,
)
from plancycle.store.models import (
    Actor,
    Area,
    Cycle,
    Instance,
    TransitionRecord,
)

T0 = datetime(2025, 1, 6, 3, 4, 5, 123456, tzinfo=UTC)

# -- statements built from the tables -------------------------------------------------


def _record_table_with(extra: str) -> sa.Table:
    table = TransitionRecord.__table__.to_metadata(sa.MetaData())  # type: ignore[attr-defined]
    table.append_column(sa.Column(extra, sa.String))
    return table


def test_insert_refuses_a_table_with_a_column_it_does_not_write() -> None:
    with pytest.raises(SchemaDrift, match="signed_by"):
        insert_sql(_record_table_with("signed_by"), RECORD_COLUMNS)


def test_insert_refuses_a_column_the_table_does_not_have() -> None:
    table = TransitionRecord.__table__  # type: ignore[attr-defined]
    with pytest.raises(SchemaDrift):
        insert_sql(table, (*RECORD_COLUMNS, "signed_by"))


def test_update_refuses_a_column_neither_set_nor_kept() -> None:
    table = Instance.__table__.to_metadata(sa.MetaData())  # type: ignore[attr-defined]
    sets = [c.name for c in table.columns if c.name != "id"]
    assert update_sql(table, sets, ["id"], ["id"]).startswith("UPDATE instance SET")
    table.append_column(sa.Column("archived_at", sa.String))
    with pytest.raises(SchemaDrift, match="archived_at"):
        update_sql(table, sets, ["id"], ["id"])


# -- lock errors by code ----------------------------------------------------------------


def _sqlite_error(path: Path, sql: str) -> sa.exc.DBAPIError:
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with pytest.raises(sa.exc.DBAPIError) as caught, engine.begin() as c:
            c.exec_driver_sql(sql)
        return caught.value
    finally:
        engine.dispose()


def test_sqlite_busy_is_a_lock_error(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        exc = _sqlite_error(path, "INSERT INTO t VALUES (1)")
    finally:
        holder.rollback()
        holder.close()
    assert exc.orig.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # type: ignore[union-attr]
    assert is_lock_error(exc)


def test_sqlite_locked_is_a_lock_error(tmp_path: Path) -> None:
    """SQLITE_LOCKED: a table dropped while the same connection still reads it."""
    con = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    con.execute("CREATE TABLE t (x INTEGER)")
    con.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
    reading = con.execute("SELECT x FROM t")
    reading.fetchone()
    with pytest.raises(sqlite3.OperationalError) as caught:
        con.execute("DROP TABLE t")
    con.close()
    assert caught.value.sqlite_errorcode & 0xFF == sqlite3.SQLITE_LOCKED
    assert is_lock_error(sa.exc.OperationalError(None, None, caught.value))


def test_sqlite_message_naming_a_lock_is_not_a_lock_error(tmp_path: Path) -> None:
    """Classified by code: a missing table called ``busy_locked`` is no lost race."""
    exc = _sqlite_error(tmp_path / "none.db", "SELECT * FROM busy_locked")
    assert "locked" in str(exc.orig)
    assert not is_lock_error(exc)


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.SerializationFailure,
        psycopg.errors.DeadlockDetected,
        psycopg.errors.LockNotAvailable,
        psycopg.errors.QueryCanceled,
    ],
)
def test_postgres_lock_sqlstates_are_lock_errors(error: type[psycopg.Error]) -> None:
    assert is_lock_error(sa.exc.OperationalError(None, None, error("lost")))


def test_postgres_other_sqlstates_are_not_lock_errors() -> None:
    unique = psycopg.errors.UniqueViolation("database is locked; could not serialize")
    assert not is_lock_error(sa.exc.IntegrityError(None, None, unique))


def test_postgres_real_lock_errors_by_sqlstate(pg_engine: sa.Engine) -> None:
    with pg_engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE t (x integer)")
        c.exec_driver_sql("INSERT INTO t VALUES (1)")
    with pg_engine.connect() as holder, pg_engine.connect() as other:
        holder.exec_driver_sql("SELECT x FROM t FOR UPDATE")
        with pytest.raises(sa.exc.OperationalError) as nowait:
            other.exec_driver_sql("SELECT x FROM t FOR UPDATE NOWAIT")
        other.rollback()
        assert nowait.value.orig.sqlstate == "55P03"  # type: ignore[union-attr]
        assert is_lock_error(nowait.value)
        # a statement given up by statement_timeout while it waits for the lock
        other.exec_driver_sql("SET LOCAL statement_timeout = '20ms'")
        with pytest.raises(sa.exc.OperationalError) as timed_out:
            other.exec_driver_sql("SELECT x FROM t FOR UPDATE")
        other.rollback()
        assert timed_out.value.orig.sqlstate == "57014"  # type: ignore[union-attr]
        assert is_lock_error(timed_out.value)
        holder.rollback()
        # a repeatable-read writer whose row changed since its snapshot
        other.execution_options(isolation_level="REPEATABLE READ")
        other.exec_driver_sql("SELECT x FROM t")
        holder.exec_driver_sql("UPDATE t SET x = 2")
        holder.commit()
        with pytest.raises(sa.exc.OperationalError) as stale:
            other.exec_driver_sql("UPDATE t SET x = 3")
        assert stale.value.orig.sqlstate == "40001"  # type: ignore[union-attr]
        assert is_lock_error(stale.value)
        other.rollback()
        with pytest.raises(sa.exc.DBAPIError) as raised:
            holder.exec_driver_sql(
                "DO $$ BEGIN RAISE EXCEPTION 'could not serialize: database is locked'; END $$"
            )
        assert not is_lock_error(raised.value)  # the words, not the SQLSTATE (P0001)


# -- driver and ORM write the same rows ---------------------------------------------------


def _instance(key: str, cycle_id: int) -> Instance:
    return Instance(
        key=key,
        cycle_id=cycle_id,
        fiscal_year=2568,
        definition_id="activity2",
        definition_version=1,
        area_code="240101",
        province_code="24",
        district_code="2401",
        state="planned",
        state_entered_at=T0,
        created_at=T0,
        updated_at=T0,
    )


def _seed(engine: sa.Engine) -> tuple[int, int]:
    with Session(engine) as s, s.begin():
        s.add(
            Area(code="24", level="province", name_th="ฉะเชิงเทรา", province_code="24", source="t")
        )
        s.add(Area(code="2401", level="district", name_th="เมือง", province_code="24", source="t"))
        s.add(
            Area(code="240101", level="tambon", name_th="หน้าเมือง", province_code="24", source="t")
        )
        s.add(Actor(id="cd-2401", name="CD", role="district_cd_office", created_at=T0))
        cycle = Cycle(fiscal_year=2568, started_at=T0, definitions={"activity2": 1})
        s.add(cycle)
        s.flush()
        a, b = _instance("2568/activity2/a", cycle.id), _instance("2568/activity2/b", cycle.id)  # type: ignore[arg-type]
        s.add_all([a, b])
        s.flush()
        return a.id, b.id  # type: ignore[return-value]


MOVE = Move(
    trigger="hold_workshop",
    to_state="workshop_held",
    actor_id="cd-2401",
    role="district_cd_office",
    at=T0 + timedelta(days=3),
    due_at=T0 + timedelta(days=10),
    final=True,
    data={"participants": 25, "ชื่อ": "ตำบลหน้าเมือง", "spent": 3900.5, "ok": True, "n": None},
    note="ตามแผน",
    evidence=["ab" * 32],
)


def _by_orm(engine: sa.Engine, instance_id: int) -> None:
    with Session(engine) as s, s.begin():
        inst = s.get(Instance, instance_id)
        assert inst is not None
        prev = genesis_hash(inst.key)
        fields = dict(
            seq=1,
            at=MOVE.at,
            actor_id=MOVE.actor_id,
            role=MOVE.role,
            trigger=MOVE.trigger,
            from_state=inst.state,
            to_state=MOVE.to_state,
            data=dict(MOVE.data),
            note=MOVE.note,
            evidence=list(MOVE.evidence),
            automatic=MOVE.automatic,
            prev_hash=prev,
        )
        digest = record_hash(key=inst.key, **fields)  # type: ignore[arg-type]
        s.add(TransitionRecord(instance_id=instance_id, hash=digest, **fields))  # type: ignore[arg-type]
        inst.state, inst.version, inst.due_at = MOVE.to_state, 2, MOVE.due_at
        inst.state_entered_at = inst.updated_at = inst.completed_at = MOVE.at
        inst.head_hash = digest


def _rows(engine: sa.Engine, table: sa.Table, where: Any, raw: bool) -> list[dict[str, Any]]:
    with engine.connect() as c:
        if raw:  # as the database keeps it, no SQLAlchemy type in between
            text = f"SELECT * FROM {table.name} WHERE {where.left.name} = {where.right.value}"
            return [dict(r._mapping) for r in c.exec_driver_sql(text)]
        return [dict(r._mapping) for r in c.execute(sa.select(table).where(where))]


_PER_INSTANCE = {"id", "key", "instance_id", "prev_hash", "hash", "head_hash"}


def _same(driver_row: dict[str, Any], orm_row: dict[str, Any]) -> None:
    assert driver_row.keys() == orm_row.keys()
    for name in driver_row.keys() - _PER_INSTANCE:
        a, b = driver_row[name], orm_row[name]
        assert (name, type(a), a) == (name, type(b), b)
        if isinstance(a, datetime):
            assert (name, a.tzinfo) == (name, b.tzinfo)
    for name in driver_row.keys() & _PER_INSTANCE:
        assert type(driver_row[name]) is type(orm_row[name]), name


@pytest.mark.parametrize("raw", [False, True], ids=["sqlalchemy", "raw"])
def test_driver_and_orm_write_the_same_rows(engine: sa.Engine, raw: bool) -> None:
    by_driver, by_orm = _seed(engine)
    driver = Driver.of(engine)
    with Session(engine) as s:
        head = s.get(Instance, by_driver)
    with driver.transaction() as cursor:
        written = append_move(cursor, driver, head, MOVE)  # type: ignore[arg-type]
    _by_orm(engine, by_orm)

    instances = Instance.__table__  # type: ignore[attr-defined]
    records = TransitionRecord.__table__  # type: ignore[attr-defined]
    (inst_d,) = _rows(engine, instances, instances.c.id == by_driver, raw)
    (inst_o,) = _rows(engine, instances, instances.c.id == by_orm, raw)
    (rec_d,) = _rows(engine, records, records.c.instance_id == by_driver, raw)
    (rec_o,) = _rows(engine, records, records.c.instance_id == by_orm, raw)
    _same(inst_d, inst_o)
    _same(rec_d, rec_o)
    assert inst_d["head_hash"] == rec_d["hash"] == written.hash
    if not raw:
        assert rec_d["data"] == dict(MOVE.data) and rec_d["evidence"] == list(MOVE.evidence)
        assert rec_d["at"] == MOVE.at and rec_d["at"].tzinfo is UTC
        assert inst_d["completed_at"] == MOVE.at and inst_d["version"] == 2
