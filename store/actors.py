"""Actors: the people and offices who advance steps, each with one role and an area."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, select

from plancycle.definitions.builtin_actors import BuiltinRole
from plancycle.definitions.model import Role
from plancycle.errors import PlancycleError
from plancycle.store.models import Actor, Area
from plancycle.text import check_text

__all__ = ["ActorError", "add_actor", "add_sample_actors", "list_actors"]

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")


class ActorError(PlancycleError):
    """An actor that cannot be added as given."""


def add_actor(
    session: Session,
    actor_id: str,
    role: str,
    area_code: str | None,
    name: str,
    roles: set[str],
    now: datetime,
) -> Actor:
    """Add an actor; the role must be one the definitions know and the area must exist."""
    check_text(actor=actor_id, name=name, role=role)
    if not _ID.match(actor_id):
        raise ActorError(
            f"actor id {actor_id!r} must be 2-64 lower-case letters, digits, '.', '_' or '-'",
            f"รหัสผู้ใช้ {actor_id!r} ต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข . _ หรือ - ยาว 2-64 ตัว",
        )
    if role not in roles:
        raise ActorError(
            f"unknown role {role!r}; roles: {', '.join(sorted(roles))}",
            f"ไม่รู้จักบทบาท {role!r}; บทบาทที่มี: {', '.join(sorted(roles))}",
        )
    if area_code is not None and session.get(Area, area_code) is None:
        raise ActorError(
            f"area {area_code} is not in the store; import areas first (`plancycle areas import`)",
            f"ไม่มีพื้นที่ {area_code} ในระบบ; นำเข้าพื้นที่ก่อน (`plancycle areas import`)",
        )
    if session.get(Actor, actor_id) is not None:
        raise ActorError(f"actor {actor_id!r} already exists", f"มีผู้ใช้ {actor_id!r} อยู่แล้ว")
    actor = Actor(
        id=actor_id,
        name=name or actor_id,
        role=role,
        area_code=area_code,
        active=True,
        created_at=now,
    )
    session.add(actor)
    return actor


def list_actors(session: Session) -> list[Actor]:
    return list(session.exec(select(Actor).order_by(Actor.id)).all())


def add_sample_actors(
    session: Session, roles: Mapping[str, Role], province: str, now: datetime
) -> dict[str, dict[str, str]]:
    """Sample data: one actor per role in every district of ``province`` (district-level
    and lower roles), in the province (provincial roles) and nation-wide (national
    roles). Returns area code ("" = nation) -> role -> actor id. The scheduler's own
    actor exists already."""
    districts = session.exec(
        select(Area.code).where(Area.level == "district", Area.province_code == province)
    ).all()
    area_of = {"province": [province], "nation": [""]}
    out: dict[str, dict[str, str]] = {}
    for role in roles.values():
        if role.code == BuiltinRole.SCHEDULER:
            continue
        for area in area_of.get(role.level, districts):
            actor_id = f"{role.code.replace('_', '-')}-{area or 'th'}"
            if session.get(Actor, actor_id) is None:
                session.add(
                    Actor(
                        id=actor_id,
                        name=f"{role.label.th} {area}".strip(),  # the sample is a Thai province
                        role=role.code,
                        area_code=area or None,
                        active=True,
                        created_at=now,
                    )
                )
            out.setdefault(area, {})[role.code] = actor_id
    return out
