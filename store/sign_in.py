"""Web sign-ins in the store: sessions that logging out ends, and failed sign-ins with
the throttle they feed.

A session is a ``web_session`` row; the browser's cookie holds only its random id. A
session is live while its row has no ``ended_at``: logging out ends it, so a copy of
the cookie taken before stops working.

The throttle: a client with ``max_failures`` failed sign-ins within the last ``window``
is locked out until the oldest of them is ``window`` old. A wrong token names no actor
(tokens are random), so failures are counted per client.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.store.models import Actor, SignInFailure, WebSession

__all__ = [
    "Lockout",
    "SessionActor",
    "Throttle",
    "end_session",
    "lockouts",
    "record_failure",
    "session_actor",
    "start_session",
]


def start_session(db: sa.Engine, actor_id: str, now: datetime) -> str:
    sid = secrets.token_urlsafe(32)
    with Session(db) as session, session.begin():
        session.add(WebSession(id=sid, actor_id=actor_id, created_at=now))
    return sid


@dataclass(frozen=True, slots=True)
class SessionActor:
    """The actor of a live session, as a signed-in page needs it."""

    id: str
    name: str
    role: str
    area_code: str | None
    active: bool
    token_hash: str | None


_SESSION_ACTOR = (
    sa.select(
        col(Actor.id),
        col(Actor.name),
        col(Actor.role),
        col(Actor.area_code),
        col(Actor.active),
        col(Actor.token_hash),
    )
    .join(WebSession, col(WebSession.actor_id) == col(Actor.id))
    .where(
        col(WebSession.id) == sa.bindparam("sid"),
        col(Actor.id) == sa.bindparam("actor"),
        col(WebSession.ended_at).is_(None),
    )
)


def session_actor(db: sa.Engine, sid: object, actor_id: object) -> SessionActor | None:
    """The actor ``actor_id`` while the session ``sid`` is live and is that actor's (one
    query, without the ORM: every signed-in page asks it); None otherwise."""
    if not isinstance(sid, str) or not sid or not isinstance(actor_id, str) or not actor_id:
        return None
    with db.connect() as connection:
        row = connection.execute(_SESSION_ACTOR, {"sid": sid, "actor": actor_id}).first()
    return SessionActor(*row) if row is not None else None


def end_session(db: sa.Engine, sid: object, now: datetime) -> None:
    if not isinstance(sid, str) or not sid:
        return
    with Session(db) as session, session.begin():
        row = session.get(WebSession, sid)
        if row is not None and row.ended_at is None:
            row.ended_at = now
            session.add(row)


@dataclass(frozen=True, slots=True)
class Lockout:
    client: str
    failures: int
    until: datetime

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the lockout ends (at least 1)."""
        return max(1, int((self.until - now).total_seconds() + 0.999))

    def as_dict(self) -> dict[str, object]:
        return {"client": self.client, "failures": self.failures, "until": self.until}


@dataclass(frozen=True, slots=True)
class Throttle:
    max_failures: int = 10
    window: timedelta = timedelta(seconds=60)


def record_failure(db: sa.Engine, client: str, reason: str, now: datetime) -> None:
    with Session(db) as session, session.begin():
        session.add(SignInFailure(at=now, client=client[:64], reason=reason))


def lockouts(
    db: sa.Engine, throttle: Throttle, now: datetime, client: str | None = None
) -> list[Lockout]:
    """The clients locked out at ``now`` (only ``client``, when given), most failures
    first. A client is free again once fewer than ``max_failures`` of its failures lie
    within the window: when its (n - max + 1)-th oldest one is ``window`` old."""
    query = select(SignInFailure.client, SignInFailure.at).where(
        SignInFailure.at > now - throttle.window
    )
    if client is not None:
        query = query.where(SignInFailure.client == client[:64])
    times: dict[str, list[datetime]] = defaultdict(list)
    with Session(db) as session:
        for who, at in session.exec(query):
            times[who].append(at)
    found = [
        Lockout(who, len(ats), sorted(ats)[len(ats) - throttle.max_failures] + throttle.window)
        for who, ats in times.items()
        if len(ats) >= throttle.max_failures
    ]
    return sorted(found, key=lambda lock: (-lock.failures, lock.client))
