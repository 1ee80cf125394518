"""Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

import plancycle.store.models  # noqa: F401  (tables on SQLModel.metadata)
from plancycle.store.db import (
    alembic_config,
    current_revision,
    head_revision,
    is_migrated,
    migrate,
)
from plancycle.store.models import Area

TABLES = {"area", "area_target", "cycle", "instance", "transition_record", "evidence", "actor"}
TABLES |= {"escalation", "contact", "outbox_message", "delivery_attempt"}  # 0002
TABLES |= {"refused_attempt"}  # 0003
TABLES |= {"evidence_use"}  # 0007
TABLES |= {"web_session", "sign_in_failure"}  # 0008
TABLES |= {"store_setting"}  # 0010
TABLES |= {"holiday_change"}  # 0014
TABLES |= {"deadline_extension"}  # 0015
TABLES |= {"share_link"}  # 0017


def _diff(engine: sa.Engine) -> list[object]:
    with engine.connect() as c:
        context = MigrationContext.configure(c, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_head_is_the_newest_revision() -> None:
    assert head_revision() == "0018"


def test_empty_database_is_not_migrated(empty_engine: sa.Engine) -> None:
    assert current_revision(empty_engine) is None
    assert is_migrated(empty_engine) is False


def test_migration_matches_models(empty_engine: sa.Engine) -> None:
    migrate(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert is_migrated(empty_engine) is True
    assert set(sa.inspect(empty_engine).get_table_names()) == TABLES | {"alembic_version"}
    assert _diff(empty_engine) == []


def test_comparison_sees_a_difference(engine: sa.Engine) -> None:
    """The check above would notice drift: drop an index and it is reported."""
    with engine.begin() as c:
        c.exec_driver_sql("DROP INDEX ix_instance_due_at")
    diff = _diff(engine)
    assert [d[0] for d in diff] == ["add_index"]  # type: ignore[index]
    assert diff[0][1].name == "ix_instance_due_at"  # type: ignore[index]


def test_migrate_twice_is_a_no_op(engine: sa.Engine) -> None:
    with Session(engine) as s, s.begin():
        s.add(
            Area(
                code="24", level="province", name_th="ฉะเชิงเทรา", province_code="24", source="test"
            )
        )
    migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
            (head_revision(),)
        ]
    with Session(engine) as s:
        assert s.exec(select(Area.code)).all() == ["24"]
    assert _diff(engine) == []


def test_downgrade_to_base_removes_every_table(engine: sa.Engine) -> None:
    with engine.begin() as c:
        command.downgrade(alembic_config(c), "base")
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(engine) is None
    migrate(engine)
    assert is_migrated(engine)


def test_0002_upgrades_a_0001_store_and_keeps_its_rows(empty_engine: sa.Engine) -> None:
    with empty_engine.connect() as c:
        config = alembic_config(c)
        command.upgrade(config, "0001")
        c.commit()
    with Session(empty_engine) as s, s.begin():
        s.add(
            Area(code="24", level="province", name_th="ฉะเชิงเทรา", province_code="24", source="t")
        )
    migrate(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    with empty_engine.connect() as c:
        actors = c.exec_driver_sql("SELECT id, role, area_code FROM actor").all()
        assert actors == [("scheduler", "scheduler", None)]
        assert c.exec_driver_sql("SELECT code FROM area").all() == [("24",)]
    assert _diff(empty_engine) == []


def _indexes(engine: sa.Engine, table: str) -> set[str]:
    return {i["name"] for i in sa.inspect(engine).get_indexes(table)}


def test_0004_trades_indexes_both_ways(empty_engine: sa.Engine) -> None:
    """0004 drops the instance_id index the unique (instance_id, seq) covers and makes
    area's province index (province_code, level); its downgrade restores both."""
    migrate(empty_engine)
    assert "ix_transition_record_instance_id" not in _indexes(empty_engine, "transition_record")
    assert "ix_area_province_code_level" in _indexes(empty_engine, "area")
    with empty_engine.connect() as c:
        command.downgrade(alembic_config(c), "0003")
        c.commit()
    assert "ix_transition_record_instance_id" in _indexes(empty_engine, "transition_record")
    assert "ix_area_province_code" in _indexes(empty_engine, "area")
    assert "ix_area_province_code_level" not in _indexes(empty_engine, "area")
    migrate(empty_engine)
    assert _diff(empty_engine) == []
