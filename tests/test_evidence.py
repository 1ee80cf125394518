"""Evidence files: typed by content, size-limited, stored once under their hash."""

from __future__ import annotations

import hashlib

import pytest

from plancycle.store.evidence import (
    EvidenceError,
    evidence_max_bytes,
    prepare_evidence,
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
    item = prepare_evidence("attendance", path)
    assert item.media_type == "application/pdf"
    assert item.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()


def test_size_limit(tmp_path, monkeypatch) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(MINIMAL_PDF + b"0" * 2000)
    with pytest.raises(EvidenceError, match="the limit is 1,024"):
        prepare_evidence("attendance", path, max_bytes=1024)
    assert evidence_max_bytes({"PLANCYCLE_EVIDENCE_MAX_MB": "0.5"}) == 512 * 1024
    assert evidence_max_bytes({}) == 20 * 1024 * 1024
    with pytest.raises(EvidenceError, match="not a number"):
        evidence_max_bytes({"PLANCYCLE_EVIDENCE_MAX_MB": "lots"})


def test_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(EvidenceError, match="does not exist"):
        prepare_evidence("x", tmp_path / "nope.pdf")


def test_stored_once_under_its_hash(tmp_path) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    a.write_bytes(MINIMAL_PDF)
    b.write_bytes(MINIMAL_PDF)
    folder = tmp_path / "evidence"
    first = store_evidence(prepare_evidence("x", a), folder)
    second = store_evidence(prepare_evidence("y", b), folder)
    assert first == second == folder / first.name[:2] / first.name
    assert [p for p in folder.rglob("*") if p.is_file()] == [first]
