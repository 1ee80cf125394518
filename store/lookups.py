"""The reads an advance makes, as plain SQL on a DB-API cursor (see
:mod:`plancycle.store.driver` for why): the instance by key with the actor, a province's
district count, and when an instance last left given states."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from plancycle.store.driver import Driver

__all__ = [
    "ActorRow",
    "InstanceRow",
    "district_count",
    "instance_and_actor",
    "left_at",
    "state_of",
]

_INSTANCE = (
    "SELECT i.id, i.key, i.definition_id, i.definition_version, i.state, i.version, "
    "i.area_code, i.province_code, i.fiscal_year, i.head_hash, "
    "a.id, a.role, a.area_code, a.active "
    "FROM instance i LEFT JOIN actor a ON a.id = ? WHERE i.key = ?"
)
_DISTRICTS = "SELECT count(*) FROM area WHERE province_code = ? AND level = 'district'"
_STATE = "SELECT state FROM instance WHERE key = ?"
_LEFT_AT = (
    "SELECT from_state, max(at) FROM transition_record "
    "WHERE instance_id = ? AND from_state IN ({marks}) GROUP BY from_state"
)


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


class ActorRow(NamedTuple):
    id: str
    role: str
    area_code: str | None
    active: bool


def instance_and_actor(
    cursor: Any, driver: Driver, key: str, actor_id: str
) -> tuple[InstanceRow | None, ActorRow | None]:
    """The instance ``key`` and the actor ``actor_id``, in one round trip."""
    cursor.execute(driver.sql(_INSTANCE), (actor_id, key))
    row = cursor.fetchone()
    if row is None:
        return None, None
    return InstanceRow(*row[:10]), None if row[10] is None else ActorRow(*row[10:])


def state_of(cursor: Any, driver: Driver, key: str) -> str | None:
    cursor.execute(driver.sql(_STATE), (key,))
    row = cursor.fetchone()
    return None if row is None else row[0]


def district_count(cursor: Any, driver: Driver, province: str) -> int:
    cursor.execute(driver.sql(_DISTRICTS), (province,))
    return int(cursor.fetchone()[0])


def left_at(
    cursor: Any, driver: Driver, instance_id: int, states: Sequence[str]
) -> dict[str, datetime]:
    """When the instance last left each of ``states`` (those it has left)."""
    marks = ", ".join("?" * len(states))
    cursor.execute(driver.sql(_LEFT_AT.format(marks=marks)), (instance_id, *states))
    return {state: driver.read_when(at) for state, at in cursor.fetchall()}
