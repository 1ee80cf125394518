"""Advancing an instance: every check first, then the new state and its transition
record written in one database transaction (or nothing at all)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from loguru import logger

from plancycle.definitions.builtin_actors import BuiltinRole
from plancycle.definitions.guards import (
    GUARD_WARNINGS_KEY,
    GuardContext,
    Refusal,
    run_guard,
    warning_record,
)
from plancycle.definitions.model import Catalog, Definition, GuardSeverity, Transition, required
from plancycle.store import lookups
from plancycle.store.chain import Move, StaleInstance, append_move
from plancycle.store.db import DEFAULT_BUSY_TIMEOUT_S
from plancycle.store.driver import Driver, LockKind, lock_kind
from plancycle.store.errors import StoreBusy, StoreUnavailable
from plancycle.store.evidence import (
    DEFAULT_EVIDENCE_DIR,
    DEFAULT_MAX_BYTES,
    EvidenceError,
    EvidenceFile,
    EvidenceInput,
    record_evidence,
    store_evidence,
)
from plancycle.store.store_settings import SettingKey, write_setting
from plancycle.text import check_text
from plancycle.thai.dateinput import stored_date
from plancycle.thai.fiscal import to_utc
from plancycle.workflow.access import check_scope
from plancycle.workflow.behalf import check_acts, check_signed_document
from plancycle.workflow.clock import Clock, SystemClock
from plancycle.workflow.deadlines import state_due_at
from plancycle.workflow.errors import (
    BadStepInput,
    Conflict,
    GuardFailed,
    InvalidTrigger,
    MissingEvidence,
    OutOfScope,
    UnknownActor,
    UnknownInstance,
    WorkflowError,
    WrongFileType,
)
from plancycle.workflow.extensions import effective_due
from plancycle.workflow.holiday_calendar import read_calendar
from plancycle.workflow.inputs import field_ref, slot_ref
from plancycle.workflow.leftat import fold_left_at, state_names
from plancycle.workflow.machines import Fired, MachineRegistry
from plancycle.workflow.refusals import RefusalLog, refusal_row
from plancycle.workflow.stepdata import coerce_step_data
from plancycle.workflow.withdraw import withdrawn_refusal
from plancycle.workflow.workdays import WorkCalendar

__all__ = ["AdvanceResult", "Engine", "EvidenceInput"]


@dataclass(frozen=True, slots=True)
class AdvanceResult:
    key: str
    trigger: str
    from_state: str
    to_state: str
    seq: int
    at: datetime
    due_at: datetime | None
    completed: bool
    evidence: tuple[str, ...]
    # rules declared ``severity: warn`` that the step did not meet: recorded, not refused
    warnings: tuple[Refusal, ...] = ()


class Engine:
    """Runs steps of instances against a store, with an injected clock, evidence folder
    and size limit of one evidence file."""

    def __init__(
        self,
        catalog: Catalog,
        db: sa.Engine,
        clock: Clock | None = None,
        evidence_folder: Path = DEFAULT_EVIDENCE_DIR,
        evidence_max_bytes: int = DEFAULT_MAX_BYTES,
        busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    ) -> None:
        self.catalog = catalog
        self.db = db
        self.clock = clock or SystemClock()
        self.driver = Driver.of(db)
        self.machines = MachineRegistry(catalog)
        self._fixed_due: dict[tuple[str, int, str, int], datetime | None] = {}
        self._calendar: WorkCalendar | None = None  # the one _fixed_due was counted with
        self.evidence_folder = evidence_folder
        self.evidence_max_bytes = evidence_max_bytes
        self.busy_timeout_s = busy_timeout_s
        self.refusals = RefusalLog(db)
        self._folder_recorded = False  # the store knows this engine's evidence folder

    def advance(
        self,
        key: str,
        trigger: str,
        actor: str,
        evidence: Sequence[EvidenceInput | EvidenceFile] = (),
        note: str | None = None,
        data: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        *,
        at: datetime | None = None,
        on_behalf_of: str | None = None,
    ) -> AdvanceResult:
        """Fire ``trigger`` on the instance ``key`` as ``actor``; raise a WorkflowError if
        refused, StoreBusy / StoreUnavailable when the store cannot take it now, and
        EvidenceError for a file that cannot be taken or stored. ``expected_version`` is the version the caller last saw (a form, an
        If-Match header): if the instance has moved on since, the answer is a Conflict.
        ``evidence`` files are stored (content-addressed) before the write transaction
        starts; the transaction only records them. ``at`` (timezone-aware) is the instant
        written for the step, its evidence or its refusal, instead of the engine's clock: a
        sweep's own instant. A file already stored by :meth:`store_files` is taken as it is.
        ``on_behalf_of`` records a step for the role that performs it (the step must allow
        it, the actor's role be one that may, and the signed document be attached)."""
        when = to_utc(at) if at is not None else None  # a naive ``at`` is refused here
        check_text(  # text the store cannot keep: refused first
            key=key, trigger=trigger, actor=actor, note=note, data=data
        )
        try:
            stored = [
                e
                if isinstance(e, EvidenceFile)
                else store_evidence(e, self.evidence_folder, self.evidence_max_bytes)
                for e in evidence
            ]
        except EvidenceError as exc:
            self._log_refusal(key, trigger, actor, exc, when)
            raise
        return self.advance_stored(
            key,
            trigger,
            actor,
            stored,
            note,
            data,
            expected_version,
            at=at,
            on_behalf_of=on_behalf_of,
        )

    def advance_stored(
        self,
        key: str,
        trigger: str,
        actor: str,
        evidence: Sequence[EvidenceFile],
        note: str | None = None,
        data: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        *,
        at: datetime | None = None,
        on_behalf_of: str | None = None,
    ) -> AdvanceResult:
        """:meth:`advance` with its evidence files already stored (a batch stores a
        file shared by many rows once); the same checks, the same write path."""
        when = to_utc(at) if at is not None else None
        check_text(
            key=key, trigger=trigger, actor=actor, note=note, data=data, on_behalf_of=on_behalf_of
        )
        try:
            result = self._advance_bounded(
                key,
                trigger,
                actor,
                evidence,
                note,
                dict(data or {}),
                expected_version,
                when,
                on_behalf_of,
            )
        except (WorkflowError, EvidenceError, StoreUnavailable) as exc:
            self._log_refusal(key, trigger, actor, exc, when)
            raise
        self._folder_recorded = self._folder_recorded or bool(evidence)
        return result

    def store_files(
        self, key: str, trigger: str, actor: str, evidence: Sequence[EvidenceInput]
    ) -> list[EvidenceFile]:
        """Store a step's files before :meth:`advance` (which then takes them as they are),
        so that a shell knows what was stored even when the step is refused; a file that
        cannot be taken is refused and kept as a refused attempt, as in :meth:`advance`."""
        try:
            return [
                store_evidence(e, self.evidence_folder, self.evidence_max_bytes) for e in evidence
            ]
        except EvidenceError as exc:
            self._log_refusal(key, trigger, actor, exc, None)
            raise

    def check(
        self,
        key: str,
        trigger: str,
        actor: str,
        evidence: Sequence[EvidenceFile] = (),
        note: str | None = None,
        data: Mapping[str, Any] | None = None,
        *,
        keep_refusal: bool = True,
        on_behalf_of: str | None = None,
    ) -> int:
        """Every check :meth:`advance` makes (scope, actor, trigger, role and area, step
        data, evidence slots and types, guards), writing nothing; the instance's version
        read, for the write that may follow (``expected_version``). A refusal is raised
        as advance raises it, and kept unless ``keep_refusal`` is false (a dry run)."""
        check_text(key=key, trigger=trigger, actor=actor, note=note, data=data)
        try:
            return self._check(key, trigger, actor, evidence, dict(data or {}), on_behalf_of)
        except (WorkflowError, EvidenceError) as exc:
            if keep_refusal:
                self._log_refusal(key, trigger, actor, exc, None)
            raise
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            logger.warning("store unavailable while checking {key}: {why}", key=key, why=exc)
            raise StoreUnavailable() from None

    def _check(
        self,
        key: str,
        trigger: str,
        actor_id: str,
        evidence: Sequence[EvidenceFile],
        data: dict[str, Any],
        on_behalf_of: str | None = None,
    ) -> int:
        with self.driver.transaction() as cursor:
            inst, actor, definition, fired = self._read(cursor, key, trigger, actor_id, None)
            step = fired.step
            check_acts(key, actor, inst.area_code, step, self.catalog.roles, on_behalf_of)
            values = coerce_step_data(step.data, data, fiscal_year=inst.fiscal_year)
            files = _match_evidence(key, step, evidence)
            check_signed_document(key, step, files, on_behalf_of)
            self.check_guards(cursor, key, definition, step, inst.province_code, values)
            return inst.version

    def refuse_busy(self, key: str, trigger: str, actor: str, waited_s: float) -> StoreBusy:
        """The answer to an advance a shell could not even start within the busy timeout
        (its queue of writers was full), kept as a refused attempt like any other."""
        exc = StoreBusy(key, round(waited_s, 1))
        self._log_refusal(key, trigger, actor, exc, None)
        return exc

    def keep_refusal(
        self, key: str, trigger: str, actor: str, exc: WorkflowError | EvidenceError
    ) -> None:
        """Keep a refusal given outside :meth:`advance` (a send-back, a correction)."""
        self._log_refusal(key, trigger, actor, exc, None)

    def _log_refusal(
        self,
        key: str,
        trigger: str,
        actor: str,
        exc: WorkflowError | EvidenceError | StoreUnavailable,
        at: datetime | None,
    ) -> None:
        """Every refused attempt is kept: who, what, why (see :mod:`.refusals`)."""
        logger.bind(key=key, trigger=trigger, actor=actor).warning(
            "refused {key} {trigger} by {actor}: {why}",
            key=key,
            trigger=trigger,
            actor=actor,
            why=exc.why if isinstance(exc, OutOfScope) else exc.en,
        )
        reason = exc.why if isinstance(exc, OutOfScope) else exc.en
        row = refusal_row(at or self.clock.now(), key, trigger, actor, type(exc).__name__, reason)
        self.refusals.record(row, store_known_busy=isinstance(exc, StoreUnavailable))

    def _advance_bounded(
        self,
        key: str,
        trigger: str,
        actor_id: str,
        evidence: Sequence[EvidenceFile],
        note: str | None,
        data: dict[str, Any],
        expected_version: int | None,
        at: datetime | None,
        on_behalf_of: str | None = None,
    ) -> AdvanceResult:
        """The advance, run again when it lost a race that may not concern this instance
        (another writer's commit made SQLite's snapshot stale; a PostgreSQL serialization
        failure or deadlock), holding it to the version first read, so that a real change
        of the instance is still a Conflict. A lock not freed within the bounded wait is
        :class:`StoreBusy`; a lost or failing connection :class:`StoreUnavailable`."""
        started = time.monotonic()
        seen = [expected_version]
        while True:
            try:
                return self._advance(
                    key, trigger, actor_id, evidence, note, data, seen, at, on_behalf_of
                )
            except (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError) as exc:
                waited = time.monotonic() - started
                kind = lock_kind(exc) if isinstance(exc, sa.exc.DBAPIError) else None
                if kind is LockKind.LOST_RACE and waited < self.busy_timeout_s:
                    continue
                if kind is not None or isinstance(exc, sa.exc.TimeoutError):
                    raise StoreBusy(key, round(waited, 1)) from None
                logger.warning("store unavailable during {key}: {why}", key=key, why=exc)
                raise StoreUnavailable() from None

    def _advance(
        self,
        key: str,
        trigger: str,
        actor_id: str,
        evidence: Sequence[EvidenceFile],
        note: str | None,
        data: dict[str, Any],
        seen: list[int | None],
        at: datetime | None,
        on_behalf_of: str | None = None,
    ) -> AdvanceResult:
        """One try; ``seen[0]`` is the version the instance must still have (set to the
        version read, for a try that follows). Nothing is written unless all of it is."""
        with self.driver.transaction() as cursor:
            inst, actor, definition, fired = self._read(cursor, key, trigger, actor_id, seen[0])
            seen[0] = inst.version
            step = fired.step
            check_acts(key, actor, inst.area_code, step, self.catalog.roles, on_behalf_of)
            values = coerce_step_data(step.data, data, fiscal_year=inst.fiscal_year)
            files = _match_evidence(key, step, evidence)
            check_signed_document(key, step, files, on_behalf_of)
            warned = [
                *_missing_expected(step, files),
                *self.check_guards(cursor, key, definition, step, inst.province_code, values),
            ]
            if warned:
                values = {**values, GUARD_WARNINGS_KEY: [warning_record(w) for w in warned]}
            result = self._write(
                cursor, inst, definition, fired, actor, values, files, note, at, on_behalf_of
            )
            return dataclasses.replace(result, warnings=tuple(warned))

    def _read(
        self, cursor: Any, key: str, trigger: str, actor_id: str, expected_version: int | None
    ) -> tuple[lookups.InstanceRow, lookups.ActorRow, Definition, Fired]:
        """The instance, the actor, the definition version and the Machine's answer for
        ``trigger`` (the next state and the step); refused if any is missing, if the
        Machine refuses the trigger, or if the instance moved on since the caller saw it."""
        inst, actor = lookups.instance_and_actor(cursor, self.driver, key, actor_id)
        if actor is None or not actor.active:
            raise UnknownActor(actor_id, "inactive" if actor else "unknown")
        check_scope(key, actor.area_code, inst.area_code if inst else None)
        if inst is None:  # check_scope refuses a missing one; this narrows the type
            raise UnknownInstance(key)
        if inst.withdrawn_at is not None:
            raise withdrawn_refusal(key)
        if expected_version is not None and inst.version != expected_version:
            raise Conflict(key, inst.state, self._state_th(inst.definition_id, inst.state))
        definition = self.catalog.get(inst.definition_id, inst.definition_version)
        fired = self.machines.fire(definition.id, definition.version, inst.state, trigger)
        if fired is None:
            valid = self.machines.triggers(definition.id, definition.version, inst.state)
            labels = {t.trigger: t.label.th for t in definition.transitions_from(inst.state)}
            state_th = definition.state(inst.state).label.th
            raise InvalidTrigger(key, trigger, inst.state, valid, state_th, labels)
        return inst, actor, definition, fired

    def _state_th(self, process: str, state: str | None) -> str | None:
        """A state's Thai label for a refusal (None for none)."""
        return None if state is None else self.catalog.state_label(process, state).th

    def check_guards(
        self,
        cursor: Any,
        key: str,
        definition: Definition,
        step: Transition,
        province_code: str,
        values: dict[str, Any],
    ) -> list[Refusal]:
        """Refuses the step when a rule of severity ``refuse`` fails; returns the failed
        rules of severity ``warn`` (derived rules the step is let through with). A step and
        a correction of its data are checked alike."""
        if not step.guards:
            return []
        districts = lookups.district_codes(cursor, self.driver, province_code)
        facts = {"district_count": len(districts), "districts": districts}
        allocation = definition.budget.per_unit if definition.budget else None
        ctx = GuardContext(data=values, allocation=allocation, facts=facts)
        failed = [(g, r) for g in step.guards if (r := run_guard(g.name, g.params, ctx))]
        refusals = [r for g, r in failed if g.severity == GuardSeverity.REFUSE]
        if refusals:
            raise GuardFailed(key, refusals, {f.name: field_ref(f) for f in step.data})
        return [r for _, r in failed]

    def _due_at(
        self,
        cursor: Any,
        definition: Definition,
        state: str,
        inst: lookups.InstanceRow,
        now: datetime,
        values: dict[str, Any],
    ) -> datetime | None:
        """When ``state`` is due for ``inst`` leaving its state at ``now`` with ``values``. Deadlines fixed
        by the calendar are computed once per (definition version, state, fiscal year);
        only "N days after step X" deadlines read when the instance left X."""
        # only an ``after`` deadline names a state (``Deadline.after``)
        calendar = read_calendar(cursor, self.driver)
        if calendar != self._calendar:  # the store's holidays changed: count anew
            self._fixed_due.clear()
            self._calendar = calendar
        after = [d.after for d in definition.state(state).due if d.after is not None]
        if not after:
            memo = (definition.id, definition.version, state, inst.fiscal_year)
            if memo not in self._fixed_due:
                self._fixed_due[memo] = state_due_at(
                    definition, state, inst.fiscal_year, {}, calendar=calendar
                )
            return self._fixed_due[memo]
        left_at = self._left_at(cursor, definition, inst.id, after)
        left_at[inst.state] = now
        dates = self._recorded_dates(cursor, definition, state, inst, values)
        return state_due_at(definition, state, inst.fiscal_year, left_at, dates, calendar)

    def _extended(
        self, cursor: Any, inst: lookups.InstanceRow, state: str, due: datetime | None
    ) -> datetime | None:
        """``due`` as the step's deadline extensions reaching the instance move it
        (:func:`effective_due`: an area's extension holds for instances entering later)."""
        found = lookups.extensions_of(
            cursor, self.driver, inst.fiscal_year, inst.definition_id, state
        )
        return effective_due(due, found, inst.key, inst.area_code) if found else due

    def _recorded_dates(
        self,
        cursor: Any,
        definition: Definition,
        state: str,
        inst: lookups.InstanceRow,
        values: dict[str, Any],
    ) -> dict[str, date]:
        """The date fields ``state``'s "N days after the date recorded at step X" deadlines
        count from: recorded when the instance left X (now, or earlier)."""
        specs = [d for d in definition.state(state).due if d.date_field and d.after]
        if not specs:
            return {}
        steps = sorted({required(d.after, "after") for d in specs})
        names = state_names(self.catalog, definition, steps)
        recorded = lookups.left_data(
            cursor, self.driver, inst.id, sorted({n for ns in names.values() for n in ns})
        )
        dates: dict[str, date] = {}
        for spec in specs:
            after, field_name = required(spec.after, "after"), required(spec.date_field, "field")
            data = values if after == inst.state else _latest(recorded, names[after])
            day = stored_date(data.get(field_name)) if data else None
            if day is not None:
                dates[field_name] = day
        return dates

    def _left_at(
        self, cursor: Any, definition: Definition, instance_id: int, states: list[str]
    ) -> dict[str, datetime]:
        """When the instance last left each of ``states``, under their current ids or the
        ids they had before a definition migration renamed them."""
        names = state_names(self.catalog, definition, states)
        wanted = sorted({n for ns in names.values() for n in ns})
        return fold_left_at(lookups.left_at(cursor, self.driver, instance_id, wanted), names)

    def _write(
        self,
        cursor: Any,
        inst: lookups.InstanceRow,
        definition: Definition,
        fired: Fired,
        actor: lookups.ActorRow,
        values: dict[str, Any],
        files: list[EvidenceFile],
        note: str | None,
        at: datetime | None,
        on_behalf_of: str | None = None,
    ) -> AdvanceResult:
        now = at or self.clock.now()
        dest = fired.dest
        move = Move(
            trigger=fired.step.trigger,
            to_state=dest,
            actor_id=actor.id,
            role=actor.role,
            at=now,
            due_at=self._extended(
                cursor, inst, dest, self._due_at(cursor, definition, dest, inst, now, values)
            ),
            final=definition.state(dest).final,
            data=values,
            note=note,
            evidence=[f.sha256 for f in files],
            automatic=actor.role == BuiltinRole.SCHEDULER,
            on_behalf_of=on_behalf_of,
        )
        try:
            written = append_move(cursor, self.driver, inst, move)
        except StaleInstance:
            # lost the race: another writer moved it first; nothing of ours is written
            now_in = lookups.state_of(cursor, self.driver, inst.key)
            raise Conflict(inst.key, now_in, self._state_th(inst.definition_id, now_in)) from None
        record_evidence(cursor, self.driver, files, now, (inst.id, written.seq))
        if files and not self._folder_recorded:  # where audit verify will look for them
            folder = str(self.evidence_folder.resolve())
            write_setting(cursor, self.driver, SettingKey.EVIDENCE_DIR, folder, now)
        logger.bind(key=inst.key).info(
            "advanced {key} {src} -> {dst} by {actor}",
            key=inst.key,
            src=inst.state,
            dst=dest,
            actor=actor.id,
        )
        return AdvanceResult(
            inst.key,
            move.trigger,
            inst.state,
            dest,
            written.seq,
            now,
            move.due_at,
            move.final,
            tuple(move.evidence),
        )


def _match_evidence(
    key: str, step: Transition, given: Sequence[EvidenceFile]
) -> list[EvidenceFile]:
    """Pair each stored file with a slot of the step (named, or the next free one in
    order), check its type by content, and require every required slot."""
    if not given and not step.evidence:
        return []
    free = [s.id for s in step.evidence]
    files = [_slotted(key, step, item, free) for item in given]
    missing = [slot_ref(s) for s in step.evidence if s.insisted and s.id in free]
    if missing:
        raise MissingEvidence(key, step.trigger, missing)
    return files


def _missing_expected(step: Transition, files: Sequence[EvidenceFile]) -> list[Refusal]:
    """Required files of severity ``warn`` the step was done without: recorded findings."""
    given = {f.slot for f in files}
    return [
        Refusal(
            f"evidence:{s.id}",
            f"ไม่ได้แนบ “{s.label.th}” (บันทึกไว้ ไม่ปฏิเสธ)",
            f"“{s.label.en}” was not attached (recorded, not refused)",
        )
        for s in step.evidence
        if s.required and not s.insisted and s.id not in given
    ]


def _slotted(key: str, step: Transition, item: EvidenceFile, free: list[str]) -> EvidenceFile:
    """``item`` in its slot (taken from ``free``), if the slot exists and takes its type."""
    slots = {s.id: s for s in step.evidence}
    slot_id = item.slot
    if slot_id is None:
        if not free:
            raise BadStepInput(
                f"{key}: step {step.trigger!r} takes no (more) evidence files",
                f"{key}: ขั้น {step.trigger!r} ไม่รับไฟล์หลักฐาน (เพิ่ม)",
            )
        slot_id = free[0]
    if slot_id not in slots:
        raise BadStepInput(
            f"{key}: step {step.trigger!r} has no evidence slot {slot_id!r} "
            f"(slots: {', '.join(slots) or 'none'})",
            f"{key}: ขั้น {step.trigger!r} ไม่มีช่องหลักฐาน {slot_id!r}",
        )
    if slot_id not in free:
        raise BadStepInput(
            f"{key}: evidence slot {slot_id!r} of step {step.trigger!r} takes one file; "
            f"{item.file_name!r} is one too many",
            f"{key}: ช่องหลักฐาน {slot_id!r} ของขั้น {step.trigger!r} รับได้ไฟล์เดียว; "
            f"{item.file_name!r} เกินมา",
        )
    free.remove(slot_id)
    wanted = slots[slot_id].media_types
    if wanted and item.media_type not in wanted:
        ref = slot_ref(slots[slot_id])
        raise WrongFileType(key, ref, item.file_name, item.media_type, wanted)
    return dataclasses.replace(item, slot=slot_id)


def _latest(recorded: Mapping[str, dict[str, Any]], ids: Sequence[str]) -> dict[str, Any] | None:
    """The data recorded on leaving a step under any of its ``ids`` (the current id first)."""
    for name in sorted(ids, key=lambda n: n not in recorded):
        if name in recorded:
            return recorded[name]
    return None
