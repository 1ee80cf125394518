"""Many advances at once (a sheet uploaded, the bulk page, the batch API): every row is
checked first, by the engine's own checks, and nothing is written unless every row passes;
with ``partial`` the rows that pass are written and the others reported.

Each row written is an ordinary advance through :meth:`Engine.advance_stored`: its own
transaction, its own hash-chained transition record, held to the version its check read.
The batch is therefore not one transaction: if a write fails mid-way (the store busy or
unavailable, an instance changed by someone else since it was checked), the rows written
before it stay written, that row and every row after it are not written, and the result
says which is which (:attr:`BatchResult.stopped`). Running the same sheet again then
refuses the written rows (their step is done) and writes the rest.

Results carry facts, not sentences for one shell: the row number as the caller counts it,
the key, a status, the record's sequence number and the refusal (an error holding its own
facts, worded by each shell)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from plancycle.errors import PlancycleError
from plancycle.store.errors import StoreBusy, StoreUnavailable
from plancycle.store.evidence import EvidenceFile, EvidenceInput, store_evidence
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import BadStepInput, UnknownInstance

__all__ = [
    "BatchResult",
    "BatchRow",
    "DuplicateRow",
    "EmptyBatch",
    "Progress",
    "RowResult",
    "RowStatus",
    "run_batch",
]

Progress = Callable[[int, int], None]  # (rows done, rows in all)


class RowStatus(StrEnum):
    WRITTEN = "written"  # advanced: its transition record has ``seq``
    VALID = "valid"  # passed every check, not written (a dry run, or another row refused)
    REFUSED = "refused"  # failed a check (``error``): never written
    FAILED = "failed"  # passed its check, but its write failed (``error``): not written
    NOT_WRITTEN = "not_written"  # passed its check; the batch stopped before its turn


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One advance asked for: ``row`` numbers it as the caller does (a sheet's row,
    an item's index), ``data`` as given (text or values), ``evidence`` its files."""

    row: int
    key: str
    trigger: str
    data: Mapping[str, Any] = field(default_factory=dict)
    evidence: Sequence[EvidenceInput] = ()
    note: str | None = None
    problem: PlancycleError | None = None  # found while reading the row (a missing file)


@dataclass(frozen=True, slots=True)
class RowResult:
    row: int
    key: str
    trigger: str
    status: RowStatus
    seq: int | None = None
    error: PlancycleError | None = None

    @property
    def reason(self) -> str | None:
        """The refusal's kind, as a code (``GuardFailed``, ``UnknownInstance`` …); an
        instance outside the caller's area is told as one that does not exist."""
        if self.error is None:
            return None
        kind = UnknownInstance if isinstance(self.error, UnknownInstance) else type(self.error)
        return kind.__name__


@dataclass(frozen=True, slots=True)
class BatchResult:
    rows: tuple[RowResult, ...]
    partial: bool
    dry_run: bool
    stopped: PlancycleError | None = None  # the failure that stopped the writes mid-way

    def having(self, *statuses: RowStatus) -> list[RowResult]:
        return [r for r in self.rows if r.status in statuses]

    @property
    def written(self) -> list[RowResult]:
        return self.having(RowStatus.WRITTEN)

    @property
    def refused(self) -> list[RowResult]:
        return self.having(RowStatus.REFUSED)

    @property
    def complete(self) -> bool:
        """Every row passed and (unless a dry run) every row was written."""
        wanted = RowStatus.VALID if self.dry_run else RowStatus.WRITTEN
        return all(r.status is wanted for r in self.rows)

    @property
    def exit_code(self) -> int:
        """0 when complete; the stopping failure's code (5 conflict, 6 busy); else 2."""
        if self.complete:
            return 0
        return self.stopped.exit_code if self.stopped is not None else 2

    def counts(self) -> dict[str, int]:
        return {s.value: len(self.having(s)) for s in RowStatus}

    def summary(self) -> dict[str, Any]:
        """What every shell's answer starts with; each adds its rows, worded its own way."""
        return {
            "complete": self.complete,
            "dry_run": self.dry_run,
            "partial": self.partial,
            "counts": self.counts(),
        }


class EmptyBatch(BadStepInput):
    def __init__(self) -> None:
        super().__init__(
            "the batch has no rows: give at least one row with a key and a trigger",
            "ไม่มีแถวให้บันทึก: ใส่อย่างน้อยหนึ่งแถวที่มีรหัสรายการ (key) และขั้น (trigger)",
        )


class DuplicateRow(BadStepInput):
    """A second row for an instance: one row per instance, so each is checked against
    the state it is in."""

    def __init__(self, key: str, first_row: int) -> None:
        super().__init__(
            f"{key} is already in row {first_row}; give one row per instance",
            f"{key} มีอยู่แล้วในแถว {first_row}; ใส่รายการละหนึ่งแถว",
        )
        self.key, self.first_row = key, first_row


@dataclass
class _Checked:
    row: BatchRow
    files: list[EvidenceFile]
    version: int


class _Files:
    """Evidence stored once per stream: one upload shared by every row is one file."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.done: dict[int, EvidenceFile] = {}

    def store(self, given: Sequence[EvidenceInput]) -> list[EvidenceFile]:
        out = []
        for item in given:
            stored = self.done.get(id(item.stream))
            if stored is None:
                item.stream.seek(0)
                stored = store_evidence(
                    item, self.engine.evidence_folder, self.engine.evidence_max_bytes
                )
                self.done[id(item.stream)] = stored
            out.append(EvidenceFile(item.slot, stored.path, item.file_name, *_typed(stored)))
        return out


def _typed(stored: EvidenceFile) -> tuple[str, int, str]:
    return stored.media_type, stored.size, stored.sha256


def _check_all(
    engine: Engine, rows: Sequence[BatchRow], actor: str, keep: bool, progress: Progress
) -> tuple[list[_Checked], dict[int, RowResult]]:
    """Every row checked; a failure of the store itself (busy, unavailable) stops it all."""
    files, seen = _Files(engine), dict[str, int]()
    checked: list[_Checked] = []
    refused: dict[int, RowResult] = {}
    for done, row in enumerate(rows, 1):
        try:
            if row.problem is not None:
                raise row.problem
            if row.key in seen:
                raise DuplicateRow(row.key, seen[row.key])
            seen[row.key] = row.row
            stored = files.store(row.evidence)
            version = engine.check(
                row.key, row.trigger, actor, stored, row.note, row.data, keep_refusal=keep
            )
            checked.append(_Checked(row, stored, version))
        except (StoreBusy, StoreUnavailable):
            raise  # the store, not the row: nothing is written, the caller is told
        except PlancycleError as exc:  # the row's own fault: bad text, data, evidence…
            refused[row.row] = RowResult(
                row.row, row.key, row.trigger, RowStatus.REFUSED, None, exc
            )
        progress(done, len(rows))
    return checked, refused


def _write_all(
    engine: Engine, checked: list[_Checked], actor: str, progress: Progress, offset: int, total: int
) -> tuple[dict[int, RowResult], PlancycleError | None]:
    """Each checked row written in order, held to the version its check read; the first
    failure stops the writes: that row FAILED, the later ones NOT_WRITTEN."""
    out: dict[int, RowResult] = {}
    stopped: PlancycleError | None = None
    for done, item in enumerate(checked, 1):
        row = item.row
        if stopped is not None:
            out[row.row] = RowResult(row.row, row.key, row.trigger, RowStatus.NOT_WRITTEN)
            continue
        try:
            result = engine.advance_stored(
                row.key, row.trigger, actor, item.files, row.note, row.data, item.version
            )
        except PlancycleError as exc:
            stopped = exc
            out[row.row] = RowResult(row.row, row.key, row.trigger, RowStatus.FAILED, None, exc)
            continue
        out[row.row] = RowResult(row.row, row.key, row.trigger, RowStatus.WRITTEN, result.seq)
        progress(offset + done, total)
    return out, stopped


def _quiet(done: int, total: int) -> None:
    return None


def run_batch(
    engine: Engine,
    rows: Sequence[BatchRow],
    actor: str,
    *,
    partial: bool = False,
    dry_run: bool = False,
    progress: Progress = _quiet,
) -> BatchResult:
    """Check every row as ``actor``; write them all if all pass (or, with ``partial``,
    those that pass), each as its own advance; nothing with ``dry_run``. Refusals of
    a dry run are not kept in the refusal log (nothing was attempted)."""
    if not rows:
        raise EmptyBatch()
    checked, results = _check_all(engine, rows, actor, not dry_run, progress)
    total = len(rows) + len(checked)
    stopped: PlancycleError | None = None
    if dry_run or (results and not partial):
        for item in checked:
            r = item.row
            results[r.row] = RowResult(r.row, r.key, r.trigger, RowStatus.VALID)
    else:
        written, stopped = _write_all(engine, checked, actor, progress, len(rows), total)
        results.update(written)
    ordered = tuple(results[r.row] for r in rows)
    return BatchResult(ordered, partial, dry_run, stopped)
