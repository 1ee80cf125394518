"""How the web words errors. The engine's errors carry facts; the API names the inputs
they point at by its form fields (``data.participants``, ``evidence.attendance``), the
pages by the field's label from the definition, in each language. Errors whose own
sentences send a person to a command (``plancycle show …``) or name a step by its id are
worded here for a page: steps and states by their labels, and what to do on the page."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from plancycle.definitions.model import Text
from plancycle.errors import InputRef, PlancycleError, Wording
from plancycle.store.tokens import BadToken
from plancycle.workflow.errors import (
    BadData,
    Conflict,
    InvalidTrigger,
    MissingEvidence,
    UnknownActor,
    UnknownInstance,
)
from plancycle.workflow.withdraw import MIN_REASON, WITHDRAW_ROLES, MissingReason, NotWithdrawer

__all__ = ["API_WORDING", "FORM_WORDING", "Labels", "Message", "message_for", "web_worded"]


class ApiWording:
    def name(self, ref: InputRef) -> tuple[str, str]:
        field = f"{ref.kind.value}.{ref.name}"
        return field, field


class FormWording:
    def name(self, ref: InputRef) -> tuple[str, str]:
        return f"“{ref.label_en or ref.name}”", f"“{ref.label_th or ref.name}”"


API_WORDING = ApiWording()
FORM_WORDING = FormWording()


class Message(NamedTuple):
    """An error's sentences as a page shows them."""

    en: str
    th: str


class Labels(Protocol):
    """Where a page finds the labels of an instance's states and steps (an InstanceView)."""

    def state_label(self, state: str) -> Text: ...

    def trigger_label(self, trigger: str) -> Text: ...

    def role_label(self, role: str) -> Text: ...


def _quoted(text: Text) -> tuple[str, str]:
    return f"“{text.en}”", f"“{text.th}”"


def _conflict(exc: Conflict, labels: Labels | None) -> Message:
    if exc.state is None:
        return Message(
            "this instance was removed a moment ago; go back to the area's page",
            "รายการนี้เพิ่งถูกลบออก; กลับไปที่หน้าของพื้นที่",
        )
    en, th = _quoted(labels.state_label(exc.state)) if labels else (exc.state, exc.state)
    return Message(
        f"someone else saved this instance a moment ago; it is now at {en}. The page shows "
        "it as it is now: check it and save again if still needed",
        f"มีผู้อื่นเพิ่งบันทึกรายการนี้ ขณะนี้อยู่ที่ขั้น {th} หน้านี้แสดงข้อมูลล่าสุดแล้ว โปรดตรวจสอบแล้วบันทึกอีกครั้งหากยังจำเป็น",
    )


def _invalid(exc: InvalidTrigger, labels: Labels) -> Message:
    step_en, step_th = _quoted(labels.trigger_label(exc.trigger))
    at_en, at_th = _quoted(labels.state_label(exc.state))
    valid = [_quoted(labels.trigger_label(t)) for t in exc.valid]
    return Message(
        f"{step_en} cannot be done at {at_en}; "
        + (f"possible now: {', '.join(e for e, _ in valid)}" if valid else "the process is done"),
        f"ทำ {step_th} ไม่ได้ในขั้น {at_th}; "
        + (f"ที่ทำได้ตอนนี้: {', '.join(t for _, t in valid)}" if valid else "กระบวนการเสร็จสิ้นแล้ว"),
    )


def _labels(refs: tuple[InputRef, ...]) -> tuple[str, str]:
    names = [FORM_WORDING.name(r) for r in refs]
    return ", ".join(e for e, _ in names), ", ".join(t for _, t in names)


def _missing(exc: MissingEvidence | BadData) -> Message | None:
    """Missing inputs, named by their labels only (a page shows no field ids)."""
    if isinstance(exc, MissingEvidence):
        en, th = _labels(exc.slots)
        return Message(f"attach {en}", f"โปรดแนบ {th}")
    if exc.missing and not exc.unknown:
        en, th = _labels(exc.missing)
        return Message(f"fill in {en}", f"โปรดกรอก {th}")
    return None


def _no_reason(exc: MissingReason, wording: Wording) -> Message:
    """The withdraw form's or the API's own field, not the command line's option."""
    en, th = ("the field “reason”", "ช่อง “reason”")
    if wording is FORM_WORDING:
        en, th = "“Reason”", "“เหตุผล”"
    return Message(
        f"give the reason for withdrawing {exc.key} in {en} (at least {MIN_REASON} characters)",
        f"ระบุเหตุผลที่ถอน {exc.key} ใน{th} (อย่างน้อย {MIN_REASON} ตัวอักษร)",
    )


def _not_withdrawer(exc: NotWithdrawer, labels: Labels) -> Message:
    """Who may withdraw, named by the roles' labels."""
    mine = labels.role_label(exc.role)
    who = [labels.role_label(r) for r in sorted(WITHDRAW_ROLES)]
    return Message(
        f"your role ({mine.en}) may not withdraw instances of area {exc.area}; ask "
        + " or ".join(f"the {w.en.lower()}" for w in who)
        + " over that area",
        f"บทบาทของท่าน ({mine.th}) ถอนรายการของพื้นที่ {exc.area} ไม่ได้; ให้"
        + " หรือ ".join(w.th for w in who)
        + "ของพื้นที่นั้นเป็นผู้ถอน",
    )


def web_worded(exc: PlancycleError, wording: Wording) -> tuple[str, str]:
    """(English, Thai) for a web shell: an error that sends a person to a command-line
    option is worded for the web's own field; the rest as the error words itself."""
    if isinstance(exc, MissingReason):
        return _no_reason(exc, wording)
    return exc.worded(wording)


def message_for(
    exc: PlancycleError, wording: Wording = FORM_WORDING, labels: Labels | None = None
) -> Message:
    """The error's sentences for a page; ``labels``: the instance the page shows."""
    if isinstance(exc, Conflict):
        return _conflict(exc, labels)
    if isinstance(exc, InvalidTrigger) and labels is not None:
        return _invalid(exc, labels)
    if isinstance(exc, NotWithdrawer) and labels is not None:
        return _not_withdrawer(exc, labels)
    if isinstance(exc, UnknownInstance):  # out of scope too: told exactly the same
        return Message(
            f"no instance {exc.key}; open instances from the area pages or the overdue list",
            f"ไม่พบรายการ {exc.key}; เปิดรายการจากหน้าพื้นที่หรือรายการเกินกำหนด",
        )
    if isinstance(exc, UnknownActor):
        return Message(
            f"the user {exc.actor_id!r} is not active; ask the store's administrator",
            f"ผู้ใช้ {exc.actor_id!r} ใช้งานไม่ได้; ติดต่อผู้ดูแลระบบ",
        )
    if wording is FORM_WORDING and isinstance(exc, MissingEvidence | BadData):
        missing = _missing(exc)
        if missing is not None:
            return missing
    if isinstance(exc, BadToken):
        return Message(
            "the token is not valid (unknown, revoked, or its user is inactive); ask the "
            "store's administrator for a new one",
            exc.th,
        )
    return Message(*web_worded(exc, wording))
