"""Who may fire a step: the actor's role must be one the step names, and the
instance must lie inside the actor's area (a district office acts in its district,
a province in its province; an actor without an area acts nation-wide)."""

from __future__ import annotations

from plancycle.definitions.model import Transition
from plancycle.thai.areacode import in_area
from plancycle.workflow.errors import NotAllowed
from plancycle.workflow.reports import AreaFilter

__all__ = ["check_allowed", "scoped"]


def check_allowed(
    key: str, actor_id: str, role: str, actor_area: str | None, instance_area: str, step: Transition
) -> None:
    if role not in step.roles:
        raise NotAllowed(
            f"{key}: actor {actor_id!r} has role {role!r}, but {step.trigger!r} may be done only by "
            f"{', '.join(step.roles)}",
            f"{key}: ผู้ใช้ {actor_id!r} มีบทบาท {role!r} แต่ขั้น {step.trigger!r} ทำได้เฉพาะ "
            f"{', '.join(step.roles)}",
        )
    if not in_area(actor_area, instance_area):
        raise NotAllowed(
            f"{key}: actor {actor_id!r} works in area {actor_area} and may not act on area "
            f"{instance_area}",
            f"{key}: ผู้ใช้ {actor_id!r} รับผิดชอบพื้นที่ {actor_area} ไม่มีสิทธิ์ในพื้นที่ {instance_area}",
        )


def scoped(actor_id: str, actor_area: str | None, wanted: AreaFilter) -> AreaFilter:
    """What an actor may see of ``wanted``: its own area when nothing narrower is asked
    for; a request outside the actor's area is refused."""
    asked = wanted.province or wanted.district or wanted.tambon
    if actor_area is None:
        return wanted
    if asked is None:
        return AreaFilter.of(actor_area)
    if in_area(actor_area, asked):
        return wanted
    if in_area(asked, actor_area):
        return AreaFilter.of(actor_area)  # asked for more than it may see: its own part
    raise NotAllowed(
        f"actor {actor_id!r} works in area {actor_area} and may not see area {asked}",
        f"ผู้ใช้ {actor_id!r} รับผิดชอบพื้นที่ {actor_area} ไม่มีสิทธิ์ดูพื้นที่ {asked}",
    )
