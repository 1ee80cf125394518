"""The reads an advance makes, as plain SQL on a DB-API cursor (see
:mod:`plancycle.store.driver` for why): the instance by key with the actor, a province's
district count, when an instance last left given states, and what it recorded then."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from plancycle.store.driver import Driver, select_list
from plancycle.store.models import (
    Actor,
    Area,
    DeadlineExtension,
    Instance,
    TransitionRecord,
    table_of,
)

__all__ = [
    "ActorRow",
    "InstanceRow",
    "district_codes",
    "ExtensionRow",
    "district_count",
    "extensions_of",
    "instance_and_actor",
    "left_at",
    "left_data",
    "state_of",
]


class InstanceRow(NamedTuple):
    id: int
    key: str
    definition_id: str
    definition_version: int
    state: str
    version: int
    area_code: str
    province_code: str
    fiscal_year: int
    head_hash: str | None
    withdrawn_at: Any  # as the driver reads it; only whether it is set matters


class ExtensionRow(NamedTuple):
    id: int
    instance_key: str | None
    area_code: str | None
    until: datetime


class ActorRow(NamedTuple):
    id: str
    role: str
    area_code: str | None
    active: bool


# Built once, at import, from the tables: a row field that is not a column of its
# table (renamed, dropped) stops the import (SchemaDrift).
_I, _A = table_of(Instance), table_of(Actor)
_AREA, _RECORD = table_of(Area), table_of(TransitionRecord)
_INSTANCE = (
    f"SELECT {select_list(_I, InstanceRow._fields, 'i')}, "
    f"{select_list(_A, ActorRow._fields, 'a')} "
    f"FROM (SELECT 1 AS one) o "
    f"LEFT JOIN {_I.name} i ON {select_list(_I, ['key'], 'i')} = ? "
    f"LEFT JOIN {_A.name} a ON {select_list(_A, ['id'], 'a')} = ?"
)
_DISTRICTS = (
    f"SELECT count(*) FROM {_AREA.name} WHERE {select_list(_AREA, ['province_code'])} = ? "
    f"AND {select_list(_AREA, ['level'])} = 'district'"
)
_DISTRICT_CODES = (
    f"SELECT {select_list(_AREA, ['code'])} FROM {_AREA.name} "
    f"WHERE {select_list(_AREA, ['province_code'])} = ? "
    f"AND {select_list(_AREA, ['level'])} = 'district'"
)
_X = table_of(DeadlineExtension)
_EXTENSIONS = (
    f"SELECT {select_list(_X, ExtensionRow._fields)} FROM {_X.name} "
    f"WHERE {select_list(_X, ['fiscal_year'])} = ? AND {select_list(_X, ['definition_id'])} = ? "
    f"AND {select_list(_X, ['state'])} = ?"
)
_STATE = f"SELECT {select_list(_I, ['state'])} FROM {_I.name} WHERE {select_list(_I, ['key'])} = ?"
_FROM, _AT = select_list(_RECORD, ["from_state"]), select_list(_RECORD, ["at"])
_LEFT_AT = (
    f"SELECT {_FROM}, max({_AT}) FROM {_RECORD.name} "
    f"WHERE {select_list(_RECORD, ['instance_id'])} = ? AND {_FROM} IN ({{marks}}) "
    f"GROUP BY {_FROM}"
)
_DATA = (
    f"SELECT {_FROM}, {select_list(_RECORD, ['data'])} FROM {_RECORD.name} "
    f"WHERE {select_list(_RECORD, ['instance_id'])} = ? AND {_FROM} IN ({{marks}}) "
    f"ORDER BY {select_list(_RECORD, ['seq'])}"
)


def instance_and_actor(
    cursor: Any, driver: Driver, key: str, actor_id: str
) -> tuple[InstanceRow | None, ActorRow | None]:
    """The instance ``key`` and the actor ``actor_id``, in one round trip; each None
    when there is none (the actor is known even when the instance is not, so that
    scope is checked before anything about the instance is told)."""
    cursor.execute(driver.sql(_INSTANCE), (key, actor_id))
    row = cursor.fetchone()
    width = len(InstanceRow._fields)
    inst = None if row[0] is None else InstanceRow(*row[:width])
    return inst, None if row[width] is None else ActorRow(*row[width:])


def state_of(cursor: Any, driver: Driver, key: str) -> str | None:
    cursor.execute(driver.sql(_STATE), (key,))
    row = cursor.fetchone()
    return None if row is None else row[0]


def district_count(cursor: Any, driver: Driver, province: str) -> int:
    cursor.execute(driver.sql(_DISTRICTS), (province,))
    return int(cursor.fetchone()[0])


def district_codes(cursor: Any, driver: Driver, province: str) -> tuple[str, ...]:
    """The codes of the province's districts, in code order."""
    cursor.execute(driver.sql(_DISTRICT_CODES), (province,))
    return tuple(sorted(str(r[0]) for r in cursor.fetchall()))


def left_at(
    cursor: Any, driver: Driver, instance_id: int, states: Sequence[str]
) -> dict[str, datetime]:
    """When the instance last left each of ``states`` (those it has left)."""
    marks = ", ".join("?" * len(states))
    cursor.execute(driver.sql(_LEFT_AT.format(marks=marks)), (instance_id, *states))
    return {state: driver.read_when(at) for state, at in cursor.fetchall()}


def left_data(
    cursor: Any, driver: Driver, instance_id: int, states: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The data recorded the last time the instance left each of ``states``."""
    marks = ", ".join("?" * len(states))
    cursor.execute(driver.sql(_DATA.format(marks=marks)), (instance_id, *states))
    out: dict[str, dict[str, Any]] = {}
    for state, data in cursor.fetchall():
        value = json.loads(data) if isinstance(data, str) else data
        out[state] = value if isinstance(value, dict) else {}
    return out


def extensions_of(
    cursor: Any, driver: Driver, fiscal_year: int, process: str, state: str
) -> list[ExtensionRow]:
    """The deadline extensions of a process's step in a fiscal year
    (``plancycle.workflow.extensions``)."""
    cursor.execute(driver.sql(_EXTENSIONS), (fiscal_year, process, state))
    return [ExtensionRow(i, k, a, driver.read_when(u)) for i, k, a, u in cursor.fetchall()]
