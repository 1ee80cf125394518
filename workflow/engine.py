"""Advancing an instance: every check first, then the new state and its transition
record written in one database transaction (or nothing at all)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session

from plancycle.definitions.builtin_actors import BuiltinRole
from plancycle.definitions.guards import GuardContext, run_guard
from plancycle.definitions.model import Catalog, Definition, Transition
from plancycle.store import lookups
from plancycle.store.chain import Move, StaleInstance, append_move
from plancycle.store.driver import Driver, is_lock_error
from plancycle.store.evidence import (
    DEFAULT_EVIDENCE_DIR,
    DEFAULT_MAX_BYTES,
    EvidenceError,
    EvidenceFile,
    EvidenceInput,
    record_evidence,
    store_evidence,
)
from plancycle.store.refusals import keep_refusal
from plancycle.text import check_text
from plancycle.thai.fiscal import to_utc
from plancycle.workflow.access import check_allowed, check_scope
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
    WorkflowError,
)
from plancycle.workflow.inputs import field_ref, slot_ref
from plancycle.workflow.leftat import fold_left_at, state_names
from plancycle.workflow.machines import Fired, MachineRegistry
from plancycle.workflow.stepdata import coerce_step_data

__all__ = ["AdvanceResult", "Engine", "EvidenceInput"]


class _Refusal(TypedDict):
    """The columns of a :class:`RefusedAttempt` other than its time."""

    actor_id: str
    key: str
    trigger: str
    error: str
    reason: str


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
    ) -> None:
        self.catalog = catalog
        self.db = db
        self.clock = clock or SystemClock()
        self.driver = Driver.of(db)
        self.machines = MachineRegistry(catalog)
        self._fixed_due: dict[tuple[str, int, str, int], datetime | None] = {}
        self.evidence_folder = evidence_folder
        self.evidence_max_bytes = evidence_max_bytes

    def advance(
        self,
        key: str,
        trigger: str,
        actor: str,
        evidence: Sequence[EvidenceInput] = (),
        note: str | None = None,
        data: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        *,
        at: datetime | None = None,
    ) -> AdvanceResult:
        """Fire ``trigger`` on the instance ``key`` as ``actor``; raise a WorkflowError if
        refused. ``expected_version`` is the version the caller last saw (a form, an
        If-Match header): if the instance has moved on since, the answer is a Conflict.
        ``evidence`` files are stored (content-addressed) before the write transaction
        starts; the transaction only records them. ``at`` (timezone-aware) is the instant
        written for the step, its evidence or its refusal, instead of the engine's clock: a
        sweep's own instant."""
        when = to_utc(at) if at is not None else None  # a naive ``at`` is refused here
        check_text(  # text the store cannot keep: refused first
            key=key, trigger=trigger, actor=actor, note=note, data=data
        )
        try:
            stored = [
                store_evidence(e, self.evidence_folder, self.evidence_max_bytes) for e in evidence
            ]
            return self._advance(
                key, trigger, actor, stored, note, dict(data or {}), expected_version, when
            )
        except (WorkflowError, EvidenceError) as exc:
            self._log_refusal(key, trigger, actor, exc, when)
            raise

    def _log_refusal(
        self,
        key: str,
        trigger: str,
        actor: str,
        exc: WorkflowError | EvidenceError,
        at: datetime | None,
    ) -> None:
        """Every refused attempt is kept: who, what, why (in its own transaction)."""
        logger.bind(key=key, trigger=trigger, actor=actor).warning(
            "refused {key} {trigger} by {actor}: {why}",
            key=key,
            trigger=trigger,
            actor=actor,
            why=exc.why if isinstance(exc, OutOfScope) else exc.en,
        )
        row: _Refusal = {
            "actor_id": actor[:200],
            "key": key[:200],
            "trigger": trigger[:200],
            "error": type(exc).__name__,
            "reason": (exc.why if isinstance(exc, OutOfScope) else exc.en)[:2000],
        }
        for attempt in range(6):  # SQLite: many refused writers at once wait their turn
            try:
                with Session(self.db) as session, session.begin():
                    keep_refusal(session, row, at or self.clock.now())
                return
            except sa.exc.OperationalError as err:
                if not is_lock_error(err) or attempt == 5:
                    break
                time.sleep(0.05 * 2**attempt)
            except sa.exc.SQLAlchemyError:
                break
        logger.exception("could not record the refusal of {key}", key=key)

    def _advance(
        self,
        key: str,
        trigger: str,
        actor_id: str,
        evidence: Sequence[EvidenceFile],
        note: str | None,
        data: dict[str, Any],
        expected_version: int | None,
        at: datetime | None,
    ) -> AdvanceResult:
        try:
            with self.driver.transaction() as cursor:
                inst, actor, definition, fired = self._read(
                    cursor, key, trigger, actor_id, expected_version
                )
                step = fired.step
                check_allowed(key, actor.id, actor.role, actor.area_code, inst.area_code, step)
                values = coerce_step_data(step.data, data)
                files = _match_evidence(key, step, evidence)
                self._check_guards(cursor, key, definition, step, inst, values)
                return self._write(cursor, inst, definition, fired, actor, values, files, note, at)
        except sa.exc.OperationalError as exc:
            if not is_lock_error(exc):
                raise
            # lost the race (SQLite: another writer's lock, SQLITE_BUSY; PostgreSQL: a
            # serialization failure or deadlock); nothing of ours is written
            raise Conflict(key, self._state_now(key)) from None

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
        assert inst is not None  # check_scope refused a missing one
        if expected_version is not None and inst.version != expected_version:
            raise Conflict(key, inst.state)
        definition = self.catalog.get(inst.definition_id, inst.definition_version)
        fired = self.machines.fire(definition.id, definition.version, inst.state, trigger)
        if fired is None:
            valid = self.machines.triggers(definition.id, definition.version, inst.state)
            raise InvalidTrigger(key, trigger, inst.state, valid)
        return inst, actor, definition, fired

    def _check_guards(
        self,
        cursor: Any,
        key: str,
        definition: Definition,
        step: Transition,
        inst: lookups.InstanceRow,
        values: dict[str, Any],
    ) -> None:
        if not step.guards:
            return
        facts = {"district_count": lookups.district_count(cursor, self.driver, inst.province_code)}
        allocation = definition.budget.per_unit if definition.budget else None
        ctx = GuardContext(data=values, allocation=allocation, facts=facts)
        refusals = [r for g in step.guards if (r := run_guard(g.name, g.params, ctx))]
        if refusals:
            raise GuardFailed(key, refusals, {f.name: field_ref(f) for f in step.data})

    def _due_at(
        self,
        cursor: Any,
        definition: Definition,
        state: str,
        inst: lookups.InstanceRow,
        now: datetime,
    ) -> datetime | None:
        """When ``state`` is due for ``inst`` leaving its state at ``now``. Deadlines fixed
        by the calendar are computed once per (definition version, state, fiscal year);
        only "N days after step X" deadlines read when the instance left X."""
        # only an ``after`` deadline names a state (``Deadline.after``)
        after = [d.after for d in definition.state(state).due if d.after is not None]
        if not after:
            memo = (definition.id, definition.version, state, inst.fiscal_year)
            if memo not in self._fixed_due:
                self._fixed_due[memo] = state_due_at(definition, state, inst.fiscal_year, {})
            return self._fixed_due[memo]
        left_at = self._left_at(cursor, definition, inst.id, after)
        left_at[inst.state] = now
        return state_due_at(definition, state, inst.fiscal_year, left_at)

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
    ) -> AdvanceResult:
        now = at or self.clock.now()
        dest = fired.dest
        move = Move(
            trigger=fired.step.trigger,
            to_state=dest,
            actor_id=actor.id,
            role=actor.role,
            at=now,
            due_at=self._due_at(cursor, definition, dest, inst, now),
            final=definition.state(dest).final,
            data=values,
            note=note,
            evidence=[f.sha256 for f in files],
            automatic=actor.role == BuiltinRole.SCHEDULER,
        )
        try:
            written = append_move(cursor, self.driver, inst, move)
        except StaleInstance:
            # lost the race: another writer moved it first; nothing of ours is written
            raise Conflict(inst.key, lookups.state_of(cursor, self.driver, inst.key)) from None
        record_evidence(cursor, self.driver, files, now, (inst.id, written.seq))
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

    def _state_now(self, key: str) -> str | None:
        with self.driver.transaction() as cursor:
            return lookups.state_of(cursor, self.driver, key)


def _match_evidence(
    key: str, step: Transition, given: Sequence[EvidenceFile]
) -> list[EvidenceFile]:
    """Pair each stored file with a slot of the step (named, or the next free one in
    order), check its type by content, and require every required slot."""
    if not given and not step.evidence:
        return []
    free = [s.id for s in step.evidence]
    files = [_slotted(key, step, item, free) for item in given]
    missing = [slot_ref(s) for s in step.evidence if s.required and s.id in free]
    if missing:
        raise MissingEvidence(key, step.trigger, missing)
    return files


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
        raise BadStepInput(
            f"{key}: {item.file_name!r} is {item.media_type} by its content, but "
            f"{slot_id!r} needs {', '.join(wanted)}",
            f"{key}: ไฟล์ {item.file_name!r} เป็น {item.media_type} แต่ช่อง {slot_id!r} "
            f"ต้องเป็น {', '.join(wanted)}",
        )
    return dataclasses.replace(item, slot=slot_id)
