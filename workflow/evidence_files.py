"""Opening a stored evidence file: which file, under which name and media type, and
whether the viewer may open it (:func:`plancycle.workflow.access.check_opens_evidence`).
The API, the pages' links and any other shell read a file through :func:`evidence_for`;
every refusal is kept in the refusal log like a refused step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session, col, select

from plancycle.store.evidence import stored_path
from plancycle.store.models import Evidence, EvidenceUse, Instance
from plancycle.thai.areacode import in_area
from plancycle.workflow.access import check_opens_evidence
from plancycle.workflow.errors import EvidenceOutOfScope, UnknownEvidence, WorkflowError
from plancycle.workflow.refusals import RefusalLog, refusal_row

__all__ = ["OPEN_EVIDENCE", "EvidenceMissing", "StoredFile", "evidence_for", "evidence_key"]

OPEN_EVIDENCE = "open_evidence"  # the "trigger" a refused opening is kept under


def evidence_key(sha256: str) -> str:
    """The key a refused opening is kept under in the refusal log."""
    return f"evidence/{sha256}"


class EvidenceMissing(WorkflowError, LookupError):
    """A file the records reference that is not in the evidence folder."""

    exit_code = 3

    def __init__(self, sha256: str) -> None:
        super().__init__(
            f"the evidence file {sha256[:12]}… is recorded but missing from the evidence "
            "folder; tell the store's administrator",
            f"ไฟล์หลักฐาน {sha256[:12]}… มีในบันทึกแต่ไม่พบในโฟลเดอร์หลักฐาน; แจ้งผู้ดูแลระบบ",
        )
        self.sha256 = sha256


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An evidence file as it is handed out: where it is, its name and media type."""

    sha256: str
    path: Path
    file_name: str
    media_type: str
    size: int


def _uses(db: sa.Engine, sha256: str) -> tuple[Evidence | None, list[tuple[str, str]]]:
    """The file's row and, per record that attached it, (instance area, name given)."""
    with Session(db) as session:
        row = session.get(Evidence, sha256)
        uses = session.exec(
            select(Instance.area_code, EvidenceUse.file_name)
            .join(Instance, col(Instance.id) == EvidenceUse.instance_id)
            .where(EvidenceUse.sha256 == sha256)
            .order_by(col(EvidenceUse.instance_id), col(EvidenceUse.seq))
        ).all()
    return row, [(area, name) for area, name in uses]


def _name_for(row: Evidence, uses: Sequence[tuple[str, str]], actor_area: str | None) -> str:
    """The name a record in the viewer's area gave the file (its first name otherwise)."""
    for area, name in uses:
        if in_area(actor_area, area):
            return name
    return row.file_name


def evidence_for(
    db: sa.Engine,
    folder: Path,
    sha256: str,
    actor_id: str,
    actor_area: str | None,
    refusals: RefusalLog,
    now: datetime,
) -> StoredFile:
    """The file ``sha256`` for ``actor_id``, if an instance in its area references it.
    Otherwise :class:`UnknownEvidence` (also for a file outside its area, kept in the
    refusal log as :class:`EvidenceOutOfScope`); :class:`EvidenceMissing` when the
    folder lacks a file the records name."""
    row, uses = _uses(db, sha256)
    try:
        check_opens_evidence(sha256, actor_area, [area for area, _ in uses])
    except UnknownEvidence as exc:
        why = exc.why if isinstance(exc, EvidenceOutOfScope) else exc.en
        logger.warning("refused {key} to {actor}: {why}", key=sha256, actor=actor_id, why=why)
        key = evidence_key(sha256)
        refusals.record(refusal_row(now, key, OPEN_EVIDENCE, actor_id, type(exc).__name__, why))
        raise
    if row is None:  # not reached: a use refers to its file's row (foreign key)
        raise UnknownEvidence(sha256)
    path = stored_path(folder, row.sha256)
    if not path.is_file():
        logger.error("evidence {sha} is recorded but not in {folder}", sha=sha256, folder=folder)
        raise EvidenceMissing(sha256)
    return StoredFile(row.sha256, path, _name_for(row, uses, actor_area), row.media_type, row.size)
