"""Columns holding a closed set of values refuse any other (migration 0005), on SQLite
and PostgreSQL, and a 0004 store with rows takes the migration and gives it back."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from enum import StrEnum

import pytest
import sqlalchemy as sa
from alembic import command

from plancycle.definitions.builtin_actors import BuiltinActor, BuiltinRole
from plancycle.definitions.model import DEADLINE_KINDS, LADDER_KINDS, DeadlineKind
from plancycle.kinds import EscalationKind, OutboxStatus
from plancycle.store.db import (
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    migrate,
)
from plancycle.thai.areacode import AreaLevel

T0 = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)
MIGRATION = importlib.import_module("plancycle.store.migrations.versions.0005_closed_sets")
DIGEST_MIGRATION = importlib.import_module("plancycle.store.migrations.versions.0016_digest")

_AREA = (
    "INSERT INTO area (code, level, name_th, province_code, is_sample, source, parent_code) "
    "VALUES ('{code}', '{level}', 'x', '24', {false}, 't', {parent})"
)
_CYCLE = "INSERT INTO cycle (id, fiscal_year, started_at, definitions) VALUES (1, 2568, ?, '{}')"
# from 0009 on a cycle keeps its instance counts
_CYCLE_0009 = (
    "INSERT INTO cycle (id, fiscal_year, started_at, definitions, instance_counts) "
    "VALUES (1, 2568, ?, '{}', '{}')"
)
_INSTANCE = (
    "INSERT INTO instance (id, key, cycle_id, fiscal_year, definition_id, definition_version, "
    "area_code, province_code, state, version, state_entered_at, created_at, updated_at) "
    "VALUES (1, '2568/orders/2401', 1, 2568, 'orders', 1, '2401', '24', 'start', 1, ?, ?, ?)"
)
_ESCALATION = (
    "INSERT INTO escalation (instance_id, step_seq, state, level, kind, at, recipients) "
    "VALUES (1, 1, 'start', {level}, '{kind}', ?, '[]')"
)
_OUTBOX = (
    "INSERT INTO outbox_message (escalation_id, channel, address, role, area_code, subject, "
    "body, payload, status, attempts, next_attempt_at, created_at) "
    "VALUES (NULL, 'log', 'a', 'r', '2401', 's', 'b', '{{}}', '{status}', 0, ?, ?)"
)


def _sql(c: sa.Connection, text: str, *times: datetime) -> None:
    postgres = c.dialect.name == "postgresql"
    values = tuple(t if postgres else t.replace(tzinfo=None).isoformat(sep=" ") for t in times)
    c.exec_driver_sql(text.replace("?", "%s") if postgres else text, values)


def _false(c: sa.Connection) -> str:
    return "false" if c.dialect.name == "postgresql" else "0"


def _rows(engine: sa.Engine) -> None:
    """A province, a district under it, an instance, an escalation, an outbox message."""
    with engine.begin() as c:
        _sql(c, _AREA.format(code="24", level="province", false=_false(c), parent="NULL"))
        _sql(c, _AREA.format(code="2401", level="district", false=_false(c), parent="'24'"))
        counts = "instance_counts" in {col["name"] for col in sa.inspect(c).get_columns("cycle")}
        _sql(c, _CYCLE_0009 if counts else _CYCLE, T0)
        _sql(c, _INSTANCE, T0, T0, T0)
        _sql(c, _ESCALATION.format(level=1, kind="overdue"), T0)
        _sql(c, _OUTBOX.format(status="pending"), T0, T0)


# one bad row per checked column
BAD = {
    "area.level": lambda c: _sql(
        c, _AREA.format(code="99", level="nation", false=_false(c), parent="NULL")
    ),
    "escalation.kind": lambda c: _sql(c, _ESCALATION.format(level=7, kind="sent"), T0),
    "outbox_message.status": lambda c: _sql(c, _OUTBOX.format(status="sent"), T0, T0),
}
_COUNT = {name: f"SELECT count(*) FROM {name.split('.')[0]}" for name in BAD}


def _count(engine: sa.Engine, column: str) -> int:
    with engine.connect() as c:
        return int(c.exec_driver_sql(_COUNT[column]).scalar_one())


@pytest.mark.parametrize("column", sorted(BAD))
def test_a_value_outside_the_set_is_refused(engine: sa.Engine, column: str) -> None:
    _rows(engine)
    before = _count(engine, column)
    with pytest.raises(sa.exc.IntegrityError, match="ck_"), engine.begin() as c:
        BAD[column](c)
    assert _count(engine, column) == before  # nothing written


def _contents(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    tables = ("area", "instance", "escalation", "outbox_message")
    with engine.connect() as c:
        return {t: c.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1").all() for t in tables}


def test_0005_takes_a_0004_store_with_rows_and_gives_it_back(empty_engine: sa.Engine) -> None:
    with empty_engine.begin() as c:
        command.upgrade(alembic_config(c), "0004")
    _rows(empty_engine)
    before = _contents(empty_engine)
    migrate(empty_engine)  # through 0005 to the head
    assert current_revision(empty_engine) == head_revision()
    after = _contents(empty_engine)
    # columns added since 0004 (instance.withdrawn_at 0011, outbox digest_key/digest_id
    # 0016) come last, empty
    width = {t: len(rows[0]) for t, rows in before.items()}
    assert {t: [tuple(r)[: width[t]] for r in rows] for t, rows in after.items()} == before
    assert all(
        all(v is None for v in tuple(r)[width[t] :]) for t, rows in after.items() for r in rows
    )
    with pytest.raises(sa.exc.IntegrityError), empty_engine.begin() as c:
        BAD["outbox_message.status"](c)
    downgrade(empty_engine, "0004")
    assert current_revision(empty_engine) == "0004"
    assert _contents(empty_engine) == before
    with empty_engine.begin() as c:  # no CHECK any more
        BAD["outbox_message.status"](c)
    if empty_engine.dialect.name == "sqlite":
        with empty_engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("status", tuple(OutboxStatus)),
        ("kind", tuple(EscalationKind)),
        ("level", tuple(str(level) for level in AreaLevel)),
    ],
)
def test_each_enum_is_what_its_check_allows(column: str, values: tuple[str, ...]) -> None:
    """A value added to an enum and not to a migration's CHECK fails here (outbox status
    grew ``held`` and ``digested`` in 0016)."""
    if column == "status":
        assert (f"status IN ({', '.join(repr(str(v)) for v in values)})") == DIGEST_MIGRATION._AFTER
        return
    (allowed,) = [v for _t, _n, col, v in MIGRATION.CHECKS if col == column]
    assert set(allowed) == {str(v) for v in values}


def test_enum_values_are_the_stored_strings() -> None:
    """Stored data keeps its spelling: the enums are the strings they replace."""
    assert [str(k) for k in OutboxStatus] == ["pending", "delivered", "dead", "held", "digested"]
    assert [str(k) for k in EscalationKind] == ["opened", "reminder", "overdue", "escalation"]
    assert LADDER_KINDS == ("reminder", "overdue", "escalation")
    assert DEADLINE_KINDS[-1] is DeadlineKind.AFTER
    assert set(DEADLINE_KINDS) == {"fy_date", "quarter_end", "quarter_start", "month_end", "after"}
    assert (BuiltinActor.SCHEDULER, BuiltinRole.SCHEDULER) == ("scheduler", "scheduler")
    assert BuiltinRole.ADMIN == "admin"
    assert isinstance(BuiltinRole.ADMIN, StrEnum)
