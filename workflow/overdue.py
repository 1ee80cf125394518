"""Lateness: the one definition of "overdue", in Python and in SQL, of "days late", and
of the highest rung of the escalation ladder an instance's current step has reached.

An instance is overdue when it is not complete and the instant it is looked at is past
its current step's deadline (``due_at``, the end of the deadline day in Bangkok).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col

from plancycle.store.models import Escalation, Instance
from plancycle.thai.fiscal import to_bangkok

__all__ = [
    "RungReached",
    "days_late",
    "days_left",
    "is_overdue",
    "overdue_clause",
    "rungs_reached",
]


def is_overdue(due_at: datetime | None, completed_at: datetime | None, now: datetime) -> bool:
    """Not complete and past the current step's deadline."""
    return due_at is not None and completed_at is None and due_at < now


def overdue_clause(now: datetime) -> sa.ColumnElement[bool]:
    """:func:`is_overdue` as a SQL condition on ``instance``."""
    return sa.and_(col(Instance.due_at) < now, col(Instance.completed_at).is_(None))


def days_late(due_at: datetime | None, now: datetime) -> int:
    """Whole Bangkok calendar days since the deadline day ended (0 when not late)."""
    if due_at is None or now <= due_at:
        return 0
    return max((to_bangkok(now).date() - to_bangkok(due_at).date()).days, 1)


def days_left(due_at: datetime | None, now: datetime) -> int | None:
    """Whole Bangkok calendar days until the deadline day (0: due today); None when
    there is no deadline or it has passed (then it is :func:`days_late`)."""
    if due_at is None or now > due_at:
        return None
    return (to_bangkok(due_at).date() - to_bangkok(now).date()).days


@dataclass(frozen=True, slots=True)
class RungReached:
    """The highest rung (1 overdue, 2.. escalations) reached for a step occurrence."""

    level: int
    kind: str
    at: datetime
    recipients: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "kind": self.kind,
            "at": self.at,
            "recipients": list(self.recipients),
        }


class StepOccurrence(Protocol):
    """An instance's id and version (an :class:`Instance`, or a row of those columns)."""

    @property
    def id(self) -> int | None: ...

    @property
    def version(self) -> int: ...


def rungs_reached(session: Session, instances: Iterable[StepOccurrence]) -> dict[int, RungReached]:
    """Per instance id: the highest rung (level >= 1) reached for the step it is in now
    (the step occurrence it entered at its current version)."""
    occurrence = {i.id: i.version for i in instances if i.id is not None}
    ids = list(occurrence)
    found: dict[int, RungReached] = {}
    columns = (
        col(Escalation.instance_id),
        col(Escalation.step_seq),
        col(Escalation.level),
        col(Escalation.kind),
        col(Escalation.at),
        col(Escalation.recipients),
    )
    for start in range(0, len(ids), 500):
        query = sa.select(*columns).where(
            col(Escalation.instance_id).in_(ids[start : start + 500]), col(Escalation.level) >= 1
        )
        for instance_id, step_seq, level, kind, at, recipients in session.execute(query).all():
            best = found.get(instance_id)
            if step_seq == occurrence[instance_id] and (best is None or level > best.level):
                found[instance_id] = RungReached(level, kind, at, tuple(recipients))
    return found
