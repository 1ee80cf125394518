"""Recording a step on behalf of the role that performs it (ปฏิบัติราชการแทน / บันทึกแทน).

A definition's step may declare ``on_behalf: {of: ROLE, by: [ROLES], evidence: SLOT}``:
an office of ``by`` may then record the step for ``of`` (the district CD office records
that the district chief signed the KBT order), with the signed document in ``SLOT``. The
record names both: its actor and role, and ``on_behalf_of``. This module is the one rule
for who may act so, used by the engine (the check) and the instance view (the offer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from plancycle.definitions.builtin_actors import BuiltinRole
from plancycle.definitions.model import Role, Transition
from plancycle.store.evidence import EvidenceFile
from plancycle.thai.areacode import in_area
from plancycle.workflow.access import check_allowed
from plancycle.workflow.errors import MissingEvidence, NotAllowed
from plancycle.workflow.inputs import slot_ref

__all__ = ["check_acts", "check_signed_document", "may_record_for"]


class ActorLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def area_code(self) -> str | None: ...


def may_record_for(step: Transition, role: str) -> str | None:
    """The role ``role`` may record ``step`` for (None: it may not record it on behalf)."""
    behalf = step.on_behalf
    if behalf is None or role in step.roles:
        return None
    return behalf.of if role in behalf.by or role == BuiltinRole.ADMIN else None


def _label(roles: Mapping[str, Role], code: str) -> tuple[str, str]:
    spec = roles.get(code)
    return (spec.label.en, spec.label.th) if spec else (code, code)


def check_acts(
    key: str,
    actor: ActorLike,
    instance_area: str,
    step: Transition,
    roles: Mapping[str, Role],
    on_behalf_of: str | None,
) -> None:
    """Refuse the actor's step unless its role may do it, or (``on_behalf_of`` given)
    record it for the role the step declares; a refusal of an actor who could record it
    on behalf says how."""
    if on_behalf_of is None:
        try:
            check_allowed(key, actor.id, actor.role, actor.area_code, instance_area, step, roles)
        except NotAllowed as exc:
            of = may_record_for(step, actor.role)
            if of is None or not in_area(actor.area_code, instance_area):
                raise
            en, th = _label(roles, of)
            raise NotAllowed(
                f"{exc.en}; your office may record it on behalf of the {en} ({of}) with the "
                f"signed document attached: --on-behalf-of {of}",
                f"{exc.th}; หน่วยงานของท่านบันทึกแทน{th} ได้ โดยแนบเอกสารที่ลงนามแล้ว: --on-behalf-of {of}",
            ) from None
        return
    behalf = step.on_behalf
    if behalf is None or behalf.of != on_behalf_of:
        en, th = _label(roles, on_behalf_of)
        allowed = f"only for {behalf.of}" if behalf else "by no one"
        allowed_th = f"แทนได้เฉพาะ{_label(roles, behalf.of)[1]}" if behalf else "ไม่มีผู้ใดบันทึกแทนได้"
        raise NotAllowed(
            f"{key}: step {step.trigger!r} cannot be recorded on behalf of the {en} "
            f"({on_behalf_of}): it may be recorded on behalf {allowed}",
            f"{key}: ขั้น “{step.label.th}” [{step.trigger}] บันทึกแทน{th}ไม่ได้ ({allowed_th})",
        )
    if may_record_for(step, actor.role) != on_behalf_of:
        en, th = _label(roles, on_behalf_of)
        by_th = ", ".join(_label(roles, r)[1] for r in behalf.by)
        raise NotAllowed(
            f"{key}: actor {actor.id!r} has role {actor.role!r}; step {step.trigger!r} may be "
            f"recorded on behalf of the {en} only by {', '.join(behalf.by)}",
            f"{key}: ผู้ใช้ {actor.id!r} บันทึกแทน{th}ในขั้น “{step.label.th}” ไม่ได้; ผู้บันทึกแทนได้คือ {by_th}",
        )
    if not in_area(actor.area_code, instance_area):
        raise NotAllowed(
            f"{key}: actor {actor.id!r} works in area {actor.area_code} and may not act on "
            f"area {instance_area}",
            f"{key}: ผู้ใช้ {actor.id!r} รับผิดชอบพื้นที่ {actor.area_code} ไม่มีสิทธิ์ในพื้นที่ {instance_area}",
        )


def check_signed_document(
    key: str, step: Transition, files: Sequence[EvidenceFile], on_behalf_of: str | None
) -> None:
    """A step recorded on behalf must carry the signed document (its declared slot)."""
    behalf = step.on_behalf
    if on_behalf_of is None or behalf is None:
        return
    if not any(f.slot == behalf.evidence for f in files):
        slot = next(s for s in step.evidence if s.id == behalf.evidence)
        raise MissingEvidence(key, step.trigger, [slot_ref(slot)])
