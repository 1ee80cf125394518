"""The rules of the review loop (:mod:`plancycle.workflow.review` writes its records):
which steps an instance may be sent back to, which step's data may be corrected, what a
step's data says after its corrections, which steps still stand after a send-back, and
who may send back or correct. Read by the writes, the instance view and the reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

from plancycle.definitions.model import Definition, Transition
from plancycle.workflow.audit import CORRECT_TRIGGER, RESERVED_TRIGGERS, SEND_BACK_TRIGGER
from plancycle.workflow.behalf import may_record_for

__all__ = [
    "correctable",
    "latest_values",
    "may_correct",
    "may_send_back",
    "returnable",
    "standing",
]

_T = TypeVar("_T")


class RecordLike(Protocol):
    @property
    def trigger(self) -> str: ...
    @property
    def from_state(self) -> str: ...
    @property
    def to_state(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any] | None: ...


def returnable(definition: Definition, state: str, records: Sequence[RecordLike]) -> list[str]:
    """The steps an instance in ``state`` may be sent back to: those done that still stand
    (:func:`standing`), the most recent first."""
    out: list[str] = []
    for src, _ in reversed(standing(records, [None] * len(records))):
        if src != state and src not in out and definition.has_state(src):
            out.append(src)
    return out


def correctable(
    definition: Definition, state: str, records: Sequence[RecordLike]
) -> tuple[Transition, RecordLike] | None:
    """The newest step and its record, if the instance has not moved on since it (only
    corrections came after) and the step has data to correct."""
    for rec in reversed(records):
        if rec.trigger == CORRECT_TRIGGER:
            continue
        if rec.trigger in RESERVED_TRIGGERS or rec.to_state != state:
            return None
        step = definition.transition(rec.trigger, rec.from_state)
        return (step, rec) if step is not None and step.data else None
    return None


def latest_values(records: Sequence[RecordLike], index: int) -> dict[str, Any]:
    """The data of the step record at ``index`` as it stands now: its values, each
    replaced by the corrections that follow it (until the next step)."""
    values = dict(records[index].data or {})
    for rec in records[index + 1 :]:
        if rec.trigger != CORRECT_TRIGGER:
            break
        values.update(rec.data or {})
    return values


def standing(records: Sequence[RecordLike], at: Sequence[_T]) -> list[tuple[str, _T]]:
    """``(state left, when)`` of the steps that still stand (``at``: each record's time):
    a send-back to a step undoes that step and every step after it; a correction leaves
    no step."""
    out: list[tuple[str, _T]] = []
    for rec, when in zip(records, at, strict=True):
        if rec.trigger == SEND_BACK_TRIGGER:
            done = [i for i, (state, _) in enumerate(out) if state == rec.to_state]
            out = out[: done[-1]] if done else out
        elif rec.trigger != CORRECT_TRIGGER:
            out.append((rec.from_state, when))
    return out


def may_send_back(definition: Definition, role: str) -> bool:
    return role in definition.review.send_back


def may_correct(definition: Definition, step: Transition, role: str) -> bool:
    """Whether ``role`` may correct the data of ``step`` (it may do it, or record it)."""
    return definition.review.correct and (
        role in step.roles or may_record_for(step, role) is not None
    )
