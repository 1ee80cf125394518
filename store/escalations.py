"""Writing escalations at most once: INSERT … ON CONFLICT DO NOTHING RETURNING.

The unique key (instance, step occurrence, level) is the whole guarantee: two
sweeps, two scheduler processes or a sweep re-run after a crash may all try the
same rung, and the database lets exactly one row in. Only the rows this call
inserted come back, so only their notifications are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plancycle.store.models import Escalation

__all__ = ["insert_new_escalations"]

_KEY = ["instance_id", "step_seq", "level"]


def insert_new_escalations(
    session: Session, rows: Sequence[dict[str, Any]]
) -> list[tuple[int, int, int]]:
    """Insert the rows that are not there yet; returns (id, instance_id, level) of those."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Escalation)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=_KEY)
        .returning(Escalation.id, Escalation.instance_id, Escalation.level)
    )
    return [tuple(r) for r in session.execute(stmt).all()]
