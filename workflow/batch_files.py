"""Evidence for the rows of a batch, when the files come with it (a sheet uploaded with
its files, the batch API's file parts): each row names its own files by reference (a
file name in the sheet's ``evidence.SLOT`` column, a part name in an API item), and a
file named by many rows is one stream, so it is stored once and shared.

A reference to a file that was not sent is the row's own refusal (the other rows are
still checked); a file sent that no row names is refused for the whole batch before
anything is checked, so a misspelt name never leaves a row without its evidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import BinaryIO

from plancycle.store.evidence import EvidenceError, EvidenceInput
from plancycle.workflow.batch import BatchRow
from plancycle.workflow.batch_sheet import SheetRow

__all__ = ["FileNotSent", "FilesNotNamed", "Sent", "named_files", "sheet_batch", "unnamed"]

Sent = Mapping[str, tuple[str, BinaryIO]]  # reference -> (file name to record, its bytes)


class FileNotSent(EvidenceError):
    def __init__(self, slot: str, name: str) -> None:
        super().__init__(
            f"evidence.{slot} names the file {name!r}, which was not sent with the batch; "
            "attach it, named exactly as in the row",
            f"หลักฐาน evidence.{slot} ระบุไฟล์ {name!r} แต่ไม่ได้แนบมาด้วย; แนบไฟล์นั้นโดยใช้ชื่อตรงกับที่ระบุในแถว",
        )
        self.slot, self.name = slot, name


class FilesNotNamed(EvidenceError):
    def __init__(self, names: Sequence[str]) -> None:
        listed = ", ".join(repr(n) for n in names)
        super().__init__(
            f"no row names the file(s) {listed}; name each file in its row's evidence "
            "column, or leave it out (nothing was checked or written)",
            f"ไม่มีแถวใดระบุไฟล์ {listed}; ใส่ชื่อไฟล์ในช่องหลักฐานของแถวนั้น หรือไม่ต้องแนบ "
            "(ยังไม่ได้ตรวจหรือบันทึกแถวใด)",
        )
        self.names = tuple(names)


def named_files(
    named: Sequence[tuple[str, str]], sent: Sent
) -> tuple[list[EvidenceInput], EvidenceError | None]:
    """The row's files, (slot, reference) each; or the first reference not sent."""
    out: list[EvidenceInput] = []
    for slot, ref in named:
        if ref not in sent:
            return [], FileNotSent(slot, ref)
        file_name, stream = sent[ref]
        out.append(EvidenceInput(slot, file_name, stream))
    return out, None


def unnamed(rows: Sequence[Sequence[tuple[str, str]]], sent: Sent) -> list[str]:
    """The files sent that no row names."""
    used = {ref for named in rows for _, ref in named}
    return [ref for ref in sent if ref not in used]


def _base(name: str) -> str:
    """A file name without any folder a sheet's cell or a browser put before it."""
    return PureWindowsPath(PurePosixPath(name).name).name


def sheet_batch(rows: Sequence[SheetRow], sent: Sent) -> list[BatchRow]:
    """A filled sheet's rows, each with the files its ``evidence.SLOT`` cells name,
    matched by file name among the files ``sent`` with it (keyed by their names).
    :class:`FilesNotNamed` when a file sent is named by no row."""
    by_name = {_base(k): v for k, v in sent.items()}
    named = [[(slot, _base(ref)) for slot, ref in r.evidence] for r in rows]
    extra = unnamed(named, by_name)
    if extra:
        raise FilesNotNamed(extra)
    out = []
    for r, refs in zip(rows, named, strict=True):
        files, problem = named_files(refs, by_name)
        out.append(BatchRow(r.row, r.key, r.trigger, r.data, files, r.note, problem))
    return out
