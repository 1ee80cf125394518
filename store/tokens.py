"""API tokens: handed out once, kept only as SHA-256 hashes.

A token is 32 random bytes (URL-safe text, prefixed ``pc_`` so it is recognisable
in a leaked file). The store keeps its SHA-256 on the actor row; a token shown once
and lost is replaced by issuing a new one, which also revokes the old.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from plancycle.errors import PlancycleError
from plancycle.store.actors import ActorError
from plancycle.store.models import Actor
from plancycle.text import check_text

__all__ = ["BadToken", "actor_for_token", "issue_token", "revoke_token", "token_hash"]

PREFIX = "pc_"


class BadToken(PlancycleError, PermissionError):
    exit_code = 4

    def __init__(self) -> None:
        super().__init__(
            "the token is not valid (unknown, revoked, or its actor is inactive); ask an "
            "administrator for a new one (`plancycle actors token ID`)",
            "โทเค็นไม่ถูกต้อง (ไม่รู้จัก ถูกเพิกถอน หรือผู้ใช้ถูกระงับ); ขอโทเค็นใหม่จากผู้ดูแลระบบ",
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def issue_token(session: Session, actor_id: str) -> str:
    """A new token for ``actor_id`` (replacing any earlier one); shown to the caller only."""
    check_text(actor=actor_id)
    actor = session.get(Actor, actor_id)
    if actor is None:
        raise ActorError(f"actor {actor_id!r} does not exist", f"ไม่มีผู้ใช้ {actor_id!r}")
    token = PREFIX + secrets.token_urlsafe(32)
    actor.token_hash = token_hash(token)
    session.add(actor)
    return token


def revoke_token(session: Session, actor_id: str) -> bool:
    check_text(actor=actor_id)
    actor = session.get(Actor, actor_id)
    if actor is None or actor.token_hash is None:
        return False
    actor.token_hash = None
    session.add(actor)
    return True


def actor_for_token(session: Session, token: str) -> Actor:
    """The active actor holding ``token``; BadToken otherwise."""
    if not token or not token.strip():
        raise BadToken()
    check_text(token=token)
    actor = session.exec(select(Actor).where(Actor.token_hash == token_hash(token))).first()
    if actor is None or not actor.active:
        raise BadToken()
    return actor
