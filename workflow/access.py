"""Who may fire a step: the actor's role must be one the step names, and the
instance must lie inside the actor's area (a district office acts in its district,
a province in its province; an actor without an area acts nation-wide)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from plancycle.definitions.builtin_actors import BuiltinRole
from plancycle.definitions.model import Role, Transition
from plancycle.thai.areacode import AreaLevel, in_area, level_of
from plancycle.workflow.errors import (
    EvidenceOutOfScope,
    NotAllowed,
    OutOfScope,
    UnknownEvidence,
    UnknownInstance,
)
from plancycle.workflow.reports import AreaFilter

__all__ = [
    "check_allowed",
    "check_manages",
    "check_manages_contacts",
    "may_manage_contacts",
    "check_opens_evidence",
    "check_scope",
    "check_sees_sign_in_lockouts",
    "scoped",
]


def check_allowed(
    key: str,
    actor_id: str,
    role: str,
    actor_area: str | None,
    instance_area: str,
    step: Transition,
    roles: Mapping[str, Role] | None = None,
) -> None:
    """Refuse ``step`` to an actor whose role it does not name or whose area is elsewhere;
    ``roles`` (the catalog's) give the Thai sentence the roles' labels."""
    if role not in step.roles:
        th = _role_labels_th(roles or {})
        raise NotAllowed(
            f"{key}: actor {actor_id!r} has role {role!r}, but {step.trigger!r} may be done only by "
            f"{', '.join(step.roles)}",
            f"{key}: ผู้ใช้ {actor_id!r} มีบทบาท{th(role)} แต่ขั้น “{step.label.th}” "
            f"[{step.trigger}] ทำได้เฉพาะ {', '.join(th(r) for r in step.roles)}",
        )
    if not in_area(actor_area, instance_area):
        raise NotAllowed(
            f"{key}: actor {actor_id!r} works in area {actor_area} and may not act on area "
            f"{instance_area}",
            f"{key}: ผู้ใช้ {actor_id!r} รับผิดชอบพื้นที่ {actor_area} ไม่มีสิทธิ์ในพื้นที่ {instance_area}",
        )


def _role_labels_th(roles: Mapping[str, Role]) -> Callable[[str], str]:
    def label(code: str) -> str:
        spec = roles.get(code)
        return spec.label.th if spec else code

    return label


def check_scope(key: str, actor_area: str | None, instance_area: str | None) -> None:
    """Scope first, before anything about the instance is told: one outside the
    actor's area is answered as one that does not exist (OutOfScope, kept as such).
    A missing instance whose key names an area outside the actor's is out of scope too."""
    area = instance_area if instance_area is not None else key.rpartition("/")[2]
    if not in_area(actor_area, area):
        raise OutOfScope(key, actor_area, area)
    if instance_area is None:
        raise UnknownInstance(key)


def check_opens_evidence(sha256: str, actor_area: str | None, used_in: Collection[str]) -> None:
    """Who may open an evidence file: an actor whose area covers an instance that
    references it (``used_in``: the areas of those instances, from ``evidence_use``).
    Anyone else is told the file does not exist, exactly as for a file no instance
    references, and the refusal is kept as out of scope."""
    if not used_in:
        raise UnknownEvidence(sha256)
    if not any(in_area(actor_area, area) for area in used_in):
        raise EvidenceOutOfScope(sha256, actor_area, sorted(set(used_in)))


def check_manages(
    actor_id: str, role: str, actor_area: str | None, areas: Iterable[str | None]
) -> None:
    """Who may add actors, issue or revoke tokens, and change areas and target lists:
    an actor of role ``admin``, and only inside its own area (None among ``areas`` is
    the whole nation: a nation-wide actor, or a list that spans provinces)."""
    if role != BuiltinRole.ADMIN:
        raise NotAllowed(
            f"actor {actor_id!r} has role {role!r}; only role {BuiltinRole.ADMIN.value!r} may "
            f"manage actors, tokens and areas",
            f"ผู้ใช้ {actor_id!r} ไม่ใช่ผู้ดูแลระบบ; เฉพาะผู้ดูแลระบบ (บทบาท "
            f"{BuiltinRole.ADMIN.value}) จัดการผู้ใช้ โทเค็น และพื้นที่ได้",
        )
    for area in areas:
        if not in_area(actor_area, area or ""):
            shown_en, shown_th = area or "the whole nation", area or "ทั้งประเทศ"
            raise NotAllowed(
                f"actor {actor_id!r} manages area {actor_area} and may not manage {shown_en}",
                f"ผู้ใช้ {actor_id!r} ดูแลพื้นที่ {actor_area} ไม่มีสิทธิ์จัดการ {shown_th}",
            )


def may_manage_contacts(role: str, actor_area: str | None) -> bool:
    """Who manages contacts: an administrator (inside its area; nation-wide: all) and
    an actor of a province (the province's areas)."""
    return role == BuiltinRole.ADMIN or (
        actor_area is not None and level_of(actor_area) is AreaLevel.PROVINCE
    )


def check_manages_contacts(
    actor_id: str, role: str, actor_area: str | None, area: str | None = None
) -> None:
    """Refuse contacts to an actor who may not manage them (:func:`may_manage_contacts`),
    and a contact of ``area`` ("" nation-wide) outside the actor's area."""
    if not may_manage_contacts(role, actor_area):
        raise NotAllowed(
            f"actor {actor_id!r} (role {role}, area {actor_area or 'nation'}) may not manage "
            "contacts; ask a province office or an administrator",
            f"ผู้ใช้ {actor_id!r} จัดการผู้ติดต่อไม่ได้; ให้สำนักงานระดับจังหวัดหรือผู้ดูแลระบบเป็นผู้จัดการ",
        )
    if area is not None and not in_area(actor_area, area):
        shown_en, shown_th = area or "the whole nation", area or "ทั้งประเทศ"
        raise NotAllowed(
            f"actor {actor_id!r} manages contacts of area {actor_area} and may not manage "
            f"those of {shown_en}; give an area code inside {actor_area}",
            f"ผู้ใช้ {actor_id!r} จัดการผู้ติดต่อของพื้นที่ {actor_area} เท่านั้น ไม่มีสิทธิ์จัดการ"
            f"ของ {shown_th}; ระบุรหัสพื้นที่ที่ขึ้นต้นด้วย {actor_area}",
        )


def check_sees_sign_in_lockouts(actor_id: str, actor_area: str | None) -> None:
    """Who sees the clients locked out after failed sign-ins: a province office or a
    nation-wide actor (a wrong token names no area, so a lockout belongs to no district)."""
    if actor_area and level_of(actor_area) is not AreaLevel.PROVINCE:
        raise NotAllowed(
            f"actor {actor_id!r} works in area {actor_area}; sign-in lockouts are for a "
            "province office or CDD",
            f"ผู้ใช้ {actor_id!r} รับผิดชอบพื้นที่ {actor_area}; รายการล็อกการเข้าสู่ระบบดูได้เฉพาะ"
            "สำนักงานพัฒนาชุมชนจังหวัดหรือกรมการพัฒนาชุมชน",
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
