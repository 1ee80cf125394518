"""Who is asking: an API token in ``Authorization: Bearer``, or a signed session cookie
made from a token at the login page.

The session keeps the actor's id and the SHA-256 of the token it logged in with (never
the token): replacing or revoking the token, or deactivating the actor, ends every
session made from it at the next request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from plancycle.store.models import Actor
from plancycle.store.tokens import actor_for_token
from plancycle.thai.areacode import in_area
from plancycle.web.problems import Unauthenticated
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
    def of(cls, actor: Actor) -> Principal:
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


def log_in(db: sa.Engine, session_data: dict, token: str) -> Principal:
    """Check ``token`` and start a session for its actor (BadToken when not valid)."""
    with Session(db) as session:
        actor = actor_for_token(session, token)
        session_data.clear()
        session_data.update(
            actor=actor.id, token_hash=actor.token_hash, csrf=secrets.token_urlsafe(24)
        )
        return Principal.of(actor)


def log_out(session_data: dict) -> None:
    lang = session_data.get("lang")
    session_data.clear()
    if lang:
        session_data["lang"] = lang


def principal_for_session(db: sa.Engine, session_data: dict) -> Principal:
    """The session's actor, if its token still stands; NotLoggedIn otherwise."""
    actor_id = session_data.get("actor")
    if not actor_id:
        raise NotLoggedIn()
    with Session(db) as session:
        actor = session.get(Actor, actor_id)
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
