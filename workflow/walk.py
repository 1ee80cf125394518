"""Scripted walks: take an instance along its first declared path with plausible data.

Used by the demo and by tests that walk every process from start to end. The data
given for each step satisfies the seed's rules (20+ workshop participants,
spending within the allocation, budget lines neither durable nor handed out, 1+3+1
per district, plans evaluated as usable).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from plancycle.definitions.model import DataField, Definition, Transition
from plancycle.definitions.row_kinds import RowKind
from plancycle.store.evidence import open_evidence
from plancycle.store.models import Area
from plancycle.workflow.datefields import sample_date
from plancycle.workflow.engine import AdvanceResult, Engine
from plancycle.workflow.reports import get_instance

__all__ = ["MINIMAL_PDF", "sample_step_data", "walk"]

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

_PER_DISTRICT = {"socho_t_chairs": 1, "socho_a_members": 3, "cd_officers": 1}
_BY_NAME: Mapping[str, Any] = {
    "participants": 25,
    "participation": "ร่วมคิด ร่วมทำ ร่วมติดตามผล / planned, worked and followed up together",
    "project_description": "อบรมและจัดเวทีเพื่อขยายผลสัมมาชีพชุมชน / training and forums",
}


def sample_step_data(
    step: Transition,
    definition: Definition,
    district_count: int,
    *,
    fiscal_year: int,
    district_codes: Sequence[str] = (),
) -> dict[str, Any]:
    """A value for every field the step takes, chosen to pass its guards; a date is one
    the field takes in an instance of ``fiscal_year``. Attendance rows name
    ``district_codes`` (the instance's province's districts), 1 + 3 + 1 each."""
    allocation = definition.budget.per_unit if definition.budget else None
    return {
        f.name: _value(f, allocation, district_count, fiscal_year, district_codes)
        for f in step.data
    }


def _value(
    field: DataField, allocation: int | None, district_count: int, fy: int, codes: Sequence[str]
) -> Any:
    if field.type == "date":
        return sample_date(field, fy).isoformat()
    if field.type == RowKind.DISTRICT_ATTENDANCE:
        return [{"district": c, **_PER_DISTRICT} for c in codes]
    if field.type == RowKind.BUDGET_LINES:
        amount = allocation if allocation is not None else 0
        return [
            {"item": "ค่าวัสดุอบรม", "amount": amount // 2, "budget_class": "materials"},
            {
                "item": "ค่าอาหารและเครื่องดื่ม",
                "amount": amount - amount // 2,
                "budget_class": "services",
            },
        ]
    if field.name in _PER_DISTRICT:
        return _PER_DISTRICT[field.name] * max(district_count, 1)
    if field.name == "spent":
        return allocation if allocation is not None else 0
    if field.name in _BY_NAME:
        return _BY_NAME[field.name]
    return {"int": 1, "str": "sample", "list": ["sample"], "bool": True}[field.type]


def _actor_for(step: Transition, actors: Mapping[str, str]) -> str:
    for role in step.roles:
        if role in actors:
            return actors[role]
    raise LookupError(f"no actor given for any of the roles {', '.join(step.roles)}")


def walk(
    engine: Engine,
    key: str,
    actors: Mapping[str, str],
    evidence_file: Path,
    max_steps: int | None = None,
    note: str | None = None,
) -> list[AdvanceResult]:
    """Advance ``key`` along its first declared transitions until final or ``max_steps``.

    ``actors`` maps a role to the id of an actor holding it in the instance's area.
    """
    done: list[AdvanceResult] = []
    while max_steps is None or len(done) < max_steps:
        inst = get_instance(engine.db, key)
        definition = engine.catalog.get(inst.definition_id, inst.definition_version)
        steps = definition.transitions_from(inst.state)
        if not steps:
            break
        step = steps[0]
        with Session(engine.db) as session:
            codes = session.exec(
                select(Area.code).where(
                    Area.level == "district", Area.province_code == inst.province_code
                )
            ).all()
        data = sample_step_data(
            step, definition, len(codes), fiscal_year=inst.fiscal_year, district_codes=codes
        )
        paths = [(slot.id, evidence_file) for slot in step.evidence]
        with open_evidence(paths) as evidence:
            done.append(
                engine.advance(key, step.trigger, _actor_for(step, actors), evidence, note, data)
            )
    return done
