"""Moving an instance and appending its transition record, as one guarded write.

Every change of an instance's state goes through this module: the instance row is
updated only if its version is still the one that was read (optimistic locking:
the database's row lock orders concurrent writers and the loser's WHERE finds a
newer version), and the record is chained to the previous one by hash
(:mod:`plancycle.store.audit_hash`). Nothing is committed here: the caller's
transaction holds both writes.

The two statements are plain SQL sent through the driver (:mod:`plancycle.store.driver`):
:func:`append_move` on a DB-API cursor (the engine's hot path), :func:`append_transition`
inside an ORM session's transaction (migrations). Both build the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from plancycle.store.audit_hash import genesis_hash, record_hash
from plancycle.store.driver import Driver, insert_sql, update_sql
from plancycle.store.models import Instance, TransitionRecord, table_of

__all__ = ["Head", "Move", "StaleInstance", "Written", "append_move", "append_transition"]

# The statements are built from the tables once, at import; a column added to either
# model and not placed here (set, kept or inserted) stops the import (SchemaDrift).
_INSTANCE = table_of(Instance)
#: what a move sets, in the order of its values; ``definition_version`` only when a
#: migration moves the instance
MOVE_SETS = (
    "state",
    "version",
    "due_at",
    "state_entered_at",
    "updated_at",
    "completed_at",
    "head_hash",
)
#: what a move never changes
MOVE_KEEPS = (
    "id",
    "key",
    "cycle_id",
    "fiscal_year",
    "definition_id",
    "area_code",
    "province_code",
    "district_code",
    "created_at",
    "withdrawn_at",
)
_WHERE = ("id", "version")
_UPDATE = update_sql(_INSTANCE, MOVE_SETS, _WHERE, (*MOVE_KEEPS, "definition_version"))
_UPDATE_PINNED = update_sql(_INSTANCE, (*MOVE_SETS, "definition_version"), _WHERE, MOVE_KEEPS)
#: a record's columns, in the order of its values
RECORD_COLUMNS = (
    "instance_id",
    "seq",
    "at",
    "actor_id",
    "role",
    "trigger",
    "from_state",
    "to_state",
    "data",
    "note",
    "evidence",
    "automatic",
    "on_behalf_of",
    "prev_hash",
    "hash",
)
_INSERT = insert_sql(table_of(TransitionRecord), RECORD_COLUMNS)

Statement = tuple[str, tuple[Any, ...]]


class StaleInstance(Exception):
    """The instance changed since it was read; nothing was written."""


class Head(Protocol):
    """What a move needs of the instance as it was read (an ``Instance``, or the row the
    engine reads)."""

    @property
    def id(self) -> int | None: ...
    @property
    def key(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def head_hash(self) -> str | None: ...


@dataclass(slots=True)  # not frozen: made on every advance, and frozen init costs 2x
class Move:
    """One change of state and everything its record says."""

    trigger: str
    to_state: str
    actor_id: str
    role: str
    at: datetime
    due_at: datetime | None
    final: bool
    data: Mapping[str, Any]
    note: str | None = None
    evidence: Sequence[str] = ()
    automatic: bool = False
    definition_version: int | None = None  # set when a migration moves the instance
    on_behalf_of: str | None = None  # the role the step was recorded for
    # a record that is no step (a correction) keeps when the state was entered and done
    entered_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Written:
    """The appended record's place in the chain."""

    seq: int
    hash: str


def statements(driver: Driver, head: Head, move: Move) -> tuple[Statement, Statement, Written]:
    """The UPDATE of the instance (under its version), the INSERT of its record, and
    the record's sequence number and hash."""
    seq = head.version  # one record per change: version 1 -> record 1
    prev = head.head_hash or genesis_hash(head.key)
    data, evidence = dict(move.data), list(move.evidence)
    # what the record says is exactly what its hash covers
    digest = record_hash(
        key=head.key,
        seq=seq,
        at=move.at,
        actor_id=move.actor_id,
        role=move.role,
        trigger=move.trigger,
        from_state=head.state,
        to_state=move.to_state,
        data=data,
        note=move.note,
        evidence=evidence,
        automatic=move.automatic,
        prev_hash=prev,
        on_behalf_of=move.on_behalf_of,
    )
    at = driver.when(move.at)
    values: tuple[Any, ...] = (
        move.to_state,
        head.version + 1,
        driver.when(move.due_at),
        at if move.entered_at is None else driver.when(move.entered_at),
        at,
        (at if move.completed_at is None else driver.when(move.completed_at))
        if move.final
        else None,
        digest,
    )
    text = _UPDATE
    evidence_json = driver.json(evidence) if evidence else "[]"
    if move.definition_version is not None:
        values, text = (*values, move.definition_version), _UPDATE_PINNED
    update = (driver.sql(text), (*values, head.id, head.version))
    record: tuple[Any, ...] = (head.id, seq, at, move.actor_id, move.role, move.trigger, head.state)
    record += (move.to_state, driver.json(data), move.note, evidence_json)
    record += (bool(move.automatic), move.on_behalf_of, prev, digest)
    return update, (driver.sql(_INSERT), record), Written(seq, digest)


def append_move(cursor: Any, driver: Driver, head: Head, move: Move) -> Written:
    """Apply ``move`` to the instance read as ``head`` and append its record, on a
    DB-API ``cursor`` inside the caller's transaction."""
    update, insert, written = statements(driver, head, move)
    cursor.execute(*update)
    if cursor.rowcount != 1:
        raise StaleInstance(head.key)
    cursor.execute(*insert)
    return written


def append_transition(session: Session, inst: Head, move: Move) -> Written:
    """:func:`append_move` inside an ORM session's transaction (the ORM object ``inst``
    is not refreshed)."""
    connection = session.connection()
    update, insert, written = statements(Driver.of(connection.engine), inst, move)
    if connection.exec_driver_sql(*update).rowcount != 1:
        raise StaleInstance(inst.key)
    connection.exec_driver_sql(*insert)
    return written
