"""Definition versions in flight: moving running instances to a newer definition version.

A version ``W`` of a process may say how instances of an older version ``V`` move to it
(``migrates_from: {version: V, states: {OLD: NEW, ...}}`` in its YAML file, checked by the
loader). :func:`plan_migration` tells what a migration would do; :func:`migrate_instances`
does it, all or nothing.

The rules:

- **Which instances.** The *running* (not completed) instances of the process on ``V``,
  in every fiscal year or in one. Completed instances stay on ``V``: their work was done
  under ``V``, their history replays under ``V``, and moving them would overwrite the day
  they were completed. The plan counts them (``completed_kept``).
- **Refusals** (a :class:`MigrationError`, and nothing changed): ``W`` does not declare
  ``migrates_from`` ``V``; a running instance is in a state the mapping does not cover
  (the message names the states, their counts and the first instances); the actor does
  not exist, is inactive or is not an ``admin``; another writer changed one of the
  instances meanwhile (a conflict: the whole migration is undone).
- **What a moved instance gets.** One ``migrate_definition`` transition record (through
  :func:`plancycle.store.chain.append_transition`, so it is hash-chained and checked
  against concurrent writers) from its old state to the mapped state, data
  ``{"from_version": V, "to_version": W}``, by the actor in its role; its definition
  version becomes ``W``; its deadline is the mapped state's deadline under ``W`` (an
  ``after`` deadline counts from when the instance left the state, renamed through the
  mapping); mapping onto a final state completes it. It counts as entering its step anew.
- **Cycle pins.** A cycle (fiscal year) in which at least one instance moved pins ``W``
  for the process instead of ``V`` when, after the move, *every running instance* of
  the process in that cycle is on ``W`` (completed ones left on ``V`` do not hold it
  back: nothing runs on ``V`` any more). Otherwise (running instances on a third version)
  the pin stays. Only a pin that was ``V`` changes. The pin is the version the cycle's
  new instances get (``start_cycle`` for another province).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session, col, func, select

from plancycle.definitions.builtin_actors import BuiltinRole
from plancycle.definitions.model import Catalog, Definition, Migration, required
from plancycle.errors import PlancycleError
from plancycle.store.chain import Move, StaleInstance, append_transition
from plancycle.store.driver import is_lock_error
from plancycle.store.escalations import carry_over
from plancycle.store.models import Actor, Cycle, DeadlineExtension, Instance, TransitionRecord
from plancycle.workflow.audit import MIGRATE_TRIGGER
from plancycle.workflow.errors import NotAllowed, UnknownActor
from plancycle.workflow.extensions import extension_rows, step_due
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.leftat import fold_left_at, state_names

__all__ = [
    "MIGRATE_ROLE",
    "CyclePin",
    "MigrationConflict",
    "MigrationError",
    "MigrationPlan",
    "NoMigrationPath",
    "PlannedMove",
    "UncoveredStates",
    "UnknownVersion",
    "cycle_pins",
    "migrate_instances",
    "plan_migration",
]

MIGRATE_ROLE = BuiltinRole.ADMIN  # the role that may migrate instances
SHOWN_KEYS = 10  # instances named in a refusal; the rest are counted


class MigrationError(PlancycleError):
    """A migration that cannot be done as asked; nothing was changed."""


class UnknownVersion(MigrationError, LookupError):
    exit_code = 3

    def __init__(self, process: str, version: int, catalog: Catalog) -> None:
        have = ", ".join(str(v) for v in catalog.versions(process))
        if have:
            en = (
                f"process {process!r} has no version {version} (versions: {have}); add "
                f"definitions/data/{process}.v{version}.yaml or give an existing version"
            )
            th = (
                f"กระบวนการ {process!r} ไม่มีรุ่น {version} (รุ่นที่มี: {have}); เพิ่มไฟล์ "
                f"definitions/data/{process}.v{version}.yaml หรือระบุรุ่นที่มีอยู่"
            )
        else:
            known = ", ".join(catalog.ids())
            en = f"there is no process {process!r} (processes: {known})"
            th = f"ไม่มีกระบวนการ {process!r} (กระบวนการที่มี: {known})"
        super().__init__(en, th)


class NoMigrationPath(MigrationError):
    """The target version does not declare how instances of the source version move."""

    def __init__(self, target: Definition, from_version: int) -> None:
        process, to_version = target.id, target.version
        file = target.path.name if target.path else f"{process}.v{to_version}.yaml"
        if from_version >= to_version:
            why_en = (
                f"a migration goes to a newer version: --to must be greater than {from_version}"
            )
            why_th = f"ย้ายได้เฉพาะไปยังรุ่นที่ใหม่กว่า: --to ต้องมากกว่า {from_version}"
        elif target.migrates_from is None:
            why_en, why_th = "it declares no migrates_from", "ไม่มี migrates_from"
        else:
            why_en = f"its migrates_from is for version {target.migrates_from.version}"
            why_th = f"migrates_from ระบุรุ่น {target.migrates_from.version}"
        super().__init__(
            f"{process} version {to_version} does not say how instances of version "
            f"{from_version} move to it ({why_en}); add `migrates_from: {{version: "
            f"{from_version}, states: {{OLD_STATE: NEW_STATE, ...}}}}` to {file} and run "
            f"`plancycle definitions check`; nothing was changed",
            f"{process} รุ่น {to_version} ไม่ได้ระบุวิธีย้ายรายการจากรุ่น {from_version} "
            f"({why_th}); เพิ่ม `migrates_from: {{version: {from_version}, states: "
            f"{{ขั้นเดิม: ขั้นใหม่, ...}}}}` ในไฟล์ {file} แล้วสั่ง `plancycle definitions check`; "
            f"ไม่มีการเปลี่ยนแปลงใด ๆ",
        )


class UncoveredStates(MigrationError):
    """Running instances are in states the mapping does not cover."""

    def __init__(self, plan: MigrationPlan, file: str) -> None:
        missing = plan.uncovered
        by_state = Counter(m.from_state for m in missing)
        self.states = dict(by_state)
        self.keys = tuple(m.key for m in missing)
        states_en = ", ".join(f"'{s}' ({n})" for s, n in by_state.items())
        shown = ", ".join(self.keys[:SHOWN_KEYS])
        more = len(self.keys) - SHOWN_KEYS
        shown_en = shown + (f" and {more} more" if more > 0 else "")
        shown_th = shown + (f" และอีก {more} รายการ" if more > 0 else "")
        head = f"{plan.process} v{plan.from_version}"
        super().__init__(
            f"{len(missing)} running instance(s) of {head} are in states that the "
            f"migration to version {plan.to_version} does not map: {states_en}; instances: "
            f"{shown_en}. Add these states to migrates_from.states in {file} (or move "
            f"those instances on first); nothing was changed",
            f"รายการที่ยังดำเนินการของ {head} จำนวน {len(missing)} รายการอยู่ในขั้นที่การย้ายไปรุ่น "
            f"{plan.to_version} ไม่ได้กำหนด: {states_en}; รายการ: {shown_th}. เพิ่มขั้นเหล่านี้ใน "
            f"migrates_from.states ของไฟล์ {file} (หรือดำเนินการรายการเหล่านั้นต่อก่อน); "
            f"ไม่มีการเปลี่ยนแปลงใด ๆ",
        )


class MigrationConflict(MigrationError):
    exit_code = 5

    def __init__(self, process: str, from_version: int, to_version: int, key: str | None):
        who_en = key or f"an instance of {process}"
        who_th = key or f"รายการของ {process}"
        super().__init__(
            f"{who_en} was changed by someone else during the migration of {process} "
            f"v{from_version} -> v{to_version}; the whole migration was undone (nothing was "
            f"changed); look at the plan again (--dry-run) and run it again",
            f"{who_th} ถูกผู้อื่นเปลี่ยนระหว่างการย้าย {process} จากรุ่น {from_version} เป็นรุ่น "
            f"{to_version}; ยกเลิกการย้ายทั้งหมดแล้ว (ไม่มีการเปลี่ยนแปลงใด ๆ); ตรวจแผนอีกครั้ง "
            f"(--dry-run) แล้วสั่งใหม่",
        )
        self.key = key


@dataclass(frozen=True, slots=True)
class PlannedMove:
    """One running instance and the state it moves to (None: the mapping misses it)."""

    instance_id: int
    key: str
    fiscal_year: int
    cycle_id: int
    from_state: str
    to_state: str | None


@dataclass(frozen=True, slots=True)
class CyclePin:
    """A cycle touched by the migration: the version it pins for the process, before and
    after (the same when it keeps its pin)."""

    fiscal_year: int
    pinned: int | None
    becomes: int | None

    @property
    def changes(self) -> bool:
        return self.pinned != self.becomes


@dataclass(frozen=True)
class MigrationPlan:
    """What migrating ``process`` from ``from_version`` to ``to_version`` would do."""

    process: str
    from_version: int
    to_version: int
    fiscal_year: int | None
    moves: tuple[PlannedMove, ...]
    completed_kept: int  # completed instances on from_version: they stay there
    pins: tuple[CyclePin, ...] = ()
    file: str = ""
    _order: Mapping[str, int] = field(default_factory=dict, repr=False)

    @property
    def uncovered(self) -> tuple[PlannedMove, ...]:
        return tuple(m for m in self.moves if m.to_state is None)

    @property
    def counts(self) -> dict[tuple[str, str | None], int]:
        """(from state, to state) -> instances, in the old version's state order."""
        counted = Counter((m.from_state, m.to_state) for m in self.moves)
        order = self._order
        return dict(sorted(counted.items(), key=lambda kv: (order.get(kv[0][0], 999), kv[0][0])))

    def refusal(self) -> UncoveredStates | None:
        """The error a migration along this plan would be refused with, if any."""
        return UncoveredStates(self, self.file) if self.uncovered else None


# --------------------------------------------------------------------------- #
# Planning
# --------------------------------------------------------------------------- #


def _definition(catalog: Catalog, process: str, version: int) -> Definition:
    try:
        return catalog.get(process, version)
    except KeyError:
        raise UnknownVersion(process, version, catalog) from None


def _path(
    catalog: Catalog, process: str, from_version: int, to_version: int
) -> tuple[Definition, Definition, Migration]:
    """(old definition, new definition, the mapping), or a refusal."""
    old = _definition(catalog, process, from_version)
    new = _definition(catalog, process, to_version)
    migration = new.migrates_from
    if migration is None or migration.version != from_version or from_version >= to_version:
        raise NoMigrationPath(new, from_version)
    return old, new, migration


def _scope(process: str, version: int, fiscal_year: int | None) -> list[sa.ColumnElement[bool]]:
    where = [col(Instance.definition_id) == process, col(Instance.definition_version) == version]
    if fiscal_year is not None:
        where.append(col(Instance.fiscal_year) == fiscal_year)
    return where


def _running(
    session: Session, process: str, version: int, fiscal_year: int | None
) -> list[Instance]:
    query = select(Instance).where(
        *_scope(process, version, fiscal_year), col(Instance.completed_at).is_(None)
    )
    return list(session.exec(query.order_by(col(Instance.id))).all())


def _completed(session: Session, process: str, version: int, fiscal_year: int | None) -> int:
    query = (
        select(func.count())
        .select_from(Instance)
        .where(*_scope(process, version, fiscal_year), col(Instance.completed_at).is_not(None))
    )
    return int(session.exec(query).one())


def _others(
    session: Session, process: str, cycle_ids: Iterable[int], settled: Sequence[int]
) -> dict[int, int]:
    """Per cycle: its running instances of ``process`` on a version not in ``settled``."""
    query = (
        select(Instance.cycle_id, func.count())
        .where(
            col(Instance.definition_id) == process,
            col(Instance.cycle_id).in_(list(cycle_ids)),
            col(Instance.completed_at).is_(None),
            col(Instance.definition_version).not_in(list(settled)),
        )
        .group_by(col(Instance.cycle_id))
    )
    return {cycle_id: int(n) for cycle_id, n in session.exec(query).all()}


def _pins(
    cycles: Sequence[Cycle],
    process: str,
    from_version: int,
    to_version: int,
    others: dict[int, int],
) -> tuple[CyclePin, ...]:
    pins = []
    for cycle in sorted(cycles, key=lambda c: c.fiscal_year):
        pinned = cycle.definitions.get(process)
        flips = pinned == from_version and not others.get(required(cycle.id, "cycle id"))
        pins.append(CyclePin(cycle.fiscal_year, pinned, to_version if flips else pinned))
    return tuple(pins)


def _cycles(session: Session, ids: Iterable[int], *, lock: bool = False) -> list[Cycle]:
    query = select(Cycle).where(col(Cycle.id).in_(sorted(set(ids))))
    if lock:
        query = query.with_for_update()
    return list(session.exec(query).all())


def _build_plan(
    session: Session,
    old: Definition,
    new: Definition,
    migration: Migration,
    fiscal_year: int | None,
) -> tuple[MigrationPlan, list[Instance]]:
    instances = _running(session, old.id, old.version, fiscal_year)
    moves = tuple(
        PlannedMove(
            i.id,  # type: ignore[arg-type]
            i.key,
            i.fiscal_year,
            i.cycle_id,
            i.state,
            migration.target(i.state),
        )
        for i in instances
    )
    cycle_ids = {m.cycle_id for m in moves}
    others = _others(session, old.id, cycle_ids, (old.version, new.version))
    pins = _pins(_cycles(session, cycle_ids), old.id, old.version, new.version, others)
    plan = MigrationPlan(
        process=old.id,
        from_version=old.version,
        to_version=new.version,
        fiscal_year=fiscal_year,
        moves=moves,
        completed_kept=_completed(session, old.id, old.version, fiscal_year),
        pins=pins,
        file=new.path.name if new.path else f"{new.id}.v{new.version}.yaml",
        _order={s.id: n for n, s in enumerate(old.states)},
    )
    return plan, instances


def plan_migration(
    db: sa.Engine,
    catalog: Catalog,
    process: str,
    from_version: int,
    to_version: int,
    fiscal_year: int | None = None,
) -> MigrationPlan:
    """What :func:`migrate_instances` would do, changing nothing.

    Raises :class:`UnknownVersion` or :class:`NoMigrationPath`; states the mapping does
    not cover are in ``plan.uncovered`` (and ``plan.refusal()``).
    """
    old, new, migration = _path(catalog, process, from_version, to_version)
    with Session(db) as session:
        plan, _ = _build_plan(session, old, new, migration, fiscal_year)
    return plan


def cycle_pins(db: sa.Engine, process: str, fiscal_years: Iterable[int]) -> dict[int, int | None]:
    """The version each of these fiscal years' cycles pins for ``process`` now."""
    with Session(db) as session:
        query = select(Cycle).where(col(Cycle.fiscal_year).in_(sorted(set(fiscal_years))))
        return {c.fiscal_year: c.definitions.get(process) for c in session.exec(query).all()}


# --------------------------------------------------------------------------- #
# Migrating
# --------------------------------------------------------------------------- #


def _admin(session: Session, actor_id: str) -> Actor:
    actor = session.get(Actor, actor_id)
    if actor is None or not actor.active:
        raise UnknownActor(actor_id, "inactive" if actor else "unknown")
    if actor.role != MIGRATE_ROLE:
        raise NotAllowed(
            f"actor {actor_id!r} has role {actor.role!r}; only an actor with role "
            f"'{MIGRATE_ROLE}' may move instances to another definition version",
            f"ผู้ใช้ {actor_id!r} ไม่ใช่ผู้ดูแลระบบ; เฉพาะผู้ดูแลระบบ (บทบาท {MIGRATE_ROLE}) "
            f"เท่านั้นที่ย้ายรายการไปยังนิยามกระบวนการรุ่นอื่นได้",
        )
    return actor


def _left_at(
    session: Session, catalog: Catalog, new: Definition, instance_ids: Sequence[int]
) -> dict[int, dict[str, datetime]]:
    """Per instance: when it last left each state of ``new``, under any name it had."""
    found: dict[int, dict[str, datetime]] = {i: {} for i in instance_ids}
    for start in range(0, len(instance_ids), 1000):
        chunk = list(instance_ids[start : start + 1000])
        query = (
            select(
                TransitionRecord.instance_id,
                TransitionRecord.from_state,
                func.max(TransitionRecord.at),
            )
            .where(col(TransitionRecord.instance_id).in_(chunk))
            .group_by(col(TransitionRecord.instance_id), col(TransitionRecord.from_state))
        )
        for instance_id, state, at in session.exec(query).all():
            found[instance_id][state] = at
    names = state_names(catalog, new, (s.id for s in new.states))
    return {i: fold_left_at(left, names) for i, left in found.items()}


def _repin(
    session: Session, process: str, from_version: int, to_version: int, cycle_ids: set[int]
) -> list[CyclePin]:
    """Apply the pin rule to the cycles some instance moved in (after the moves)."""
    cycles = _cycles(session, cycle_ids, lock=True)
    others = _others(session, process, cycle_ids, (to_version,))
    pins = _pins(cycles, process, from_version, to_version, others)
    by_year = {c.fiscal_year: c for c in cycles}
    for pin in pins:
        if pin.changes and pin.becomes is not None:
            cycle = by_year[pin.fiscal_year]
            cycle.definitions = {**cycle.definitions, process: pin.becomes}
            session.add(cycle)
    return [p for p in pins if p.changes]


def _move(
    inst: Instance,
    new: Definition,
    target: str,
    actor: Actor,
    now: datetime,
    due_at: datetime | None,
    from_version: int,
) -> Move:
    return Move(
        trigger=MIGRATE_TRIGGER,
        to_state=target,
        actor_id=actor.id,
        role=actor.role,
        at=now,
        due_at=due_at,
        final=new.state(target).final,
        data={"from_version": from_version, "to_version": new.version},
        definition_version=new.version,
    )


def migrate_instances(
    db: sa.Engine,
    catalog: Catalog,
    process: str,
    from_version: int,
    to_version: int,
    actor_id: str,
    now: datetime,
    fiscal_year: int | None = None,
) -> int:
    """Move every running instance of ``process`` on ``from_version`` (in ``fiscal_year``,
    or in all) to ``to_version`` in one transaction; return how many moved.

    Refused with a :class:`MigrationError` (or ``UnknownActor`` / ``NotAllowed``), and
    nothing changed, as the module explains.
    """
    old, new, migration = _path(catalog, process, from_version, to_version)
    try:
        with Session(db) as session, session.begin():
            actor = _admin(session, actor_id)
            plan, instances = _build_plan(session, old, new, migration, fiscal_year)
            refusal = plan.refusal()
            if refusal is not None:
                raise refusal
            left = _left_at(session, catalog, new, [i.id for i in instances])  # type: ignore[misc]
            calendar = load_calendar(session)
            # the steps' extensions (under their ids in the new version) still hold: read
            # once per (year, step), not once per instance
            extended: dict[tuple[int, str], list[DeadlineExtension]] = {}
            same_deadline = []
            for inst in instances:
                target = migration.states[inst.state]
                at = (inst.fiscal_year, target)
                if at not in extended:
                    extended[at] = extension_rows(session, inst.fiscal_year, process, target)
                due = step_due(
                    session,
                    new,
                    inst,
                    target,
                    left[inst.id],  # type: ignore[index]
                    calendar=calendar,
                    extensions=extended[at],
                )
                move = _move(inst, new, target, actor, now, due, from_version)
                append_transition(session, inst, move)
                if move.due_at == inst.due_at:
                    same_deadline.append(inst.id)
            # the ladder of a step whose deadline did not change goes on where it was
            carry_over(session, same_deadline, migration.states)  # type: ignore[arg-type]
            session.flush()
            changed = _repin(
                session, process, from_version, to_version, {m.cycle_id for m in plan.moves}
            )
    except StaleInstance as exc:
        raise MigrationConflict(process, from_version, to_version, str(exc.args[0])) from None
    except sa.exc.OperationalError as exc:
        if not is_lock_error(exc):
            raise
        # SQLite: another writer committed since this transaction read (its snapshot is stale)
        raise MigrationConflict(process, from_version, to_version, None) from None
    logger.bind(process=process).info(
        "migrated {n} instance(s) of {process} v{v} -> v{w} by {actor}; pins changed: {pins}",
        n=len(instances),
        process=process,
        v=from_version,
        w=to_version,
        actor=actor_id,
        pins=", ".join(str(p.fiscal_year) for p in changed) or "none",
    )
    return len(instances)
