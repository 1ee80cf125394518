"""Refused attempts kept without letting any caller grow ``refused_attempt`` without
bound: a repeat of the same refusal (actor, instance key, trigger, error) within
:data:`WINDOW` of its row's first one adds to that row's ``count``; and once an actor
has :data:`ROWS_PER_WINDOW` rows in the window, each further refusal of it, whatever
it is, is folded into its newest row. So one actor adds at most that many rows per
window, however fast or however varied its attempts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.store.models import RefusedAttempt

__all__ = ["ROWS_PER_WINDOW", "WINDOW", "keep_refusal"]

WINDOW = timedelta(hours=1)
ROWS_PER_WINDOW = 100


def keep_refusal(session: Session, row: Mapping[str, Any], now: datetime) -> RefusedAttempt:
    """Add ``row`` (actor_id, key, trigger, error, reason) as a new refusal or fold it
    into the row it repeats; inside the caller's transaction."""
    recent = select(RefusedAttempt).where(
        RefusedAttempt.actor_id == row["actor_id"], col(RefusedAttempt.at) >= now - WINDOW
    )
    same = session.exec(
        recent.where(
            RefusedAttempt.key == row["key"],
            RefusedAttempt.trigger == row["trigger"],
            RefusedAttempt.error == row["error"],
        ).order_by(col(RefusedAttempt.id).desc())
    ).first()
    if same is None and _rows_in_window(session, row["actor_id"], now) >= ROWS_PER_WINDOW:
        same = session.exec(recent.order_by(col(RefusedAttempt.id).desc())).first()
    if same is None:
        kept = RefusedAttempt(at=now, **row)
        session.add(kept)
        return kept
    session.execute(
        sa.update(RefusedAttempt)
        .where(col(RefusedAttempt.id) == same.id)
        .values(count=RefusedAttempt.count + 1, last_at=now)
    )
    return same


def _rows_in_window(session: Session, actor_id: str, now: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(RefusedAttempt)
        .where(RefusedAttempt.actor_id == actor_id, col(RefusedAttempt.at) >= now - WINDOW)
    ).one()
