"""Errors of the store: a database that cannot be reached or used, and area data
that cannot be taken. Each carries an English and a Thai sentence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from plancycle.errors import PlancycleError

__all__ = [
    "AreaError",
    "RowProblem",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
    "VillageImportError",
    "shown",
]

_MAX_SHOWN = 20


class StoreError(PlancycleError):
    """The database cannot be opened or used as asked."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or used right now (a lost connection, a server that
    is down): nothing was written; the same request may succeed later."""

    exit_code = 6
    retry_after = 5  # seconds a caller is told to wait before trying again

    def __init__(self, en: str | None = None, th: str | None = None) -> None:
        super().__init__(
            en or "the store cannot be used right now; nothing was changed, try again shortly",
            th or "ขณะนี้ใช้ฐานข้อมูลไม่ได้ ยังไม่มีการเปลี่ยนแปลงใด ๆ โปรดลองใหม่อีกครั้ง",
        )


class StoreBusy(StoreUnavailable):
    """Another writer held the store's write lock for longer than the bounded wait
    (``PLANCYCLE_BUSY_TIMEOUT_S``): nothing was written, and nobody else changed what was
    asked for. Not a conflict: the same request, sent again, may well succeed."""

    def __init__(self, key: str, waited_s: float) -> None:
        self.key = key
        self.waited_s = waited_s
        self.retry_after = max(1, round(waited_s))
        super().__init__(
            f"{key}: the store is busy with other writers (waited {waited_s:g} s); "
            f"nothing was changed, try again in a moment",
            f"{key}: ฐานข้อมูลกำลังมีผู้บันทึกรายอื่นอยู่ (รอแล้ว {waited_s:g} วินาที) "
            f"ยังไม่มีการเปลี่ยนแปลงใด ๆ โปรดลองใหม่อีกสักครู่",
        )


class AreaError(StoreError, ValueError):
    """Area codes or area data that cannot be taken (unknown codes, wrong level…)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad row of an imported file: its line (the header is line 1), the code
    as written in the file, and what is wrong with it."""

    line: int
    code: str
    message: str
    message_th: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class VillageImportError(AreaError):
    """A village file with bad rows; nothing of it was written."""

    def __init__(self, source: str, problems: Sequence[RowProblem]) -> None:
        self.source = source
        self.problems: list[RowProblem] = list(problems)
        count = len(self.problems)
        en_lines = "\n".join(f"  line {p.line}: {p.message}" for p in self.problems)
        th_lines = "\n".join(
            f"  บรรทัด {p.line}: {p.message_th or p.message}" for p in self.problems
        )
        super().__init__(
            f"{source}: {count} bad row{'s' if count != 1 else ''}; nothing was imported. "
            f"Fix the file and import it again:\n{en_lines}",
            f"{source}: มี {count} แถวที่ไม่ถูกต้อง ยังไม่ได้นำเข้าข้อมูลใด ๆ แก้ไขไฟล์แล้วนำเข้าใหม่:\n{th_lines}",
        )


def shown(items: Sequence[str]) -> str:
    """``items`` for a message: the first 20, comma separated, then how many more."""
    head = ", ".join(items[:_MAX_SHOWN])
    more = len(items) - _MAX_SHOWN
    return f"{head} … and {more} more" if more > 0 else head
