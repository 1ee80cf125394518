"""Starting a fiscal year: one instance per process and target area, created once.

``start_cycle`` pins each process's newest definition version the first time a
fiscal year is started; later calls (another province, or the same again) reuse
the pinned versions and add only the instances that do not exist yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, Definition, Text
from plancycle.errors import PlancycleError
from plancycle.store.models import ONE_PER_DISTRICT_PROCESSES, Area, Cycle, Instance
from plancycle.store.targets import ACTIVITY2, activity2_targets, has_list, strong_tambons
from plancycle.thai.areacode import AreaCode, AreaLevel
from plancycle.thai.fiscal import FiscalYearError, fy_range
from plancycle.workflow.clock import Clock, SystemClock
from plancycle.workflow.deadlines import state_due_at
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.letter_counts import count_differs, holds_nation, no_activity2_list

__all__ = ["CycleError", "StartResult", "instance_key", "key_process", "start_cycle"]

Progress = Callable[[int, int], None]
_BATCH = 5_000


class CycleError(PlancycleError):
    """A cycle that cannot be started as asked."""


@dataclass
class StartResult:
    fiscal_year: int
    pinned: dict[str, int]
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)
    warnings: list[Text] = field(default_factory=list)  # each in Thai and English

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def instance_key(fiscal_year: int, process: str, area_code: str) -> str:
    """The readable key of an instance: ``2568/activity2/240101``."""
    return f"{fiscal_year}/{process}/{area_code}"


def key_process(key: str) -> str:
    """The process of an instance key: ``activity2`` of ``2568/activity2/240101``."""
    return key.split("/")[1] if key.count("/") == 2 else key


def _check_year(fiscal_year: int) -> None:
    try:
        fy_range(fiscal_year)
    except (FiscalYearError, ValueError) as exc:
        raise CycleError(
            f"{fiscal_year} is not a fiscal year plancycle can run: {exc}; give a BE year such "
            f"as 2568",
            f"{fiscal_year} ไม่ใช่ปีงบประมาณที่ใช้ได้; ระบุปี พ.ศ. เช่น 2568",
        ) from exc


def _pin(session: Session, catalog: Catalog, fiscal_year: int, now: datetime) -> Cycle:
    # locked: two starts at once (two provinces) each add to the cycle's instance counts
    cycle = session.exec(
        select(Cycle).where(Cycle.fiscal_year == fiscal_year).with_for_update()
    ).first()
    if cycle is None:
        pinned = {d.id: d.version for d in catalog.latest()}
        cycle = Cycle(fiscal_year=fiscal_year, started_at=now, definitions=pinned)
        session.add(cycle)
        session.flush()
    return cycle


def target_areas(
    session: Session, definition: Definition, fiscal_year: int, province: str | None
) -> list[str]:
    """The area codes that get an instance of this process in the fiscal year."""
    if definition.targets == "activity2":
        return activity2_targets(session, fiscal_year, province)
    if definition.targets == "strong_tambon":
        return strong_tambons(session, fiscal_year, province)
    query = select(Area.code).where(Area.level == definition.scope)
    if province:
        query = query.where(Area.province_code == province)
    return list(session.exec(query.order_by(Area.code)).all())


def start_cycle(
    db: sa.Engine,
    catalog: Catalog,
    fiscal_year: int,
    province: str | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> StartResult:
    """Create every missing instance of the fiscal year (for one province or the nation)."""
    _check_year(fiscal_year)
    now = (clock or SystemClock()).now()
    national = province is None and holds_nation(db)  # the letter's counts apply
    with Session(db) as session, session.begin():
        if province and session.get(Area, province) is None:
            raise CycleError(
                f"province {province} is not in the store; run `plancycle areas import --province "
                f"{province}` first",
                f"ไม่มีจังหวัด {province} ในระบบ; สั่ง `plancycle areas import --province {province}` ก่อน",
            )
        cycle = _pin(session, catalog, fiscal_year, now)
        result = StartResult(fiscal_year, dict(cycle.definitions))
        plan = [
            (
                catalog.get(pid, ver),
                target_areas(session, catalog.get(pid, ver), fiscal_year, province),
            )
            for pid, ver in sorted(cycle.definitions.items())
        ]
        total = sum(len(codes) for _, codes in plan)
        done = 0
        for definition, codes in plan:
            if not codes:
                result.warnings.append(_no_targets(definition, fiscal_year, province))
            elif definition.targets == ACTIVITY2 and not has_list(session, fiscal_year, ACTIVITY2):
                result.warnings.append(no_activity2_list(definition, fiscal_year, province, codes))
            elif national:
                differs = count_differs(definition, len(codes))
                if differs is not None:
                    result.warnings.append(differs)
            created = _create(session, cycle, definition, codes, now, result)
            result.created[definition.id] = created
            done += len(codes)
            if progress:
                progress(done, total)
        _count(cycle, result)
    return result


def _count(cycle: Cycle, result: StartResult) -> None:
    """Add what this start created to the cycle's counts: they only grow, so an instance
    deleted (and even one created again in its place) leaves the store holding fewer
    than the cycle counted, and ``audit verify`` says so."""
    counts = dict(cycle.instance_counts or {})
    for pid, created in result.created.items():
        counts[pid] = counts.get(pid, 0) + created
    cycle.instance_counts = counts


def _no_targets(definition: Definition, fiscal_year: int, province: str | None) -> Text:
    """The warning for a process with no areas to start: what is missing, and the fix."""
    where_en = f"province {province}" if province else "the store"
    where_th = f"จังหวัด {province}" if province else "ฐานข้อมูล"
    level_th = AreaLevel(definition.scope).pick("th")
    hint_en, hint_th = {
        "strong_tambon": (
            f"designate FY{fiscal_year}'s strong tambons with `plancycle areas strong set "
            f"TAMBON --fy {fiscal_year}` (each year has its own list)",
            f"กำหนดตำบลเข้มแข็งของปี {fiscal_year} ด้วย `plancycle areas strong set ตำบล --fy "
            f"{fiscal_year}` (แต่ละปีมีรายการของตนเอง)",
        ),
        "activity2": ("import areas first", "นำเข้าพื้นที่ก่อน (`plancycle areas import`)"),
    }.get(
        definition.targets,
        (f"import {definition.scope} areas first", f"นำเข้าพื้นที่ระดับ{level_th}ก่อน"),
    )
    return Text(
        f"{definition.title.th} ({definition.id}): ไม่มีพื้นที่เป้าหมายใน{where_th}; {hint_th}",
        f"{definition.id}: no target areas in {where_en}; {hint_en}",
    )


def _create(
    session: Session,
    cycle: Cycle,
    definition: Definition,
    codes: list[str],
    now: datetime,
    result: StartResult,
) -> int:
    prefix = instance_key(cycle.fiscal_year, definition.id, "")
    existing = set(
        session.exec(
            select(Instance.area_code).where(
                Instance.fiscal_year == cycle.fiscal_year, Instance.definition_id == definition.id
            )
        ).all()
    )
    result.existing[definition.id] = len(existing)
    if definition.id in ONE_PER_DISTRICT_PROCESSES:
        codes = _one_per_district(session, cycle.fiscal_year, definition, codes, existing, result)
    initial = definition.initial_state.id
    due = state_due_at(definition, initial, cycle.fiscal_year, {}, calendar=load_calendar(session))
    # an area's extension of the first step made before the instances existed holds for
    # them (imported here: extensions.py reaches cycle.py through withdraw.py)
    from plancycle.workflow.extensions import effective_due, extension_rows

    extended = extension_rows(session, cycle.fiscal_year, definition.id, initial)
    rows = [
        {
            "key": prefix + code,
            "cycle_id": cycle.id,
            "fiscal_year": cycle.fiscal_year,
            "definition_id": definition.id,
            "definition_version": definition.version,
            "area_code": code,
            "province_code": AreaCode(code).province,
            "district_code": AreaCode(code).district,
            "state": initial,
            "version": 1,
            "due_at": effective_due(due, extended, prefix + code, code) if extended else due,
            "state_entered_at": now,
            "created_at": now,
            "updated_at": now,
            "completed_at": None,
        }
        for code in codes
        if code not in existing
    ]
    for start in range(0, len(rows), _BATCH):
        session.execute(sa.insert(Instance), rows[start : start + _BATCH])
    return len(rows)


def _one_per_district(
    session: Session,
    fiscal_year: int,
    definition: Definition,
    codes: list[str],
    existing: set[str],
    result: StartResult,
) -> list[str]:
    """``codes`` without those whose district already has a counted instance of the
    process for another area (the database holds one per district); each is warned of."""
    query = select(Instance.district_code, Instance.key).where(
        Instance.fiscal_year == fiscal_year,
        Instance.definition_id == definition.id,
        col(Instance.withdrawn_at).is_(None),
    )
    held = dict(session.exec(query).all())
    kept = []
    for code in codes:
        other = held.get(AreaCode(code).district)
        if code in existing or other is None:
            kept.append(code)
            continue
        result.warnings.append(
            Text(
                f"{definition.title.th} ({definition.id}): อำเภอ {AreaCode(code).district} มี "
                f"{other} อยู่แล้ว จึงไม่สร้างรายการของตำบล {code}; ย้ายด้วย `plancycle areas "
                f"strong set {code} --fy {fiscal_year}`",
                f"{definition.id}: district {AreaCode(code).district} already has {other}, so "
                f"no instance is created for tambon {code}; move it with `plancycle areas strong "
                f"set {code} --fy {fiscal_year}`",
            )
        )
    return kept
