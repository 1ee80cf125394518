"""Errors of advancing an instance; each names the instance and what to do next."""

from __future__ import annotations

from collections.abc import Sequence

from plancycle.errors import PlancycleError
from plancycle.workflow.guards import Refusal

__all__ = [
    "BadStepInput",
    "Conflict",
    "GuardFailed",
    "InvalidTrigger",
    "NotAllowed",
    "UnknownActor",
    "UnknownInstance",
    "WorkflowError",
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
    def __init__(self, key: str, trigger: str, state: str, valid: Sequence[str]) -> None:
        options = ", ".join(valid) if valid else "none: the process is finished"
        options_th = ", ".join(valid) if valid else "ไม่มี: กระบวนการเสร็จสิ้นแล้ว"
        super().__init__(
            f"{key}: {trigger!r} cannot be done in state {state!r}; valid now: {options}",
            f"{key}: ทำ {trigger!r} ไม่ได้ในขั้น {state!r}; ที่ทำได้ตอนนี้: {options_th}",
        )
        self.valid = tuple(valid)


class BadStepInput(WorkflowError, ValueError):
    """Missing or malformed data or evidence for a step."""


class GuardFailed(WorkflowError):
    def __init__(self, key: str, refusals: Sequence[Refusal]) -> None:
        super().__init__(
            f"{key}: " + "; ".join(r.en for r in refusals),
            f"{key}: " + "; ".join(r.th for r in refusals),
        )
        self.refusals = tuple(refusals)


class Conflict(WorkflowError):
    exit_code = 5

    def __init__(self, key: str, state: str) -> None:
        super().__init__(
            f"{key} was changed by someone else a moment ago and is now in state {state!r}; "
            f"look at it again (`plancycle show {key}`) and retry if still needed",
            f"{key} เพิ่งถูกผู้อื่นเปลี่ยน ขณะนี้อยู่ในขั้น {state!r}; "
            f"ตรวจสอบอีกครั้ง (`plancycle show {key}`) แล้วลองใหม่หากยังจำเป็น",
        )
        self.state = state
