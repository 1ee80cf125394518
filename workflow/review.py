"""The review loop of real offices: sending a step back, correcting a step's data.

A definition's ``review:`` says who may do either (``Definition.review``):

- **send back**: a reviewer (the provincial CD office) returns an instance to a step it
  has left, with a required comment. The record has the trigger ``send_back``, goes from
  the current state to that step, and the process's lead is told (an outbox message: at
  once on a working day to an immediate contact, else the next working morning; a digest
  contact's joins its next digest, with the comment as the item's note).
- **correct**: while the instance has not moved on, an actor who may do its newest step
  gives new values for that step's data, with a reason. The record has the trigger
  ``correct``, keeps the state (and when it was entered and done), and holds only the
  values it changes; the older record stays as it was. :func:`latest_values` is the one
  rule for what a step's data now says (the exports' :mod:`report_values` follows it).

Both are records of the audit chain, checked by ``audit verify`` and ``audit replay``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from plancycle.definitions.model import Definition, Text, Transition
from plancycle.notifier.contacts import ContactBook
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.notifier.notice import Notice
from plancycle.notifier.outbox import add_messages, message_rows, timed
from plancycle.settings import load_settings
from plancycle.store.chain import Move, StaleInstance, append_transition
from plancycle.store.escalations import carry_over
from plancycle.store.models import Actor, Area, Instance, TransitionRecord
from plancycle.text import check_text
from plancycle.thai.areacode import in_area
from plancycle.workflow.access import check_allowed, check_scope
from plancycle.workflow.audit import (
    CORRECT_TRIGGER,
    RESERVED_TRIGGERS,
    RETURNED_KEY,
    SEND_BACK_TRIGGER,
)
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import (
    BadStepInput,
    Conflict,
    NotAllowed,
    UnknownActor,
    WorkflowError,
)
from plancycle.workflow.extensions import step_due
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.leftat import left_at
from plancycle.workflow.notices import area_for_role
from plancycle.workflow.reports import history
from plancycle.workflow.review_rules import (
    correctable,
    latest_values,
    may_correct,
    may_send_back,
    returnable,
    standing,
)
from plancycle.workflow.stepdata import coerce_step_data
from plancycle.workflow.withdraw import withdrawn_refusal

__all__ = ["ReviewResult", "correct", "send_back"]


@dataclass(frozen=True, slots=True)
class ReviewResult:
    key: str
    trigger: str  # send_back | correct
    from_state: str
    to_state: str
    seq: int
    at: datetime
    due_at: datetime | None
    data: dict[str, Any]
    step: Text  # the step returned (send back) or whose data was corrected


# --------------------------------------------------------------------------- #
# The writes
# --------------------------------------------------------------------------- #


def _read(
    engine: Engine, key: str, actor_id: str, expected_version: int | None
) -> tuple[Instance, list[TransitionRecord], Actor, Definition]:
    inst, records = history(engine.db, key)
    with Session(engine.db) as session:
        actor = session.get(Actor, actor_id)
    if actor is None or not actor.active:
        raise UnknownActor(actor_id, "inactive" if actor else "unknown")
    check_scope(key, actor.area_code, inst.area_code)
    if inst.withdrawn_at is not None:
        raise withdrawn_refusal(key)
    state_th = engine.catalog.state_label(inst.definition_id, inst.state).th
    if expected_version is not None and inst.version != expected_version:
        raise Conflict(key, inst.state, state_th)
    return inst, records, actor, engine.catalog.get(inst.definition_id, inst.definition_version)


def _write(engine: Engine, inst: Instance, move: Move, notify: list[dict[str, Any]]) -> int:
    """Append the record (refused as a Conflict if the instance moved meanwhile), the
    messages, and for a correction the ladder's rungs carried to the new occurrence."""
    try:
        with Session(engine.db) as session, session.begin():
            written = append_transition(session, inst, move)
            if move.trigger == CORRECT_TRIGGER:
                carry_over(session, [inst.id or 0], {})
            add_messages(session, notify)
    except StaleInstance:
        raise Conflict(inst.key, None) from None
    return written.seq


def _required(text: str | None, what_en: str, what_th: str, option: str) -> str:
    if text is None or not text.strip():
        raise BadStepInput(
            f"give {what_en} ({option})",
            f"ต้องระบุ{what_th} ({option})",
        )
    return text.strip()


def send_back(
    engine: Engine,
    key: str,
    actor_id: str,
    comment: str | None,
    to_state: str | None = None,
    expected_version: int | None = None,
) -> ReviewResult:
    """Return the instance to a step it has left (the newest by default) with a comment;
    the process's lead is told. Refusals are kept as refused attempts."""
    check_text(key=key, actor=actor_id, comment=comment, to_state=to_state)
    try:
        return _send_back(engine, key, actor_id, comment, to_state, expected_version)
    except WorkflowError as exc:
        engine.keep_refusal(key, SEND_BACK_TRIGGER, actor_id, exc)
        raise


def _send_back(
    engine: Engine,
    key: str,
    actor_id: str,
    comment: str | None,
    to_state: str | None,
    expected_version: int | None,
) -> ReviewResult:
    inst, records, actor, definition = _read(engine, key, actor_id, expected_version)
    roles = engine.catalog.roles
    if not may_send_back(definition, actor.role) or not in_area(actor.area_code, inst.area_code):
        who = definition.review.send_back
        raise NotAllowed(
            f"{key}: actor {actor_id!r} ({actor.role}) may not send this step back; "
            f"only {', '.join(who) or 'no one'} may, in its own area",
            f"{key}: ผู้ใช้ {actor_id!r} ส่งกลับขั้นนี้ไม่ได้; ผู้ส่งกลับได้คือ "
            f"{', '.join(roles[r].label.th if r in roles else r for r in who) or 'ไม่มี'}",
        )
    note = _required(comment, "a comment saying what to fix", "ความเห็นว่าต้องแก้ไขอะไร", "--comment")
    targets = returnable(definition, inst.state, records)
    if not targets:
        raise BadStepInput(
            f"{key}: there is no step to send back (no step has been done yet)",
            f"{key}: ยังไม่มีขั้นที่ทำแล้วให้ส่งกลับ",
        )
    target = to_state or targets[0]
    if target not in targets:
        raise BadStepInput(
            f"{key}: cannot send back to {target!r}; steps it may go back to: "
            f"{', '.join(targets)} (--to)",
            f"{key}: ส่งกลับไปขั้น {target!r} ไม่ได้; ขั้นที่ส่งกลับได้: {', '.join(targets)} (--to)",
        )
    now = engine.clock.now()
    stand = standing(records, [r.at for r in records])
    left = left_at(
        engine.catalog, definition, stand[: max(i for i, (s, _) in enumerate(stand) if s == target)]
    )
    with Session(engine.db) as session:
        due = step_due(session, definition, inst, target, left)
    steps = [r for r in records if r.trigger not in RESERVED_TRIGGERS]
    returned = next((r.trigger for r in reversed(steps) if r.from_state == target), "")
    move = Move(
        trigger=SEND_BACK_TRIGGER,
        to_state=target,
        actor_id=actor.id,
        role=actor.role,
        at=now,
        due_at=due,
        final=definition.state(target).final,
        data={RETURNED_KEY: returned} if returned else {},
        note=note,
    )
    notice = _sent_back_rows(engine, inst, definition, actor, target, note, now, due)
    seq = _write(engine, inst, move, notice)
    label = definition.state(target).label
    return ReviewResult(
        key, SEND_BACK_TRIGGER, inst.state, target, seq, now, due, dict(move.data), label
    )


def _sent_back_rows(
    engine: Engine,
    inst: Instance,
    definition: Definition,
    actor: Actor,
    target: str,
    comment: str,
    now: datetime,
    due: datetime | None,
) -> list[dict[str, Any]]:
    """The lead's message: which instance went back to which step, by whom, and why; due
    (or held for a digest) as ``DeliveryRules.send_at`` says for its contacts."""
    lead = definition.lead_role
    label = definition.state(target).label
    subject = f"[ส่งกลับแก้ไข / Sent back] {inst.key}: {label.th}"
    body = (
        f"{definition.title.th} ({inst.key}) ถูกส่งกลับไปขั้น “{label.th}” โดย {actor.name} "
        f"ความเห็น: {comment}\n\n"
        f"{definition.title.en} ({inst.key}) was sent back to “{label.en}” by {actor.name}. "
        f"Comment: {comment}"
    )
    with Session(engine.db) as session:
        book = ContactBook.load(session)
        place = session.get(Area, inst.area_code)
        rules = DeliveryRules.of(load_settings(), load_calendar(session))
    role = engine.catalog.roles.get(lead)
    notice = Notice(
        key=inst.key,
        kind=SEND_BACK_TRIGGER,
        level=0,
        area_code=inst.area_code,
        area_name_th=place.name_th if place else inst.area_code,
        area_name_en=(place.name_en or place.name_th) if place else inst.area_code,
        process_th=definition.title.th,
        process_en=definition.title.en,
        step_th=label.th,
        step_en=label.en,
        due_at=due,
        now=now,
        days_late=0,
        role=lead,
        role_th=role.label.th if role else lead,
        role_en=role.label.en if role else lead,
        note_th=f"ส่งกลับโดย {actor.name} ความเห็น: {comment}",
        note_en=f"Sent back by {actor.name}. Comment: {comment}",
    )
    payload = {**notice.payload(), "to": target, "comment": comment}
    area = area_for_role(engine.catalog, lead, inst.area_code)
    rows = message_rows(None, lead, area, subject, body, payload, book, now)
    return timed(rows, SEND_BACK_TRIGGER, book, now, rules)


def correct(
    engine: Engine,
    key: str,
    actor_id: str,
    data: Mapping[str, Any],
    reason: str | None,
    expected_version: int | None = None,
) -> ReviewResult:
    """New values for the newest step's data, while the instance has not moved on; the
    record holds the values it changes. Refusals are kept as refused attempts."""
    check_text(key=key, actor=actor_id, data=data, reason=reason)
    try:
        return _correct(engine, key, actor_id, data, reason, expected_version)
    except WorkflowError as exc:
        engine.keep_refusal(key, CORRECT_TRIGGER, actor_id, exc)
        raise


def _correct(
    engine: Engine,
    key: str,
    actor_id: str,
    data: Mapping[str, Any],
    reason: str | None,
    expected_version: int | None,
) -> ReviewResult:
    inst, records, actor, definition = _read(engine, key, actor_id, expected_version)
    found = correctable(definition, inst.state, records) if definition.review.correct else None
    if found is None:
        raise BadStepInput(
            f"{key}: there is nothing to correct: the newest record is no step with data, "
            f"or the instance has moved on (ask the province to send it back)",
            f"{key}: ไม่มีข้อมูลที่แก้ไขได้: รายการล่าสุดไม่ใช่ขั้นที่มีข้อมูล หรือดำเนินการขั้นถัดไปแล้ว (ขอให้จังหวัดส่งกลับ)",
        )
    step, rec = found
    if not may_correct(definition, step, actor.role):
        check_allowed(
            key, actor.id, actor.role, actor.area_code, inst.area_code, step, engine.catalog.roles
        )
    note = _required(reason, "the reason for the correction", "เหตุผลที่แก้ไข", "--reason")
    if not data:
        raise BadStepInput(
            f"{key}: give the values to correct (--data name=value)",
            f"{key}: ระบุค่าที่จะแก้ไข (--data ชื่อ=ค่า)",
        )
    current = latest_values(records, records.index(rec))  # type: ignore[arg-type]
    values = coerce_step_data(step.data, {**current, **data}, fiscal_year=inst.fiscal_year)
    changed = {k: values[k] for k in data if values[k] != current.get(k)}
    if not changed:
        raise BadStepInput(
            f"{key}: the values given are the ones recorded; nothing to correct",
            f"{key}: ค่าที่ระบุตรงกับที่บันทึกไว้แล้ว ไม่มีอะไรต้องแก้ไข",
        )
    _check_guards(engine, key, definition, step, inst, values)
    now = engine.clock.now()
    move = Move(
        trigger=CORRECT_TRIGGER,
        to_state=inst.state,
        actor_id=actor.id,
        role=actor.role,
        at=now,
        due_at=inst.due_at,
        final=definition.state(inst.state).final,
        data=changed,
        note=note,
        entered_at=inst.state_entered_at,
        completed_at=inst.completed_at,
    )
    seq = _write(engine, inst, move, [])
    return ReviewResult(
        key, CORRECT_TRIGGER, inst.state, inst.state, seq, now, inst.due_at, changed, step.label
    )


def _check_guards(
    engine: Engine,
    key: str,
    definition: Definition,
    step: Transition,
    inst: Instance,
    values: dict[str, Any],
) -> None:
    """The step's guards hold for the corrected values, as they held for the step (a rule
    of severity ``warn`` lets them through, as it let the step)."""
    with engine.driver.transaction() as cursor:
        engine.check_guards(cursor, key, definition, step, inst.province_code, values)
