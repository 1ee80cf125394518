"""One instance as every shell shows it: its steps with due instants and status, where it
is, its progress, whether and how late it is, the escalation rung reached, what each role
may do next and who must act, and its audit history with the evidence files' names.

The instance page, ``GET /api/v1/instances/...`` and ``plancycle show --json`` all read an
:class:`InstanceView`; :meth:`InstanceView.as_dict` is the one machine-readable shape.
``version`` always means the instance's lock counter (the API's ``ETag``);
``definition_version`` the version of its process definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.guards import GUARD_WARNINGS_KEY, Bounds, field_bounds
from plancycle.definitions.model import (
    Catalog,
    DataField,
    Definition,
    GuardSeverity,
    Text,
    Transition,
)
from plancycle.definitions.row_kinds import RowKind
from plancycle.store.models import Area, Evidence, EvidenceUse, Instance, TransitionRecord
from plancycle.thai.areacode import in_area
from plancycle.thai.dateinput import stored_date
from plancycle.workflow.acting import must_act, records_for, steps_for
from plancycle.workflow.audit import CORRECT_TRIGGER, RETURNED_KEY, SEND_BACK_TRIGGER
from plancycle.workflow.datefields import DateRange, allowed_dates, recorded_dates
from plancycle.workflow.deadlines import (
    DueDay,
    due_source,
    moved_text,
    state_due_at,
    state_due_day,
)
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.leftat import left_at
from plancycle.workflow.overdue import RungReached, days_late, is_overdue, rungs_reached
from plancycle.workflow.reports import history
from plancycle.workflow.review_rules import (
    correctable,
    latest_values,
    may_correct,
    may_send_back,
    returnable,
    standing,
)
from plancycle.workflow.withdraw import (
    ADMIN_DATE_FIELDS,
    ADMIN_FIELD_LABELS,
    ADMIN_TRIGGER_LABELS,
    may_withdraw,
)
from plancycle.workflow.workdays import WorkCalendar

__all__ = [
    "AttachedFile",
    "InstanceView",
    "StepStatus",
    "StepView",
    "Viewer",
    "Who",
    "instance_row",
    "instance_view",
    "record_dict",
    "text_dict",
]


FORM_BLANK_ROWS = 6  # blank budget lines a form offers (rows left blank are ignored)


def text_dict(text: Text) -> dict[str, str]:
    return {"th": text.th, "en": text.en}


class Viewer(Protocol):
    """Who looks: a role and an area (None: nation-wide)."""

    @property
    def role(self) -> str: ...

    @property
    def area(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Who:
    """A :class:`Viewer` made of its two facts (an actor seen from the CLI)."""

    role: str
    area: str | None


class StepStatus(StrEnum):
    DONE = "done"
    CURRENT = "current"
    PENDING = "pending"
    FINAL = "final"


@dataclass(frozen=True, slots=True)
class StepView:
    id: str
    label: Text
    source: str
    status: StepStatus
    due_at: datetime | None
    wait: bool = False  # waiting on other processes, not work of its own
    due_source: str | None = None  # where the deadline that applies comes from
    moved: DueDay | None = None  # a deadline a ``roll`` moved off a day off, and why

    def moved_text(self, lang: str) -> str | None:
        return moved_text(self.moved, lang) if self.moved is not None else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": text_dict(self.label),
            "source": self.source,
            "status": str(self.status),
            "due_at": self.due_at,
            "due_source": self.due_source,
            "due_moved": None
            if self.moved is None
            else {
                "written": self.moved.written.isoformat(),
                "day": self.moved.day.isoformat(),
                "reason": {
                    "th": self.moved.moved_by.name_th if self.moved.moved_by else "",
                    "en": self.moved.moved_by.name_en if self.moved.moved_by else "",
                },
            },
            "waiting": self.wait,
        }


def _steps(
    definition: Definition,
    inst: Instance,
    left: dict[str, datetime],
    dates: dict[str, date],
    calendar: WorkCalendar,
) -> list[StepView]:
    out = []
    for state in definition.states:
        if state.final:
            status, due = StepStatus.FINAL, None
        elif state.id == inst.state:
            status, due = StepStatus.CURRENT, inst.due_at
        else:
            status = StepStatus.DONE if state.id in left else StepStatus.PENDING
            due = state_due_at(definition, state.id, inst.fiscal_year, left, dates, calendar)
        source = due_source(state.due, inst.fiscal_year, left, calendar) if due else None
        day = (
            state_due_day(definition, state.id, inst.fiscal_year, left, dates, calendar)
            if due
            else None
        )
        moved = day if day is not None and day.moved_by is not None else None
        out.append(
            StepView(state.id, state.label, state.source, status, due, state.wait, source, moved)
        )
    return out


@dataclass(frozen=True, slots=True)
class AttachedFile:
    """An evidence file as a record of the instance attached it."""

    seq: int
    trigger: str
    sha256: str
    file_name: str
    media_type: str | None
    size: int | None


@dataclass
class InstanceView:
    inst: Instance
    definition: Definition
    catalog: Catalog
    area_name: Text
    steps: list[StepView]
    records: list[TransitionRecord]
    files: dict[str, Evidence]  # sha256 -> evidence row
    names: dict[tuple[int, str], str]  # (seq, sha256) -> the name that record gave it
    rung: RungReached | None  # the highest ladder rung reached for the current step
    now: datetime
    # (code, name) of the province's districts, when a step takes attendance per district
    districts: tuple[tuple[str, Text], ...] = ()

    def form_rows(self, field: DataField) -> list[tuple[str, Text | None]]:
        """The rows a form offers for a field of rows: (the district code it is for, and
        the district's name) for attendance per district, else blank rows."""
        if field.type == RowKind.DISTRICT_ATTENDANCE and self.districts:
            return [(code, name) for code, name in self.districts]
        return [("", None)] * FORM_BLANK_ROWS

    def file_name(self, seq: int, sha256: str) -> str | None:
        """The name record ``seq`` gave the file (older records: its first name)."""
        return file_name(self.files, self.names, seq, sha256)

    def attached(self) -> list[AttachedFile]:
        """Every file the instance's records attached, in the order they were attached."""
        out = []
        for r in self.records:
            for h in r.evidence:
                row = self.files.get(h)
                out.append(
                    AttachedFile(
                        r.seq,
                        r.trigger,
                        h,
                        self.file_name(r.seq, h) or h[:12],
                        row.media_type if row else None,
                        row.size if row else None,
                    )
                )
        return out

    @property
    def overdue(self) -> bool:
        return is_overdue(self.inst.due_at, self.inst.completed_at, self.now)

    @property
    def days_late(self) -> int:
        return days_late(self.inst.due_at, self.now) if self.overdue else 0

    @property
    def progress(self) -> tuple[int, int]:
        """(steps done, steps in all), waiting states and the end not counted."""
        counted = [s for s in self.steps if not s.wait and s.status is not StepStatus.FINAL]
        done = sum(1 for s in counted if s.status is StepStatus.DONE)
        return (len(counted) if self.inst.completed_at else done), len(counted)

    @property
    def percent(self) -> float:
        done, total = self.progress
        return round(100 * done / total, 1) if total else 100.0

    def current_step(self) -> StepView | None:
        """The step the instance is in (None once it is final)."""
        return next((s for s in self.steps if s.status is StepStatus.CURRENT), None)

    def next_steps(self) -> tuple[Transition, ...]:
        return self.definition.transitions_from(self.inst.state)

    def must_act(self) -> tuple[str, ...]:
        """The roles that must act next (none while the instance waits on others or is
        done): every office named by a step a person may do from here (the store's
        administrator, who may stand in for any, is not one of them)."""
        if self.inst.withdrawn_at is not None:
            return ()
        return must_act(self.definition, self.inst.state)

    def waiting_on(self) -> dict[str, str] | None:
        """What an instance in a waiting state waits for: process and state reached."""
        for t in self.next_steps():
            if t.auto is not None:
                return {"process": t.auto.process, "reached": t.auto.reached}
        return None

    def _acts_here(self, who: Viewer) -> bool:
        """Whether ``who`` may act on this instance at all: the area is its own and the
        instance was not withdrawn (nothing is recorded on a withdrawn one)."""
        return self.inst.withdrawn_at is None and in_area(who.area, self.inst.area_code)

    def may_withdraw(self, who: Viewer) -> bool:
        """Whether ``who`` may withdraw this instance (not already withdrawn)."""
        return self.inst.withdrawn_at is None and may_withdraw(
            who.role, who.area, self.inst.area_code
        )

    def allowed(self, who: Viewer) -> list[Transition]:
        """The steps ``who`` may do now: its role is named and the area is its own."""
        if not self._acts_here(who):
            return []
        return steps_for(self.definition, self.inst.state, who.role)

    def on_behalf(self, who: Viewer) -> list[tuple[Transition, str]]:
        """The steps ``who`` may record now on behalf of the role that performs them (that
        role must otherwise act), each with that role."""
        if not self._acts_here(who):
            return []
        return records_for(self.definition, self.inst.state, who.role)

    def send_back_to(self, who: Viewer) -> list[str]:
        """The steps ``who`` may send the instance back to (the most recent first)."""
        if not self._acts_here(who) or not may_send_back(self.definition, who.role):
            return []
        return returnable(self.definition, self.inst.state, self.records)

    def correctable(self, who: Viewer | None = None) -> Transition | None:
        """The step whose data may be corrected now (by ``who``, when given)."""
        found = correctable(self.definition, self.inst.state, self.records)
        if found is None or not self.definition.review.correct:
            return None
        if who is not None and not (
            self._acts_here(who) and may_correct(self.definition, found[0], who.role)
        ):
            return None
        return found[0]

    def latest_values(self) -> dict[str, Any]:
        """The newest step's data as its corrections left it (the correct form's values)."""
        found = correctable(self.definition, self.inst.state, self.records)
        if found is None:
            return {}
        return latest_values(self.records, self.records.index(found[1]))  # type: ignore[arg-type]

    def bounds(self, step: Transition) -> dict[str, Bounds]:
        """The least and greatest values the step's guards let its number fields hold
        (a form's ``min``/``max``; the guards still decide when the step is done). A rule of
        severity ``warn`` lets any value through, so it sets no bound."""
        refusing = (g for g in step.guards if g.severity == GuardSeverity.REFUSE)
        return field_bounds(((g.name, g.params) for g in refusing), self.definition.allocation)

    def trigger_label(self, trigger: str) -> Text:
        if trigger in REVIEW_LABELS:
            return REVIEW_LABELS[trigger]
        for t in self.definition.transitions:
            if t.trigger == trigger:
                return t.label
        return ADMIN_TRIGGER_LABELS.get(trigger, Text(trigger, trigger))

    def date_range(self, field: DataField) -> DateRange:
        """The days a date field of a step takes in this instance (its fiscal year, or the
        field's declared window)."""
        return allowed_dates(field, self.inst.fiscal_year)

    def _field(self, trigger: str, name: str) -> DataField | None:
        for t in self.definition.transitions:
            for f in t.data if t.trigger == trigger else ():
                if f.name == name:
                    return f
        return None

    warnings_key = GUARD_WARNINGS_KEY  # a record's findings of rules of severity warn

    def data_trigger(self, record: TransitionRecord) -> str:
        """The step whose fields a record's data holds: its own, or for a correction the
        step it corrects (the newest step before it)."""
        if record.trigger != CORRECT_TRIGGER:
            return record.trigger
        for r in reversed(self.records[: self.records.index(record)]):
            if r.trigger != CORRECT_TRIGGER:
                return r.trigger
        return record.trigger

    send_back_trigger = SEND_BACK_TRIGGER
    returned_key = RETURNED_KEY  # a send-back record's data: the step it returned

    def field_label(self, trigger: str, name: str) -> Text:
        if trigger == SEND_BACK_TRIGGER and name == RETURNED_KEY:
            return Text("ขั้นที่ส่งกลับให้ทำใหม่", "Step returned")
        if name == GUARD_WARNINGS_KEY:
            return Text("ข้อสังเกต (บันทึกไว้ ไม่ปฏิเสธ)", "Finding (recorded, not refused)")
        found = self._field(trigger, name)
        if found and found.label:
            return found.label
        if trigger in ADMIN_TRIGGER_LABELS:
            return ADMIN_FIELD_LABELS.get(name, Text(name, name))
        return Text(name, name)

    def recorded_day(self, trigger: str, name: str, value: Any) -> date | None:
        """The day a record's value of a date field names (read as the sheets read it),
        or None for a field of another type or a value that names no day."""
        if (trigger, name) in ADMIN_DATE_FIELDS:
            return stored_date(value)
        found = self._field(trigger, name)
        return stored_date(value) if found and found.type == "date" else None

    def state_label(self, state: str) -> Text:
        """A state's label, also for the ids of older versions its records may name."""
        return self.catalog.state_label(self.definition.id, state, self.definition.version)

    def role_label(self, role: str) -> Text:
        spec = self.catalog.roles.get(role)
        return spec.label if spec else Text(role, role)

    def as_dict(self, who: Viewer | None = None) -> dict[str, Any]:
        """The instance for machines; ``allowed`` says per next step whether ``who`` may
        do it (None when no one in particular asks)."""
        inst = self.inst
        mine = None if who is None else {t.trigger for t in self.allowed(who)}
        behalf = {} if who is None else {t.trigger: of for t, of in self.on_behalf(who)}
        fixable = self.correctable(who)
        done, total = self.progress
        return {
            **instance_row(inst, self.now),
            "title": text_dict(self.definition.title),
            "area": {"code": inst.area_code, "name": text_dict(self.area_name)},
            "state_label": text_dict(self.definition.state(inst.state).label),
            "days_late": self.days_late,
            "escalation": self.rung.as_dict() if self.rung else None,
            "progress": {"done": done, "total": total, "percent": self.percent},
            "must_act": [
                {"role": r, "label": text_dict(self.role_label(r))} for r in self.must_act()
            ],
            "waiting_on": self.waiting_on(),
            "steps": [s.as_dict() for s in self.steps],
            "next": [
                {
                    **_transition_dict(t, None if mine is None else t.trigger in mine),
                    "on_behalf_of": behalf.get(t.trigger),
                }
                for t in self.next_steps()
            ],
            "review": {
                "send_back_to": [] if who is None else self.send_back_to(who),
                "correct": fixable.trigger if fixable else None,
            },
            "history": [record_dict(r, self.files, self.names) for r in self.records],
        }


#: how the records that are no step of the definition are named
REVIEW_LABELS = {
    SEND_BACK_TRIGGER: Text("ส่งกลับแก้ไข", "Sent back"),
    CORRECT_TRIGGER: Text("แก้ไขข้อมูล", "Data corrected"),
}


def instance_row(inst: Instance, now: datetime) -> dict[str, Any]:
    """An instance as a list shows it (the first fields of :meth:`InstanceView.as_dict`)."""
    return {
        "key": inst.key,
        "fiscal_year": inst.fiscal_year,
        "process": inst.definition_id,
        "definition_version": inst.definition_version,
        "area_code": inst.area_code,
        "state": inst.state,
        "version": inst.version,
        "due_at": inst.due_at,
        "overdue": is_overdue(inst.due_at, inst.completed_at, now),
        "completed_at": inst.completed_at,
        "withdrawn_at": inst.withdrawn_at,
    }


def _transition_dict(t: Transition, allowed: bool | None) -> dict[str, Any]:
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


def file_name(
    files: dict[str, Evidence], names: dict[tuple[int, str], str], seq: int, sha256: str
) -> str | None:
    """The name record ``seq`` gave a file; records older than ``evidence_use`` show
    the name the file was first stored under."""
    named = names.get((seq, sha256))
    if named is not None:
        return named
    return files[sha256].file_name if sha256 in files else None


def record_dict(
    r: TransitionRecord,
    files: dict[str, Evidence],
    names: dict[tuple[int, str], str] | None = None,
) -> dict[str, Any]:
    return {
        "seq": r.seq,
        "at": r.at,
        "actor": r.actor_id,
        "role": r.role,
        "on_behalf_of": r.on_behalf_of,
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
                "file_name": file_name(files, names or {}, r.seq, h),
                "media_type": files[h].media_type if h in files else None,
            }
            for h in r.evidence
        ],
    }


def instance_view(db: sa.Engine, catalog: Catalog, key: str, now: datetime) -> InstanceView:
    """Raises UnknownInstance for a key that is not in the store."""
    inst, records = history(db, key)
    definition = catalog.get(inst.definition_id, inst.definition_version)
    hashes = {h for r in records for h in r.evidence}
    with Session(db) as session:
        area = session.get(Area, inst.area_code)
        files = session.exec(select(Evidence).where(col(Evidence.sha256).in_(hashes))).all()
        uses = session.exec(select(EvidenceUse).where(EvidenceUse.instance_id == inst.id)).all()
        rung = rungs_reached(session, [inst]).get(inst.id or 0)
        calendar = load_calendar(session)
        districts: tuple[tuple[str, Text], ...] = ()
        if any(
            f.type == RowKind.DISTRICT_ATTENDANCE for t in definition.transitions for f in t.data
        ):
            rows = session.exec(
                select(Area)
                .where(Area.level == "district", Area.province_code == inst.province_code)
                .order_by(col(Area.code))
            ).all()
            districts = tuple((a.code, Text(a.name_th, a.name_en or a.name_th)) for a in rows)
    name = (
        Text(area.name_th, area.name_en or area.name_th)
        if area
        else Text(inst.area_code, inst.area_code)
    )
    left = left_at(catalog, definition, standing(records, [r.at for r in records]))
    return InstanceView(
        inst,
        definition,
        catalog,
        name,
        _steps(definition, inst, left, recorded_dates(records), calendar),
        records,
        {f.sha256: f for f in files},
        {(u.seq, u.sha256): u.file_name for u in uses},
        rung,
        now,
        districts,
    )
