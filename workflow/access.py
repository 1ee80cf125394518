"""Who may fire a step: the actor's role must be one the step names, and the
instance must lie inside the actor's area (a district office acts in its district,
a province in its province; an actor without an area acts nation-wide)."""

from __future__ import annotations

from plancycle.definitions.model import Transition
from plancycle.workflow.errors import NotAllowed

__all__ = ["check_allowed", "in_scope"]


def in_scope(actor_area: str | None, instance_area: str) -> bool:
    """DOPA codes nest by prefix: 24 ⊃ 2401 ⊃ 240101 ⊃ 24010101."""
    return actor_area is None or instance_area.startswith(actor_area)


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
    if not in_scope(actor_area, instance_area):
        raise NotAllowed(
            f"{key}: actor {actor_id!r} works in area {actor_area} and may not act on area "
            f"{instance_area}",
            f"{key}: ผู้ใช้ {actor_id!r} รับผิดชอบพื้นที่ {actor_area} ไม่มีสิทธิ์ในพื้นที่ {instance_area}",
        )
