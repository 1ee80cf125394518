"""Who is asking: an API token in ``Authorization: Bearer``, or a signed session cookie
made from a token at the login page.

The session keeps the actor's id, the SHA-256 of the token it logged in with (never
the token) and the id of its ``web_session`` row: replacing or revoking the token, or
deactivating the actor, ends every session made from it at the next request; logging
out ends the row, so a copy of the cookie stops working too. Failed sign-ins are
recorded and throttled per client (``plancycle.store.sign_in``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from plancycle.errors import PlancycleError
from plancycle.store.models import Actor
from plancycle.store.sign_in import (
    SessionActor,
    Throttle,
    end_session,
    lockouts,
    record_failure,
    session_actor,
    start_session,
)
from plancycle.store.tokens import actor_for_token
from plancycle.thai.areacode import in_area
from plancycle.web.problems import TooManySignIns, Unauthenticated
from plancycle.workflow.errors import NotAllowed

__all__ = [
    "NotLoggedIn",
    "Principal",
    "check_area",
    "log_in",
    "log_out",
    "principal_for_bearer",
    "principal_for_session",
]


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated actor: its id, role and area (None: nation-wide)."""

    id: str
    name: str
    role: str
    area: str | None

    @classmethod
    def of(cls, actor: Actor | SessionActor) -> Principal:
        return cls(actor.id, actor.name, actor.role, actor.area_code)

    @property
    def home(self) -> str:
        """The area its pages open on ("" for the whole nation)."""
        return self.area or ""


class NotLoggedIn(Exception):
    """A page needs a session; the caller sends the browser to the login page."""


def principal_for_bearer(db: sa.Engine, authorization: str | None) -> Principal:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    with Session(db) as session:
        return Principal.of(actor_for_token(session, token.strip()))


def log_in(
    db: sa.Engine,
    session_data: dict,
    token: str,
    client: str,
    throttle: Throttle,
    now: datetime,
) -> Principal:
    """Check ``token`` and start a session for its actor. A client locked out by too
    many failures is refused first (TooManySignIns); a token that is not valid is
    recorded as a failure and refused (BadToken)."""
    locked = lockouts(db, throttle, now, client)
    if locked:
        raise TooManySignIns(locked[0].failures, locked[0].retry_after(now))
    try:
        with Session(db) as session:
            actor = actor_for_token(session, token)
    except PlancycleError as exc:
        record_failure(db, client, type(exc).__name__, now)
        raise
    lang = session_data.get("lang")
    session_data.clear()
    session_data.update(
        actor=actor.id,
        token_hash=actor.token_hash,
        sid=start_session(db, actor.id, now),
        csrf=secrets.token_urlsafe(24),
    )
    if lang:
        session_data["lang"] = lang
    return Principal.of(actor)


def log_out(session_data: dict, db: sa.Engine | None = None, now: datetime | None = None) -> None:
    """End the session: its row in the store (when given), and the cookie's contents."""
    if db is not None and now is not None:
        end_session(db, session_data.get("sid"), now)
    lang = session_data.get("lang")
    session_data.clear()
    if lang:
        session_data["lang"] = lang


def principal_for_session(db: sa.Engine, session_data: dict) -> Principal:
    """The session's actor, if its token still stands; NotLoggedIn otherwise."""
    actor_id = session_data.get("actor")
    if not actor_id:
        raise NotLoggedIn()
    actor = session_actor(db, session_data.get("sid"), actor_id)
    if actor is None or not actor.active or actor.token_hash != session_data.get("token_hash"):
        log_out(session_data)
        raise NotLoggedIn()
    return Principal.of(actor)


def check_area(who: Principal, area_code: str) -> None:
    """Refuse an area outside the principal's own (a district sees its district only)."""
    if not in_area(who.area, area_code):
        raise NotAllowed(
            f"actor {who.id!r} works in area {who.area} and may not see area {area_code}",
            f"ผู้ใช้ {who.id!r} รับผิดชอบพื้นที่ {who.area} ไม่มีสิทธิ์ดูพื้นที่ {area_code}",
        )
