"""One instance as the instance page and ``GET /api/v1/instances/...`` show it: its
steps with their deadlines, where it is, what may be done next (and by whom), and its
audit history with the evidence files' names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.diagram import to_mermaid
from plancycle.definitions.model import Catalog, Definition, Text, Transition
from plancycle.store.models import Area, Evidence, Instance, TransitionRecord
from plancycle.web.auth import Principal
from plancycle.workflow.access import in_scope
from plancycle.workflow.deadlines import state_due_at
from plancycle.workflow.notices import days_late
from plancycle.workflow.reports import history

__all__ = ["InstanceDetail", "Step", "instance_detail", "text_dict"]


def text_dict(text: Text) -> dict[str, str]:
    return {"th": text.th, "en": text.en}


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    label: Text
    source: str
    status: str  # done | current | pending | final
    due_at: datetime | None
    wait: bool = False  # waiting on other processes, not work of its own

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": text_dict(self.label),
            "source": self.source,
            "status": self.status,
            "due_at": self.due_at,
            "waiting": self.wait,
        }


@dataclass
class InstanceDetail:
    inst: Instance
    definition: Definition
    area_name: Text
    steps: list[Step]
    records: list[TransitionRecord]
    files: dict[str, Evidence]  # sha256 -> evidence row
    now: datetime

    @property
    def overdue(self) -> bool:
        inst = self.inst
        return inst.due_at is not None and inst.completed_at is None and inst.due_at < self.now

    @property
    def days_late(self) -> int:
        return days_late(self.inst.due_at, self.now) if self.overdue else 0

    @property
    def progress(self) -> tuple[int, int]:
        """(steps done, steps in all), waiting states not counted."""
        counted = [s for s in self.steps if not s.wait and s.status != "final"]
        done = sum(1 for s in counted if s.status == "done")
        return (len(counted) if self.inst.completed_at else done), len(counted)

    @property
    def percent(self) -> float:
        done, total = self.progress
        return round(100 * done / total, 1) if total else 100.0

    def next_steps(self) -> tuple[Transition, ...]:
        return self.definition.transitions_from(self.inst.state)

    def allowed(self, who: Principal) -> list[Transition]:
        """The steps ``who`` may do now: its role is named and the area is its own."""
        if not in_scope(who.area, self.inst.area_code):
            return []
        return [t for t in self.next_steps() if who.role in t.roles]

    def trigger_label(self, trigger: str) -> Text:
        for t in self.definition.transitions:
            if t.trigger == trigger:
                return t.label
        return Text(trigger, trigger)

    def field_label(self, trigger: str, name: str) -> Text:
        for t in self.definition.transitions:
            for f in t.data if t.trigger == trigger else ():
                if f.name == name and f.label:
                    return f.label
        return Text(name, name)

    def mermaid(self, lang: str) -> str:
        return to_mermaid(self.definition, lang, current=self.inst.state)

    def as_dict(self, who: Principal) -> dict[str, Any]:
        inst = self.inst
        mine = {t.trigger for t in self.allowed(who)}
        done, total = self.progress
        return {
            "key": inst.key,
            "fiscal_year": inst.fiscal_year,
            "process": inst.definition_id,
            "definition_version": inst.definition_version,
            "title": text_dict(self.definition.title),
            "area": {"code": inst.area_code, "name": text_dict(self.area_name)},
            "state": inst.state,
            "state_label": text_dict(self.definition.state(inst.state).label),
            "version": inst.version,
            "due_at": inst.due_at,
            "completed_at": inst.completed_at,
            "overdue": self.overdue,
            "days_late": self.days_late,
            "progress": {"done": done, "total": total, "percent": self.percent},
            "steps": [s.as_dict() for s in self.steps],
            "next": [_transition_dict(t, t.trigger in mine) for t in self.next_steps()],
            "history": [record_dict(r, self.files) for r in self.records],
        }


def _transition_dict(t: Transition, allowed: bool) -> dict[str, Any]:
    return {
        "trigger": t.trigger,
        "label": text_dict(t.label),
        "dest": t.dest,
        "roles": list(t.roles),
        "allowed": allowed,
        "automatic": t.auto is not None,
        "data": [
            {
                "name": f.name,
                "type": f.type,
                "required": f.required,
                "label": text_dict(f.label) if f.label else None,
            }
            for f in t.data
        ],
        "evidence": [
            {
                "slot": s.id,
                "label": text_dict(s.label),
                "required": s.required,
                "media_types": list(s.media_types),
            }
            for s in t.evidence
        ],
    }


def record_dict(r: TransitionRecord, files: dict[str, Evidence]) -> dict[str, Any]:
    return {
        "seq": r.seq,
        "at": r.at,
        "actor": r.actor_id,
        "role": r.role,
        "trigger": r.trigger,
        "from": r.from_state,
        "to": r.to_state,
        "data": r.data,
        "note": r.note,
        "automatic": r.automatic,
        "hash": r.hash,
        "evidence": [
            {
                "sha256": h,
                "file_name": files[h].file_name if h in files else None,
                "media_type": files[h].media_type if h in files else None,
            }
            for h in r.evidence
        ],
    }


def _steps(definition: Definition, inst: Instance, records: list[TransitionRecord]) -> list[Step]:
    left_at = {r.from_state: r.at for r in records}  # records are oldest first: last wins
    out = []
    for state in definition.states:
        if state.id == inst.state:
            status, due = ("final" if state.final else "current"), inst.due_at
        else:
            status = "done" if state.id in left_at else "pending"
            due = state_due_at(definition, state.id, inst.fiscal_year, left_at)
            if state.final:
                status = "final"
        out.append(Step(state.id, state.label, state.source, status, due, state.wait))
    return out


def instance_detail(db: sa.Engine, catalog: Catalog, key: str, now: datetime) -> InstanceDetail:
    """Raises UnknownInstance for a key that is not in the store."""
    inst, records = history(db, key)
    definition = catalog.get(inst.definition_id, inst.definition_version)
    hashes = {h for r in records for h in r.evidence}
    with Session(db) as session:
        area = session.get(Area, inst.area_code)
        files = session.exec(select(Evidence).where(col(Evidence.sha256).in_(hashes))).all()
    name = (
        Text(area.name_th, area.name_en or area.name_th)
        if area
        else Text(inst.area_code, inst.area_code)
    )
    return InstanceDetail(
        inst,
        definition,
        name,
        _steps(definition, inst, records),
        records,
        {f.sha256: f for f in files},
        now,
    )
