"""From a planned rung to a recipient's :class:`Notice`: names, labels, days late."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from plancycle.definitions.model import Catalog
from plancycle.notifier.notice import NextRung, Notice
from plancycle.thai.areacode import code_at
from plancycle.workflow.overdue import days_late
from plancycle.workflow.sweep import Notify, rung_roles

__all__ = ["area_for_role", "notice_for"]


def area_for_role(catalog: Catalog, role: str, area_code: str) -> str:
    """The area a role answers for above ``area_code``: district roles of a tambon's
    instance answer at the district (first 4 digits), CDD at the nation ("")."""
    return code_at(area_code, catalog.roles[role].level if role in catalog.roles else None)


def notice_for(
    catalog: Catalog,
    planned: Notify,
    role: str,
    names: Mapping[str, tuple[str, str]],
    now: datetime,
) -> tuple[Notice, str]:
    """The notice for one recipient role, and the area code its contacts are under."""
    cand = planned.instance
    definition = catalog.get(cand.definition_id, cand.definition_version)
    state = definition.state(cand.state)
    role_spec = catalog.roles.get(role)
    name_th, name_en = names.get(cand.area_code, (cand.area_code, cand.area_code))
    nxt = None
    if planned.next_rung is not None and planned.next_at is not None:
        roles = rung_roles(definition, planned.next_rung.notify)
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
        area_code=cand.area_code,
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
    )
    return notice, area_for_role(catalog, role, cand.area_code)
