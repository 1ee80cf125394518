"""An advance as it arrives over HTTP (a multipart form, from the API or the instance
page): the trigger, a note, step data, the version the caller saw, and evidence files,
kept in a private temporary folder until the engine has hashed and stored them.

Fields: ``trigger``; ``note``; ``expected_version`` (or an ``If-Match: "N"`` header);
``data`` (a JSON object) and/or ``data.NAME`` fields; files ``evidence.SLOT`` (for a
named slot) or ``evidence`` (the step's slots in order).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData, UploadFile

from plancycle.store.evidence import EvidenceError
from plancycle.thai.digits import is_arabic_digits
from plancycle.workflow.engine import EvidenceInput
from plancycle.workflow.errors import BadStepInput

__all__ = ["AdvanceForm", "parse_advance_form", "saved_evidence"]

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')  # Thai (with its marks) stays
CHUNK = 1 << 20


@dataclass
class AdvanceForm:
    trigger: str
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None
    files: list[tuple[str | None, UploadFile]] = field(default_factory=list)


def _version(text: str | None) -> int | None:
    text = (text or "").strip().removeprefix("W/").strip('"')
    if not text:
        return None
    if not is_arabic_digits(text) or len(text) > 18:
        raise BadStepInput(
            f"expected_version / If-Match must be the instance's version number, not {text!r}",
            f"expected_version / If-Match ต้องเป็นเลขรุ่นของรายการ ไม่ใช่ {text!r}",
        )
    return int(text)


def _json_data(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise BadStepInput(
            'data must be a JSON object, e.g. {"participants": 25}',
            'data ต้องเป็นวัตถุ JSON เช่น {"participants": 25}',
        )
    return value


def parse_advance_form(form: FormData, if_match: str | None = None) -> AdvanceForm:
    trigger = str(form.get("trigger") or "").strip()
    if not trigger:
        raise BadStepInput("the field 'trigger' is required", "ต้องระบุช่อง 'trigger' (ขั้นที่จะทำ)")
    note = str(form.get("note") or "").strip() or None
    out = AdvanceForm(
        trigger,
        note,
        expected_version=_version(str(form.get("expected_version") or "") or if_match),
    )
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            # an empty file input sends a part with no file name: nothing chosen
            if (name == "evidence" or name.startswith("evidence.")) and value.filename:
                out.files.append((name.partition(".")[2] or None, value))
        elif name == "data" and value.strip():
            out.data.update(_json_data(value))
        elif name.startswith("data."):
            out.data[name[5:]] = value
    return out


def _safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", Path(name).name).strip(" .")
    return cleaned[:120] or "upload"


@contextmanager
def saved_evidence(
    files: list[tuple[str | None, UploadFile]], max_bytes: int
) -> Iterator[list[EvidenceInput]]:
    """The uploads written to a private temporary folder (removed afterwards), each under
    its own name (kept in the record), refused past ``max_bytes``."""
    with tempfile.TemporaryDirectory(prefix="plancycle-upload-") as tmp:
        out: list[EvidenceInput] = []
        for n, (slot, upload) in enumerate(files):
            target = Path(tmp) / str(n) / _safe_name(upload.filename or "upload")
            target.parent.mkdir()
            _copy(upload, target, max_bytes)
            out.append((slot, target))
        yield out


def _copy(upload: UploadFile, target: Path, max_bytes: int) -> None:
    size = 0
    upload.file.seek(0)
    with target.open("wb") as fh:
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise EvidenceError(
                    f"evidence file {upload.filename!r} is larger than the limit of "
                    f"{max_bytes:,} bytes",
                    f"ไฟล์หลักฐาน {upload.filename!r} มีขนาดเกินกำหนด {max_bytes:,} ไบต์",
                )
            fh.write(chunk)
