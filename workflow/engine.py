"""Advancing an instance: every check first, then the new state and its transition
record written in one database transaction (or nothing at all)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from loguru import logger
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, func, select

from plancycle.definitions.model import Catalog, Definition, Transition
from plancycle.store.chain import Move, StaleInstance, append_transition
from plancycle.store.evidence import (
    EvidenceFile,
    evidence_dir,
    evidence_max_bytes,
    prepare_evidence,
    store_evidence,
)
from plancycle.store.models import Actor, Area, Evidence, Instance, RefusedAttempt, TransitionRecord
from plancycle.workflow.access import check_allowed
from plancycle.workflow.clock import Clock, SystemClock
from plancycle.workflow.deadlines import state_due_at
from plancycle.workflow.errors import (
    BadStepInput,
    Conflict,
    GuardFailed,
    InvalidTrigger,
    UnknownActor,
    UnknownInstance,
    WorkflowError,
)
from plancycle.workflow.guards import GuardContext, run_guard
from plancycle.workflow.machines import MachineRegistry
from plancycle.workflow.stepdata import coerce_step_data

__all__ = ["AdvanceResult", "Engine", "EvidenceInput"]

# (slot id or None to fill the step's slots in order, path of the file)
EvidenceInput = tuple[str | None, Path]


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
    """Runs steps of instances against a store, with an injected clock."""

    def __init__(
        self,
        catalog: Catalog,
        db: sa.Engine,
        clock: Clock | None = None,
        evidence_folder: Path | None = None,
    ) -> None:
        self.catalog = catalog
        self.db = db
        self.clock = clock or SystemClock()
        self.machines = MachineRegistry(catalog)
        self.evidence_folder = evidence_folder or evidence_dir()
        self.evidence_max_bytes = evidence_max_bytes()

    def advance(
        self,
        key: str,
        trigger: str,
        actor: str,
        evidence: Sequence[EvidenceInput] = (),
        note: str | None = None,
        data: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> AdvanceResult:
        """Fire ``trigger`` on the instance ``key`` as ``actor``; raise a WorkflowError if
        refused. ``expected_version`` is the version the caller last saw (a form, an
        If-Match header): if the instance has moved on since, the answer is a Conflict."""
        try:
            return self._advance(
                key, trigger, actor, evidence, note, dict(data or {}), expected_version
            )
        except WorkflowError as exc:
            self._log_refusal(key, trigger, actor, exc)
            raise

    def _log_refusal(self, key: str, trigger: str, actor: str, exc: WorkflowError) -> None:
        """Every refused attempt is kept: who, what, why (in its own transaction)."""
        logger.bind(key=key, trigger=trigger, actor=actor).warning(
            "refused {key} {trigger} by {actor}: {why}",
            key=key,
            trigger=trigger,
            actor=actor,
            why=exc.en,
        )
        row = {
            "actor_id": actor[:200],
            "key": key[:200],
            "trigger": trigger[:200],
            "error": type(exc).__name__,
            "reason": exc.en[:2000],
        }
        for attempt in range(6):  # SQLite: many refused writers at once wait their turn
            try:
                with Session(self.db) as session, session.begin():
                    session.add(RefusedAttempt(at=self.clock.now(), **row))
                return
            except sa.exc.OperationalError as err:
                if not _is_lock_error(err) or attempt == 5:
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
        evidence: Sequence[EvidenceInput],
        note: str | None,
        data: dict[str, Any],
        expected_version: int | None,
    ) -> AdvanceResult:
        with Session(self.db) as session, session.begin():
            inst = session.exec(select(Instance).where(Instance.key == key)).first()
            if inst is None:
                raise UnknownInstance(key)
            if expected_version is not None and inst.version != expected_version:
                raise Conflict(key, inst.state)
            actor = session.get(Actor, actor_id)
            if actor is None or not actor.active:
                raise UnknownActor(actor_id, "inactive" if actor else "unknown")
            definition = self.catalog.get(inst.definition_id, inst.definition_version)
            step = definition.transition(trigger, inst.state)
            if step is None:
                valid = [t.trigger for t in definition.transitions_from(inst.state)]
                raise InvalidTrigger(key, trigger, inst.state, valid)
            check_allowed(key, actor.id, actor.role, actor.area_code, inst.area_code, step)
            values = coerce_step_data(step.data, data)
            files = _match_evidence(key, step, evidence, self.evidence_max_bytes)
            self._check_guards(session, key, definition, step, inst, values)
            dest = self.machines.fire(
                inst.definition_id, inst.definition_version, inst.state, trigger
            )
            assert dest == step.dest, (dest, step.dest)
            return self._write(session, inst, definition, step, actor, values, files, note)

    def _check_guards(
        self,
        session: Session,
        key: str,
        definition: Definition,
        step: Transition,
        inst: Instance,
        values: dict[str, Any],
    ) -> None:
        if not step.guards:
            return
        facts = {"district_count": _district_count(session, inst.province_code)}
        allocation = definition.budget.per_unit if definition.budget else None
        ctx = GuardContext(data=values, allocation=allocation, facts=facts)
        refusals = [r for g in step.guards if (r := run_guard(g.name, g.params, ctx))]
        if refusals:
            raise GuardFailed(key, refusals)

    def _write(
        self,
        session: Session,
        inst: Instance,
        definition: Definition,
        step: Transition,
        actor: Actor,
        values: dict[str, Any],
        files: list[EvidenceFile],
        note: str | None,
    ) -> AdvanceResult:
        now = self.clock.now()
        left_at = _left_at(session, inst.id)
        left_at[inst.state] = now
        move = Move(
            trigger=step.trigger,
            to_state=step.dest,
            actor_id=actor.id,
            role=actor.role,
            at=now,
            due_at=state_due_at(definition, step.dest, inst.fiscal_year, left_at),
            final=definition.state(step.dest).final,
            data=values,
            note=note,
            evidence=[f.sha256 for f in files],
            automatic=actor.role == "scheduler",
        )
        try:
            record = append_transition(session, inst, move)
            session.flush()
        except (StaleInstance, sa.exc.OperationalError) as exc:
            # lost the race: another writer moved it first (SQLite reports its lock as
            # "database is locked"); nothing of ours is written
            if isinstance(exc, sa.exc.OperationalError) and not _is_lock_error(exc):
                raise
            raise Conflict(inst.key, _current_state(self.db, inst.id)) from None
        _keep_evidence(session, files, self.evidence_folder, now)
        logger.bind(key=inst.key).info(
            "advanced {key} {src} -> {dst} by {actor}",
            key=inst.key,
            src=inst.state,
            dst=step.dest,
            actor=actor.id,
        )
        return AdvanceResult(
            inst.key,
            step.trigger,
            inst.state,
            step.dest,
            record.seq,
            now,
            move.due_at,
            move.final,
            tuple(move.evidence),
        )


def _keep_evidence(session: Session, files: list[EvidenceFile], folder: Path, now) -> None:
    """Store each file and its row once. Two advances attaching the same file at the same
    moment (one blank form used by many districts) both insert its row: the second
    insert does nothing instead of failing (ON CONFLICT DO NOTHING, SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for item in files:
        store_evidence(item, folder)
        row = {
            "sha256": item.sha256,
            "file_name": item.file_name,
            "media_type": item.media_type,
            "size": item.size,
            "stored_at": now,
        }
        session.execute(insert(Evidence).values(**row).on_conflict_do_nothing())


def _is_lock_error(exc: sa.exc.OperationalError) -> bool:
    return "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower()


def _district_count(session: Session, province: str) -> int:
    query = (
        select(func.count())
        .select_from(Area)
        .where(Area.level == "district", Area.province_code == province)
    )
    return int(session.exec(query).one())


def _left_at(session: Session, instance_id: int) -> dict[str, datetime]:
    """When the instance last left each state (for "N days after step X" deadlines)."""
    query = (
        select(TransitionRecord.from_state, func.max(TransitionRecord.at))
        .where(TransitionRecord.instance_id == instance_id)
        .group_by(TransitionRecord.from_state)
    )
    return {state: at for state, at in session.exec(query).all()}


def _current_state(db: sa.Engine, instance_id: int) -> str:
    with Session(db) as session:
        return session.exec(select(Instance.state).where(Instance.id == instance_id)).one()


def _match_evidence(
    key: str, step: Transition, given: Sequence[EvidenceInput], max_bytes: int
) -> list[EvidenceFile]:
    """Pair each file with a slot of the step (named, or the next free one in order),
    check its type by content, and require every required slot."""
    slots = {s.id: s for s in step.evidence}
    free = [s.id for s in step.evidence]
    files: list[EvidenceFile] = []
    for slot_id, path in given:
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
        if slot_id in free:
            free.remove(slot_id)
        item = prepare_evidence(slot_id, Path(path), max_bytes)
        wanted = slots[slot_id].media_types
        if wanted and item.media_type not in wanted:
            raise BadStepInput(
                f"{key}: {item.file_name!r} is {item.media_type} by its content, but "
                f"{slot_id!r} needs {', '.join(wanted)}",
                f"{key}: ไฟล์ {item.file_name!r} เป็น {item.media_type} แต่ช่อง {slot_id!r} "
                f"ต้องเป็น {', '.join(wanted)}",
            )
        files.append(item)
    missing = [s.id for s in step.evidence if s.required and s.id in free]
    if missing:
        raise BadStepInput(
            f"{key}: step {step.trigger!r} needs evidence {', '.join(missing)} "
            f"(give --evidence SLOT=FILE)",
            f"{key}: ขั้น {step.trigger!r} ต้องแนบหลักฐาน {', '.join(missing)} (ใส่ --evidence ช่อง=ไฟล์)",
        )
    return files
