"""Moving an instance and appending its transition record, as one guarded write.

Every change of an instance's state goes through :func:`append_transition`: the
instance row is updated only if its version is still the one that was read
(optimistic locking: the database's row lock orders concurrent writers and the
loser's WHERE finds a newer version), and the record is chained to the previous
one by hash (:mod:`plancycle.store.audit_hash`). Nothing is committed here: the
caller's transaction holds both writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plancycle.store.audit_hash import genesis_hash, record_hash
from plancycle.store.models import Instance, TransitionRecord

__all__ = ["Move", "StaleInstance", "append_transition"]


class StaleInstance(Exception):
    """The instance changed since it was read; nothing was written."""


@dataclass(frozen=True, slots=True)
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


def append_transition(session: Session, inst: Instance, move: Move) -> TransitionRecord:
    """Apply ``move`` to ``inst`` (as read, at ``inst.version``) and append its record."""
    # what the record says is exactly what its hash covers
    fields: dict[str, Any] = {
        "seq": inst.version,  # one record per change: version 1 -> record 1
        "at": move.at,
        "actor_id": move.actor_id,
        "role": move.role,
        "trigger": move.trigger,
        "from_state": inst.state,
        "to_state": move.to_state,
        "data": dict(move.data),
        "note": move.note,
        "evidence": list(move.evidence),
        "automatic": move.automatic,
        "prev_hash": inst.head_hash or genesis_hash(inst.key),
    }
    digest = record_hash(key=inst.key, **fields)
    values: dict[str, Any] = {
        "state": move.to_state,
        "version": inst.version + 1,
        "due_at": move.due_at,
        "state_entered_at": move.at,
        "updated_at": move.at,
        "completed_at": move.at if move.final else None,
        "head_hash": digest,
    }
    if move.definition_version is not None:
        values["definition_version"] = move.definition_version
    changed = session.execute(
        sa.update(Instance)
        .where(Instance.id == inst.id, Instance.version == inst.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise StaleInstance(inst.key)
    record = TransitionRecord(instance_id=inst.id, hash=digest, **fields)
    session.add(record)
    return record
