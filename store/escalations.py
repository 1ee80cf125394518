"""Writing escalations at most once: INSERT … ON CONFLICT DO NOTHING RETURNING.

The unique key (instance, step occurrence, level) is the whole guarantee: two
sweeps, two scheduler processes or a sweep re-run after a crash may all try the
same rung, and the database lets exactly one row in. Only the rows this call
inserted come back, so only their notifications are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plancycle.store.models import Escalation

__all__ = ["insert_new_escalations"]

_KEY = ["instance_id", "step_seq", "level"]
_DIALECTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _statement(dialect: str) -> Insert:
    """The one INSERT … ON CONFLICT DO NOTHING RETURNING of ``dialect``. Executed with a
    list of rows (SQLAlchemy's "insertmanyvalues": multi-row VALUES pages, RETURNING
    kept) it is compiled once and served from the compiled cache afterwards; a statement
    with the rows inside (``.values(rows)``) is a new statement, compiled anew, per batch."""
    table = Escalation.__table__
    return (
        _DIALECTS[dialect](table)
        .on_conflict_do_nothing(index_elements=_KEY)
        .returning(table.c.id, table.c.instance_id, table.c.level)
    )


_STATEMENTS = {name: _statement(name) for name in _DIALECTS}


def insert_new_escalations(
    session: Session, rows: Sequence[dict[str, Any]]
) -> list[tuple[int, int, int]]:
    """Insert the rows that are not there yet; returns (id, instance_id, level) of those."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    stmt = _STATEMENTS["postgresql" if dialect == "postgresql" else "sqlite"]
    return [tuple(r) for r in session.execute(stmt, list(rows)).all()]
