"""Errors of advancing an instance; each names the instance and what to do next.

The ones about what a person gives hold the facts (the fields and slots missing, the
guards' refusals with their numbers, the valid triggers) and word the hint on how to
give an input through a shell's :class:`~plancycle.errors.Wording`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from plancycle.definitions.guards import Refusal
from plancycle.errors import PLAIN, InputRef, PlancycleError, Wording
from plancycle.thai.dateinput import format_range
from plancycle.thai.dates import format_date

__all__ = [
    "BadData",
    "BadStepInput",
    "BadValue",
    "Conflict",
    "DateOutOfRange",
    "GuardFailed",
    "InvalidTrigger",
    "MissingEvidence",
    "NotAllowed",
    "OutOfScope",
    "EvidenceOutOfScope",
    "UnknownActor",
    "UnknownEvidence",
    "UnknownInstance",
    "WorkflowError",
    "WrongFileType",
]


class WorkflowError(PlancycleError):
    """Base of every refusal the engine gives."""


class UnknownInstance(WorkflowError, LookupError):
    exit_code = 3

    def __init__(self, key: str) -> None:
        super().__init__(
            f"No instance by the key {key!r}; keys look like 2568/activity2/240101 "
            f"(see `plancycle instances list`)",
            f"ไม่พบรายการ {key!r}; รหัสมีรูปแบบ 2568/activity2/240101 (ดู `plancycle instances list`)",
        )
        self.key = key


class OutOfScope(UnknownInstance):
    """An instance outside the caller's area: answered exactly as one that does not
    exist (so nothing about it is told), but kept as out of scope (``why``)."""

    def __init__(self, key: str, actor_area: str | None, area: str) -> None:
        super().__init__(key)
        self.why = f"{key}: area {area} lies outside the actor's area {actor_area}"


class UnknownEvidence(WorkflowError, LookupError):
    """No evidence file by this SHA-256 (or none this caller may open: see
    :class:`EvidenceOutOfScope`)."""

    exit_code = 3

    def __init__(self, sha256: str) -> None:
        super().__init__(
            f"No evidence file {sha256[:12]}…; open a file from the record that attached it",
            f"ไม่พบไฟล์หลักฐาน {sha256[:12]}…; เปิดไฟล์จากรายการที่แนบไฟล์นั้น",
        )
        self.sha256 = sha256


class EvidenceOutOfScope(UnknownEvidence):
    """An evidence file no instance in the caller's area references: answered exactly as
    one that does not exist, but kept as out of scope (``why``)."""

    def __init__(self, sha256: str, actor_area: str | None, areas: Sequence[str]) -> None:
        super().__init__(sha256)
        shown = ", ".join(sorted(areas)[:5])
        self.why = (
            f"evidence {sha256}: used in area(s) {shown}, outside the actor's area {actor_area}"
        )


class UnknownActor(WorkflowError, LookupError):
    exit_code = 3

    def __init__(self, actor_id: str, reason: str = "unknown") -> None:
        what_en = "is inactive" if reason == "inactive" else "does not exist"
        what_th = "ถูกระงับ" if reason == "inactive" else "ไม่มีในระบบ"
        super().__init__(
            f"Actor {actor_id!r} {what_en}; add one with `plancycle actors add`",
            f"ผู้ใช้ {actor_id!r} {what_th}; เพิ่มด้วย `plancycle actors add`",
        )
        self.actor_id = actor_id


class NotAllowed(WorkflowError, PermissionError):
    exit_code = 4


class InvalidTrigger(WorkflowError):
    """A trigger the instance's state does not take. ``state_label`` and ``labels`` (the
    valid triggers' labels) word the Thai sentence; the codes stay, as they are typed."""

    def __init__(
        self,
        key: str,
        trigger: str,
        state: str,
        valid: Sequence[str],
        state_label: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        named = labels or {}
        options = ", ".join(valid) if valid else "none: the process is finished"
        options_th = (
            ", ".join(f"{named[v]} [{v}]" if v in named else v for v in valid)
            if valid
            else "ไม่มี: กระบวนการเสร็จสิ้นแล้ว"
        )
        where_th = f"“{state_label}”" if state_label else repr(state)
        super().__init__(
            f"{key}: {trigger!r} cannot be done in state {state!r}; valid now: {options}",
            f"{key}: ทำ {trigger!r} ไม่ได้ในขั้น {where_th}; ที่ทำได้ตอนนี้: {options_th}",
        )
        self.trigger = trigger
        self.state = state
        self.valid = tuple(valid)


class BadStepInput(WorkflowError, ValueError):
    """Missing or malformed data or evidence for a step."""


def give(wording: Wording, refs: Sequence[InputRef]) -> tuple[str, str]:
    """`` (give X, Y)`` as ``wording`` names the inputs; nothing for the plain wording."""
    if not refs or wording is PLAIN:
        return "", ""
    names = [wording.name(r) for r in refs]
    return (
        f" (give {', '.join(en for en, _ in names)})",
        f" (ใส่ {', '.join(th for _, th in names)})",
    )


class _Worded(BadStepInput):
    """An error whose sentences name inputs: ``en``/``th`` are the plain wording."""

    def __init__(self) -> None:
        super().__init__(*self.worded(PLAIN))

    def worded(self, wording: Wording) -> tuple[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError


class BadData(_Worded):
    """Step data that names fields the step does not take, or lacks required ones."""

    def __init__(
        self,
        missing: Sequence[InputRef],
        unknown: Sequence[str] = (),
        accepted: Sequence[InputRef] = (),
    ) -> None:
        self.missing, self.unknown, self.accepted = tuple(missing), tuple(unknown), tuple(accepted)
        super().__init__()

    def worded(self, wording: Wording) -> tuple[str, str]:
        en: list[str] = []
        th: list[str] = []
        if self.unknown:
            names = ", ".join(self.unknown)
            takes = [wording.name(r) for r in self.accepted]
            takes_en = ", ".join(e for e, _ in takes) or "none"
            takes_th = ", ".join(t for _, t in takes) or "ไม่มี"
            en.append(f"unknown data {names} (this step takes: {takes_en})")
            th.append(f"ไม่รู้จักข้อมูล {names} (ขั้นนี้รับ: {takes_th})")
        if self.missing:
            names = ", ".join(r.name for r in self.missing)
            hint_en, hint_th = give(wording, self.missing)
            en.append(f"missing data {names}{hint_en}")
            th.append(f"ขาดข้อมูล {names}{hint_th}")
        return "; ".join(en), "; ".join(th)


class BadValue(_Worded):
    """A value that is not of its field's type (or is too large for it)."""

    def __init__(self, field: InputRef, shown: str, problem: tuple[str, str]) -> None:
        self.field, self.shown, self.problem = field, shown, problem
        super().__init__()

    def worded(self, wording: Wording) -> tuple[str, str]:
        hint_en, hint_th = give(wording, [self.field])
        problem_en, problem_th = self.problem
        return (
            f"{self.field.name}={self.shown} {problem_en}{hint_en}",
            f"{self.field.name}={self.shown} {problem_th}{hint_th}",
        )


class DateOutOfRange(_Worded):
    """A date outside the days its field takes: the instance's fiscal year, or the
    narrower window the definition declares for the field (``declared``)."""

    def __init__(
        self,
        field: InputRef,
        shown: str,
        value: date,
        allowed: tuple[date, date],
        fiscal_year: int,
        declared: bool,
    ) -> None:
        self.field, self.shown, self.value = field, shown, value
        self.allowed_from, self.allowed_to = allowed
        self.fiscal_year, self.declared = fiscal_year, declared
        super().__init__()

    def worded(self, wording: Wording) -> tuple[str, str]:
        hint_en, hint_th = give(wording, [self.field])
        span = (self.allowed_from, self.allowed_to)
        fy = self.fiscal_year
        where_en, where_th = (
            (f"the days this step takes in fiscal year {fy}", f"ช่วงวันที่ขั้นนี้รับในปีงบประมาณ {fy}")
            if self.declared
            else (f"fiscal year {fy}", f"ปีงบประมาณ {fy}")
        )
        return (
            f"{self.field.name}={self.shown} ({format_date(self.value, 'medium', lang='en')} BE) "
            "is outside "
            f"{where_en}: give a date from {format_range(*span, lang='en')}{hint_en}",
            f"{self.field.name}={self.shown} ({format_date(self.value, 'medium')}) อยู่นอก"
            f"{where_th}: ระบุวันที่ระหว่าง {format_range(*span)}{hint_th}",
        )

    def facts(self) -> dict[str, Any]:
        """The refusal as data (the field is :attr:`field`): the day read (ISO, CE), the
        first and last day allowed, the fiscal year, whether the field declares the window."""
        return {
            "value": self.value.isoformat(),
            "allowed_from": self.allowed_from.isoformat(),
            "allowed_to": self.allowed_to.isoformat(),
            "fiscal_year": self.fiscal_year,
            "window": self.declared,
        }


class MissingEvidence(_Worded):
    """Required evidence slots left empty."""

    def __init__(self, key: str, trigger: str, slots: Sequence[InputRef]) -> None:
        self.key, self.trigger, self.slots = key, trigger, tuple(slots)
        super().__init__()

    def worded(self, wording: Wording) -> tuple[str, str]:
        names = ", ".join(s.name for s in self.slots)
        hint_en, hint_th = give(wording, self.slots)
        return (
            f"{self.key}: step {self.trigger!r} needs evidence {names}{hint_en}",
            f"{self.key}: ขั้น {self.trigger!r} ต้องแนบหลักฐาน {names}{hint_th}",
        )


class WrongFileType(_Worded):
    """A file whose content is not of a type its slot takes."""

    def __init__(
        self, key: str, slot: InputRef, file_name: str, media_type: str, wanted: Sequence[str]
    ) -> None:
        self.key, self.slot, self.file_name, self.media_type = key, slot, file_name, media_type
        self.wanted = tuple(wanted)
        super().__init__()

    def worded(self, wording: Wording) -> tuple[str, str]:
        slot_en, slot_th = wording.name(self.slot)
        return (
            f"{self.key}: {self.file_name!r} is {self.media_type} by its content, but "
            f"{slot_en} takes {', '.join(self.wanted)}",
            f"{self.key}: ไฟล์ {self.file_name!r} เป็น {self.media_type} แต่ {slot_th} "
            f"ต้องเป็น {', '.join(self.wanted)}",
        )


class GuardFailed(WorkflowError):
    """The step's guards refused it: each refusal with its guard, parameters and values."""

    def __init__(
        self,
        key: str,
        refusals: Sequence[Refusal],
        fields: Mapping[str, InputRef] | None = None,
    ) -> None:
        self.key = key
        self.refusals = tuple(refusals)
        self.fields = dict(fields or {})
        super().__init__(*self.worded(PLAIN))

    def _refs(self, refusal: Refusal) -> list[InputRef]:
        return [self.fields[f] for f in refusal.fields if f in self.fields]

    def worded(self, wording: Wording) -> tuple[str, str]:
        hints = [give(wording, self._refs(r)) for r in self.refusals]
        return (
            f"{self.key}: "
            + "; ".join(r.en + h[0] for r, h in zip(self.refusals, hints, strict=True)),
            f"{self.key}: "
            + "; ".join(r.th + h[1] for r, h in zip(self.refusals, hints, strict=True)),
        )

    def facts(self) -> list[dict[str, Any]]:
        """Each refusal as data: guard, parameters, the values found, the fields to fix."""
        return [
            {
                "guard": r.guard,
                "params": dict(r.params),
                "actual": dict(r.actual),
                "fields": list(r.fields),
                "en": r.en,
                "th": r.th,
            }
            for r in self.refusals
        ]


class Conflict(WorkflowError):
    exit_code = 5

    def __init__(
        self, key: str, state: str | None, state_label: str | None = None
    ) -> None:  # state None: the instance is gone; state_label words the Thai sentence
        where_th = f"“{state_label}”" if state_label else repr(state)
        super().__init__(
            f"{key} was changed by someone else a moment ago and is now in state {state!r}; "
            f"look at it again (`plancycle show {key}`) and retry if still needed",
            f"{key} เพิ่งถูกผู้อื่นเปลี่ยน ขณะนี้อยู่ในขั้น {where_th}; "
            f"ตรวจสอบอีกครั้ง (`plancycle show {key}`) แล้วลองใหม่หากยังจำเป็น",
        )
        self.state = state
