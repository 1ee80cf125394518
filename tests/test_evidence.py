"""Evidence files: typed by content, size-limited while streamed, stored once under their hash."""

from __future__ import annotations

import hashlib
import io

import pytest

from plancycle.store.evidence import (
    EvidenceError,
    EvidenceInput,
    open_evidence,
    sniff_media_type,
    store_evidence,
)
from plancycle.workflow.walk import MINIMAL_PDF


@pytest.mark.parametrize(
    ("head", "media"),
    [
        (MINIMAL_PDF, "application/pdf"),
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        ("ข้อความ".encode(), "text/plain"),
        (b"\x00\xff\xfe\x80", "application/octet-stream"),
    ],
)
def test_type_comes_from_the_content(head: bytes, media: str) -> None:
    assert sniff_media_type(head) == media


def test_a_pdf_named_like_a_picture_is_still_a_pdf(tmp_path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(MINIMAL_PDF)
    with open_evidence([("attendance", path)]) as [given]:
        item = store_evidence(given, tmp_path / "evidence", 1 << 20)
    assert (item.file_name, item.media_type) == ("photo.jpg", "application/pdf")
    assert item.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()


class _Endless(io.RawIOBase):
    """A stream that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        buffer[:] = b"0" * len(buffer)
        self.read_bytes += len(buffer)
        return len(buffer)


def test_size_limit_is_enforced_while_streaming(tmp_path) -> None:
    stream = _Endless()
    folder = tmp_path / "evidence"
    with pytest.raises(EvidenceError, match="limit of 1,024 bytes") as caught:
        store_evidence(EvidenceInput("attendance", "big.pdf", stream), folder, 1024)
    assert "1,024" in caught.value.th
    assert stream.read_bytes <= 2 << 20  # stopped at the first chunk past the limit
    assert [p for p in folder.rglob("*") if p.is_file()] == []  # no partial file left


def test_missing_file_is_named(tmp_path) -> None:
    with (
        pytest.raises(EvidenceError, match="does not exist"),
        open_evidence([("x", tmp_path / "nope.pdf")]),
    ):
        pass


def test_stored_once_under_its_hash_without_a_temporary_copy_elsewhere(tmp_path) -> None:
    folder = tmp_path / "evidence"
    first = store_evidence(EvidenceInput("x", "a.pdf", io.BytesIO(MINIMAL_PDF)), folder, 1 << 20)
    second = store_evidence(EvidenceInput("y", "b.pdf", io.BytesIO(MINIMAL_PDF)), folder, 1 << 20)
    assert first.path == second.path == folder / first.sha256[:2] / first.sha256
    assert first.path.read_bytes() == MINIMAL_PDF
    assert [p for p in folder.rglob("*") if p.is_file()] == [first.path]
