"""Evidence files: typed by their content, hashed, kept content-addressed in a folder.

A file's name says nothing about what it is: a PDF is a PDF because it starts with
``%PDF-``. The folder holds each file once, under ``ab/abcdef…`` (its SHA-256).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from plancycle.errors import PlancycleError
from plancycle.store.driver import Driver

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EvidenceError",
    "EvidenceFile",
    "evidence_dir",
    "evidence_max_bytes",
    "keep_evidence",
    "prepare_evidence",
    "sniff_media_type",
    "store_evidence",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
)


class EvidenceError(PlancycleError, ValueError):
    """An evidence file that cannot be taken."""


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file checked and hashed, ready to be attached to a step."""

    slot: str
    path: Path
    file_name: str
    media_type: str
    size: int
    sha256: str


def evidence_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where evidence files live: ``PLANCYCLE_EVIDENCE_DIR`` or ``./evidence``."""
    env = os.environ if env is None else env
    return Path(env.get("PLANCYCLE_EVIDENCE_DIR", "evidence"))


def evidence_max_bytes(env: Mapping[str, str] | None = None) -> int:
    """The size limit of one evidence file: ``PLANCYCLE_EVIDENCE_MAX_MB`` (default 20)."""
    env = os.environ if env is None else env
    raw = env.get("PLANCYCLE_EVIDENCE_MAX_MB", "")
    try:
        return int(float(raw) * 1024 * 1024) if raw else DEFAULT_MAX_BYTES
    except ValueError:
        raise EvidenceError(
            f"PLANCYCLE_EVIDENCE_MAX_MB={raw!r} is not a number of megabytes",
            f"PLANCYCLE_EVIDENCE_MAX_MB={raw!r} ไม่ใช่จำนวนเมกะไบต์",
        ) from None


def sniff_media_type(head: bytes) -> str:
    """The media type told by a file's first bytes; plain text when it decodes as UTF-8."""
    for magic, media in _MAGIC:
        if head.startswith(magic):
            return media
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def prepare_evidence(slot: str, path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> EvidenceFile:
    """Read, size-check, type and hash one file; nothing is stored yet."""
    if not path.is_file():
        raise EvidenceError(
            f"evidence file {str(path)!r} does not exist or is not a file",
            f"ไม่พบไฟล์หลักฐาน {str(path)!r}",
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise EvidenceError(
            f"evidence file {path.name!r} is {size:,} bytes; the limit is {max_bytes:,}",
            f"ไฟล์หลักฐาน {path.name!r} มีขนาด {size:,} ไบต์ เกินกำหนด {max_bytes:,} ไบต์",
        )
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        head = fh.read(16)
        digest.update(head)
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return EvidenceFile(slot, path, path.name, sniff_media_type(head), size, digest.hexdigest())


def store_evidence(item: EvidenceFile, folder: Path) -> Path:
    """Copy the file into the content-addressed folder (once); returns where it lies."""
    target = folder / item.sha256[:2] / item.sha256
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # a partial name of its own: two writers storing the same file at once must not
        # rename one shared partial file from under each other (the content is the same,
        # so whichever rename lands last is right)
        partial = target.with_name(f"{target.name}.{secrets.token_hex(8)}.part")
        shutil.copyfile(item.path, partial)
        partial.replace(target)
    return target


_INSERT = (
    "INSERT INTO evidence (sha256, file_name, media_type, size, stored_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING"
)


def keep_evidence(
    cursor: Any, driver: Driver, files: Sequence[EvidenceFile], folder: Path, now: datetime
) -> None:
    """Store each file and its row once, inside the caller's transaction. Two advances
    attaching the same file at the same moment (one blank form used by many districts)
    both insert its row: the second insert does nothing instead of failing."""
    for item in files:
        store_evidence(item, folder)
        row = (item.sha256, item.file_name, item.media_type, item.size, driver.when(now))
        cursor.execute(driver.sql(_INSERT), row)
