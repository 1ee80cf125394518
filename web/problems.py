"""Errors as RFC 9457 problem details (``application/problem+json``), in Thai and English.

A :class:`PlancycleError`'s ``exit_code`` picks the HTTP status (2 bad input 422,
3 not found 404, 4 not allowed 403, 5 conflict 409, 6 store busy or unavailable 503, with
``Retry-After``; 507 when an evidence file cannot be stored for lack of space); a token
that is missing or not valid is 401. ``detail`` is English, ``detail_th`` Thai.
"""

from __future__ import annotations

import re
from typing import Any

from plancycle.errors import InputRef, PlancycleError
from plancycle.store.errors import StoreBusy
from plancycle.store.evidence import EvidenceNotStored
from plancycle.store.tokens import BadToken
from plancycle.web.wording import API_WORDING, web_worded
from plancycle.workflow.contacts_admin import ContactInvalid, ContactOutOfArea
from plancycle.workflow.errors import (
    BadData,
    BadValue,
    Conflict,
    DateOutOfRange,
    GuardFailed,
    InvalidTrigger,
    MissingEvidence,
    UnknownEvidence,
    UnknownInstance,
)

__all__ = [
    "PROBLEM_JSON",
    "TooLarge",
    "TooManySignIns",
    "Unauthenticated",
    "UnsupportedMedia",
    "headers_for",
    "problem",
    "problem_for",
    "status_for",
]

PROBLEM_JSON = "application/problem+json"

_BY_EXIT_CODE = {2: 422, 3: 404, 4: 403, 5: 409, 6: 503, 7: 500}
_TITLES: dict[int, tuple[str, str]] = {
    400: ("Bad request", "คำขอไม่ถูกต้อง"),
    401: ("Not authenticated", "ยังไม่ได้ยืนยันตัวตน"),
    403: ("Not allowed", "ไม่มีสิทธิ์"),
    404: ("Not found", "ไม่พบ"),
    405: ("Method not allowed", "ไม่รองรับวิธีเรียกนี้"),
    409: ("Conflict", "ข้อมูลถูกเปลี่ยนไปแล้ว"),
    413: ("Too large", "ข้อมูลใหญ่เกินกำหนด"),
    415: ("Unsupported media type", "ไม่รองรับรูปแบบข้อมูลนี้"),
    422: ("Invalid input", "ข้อมูลไม่ถูกต้อง"),
    429: ("Too many attempts", "พยายามบ่อยเกินไป"),
    500: ("Server error", "ระบบขัดข้อง"),
    503: ("Store unavailable", "ใช้ฐานข้อมูลไม่ได้"),
    507: ("Cannot store the file", "บันทึกไฟล์ไม่ได้"),
}


class Unauthenticated(PlancycleError, PermissionError):
    """No token (or no session) came with a request that needs one."""

    exit_code = 4

    def __init__(self) -> None:
        super().__init__(
            "this needs an API token: send 'Authorization: Bearer TOKEN' "
            "(an administrator issues one with `plancycle actors token ID`)",
            "ต้องใช้โทเค็น: ส่ง 'Authorization: Bearer โทเค็น' "
            "(ผู้ดูแลระบบออกให้ด้วย `plancycle actors token รหัส`)",
        )


class UnsupportedMedia(PlancycleError, ValueError):
    """A body in a media type the endpoint does not take (JSON posted to a form)."""

    def __init__(self, given: str, takes: tuple[str, ...]) -> None:
        self.given, self.takes = given, takes
        listed = ", ".join(takes)
        super().__init__(
            f"this endpoint takes {listed}, not {given or 'a body without a type'}",
            f"ช่องทางนี้รับ {listed} เท่านั้น ไม่รับ {given or 'ข้อมูลที่ไม่ระบุรูปแบบ'}",
        )


class TooLarge(PlancycleError, ValueError):
    """A request past one of its limits (body size, files, fields), refused while it is
    read; ``what`` names the limit, ``limit`` its value."""

    exit_code = 2

    def __init__(self, what: str, what_th: str, limit: int) -> None:
        super().__init__(
            f"the request is too large: {what} (the limit is {limit:,}); send less",
            f"คำขอใหญ่เกินกำหนด: {what_th} (กำหนดไว้ไม่เกิน {limit:,}) โปรดส่งให้น้อยลง",
        )
        self.what = what
        self.limit = limit


class TooManySignIns(PlancycleError, PermissionError):
    """Too many failed sign-ins from one client: locked out for ``retry_after`` seconds."""

    exit_code = 4

    def __init__(self, failures: int, retry_after: int) -> None:
        super().__init__(
            f"{failures} failed sign-ins from here in a short time; try again in "
            f"{retry_after} seconds",
            f"เข้าสู่ระบบไม่สำเร็จ {failures} ครั้งในเวลาสั้น ๆ จากเครื่องนี้; "
            f"โปรดลองใหม่ในอีก {retry_after} วินาที",
        )
        self.retry_after = retry_after


def status_for(exc: PlancycleError) -> int:
    if isinstance(exc, BadToken | Unauthenticated):
        return 401
    if isinstance(exc, UnsupportedMedia):
        return 415
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, TooManySignIns):
        return 429
    if isinstance(exc, EvidenceNotStored) and exc.no_space:
        return 507
    return _BY_EXIT_CODE.get(exc.exit_code, 422)


def headers_for(exc: PlancycleError) -> dict[str, str] | None:
    """What the answer's headers add: how to authenticate (401), when to try again (503)."""
    status = status_for(exc)
    if status == 401:
        return {"WWW-Authenticate": 'Bearer realm="plancycle"'}
    retry_after = getattr(exc, "retry_after", None)
    if status in (503, 507) and retry_after:
        return {"Retry-After": str(retry_after)}
    return None


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    status: int, en: str, th: str, kind: str, instance: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A problem document: ``type`` names the kind of error as a URN."""
    title_en, title_th = _TITLES.get(status, ("Error", "ผิดพลาด"))
    body: dict[str, Any] = {
        "type": f"urn:plancycle:problem:{_kebab(kind)}",
        "title": title_en,
        "title_th": title_th,
        "status": status,
        "detail": en,
        "detail_th": th,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def _field(ref: InputRef) -> str:
    return API_WORDING.name(ref)[0]


def _extras(exc: PlancycleError) -> dict[str, Any]:
    if isinstance(exc, InvalidTrigger):
        return {"state": exc.state, "valid_triggers": list(exc.valid)}
    if isinstance(exc, Conflict):
        return {"state": exc.state}
    if isinstance(exc, StoreBusy):
        return {"retry_after": exc.retry_after, "waited_s": exc.waited_s}
    if isinstance(exc, GuardFailed):
        return {"refusals": exc.facts()}
    if isinstance(exc, BadData):
        return {
            "missing": [_field(r) for r in exc.missing],
            "unknown": [f"data.{name}" for name in exc.unknown],
        }
    if isinstance(exc, BadValue):
        return {"invalid": [_field(exc.field)]}
    if isinstance(exc, DateOutOfRange):
        return {"invalid": [_field(exc.field)], **exc.facts()}
    if isinstance(exc, TooLarge):
        return {"limit": exc.limit}
    if isinstance(exc, MissingEvidence):
        return {"missing": [_field(r) for r in exc.slots]}
    return {}


_TOLD_AS = (UnknownInstance, UnknownEvidence)  # their out-of-scope kinds are told as these


def problem_for(exc: PlancycleError, instance: str | None = None) -> dict[str, Any]:
    """The problem document, the inputs named as the API's form fields."""
    en, th = web_worded(exc, API_WORDING)
    # out of scope is told as not found, down to its type (the refusal log keeps why)
    kind = next((k for k in _TOLD_AS if isinstance(exc, k)), type(exc))
    extras = (
        {"invalid": [p.field for p in exc.problems]}
        if isinstance(exc, ContactInvalid | ContactOutOfArea)
        else _extras(exc)
    )
    return problem(status_for(exc), en, th, kind.__name__, instance, **extras)
