"""Read-only share links: a province office lets someone without a login see one area's
pages, charts and reports for one fiscal year.

A link's token is 32 random bytes (URL-safe, prefixed ``pcs_``); the store keeps only
its SHA-256, so neither a copy of the store nor a changed character yields a working
link. A link expires (1 to :data:`MAX_DAYS` days), may be revoked at any time, and
counts its uses (``uses``, ``last_used_at``, and a log line per use). An unknown,
altered, revoked or expired token is answered the same way: :class:`UnknownShare`.

Who may share: an actor whose area is a province (or the nation), for an area inside
its own; a district office may not (:func:`check_shares`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session, col, select

from plancycle.store.areas import get_area, normalize_code
from plancycle.store.models import Actor, ShareLink
from plancycle.store.tokens import token_hash
from plancycle.thai.areacode import AreaLevel, in_area, level_of
from plancycle.workflow.errors import NotAllowed, WorkflowError

__all__ = [
    "MAX_DAYS",
    "PREFIX",
    "BadShare",
    "NewShare",
    "NoSuchShare",
    "UnknownShare",
    "UnknownShareArea",
    "check_shares",
    "create_share",
    "list_shares",
    "may_share",
    "open_share",
    "revoke_share",
]

PREFIX = "pcs_"
MAX_DAYS = 365


class UnknownShare(WorkflowError, LookupError):
    """Told alike for a token never issued, altered, revoked or expired."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__(
            "this share link does not exist, was revoked or has expired; ask the provincial "
            "community development office for a new link",
            "ไม่พบลิงก์แบ่งปันนี้ หรือถูกยกเลิกหรือหมดอายุแล้ว โปรดขอลิงก์ใหม่จากสำนักงานพัฒนาชุมชนจังหวัด",
        )


class BadShare(WorkflowError, ValueError):
    exit_code = 2


class NoSuchShare(WorkflowError, LookupError):
    """A link number not made, or made for an area outside the caller's."""

    exit_code = 3

    def __init__(self, share_id: int) -> None:
        super().__init__(
            f"no share link {share_id} in your area; see `plancycle share list`",
            f"ไม่พบลิงก์แบ่งปันหมายเลข {share_id} ในพื้นที่ของท่าน; ดู `plancycle share list`",
        )


class UnknownShareArea(WorkflowError, LookupError):
    exit_code = 3

    def __init__(self, area: str) -> None:
        super().__init__(
            f"no area by the code {area!r}; give a DOPA code such as 24 or 2401",
            f"ไม่พบพื้นที่รหัส {area!r}; ระบุรหัสกรมการปกครอง เช่น 24 หรือ 2401",
        )


@dataclass(frozen=True, slots=True)
class NewShare:
    """A link just made: the token is shown this once and never stored."""

    link: ShareLink
    token: str


def may_share(actor_area: str | None) -> bool:
    """Whether an actor working in ``actor_area`` makes share links: a province office or a
    nation-wide actor (the navigation offers the page to them only)."""
    return not actor_area or level_of(actor_area) is AreaLevel.PROVINCE


def check_shares(actor_id: str, actor_area: str | None, area: str) -> None:
    """A province office (or a nation-wide actor) shares areas inside its own."""
    if not may_share(actor_area):
        raise NotAllowed(
            f"actor {actor_id!r} works in area {actor_area}; share links are made by a "
            "province office or CDD",
            f"ผู้ใช้ {actor_id!r} รับผิดชอบพื้นที่ {actor_area}; ลิงก์แบ่งปันสร้างได้เฉพาะ"
            "สำนักงานพัฒนาชุมชนจังหวัดหรือกรมการพัฒนาชุมชน",
        )
    if not in_area(actor_area, area):
        raise NotAllowed(
            f"actor {actor_id!r} works in area {actor_area} and may not share area {area}",
            f"ผู้ใช้ {actor_id!r} รับผิดชอบพื้นที่ {actor_area} ไม่มีสิทธิ์แบ่งปันพื้นที่ {area}",
        )


def _actor(session: Session, actor_id: str) -> Actor:
    actor = session.get(Actor, actor_id)
    if actor is None or not actor.active:
        raise NotAllowed(
            f"no active actor {actor_id!r}; see `plancycle actors list`",
            f"ไม่มีผู้ใช้ {actor_id!r} ที่ใช้งานอยู่; ดู `plancycle actors list`",
        )
    return actor


def create_share(
    db: sa.Engine, actor_id: str, area: str, fiscal_year: int, days: int, now: datetime
) -> NewShare:
    """A new link to ``area``'s pages of ``fiscal_year``, valid for ``days`` days."""
    if not 1 <= days <= MAX_DAYS:
        raise BadShare(
            f"a share link lasts 1 to {MAX_DAYS} days, not {days}; give --days 30, for example",
            f"ลิงก์แบ่งปันมีอายุ 1 ถึง {MAX_DAYS} วัน ไม่ใช่ {days}; ระบุเช่น 30 วัน",
        )
    if not 2500 <= fiscal_year <= 2700:
        raise BadShare(
            f"fiscal year {fiscal_year} is not a Buddhist Era year; give 2568, for example",
            f"ปีงบประมาณ {fiscal_year} ไม่ใช่ปี พ.ศ.; ระบุเช่น 2568",
        )
    code = normalize_code(area)
    with Session(db) as session, session.begin():
        actor = _actor(session, actor_id)
        if not code or get_area(session, code) is None:
            raise UnknownShareArea(area)
        check_shares(actor.id, actor.area_code, code)
        token = PREFIX + secrets.token_urlsafe(32)
        link = ShareLink(
            token_hash=token_hash(token),
            area_code=code,
            fiscal_year=fiscal_year,
            created_by=actor.id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        session.add(link)
        session.flush()
        session.refresh(link)
        session.expunge(link)
    logger.bind(share=link.id, area=code, fy=fiscal_year, actor=actor_id).info(
        "share link {id} made for {area}/{fy} by {actor}",
        id=link.id,
        area=code,
        fy=fiscal_year,
        actor=actor_id,
    )
    return NewShare(link, token)


def list_shares(db: sa.Engine, actor_id: str) -> list[ShareLink]:
    """The links inside the actor's area, newest first (revoked and expired included)."""
    with Session(db) as session:
        actor = _actor(session, actor_id)
        check_shares(actor.id, actor.area_code, actor.area_code or "")
        query = select(ShareLink).order_by(col(ShareLink.id).desc())
        if actor.area_code:
            query = query.where(col(ShareLink.area_code).startswith(actor.area_code))
        return list(session.exec(query).all())


def revoke_share(db: sa.Engine, actor_id: str, share_id: int, now: datetime) -> ShareLink:
    """Revoke a link inside the actor's area (revoking twice keeps the first time)."""
    with Session(db) as session, session.begin():
        actor = _actor(session, actor_id)
        link = session.get(ShareLink, share_id)
        if link is None or not in_area(actor.area_code, link.area_code):
            raise NoSuchShare(share_id)
        check_shares(actor.id, actor.area_code, link.area_code)
        if link.revoked_at is None:
            link.revoked_at = now
            session.add(link)
        session.flush()
        session.refresh(link)
        session.expunge(link)
    logger.bind(share=share_id, actor=actor_id).info(
        "share link {id} revoked by {actor}", id=share_id, actor=actor_id
    )
    return link


def open_share(db: sa.Engine, token: str, now: datetime) -> ShareLink:
    """The live link holding ``token``, its use counted and logged; :class:`UnknownShare`
    for any other token."""
    if not token.startswith(PREFIX) or len(token) > 100:
        raise UnknownShare()
    with Session(db) as session, session.begin():
        link = session.exec(
            select(ShareLink).where(col(ShareLink.token_hash) == token_hash(token))
        ).first()
        if link is None or link.revoked_at is not None or link.expires_at <= now:
            raise UnknownShare()
        link.uses += 1
        link.last_used_at = now
        session.add(link)
        session.flush()
        session.refresh(link)
        session.expunge(link)
    logger.bind(share=link.id, area=link.area_code, fy=link.fiscal_year).info(
        "share link {id} used ({uses})", id=link.id, uses=link.uses
    )
    return link
