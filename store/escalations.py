"""Writing escalations at most once: INSERT … ON CONFLICT DO NOTHING RETURNING.

The unique key (instance, step occurrence, level) is the whole guarantee: two
sweeps, two scheduler processes or a sweep re-run after a crash may all try the
same rung, and the database lets exactly one row in. Only the rows this call
inserted come back, so only their notifications are written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plancycle.store.models import Escalation, Instance, table_of

__all__ = ["carry_levels", "carry_over", "insert_new_escalations"]

_KEY = ["instance_id", "step_seq", "level"]
_DIALECTS: dict[str, Callable[[sa.Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def _statement(dialect: str) -> Insert:
    """The one INSERT … ON CONFLICT DO NOTHING RETURNING of ``dialect``. Executed with a
    list of rows (SQLAlchemy's "insertmanyvalues": multi-row VALUES pages, RETURNING
    kept) it is compiled once and served from the compiled cache afterwards; a statement
    with the rows inside (``.values(rows)``) is a new statement, compiled anew, per batch."""
    table = table_of(Escalation)
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


def carry_over(session: Session, instance_ids: Sequence[int], renamed: Mapping[str, str]) -> int:
    """After a migration moved ``instance_ids`` one version on (each its own new step
    occurrence, ``step_seq`` + 1) without changing their deadlines: copy the rungs their
    previous occurrence reached, under the state's new id, so that the ladder goes on
    where it was instead of sending its reminders again. Returns the rows copied."""
    e, i = table_of(Escalation), table_of(Instance)
    state = sa.case(dict(renamed), value=e.c.state, else_=e.c.state) if renamed else e.c.state
    names = ["instance_id", "step_seq", "state", "level", "kind", "due_at", "at", "recipients"]
    copied = 0
    for start in range(0, len(instance_ids), 1000):
        rungs = (
            sa.select(e.c.instance_id, e.c.step_seq + 1, state)
            .add_columns(e.c.level, e.c.kind, e.c.due_at, e.c.at, e.c.recipients)
            .join(i, i.c.id == e.c.instance_id)
            .where(e.c.instance_id.in_(instance_ids[start : start + 1000]))
            .where(e.c.step_seq == i.c.version - 1)
        )
        result = session.execute(sa.insert(e).from_select(names, rungs))
        if not isinstance(result, sa.CursorResult):
            raise TypeError(f"INSERT … SELECT gave {type(result).__name__}, not a CursorResult")
        copied += result.rowcount
    return copied


def carry_levels(session: Session, instance_id: int, step_seq: int, levels: Sequence[int]) -> int:
    """Copy the rungs ``levels`` of the instance's step occurrence ``step_seq`` into the
    next one (``step_seq`` + 1), as they were (a deadline extension keeps the rungs whose
    time has passed under the new deadline: they are not sent again). Returns the rows copied."""
    if not levels:
        return 0
    e = table_of(Escalation)
    names = ["instance_id", "step_seq", "state", "level", "kind", "due_at", "at", "recipients"]
    rungs = (
        sa.select(e.c.instance_id, e.c.step_seq + 1, e.c.state)
        .add_columns(e.c.level, e.c.kind, e.c.due_at, e.c.at, e.c.recipients)
        .where(e.c.instance_id == instance_id, e.c.step_seq == step_seq, e.c.level.in_(levels))
    )
    result = session.execute(sa.insert(e).from_select(names, rungs))
    if not isinstance(result, sa.CursorResult):
        raise TypeError(f"INSERT … SELECT gave {type(result).__name__}, not a CursorResult")
    return result.rowcount
