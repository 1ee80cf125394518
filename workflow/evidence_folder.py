"""Which folder holds the store's evidence files: the one rule for every shell that
reads or writes them (``audit verify``, the web pages and the API).

A folder named by the caller (``audit verify --evidence DIR``) wins. Otherwise the
folder the store recorded when its files were written (``store/store_settings.py``),
so a process started from any working directory, without ``PLANCYCLE_EVIDENCE_DIR``,
finds them. When the setting names a folder and the store recorded another, neither is
guessed: the two are told and the start is refused (and logged), since serving or
writing to the wrong one would lose files. With nothing recorded yet (a new store, or
one written before migration 0010) the setting, else the default, is used."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from loguru import logger

from plancycle.errors import PlancycleError
from plancycle.store.evidence import DEFAULT_EVIDENCE_DIR
from plancycle.store.store_settings import evidence_folder_of

__all__ = ["EvidenceFolder", "EvidenceFoldersDiffer", "FolderSource", "evidence_folder_for"]


class FolderSource(StrEnum):
    """Where the evidence folder in use comes from."""

    GIVEN = "given"  # named by the caller (``--evidence``)
    RECORDED = "recorded"  # the folder the store's files were written to
    CONFIGURED = "configured"  # the setting: nothing recorded yet
    DEFAULT = "default"  # neither set nor recorded: ./evidence


@dataclass(frozen=True, slots=True)
class EvidenceFolder:
    path: Path
    source: FolderSource


class EvidenceFoldersDiffer(PlancycleError):
    """PLANCYCLE_EVIDENCE_DIR names a folder other than the one the store's files are in."""

    exit_code = 2

    def __init__(self, configured: Path, recorded: Path) -> None:
        super().__init__(
            f"PLANCYCLE_EVIDENCE_DIR is {str(configured)!r}, but the store's evidence files "
            f"were written to {str(recorded)!r}; unset PLANCYCLE_EVIDENCE_DIR to use the "
            "store's folder, or set it to that folder (move the files first to change it)",
            f"PLANCYCLE_EVIDENCE_DIR ตั้งไว้เป็น {str(configured)!r} แต่ไฟล์หลักฐานของฐานข้อมูลนี้"
            f"บันทึกไว้ที่ {str(recorded)!r}; ยกเลิกการตั้ง PLANCYCLE_EVIDENCE_DIR เพื่อใช้โฟลเดอร์"
            "ของฐานข้อมูล หรือตั้งเป็นโฟลเดอร์นั้น (ย้ายไฟล์ก่อนหากต้องการเปลี่ยน)",
        )
        self.configured, self.recorded = configured, recorded


def evidence_folder_for(
    db: sa.Engine,
    given: Path | None = None,
    configured: Path | None = None,
    default: Path = DEFAULT_EVIDENCE_DIR,
) -> EvidenceFolder:
    """The evidence folder to use: ``given``, else the store's recorded folder (refused
    with :class:`EvidenceFoldersDiffer` when ``configured``, the setting if one was
    made, names another), else ``configured``, else ``default``."""
    if given is not None:
        return EvidenceFolder(given, FolderSource.GIVEN)
    recorded = evidence_folder_of(db)
    if recorded is not None:
        if configured is not None and configured.resolve() != recorded.resolve():
            logger.error(
                "refused to start: PLANCYCLE_EVIDENCE_DIR {configured} is not the store's "
                "evidence folder {recorded}",
                configured=str(configured),
                recorded=str(recorded),
            )
            raise EvidenceFoldersDiffer(configured, recorded)
        return EvidenceFolder(recorded, FolderSource.RECORDED)
    if configured is not None:
        return EvidenceFolder(configured, FolderSource.CONFIGURED)
    return EvidenceFolder(default, FolderSource.DEFAULT)
