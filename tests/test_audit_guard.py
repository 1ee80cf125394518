"""The trail cannot be emptied quietly: TRUNCATE refused, an instance deleted with its
records found by `audit verify` without an anchor, and an application role on
PostgreSQL that can advance steps but cannot TRUNCATE, ALTER, DROP or CREATE."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.store.db import downgrade, make_engine, migrate
from plancycle.store.models import Cycle, EvidenceUse, Instance, TransitionRecord
from plancycle.store.roles import AppRoleError, app_role_sql, create_app_role
from plancycle.workflow.audit import verify
from plancycle.workflow.cycle import instance_key, start_cycle
from plancycle.workflow.engine import Engine
from plancycle.workflow.reports import get_instance, history
from plancycle.workflow.sweep_apply import run_sweep
from plancycle.workflow.walk import walk
from tests.test_audit import allow_tampering
from tests.world import CATALOG, World, bkk, populate

A2 = instance_key(2568, "activity2", "240101")
A2_COUNT = 93  # tambons of province 24


@pytest.fixture
def world(engine, tmp_path) -> World:
    w = populate(engine, tmp_path)
    w.clock.set(bkk(2025, 2, 10, 9))
    walk(w.engine, A2, w.actors, w.pdf)  # 5 records
    return w


def _refused(db: sa.Engine, sql: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match), db.begin() as c:
        c.exec_driver_sql(sql)


def _records(db: sa.Engine) -> int:
    with Session(db) as s:
        return s.exec(select(func.count()).select_from(TransitionRecord)).one()


def test_truncate_is_refused(world: World) -> None:
    if world.db.dialect.name == "postgresql":
        refused = ("TRUNCATE transition_record", "TRUNCATE instance CASCADE")
        for sql in refused:
            _refused(world.db, sql, sa.exc.DatabaseError, "append-only: TRUNCATE")
    else:  # SQLite has no TRUNCATE; its stand-in, a DELETE without WHERE, is refused
        _refused(world.db, "TRUNCATE transition_record", sa.exc.OperationalError, "syntax error")
        _refused(world.db, "DELETE FROM transition_record", sa.exc.DatabaseError, "append-only")
    assert _records(world.db) == 5
    assert verify(world.db)[1] == []


def _delete_instance_and_records(world: World, key: str) -> None:
    inst = get_instance(world.db, key)
    allow_tampering(world.db)  # what someone with DDL rights would do first
    with world.db.begin() as c:
        c.execute(sa.delete(EvidenceUse).where(col(EvidenceUse.instance_id) == inst.id))
        c.execute(sa.delete(TransitionRecord).where(TransitionRecord.instance_id == inst.id))
        c.execute(sa.delete(Instance).where(Instance.id == inst.id))


def test_an_instance_deleted_with_its_records_is_found_without_an_anchor(world: World) -> None:
    _delete_instance_and_records(world, A2)
    checked, findings = verify(world.db)
    assert checked == 0
    assert [(f.key, f.problem) for f in findings] == [
        (
            "2568/activity2",
            f"cycle start created {A2_COUNT} instance(s), the store holds {A2_COUNT - 1}: "
            f"1 deleted (an anchor names which)",
        )
    ]


def test_cycle_counts_only_grow_so_a_recreated_instance_still_shows(world: World) -> None:
    start_cycle(world.db, CATALOG, 2568, "24", world.clock)  # again: adds nothing
    assert verify(world.db)[1] == []
    with Session(world.db) as s:
        counts = s.exec(select(Cycle)).one().instance_counts
    assert counts["activity2"] == A2_COUNT and counts["tambon_plan"] == A2_COUNT
    _delete_instance_and_records(world, A2)
    result = start_cycle(world.db, CATALOG, 2568, "24", world.clock)
    assert result.created["activity2"] == 1  # a fresh, empty history in its place
    findings = verify(world.db)[1]
    assert [f.key for f in findings] == ["2568/activity2"]
    assert f"created {A2_COUNT + 1} instance(s), the store holds {A2_COUNT}" in (
        findings[0].problem
    )


def test_an_instance_added_outside_cycle_start_is_named(world: World) -> None:
    with Session(world.db) as s, s.begin():
        cycle = s.exec(select(Cycle)).one()
        cycle.instance_counts = {**cycle.instance_counts, "activity2": A2_COUNT - 2}
    findings = verify(world.db)[1]
    assert [(f.key, f.problem) for f in findings] == [
        (
            "2568/activity2",
            f"cycle start created {A2_COUNT - 2} instance(s), the store holds {A2_COUNT}: "
            f"2 added outside cycle start",
        )
    ]


def test_the_migration_counts_the_instances_of_cycles_started_before_it(world: World) -> None:
    with Session(world.db) as s:
        expected = s.exec(select(Cycle)).one().instance_counts
    downgrade(world.db, "0005")
    migrate(world.db)
    with Session(world.db) as s:
        assert s.exec(select(Cycle)).one().instance_counts == expected
    assert sum(expected.values()) > A2_COUNT and verify(world.db)[1] == []


def test_app_role_sql_grants_rows_only() -> None:
    sql = app_role_sql("plancycle_app", "plancycle")
    assert sql[0].startswith('CREATE ROLE "plancycle_app" LOGIN NOSUPERUSER')
    assert 'GRANT SELECT, INSERT ON TABLE "public".transition_record TO "plancycle_app"' in sql
    assert 'GRANT SELECT ON TABLE "public".alembic_version TO "plancycle_app"' in sql
    assert not any("TRUNCATE" in s or "ALL PRIVILEGES" in s for s in sql)
    for bad in ("Robert'); DROP TABLE area;--", "1app", "", "x" * 64):
        with pytest.raises(AppRoleError, match="cannot name a role"):
            app_role_sql(bad, "plancycle")


def test_app_role_is_for_postgresql_only(sqlite_engine: sa.Engine) -> None:
    with pytest.raises(AppRoleError, match="SQLite has no roles"):
        create_app_role(sqlite_engine, "plancycle_app", execute=False)


def _drop_role(admin: sa.Engine, name: str) -> None:
    with admin.begin() as c:
        if c.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first():
            c.exec_driver_sql(f'DROP OWNED BY "{name}"')
            c.exec_driver_sql(f'DROP ROLE "{name}"')


@pytest.mark.postgres
def test_the_app_role_advances_but_cannot_empty_or_alter_the_trail(pg_engine, tmp_path) -> None:
    w = populate(pg_engine, tmp_path)
    w.clock.set(bkk(2025, 2, 10, 9))
    name = f"plancycle_app_{pg_engine.url.database}"  # roles are shared by the whole server
    _drop_role(pg_engine, name)
    create_app_role(pg_engine, name, execute=True)
    url = pg_engine.url.set(username=name, password=None)
    app_db = make_engine(url.render_as_string(hide_password=False))
    try:
        with pytest.raises(AppRoleError, match="exists already"):
            create_app_role(pg_engine, name, execute=True)
        for sql in (
            "TRUNCATE transition_record",
            "TRUNCATE instance CASCADE",
            "DELETE FROM transition_record",
            "ALTER TABLE transition_record DISABLE TRIGGER USER",
            "DROP TABLE transition_record CASCADE",
            "CREATE TABLE shadow (id int)",
            "SET session_replication_role = replica",
        ):
            _refused(app_db, sql, sa.exc.DatabaseError, "permission denied|must be owner")
        engine = Engine(CATALOG, app_db, w.clock, evidence_folder=tmp_path / "evidence")
        walk(engine, A2, w.actors, w.pdf)  # every step, as the app role
        w.clock.set(bkk(2025, 4, 10, 9))
        assert run_sweep(engine).messages > 0  # escalations and the outbox, as the app role
        assert len(history(app_db, A2)[1]) == 5
        assert verify(app_db)[1] == []
    finally:
        app_db.dispose()
        _drop_role(pg_engine, name)
