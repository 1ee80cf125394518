"""Evidence files: typed by their content, hashed, kept content-addressed in a folder.

A file's name says nothing about what it is: a PDF is a PDF because it starts with
``%PDF-``. The folder holds each file once, under ``ab/abcdef…`` (its SHA-256).

A file arrives as an :class:`EvidenceInput` (slot, file name, binary stream): the CLI
opens the file it is given, the web passes the upload's own file object. Storing reads
the stream once: it counts (refusing past the size limit as soon as it is passed),
hashes and copies it to a private partial file in the evidence folder, then renames that
into its content address. This happens before the advance's write transaction (so no
file is copied while SQLite's write lock is held); the transaction then only inserts
the ``evidence`` row. A step refused after its files were stored leaves those files in
the folder unreferenced: they are named by their content, so they are harmless (the
same bytes attached later land on the same name) and ``audit verify`` only looks at the
files that records reference.
"""

from __future__ import annotations

import errno
import hashlib
import secrets
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from plancycle.errors import PlancycleError
from plancycle.store.driver import Driver

__all__ = [
    "DEFAULT_EVIDENCE_DIR",
    "DEFAULT_MAX_BYTES",
    "EvidenceError",
    "EvidenceFile",
    "EvidenceInput",
    "EvidenceNotStored",
    "MEDIA_TYPES",
    "open_evidence",
    "record_evidence",
    "remove_stale_partials",
    "sniff_media_type",
    "store_evidence",
    "stored_path",
]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_EVIDENCE_DIR = Path("evidence")
CHUNK = 1 << 20
_HEAD = 16  # bytes enough to tell every type of _MAGIC

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
)

# every media type a stored file can have: one of _MAGIC's, plain text, or bytes unknown
MEDIA_TYPES: tuple[str, ...] = (
    *(media for _, media in _MAGIC),
    "text/plain",
    "application/octet-stream",
)


def stored_path(folder: Path, sha256: str) -> Path:
    """Where the file with this SHA-256 is kept in ``folder`` (``ab/abcdef…``)."""
    return folder / sha256[:2] / sha256


class EvidenceError(PlancycleError, ValueError):
    """An evidence file that cannot be taken."""


class EvidenceNotStored(EvidenceError):
    """The evidence folder cannot take the file (disk full, read-only, no permission):
    nothing was written, no partial file is left, and the step was not done."""

    exit_code = 6
    retry_after = 60

    def __init__(self, name: str, folder: Path, exc: OSError) -> None:
        self.file_name = name
        self.errno = exc.errno
        self.no_space = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        why_en, why_th = (
            ("the disk is full", "พื้นที่ดิสก์เต็ม")
            if self.no_space
            else (exc.strerror or "the folder cannot be written", "เขียนลงโฟลเดอร์ไม่ได้")
        )
        super().__init__(
            f"cannot store the evidence file {name!r} in {str(folder)!r}: {why_en}; "
            f"nothing was recorded. Tell the store's administrator (PLANCYCLE_EVIDENCE_DIR)",
            f"บันทึกไฟล์หลักฐาน {name!r} ลงใน {str(folder)!r} ไม่ได้: {why_th}; "
            f"ยังไม่มีการบันทึกใด ๆ แจ้งผู้ดูแลระบบ (PLANCYCLE_EVIDENCE_DIR)",
        )


class EvidenceInput(NamedTuple):
    """A file given for a step: its slot (None: the step's next free slot), the name it
    had where it came from (kept in the record), and its bytes."""

    slot: str | None
    file_name: str
    stream: BinaryIO


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """A file checked, hashed and stored, ready to be attached to a step."""

    slot: str | None
    path: Path
    file_name: str
    media_type: str
    size: int
    sha256: str


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


def _too_large(name: str, max_bytes: int) -> EvidenceError:
    return EvidenceError(
        f"evidence file {name!r} is larger than the limit of {max_bytes:,} bytes",
        f"ไฟล์หลักฐาน {name!r} มีขนาดเกินกำหนด {max_bytes:,} ไบต์",
    )


def _copy(given: EvidenceInput, partial: Path, max_bytes: int) -> tuple[bytes, int, str]:
    """Copy the stream to ``partial``, hashing; (first bytes, size, SHA-256)."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    with partial.open("wb") as out:
        while chunk := given.stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(given.file_name, max_bytes)
            if len(head) < _HEAD:
                head += chunk[: _HEAD - len(head)]
            digest.update(chunk)
            out.write(chunk)
    return head, size, digest.hexdigest()


STALE_PARTIAL = 3600  # seconds: a partial file this old belongs to no copy still running


def remove_stale_partials(folder: Path, now: float, older_than: float = STALE_PARTIAL) -> int:
    """Remove the partial files a process killed mid-copy left in ``folder`` (those
    not written to for ``older_than`` seconds; a copy still running keeps writing its
    own); how many were removed."""
    removed = 0
    for partial in folder.glob(".*.part") if folder.is_dir() else ():
        try:
            if now - partial.stat().st_mtime > older_than:
                partial.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another process removed it first
    return removed


def store_evidence(given: EvidenceInput, folder: Path, max_bytes: int) -> EvidenceFile:
    """Stream one file into the content-addressed folder (once); nothing in the database.
    Refused, leaving nothing behind, as soon as it passes ``max_bytes``, and when the
    folder cannot take it (:class:`EvidenceNotStored`: disk full, read-only, no right)."""
    # a partial name of its own: two writers storing the same file at once must not
    # rename one shared partial file from under each other (the content is the same,
    # so whichever rename lands last is right)
    partial = folder / f".{secrets.token_hex(8)}.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        head, size, sha = _copy(given, partial, max_bytes)
        target = stored_path(folder, sha)
        if target.exists():
            partial.unlink()
        else:
            target.parent.mkdir(exist_ok=True)
            partial.replace(target)
    except OSError as exc:
        raise EvidenceNotStored(given.file_name, folder, exc) from None
    finally:
        _remove(partial)
    return EvidenceFile(given.slot, target, given.file_name, sniff_media_type(head), size, sha)


def _remove(partial: Path) -> None:
    """Remove a partial file, whatever state the folder is in."""
    with suppress(OSError):  # a folder turned read-only: nothing was created in it either
        partial.unlink(missing_ok=True)


@contextmanager
def open_evidence(paths: Sequence[tuple[str | None, Path]]) -> Iterator[list[EvidenceInput]]:
    """Files on disk opened as :class:`EvidenceInput` (closed afterwards); a missing one
    is refused by name."""
    with ExitStack() as stack:
        out: list[EvidenceInput] = []
        for slot, path in paths:
            if not path.is_file():
                raise EvidenceError(
                    f"evidence file {str(path)!r} does not exist or is not a file",
                    f"ไม่พบไฟล์หลักฐาน {str(path)!r}",
                )
            out.append(EvidenceInput(slot, path.name, stack.enter_context(path.open("rb"))))
        yield out


_INSERT = (
    "INSERT INTO evidence (sha256, file_name, media_type, size, stored_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING"
)


_USE = "INSERT INTO evidence_use (instance_id, seq, slot, sha256, file_name) VALUES (?, ?, ?, ?, ?)"


def record_evidence(
    cursor: Any,
    driver: Driver,
    files: Sequence[EvidenceFile],
    now: datetime,
    record: tuple[int, int],
) -> None:
    """Each stored file's row, once, and its use by ``record`` (instance id, seq) under
    the name it was given there, inside the caller's transaction. Two advances
    attaching the same file at the same moment (one blank form used by many districts)
    both insert its row: the second insert does nothing instead of failing; each keeps
    its own file name in ``evidence_use``."""
    for item in files:
        row = (item.sha256, item.file_name, item.media_type, item.size, driver.when(now))
        cursor.execute(driver.sql(_INSERT), row)
        use = (*record, item.slot or "", item.sha256, item.file_name)
        cursor.execute(driver.sql(_USE), use)
