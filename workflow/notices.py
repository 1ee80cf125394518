"""From a planned rung to a recipient's :class:`Notice`: names, labels, days late."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from plancycle.definitions.model import Catalog
from plancycle.notifier.notice import NextRung, Notice
from plancycle.thai.areacode import code_at
from plancycle.workflow.overdue import days_late
from plancycle.workflow.sweep import Notify, rung_roles

__all__ = ["area_for_role", "notice_for", "obligation_note"]

_UNITS = {
    "village": ("หมู่บ้าน", "villages"),
    "tambon": ("ตำบล", "tambons"),
    "district": ("อำเภอ", "districts"),
    "province": ("จังหวัด", "provinces"),
}
_PER = {"district": ("อำเภอ", "district"), "province": ("จังหวัด", "province")}


def area_for_role(catalog: Catalog, role: str, area_code: str) -> str:
    """The area a role answers for above ``area_code``: district roles of a tambon's
    instance answer at the district (first 4 digits), CDD at the nation ("")."""
    return code_at(area_code, catalog.roles[role].level if role in catalog.roles else None)


def obligation_note(catalog: Catalog, planned: Notify) -> tuple[str, str]:
    """For a once-per-area step: that the notice is the one obligation of the area for
    all its instances ("" otherwise)."""
    if planned.obligation_area is None:
        return "", ""
    cand = planned.instance
    definition = catalog.get(cand.definition_id, cand.definition_version)
    per = definition.state(cand.state).once_per or ""
    unit_th, unit_en = _UNITS.get(definition.scope, (definition.scope, definition.scope))
    per_th, per_en = _PER.get(per, (per, per))
    return (
        f"ขั้นตอนนี้ทำครั้งเดียวต่อ{per_th} สำหรับ {planned.instances} {unit_th} "
        f"(แจ้งครั้งเดียว ไม่แยกราย{unit_th})",
        f"This step is done once per {per_en}, for its {planned.instances} {unit_en} "
        f"(one notice, not one per {unit_en.rstrip('s')}).",
    )


def notice_for(
    catalog: Catalog,
    planned: Notify,
    role: str,
    names: Mapping[str, tuple[str, str]],
    now: datetime,
    note: tuple[str, str] = ("", ""),
) -> tuple[Notice, str]:
    """The notice for one recipient role, and the area code its contacts are under.
    A once-per-area step's notice is about the area of the obligation; ``note`` adds
    what a waiting instance waits for."""
    cand = planned.instance
    definition = catalog.get(cand.definition_id, cand.definition_version)
    state = definition.state(cand.state)
    role_spec = catalog.roles.get(role)
    area_code = planned.obligation_area or cand.area_code
    name_th, name_en = names.get(area_code, (area_code, area_code))
    once_th, once_en = obligation_note(catalog, planned)
    note_th = " ".join(x for x in (once_th, note[0]) if x)
    note_en = " ".join(x for x in (once_en, note[1]) if x)
    nxt = None
    if planned.next_rung is not None and planned.next_at is not None:
        roles = rung_roles(definition, planned.next_rung.notify, cand.state)
        nxt = NextRung(
            planned.next_rung.level,
            planned.next_at,
            tuple(catalog.roles[r].label.th for r in roles if r in catalog.roles),
            tuple(catalog.roles[r].label.en for r in roles if r in catalog.roles),
        )
    notice = Notice(
        key=cand.key,
        kind=planned.kind,
        level=planned.level,
        area_code=area_code,
        area_name_th=name_th,
        area_name_en=name_en,
        process_th=definition.title.th,
        process_en=definition.title.en,
        step_th=state.label.th,
        step_en=state.label.en,
        due_at=cand.due_at,
        now=now,
        days_late=days_late(cand.due_at, now),
        role=role,
        role_th=role_spec.label.th if role_spec else role,
        role_en=role_spec.label.en if role_spec else role,
        next_rung=nxt,
        note_th=note_th,
        note_en=note_en,
    )
    return notice, area_for_role(catalog, role, area_code)
