"""Running a sweep against the store: read a snapshot, plan, write idempotently.

Notices are written in batches; each batch is one transaction holding the
escalation rows and their outbox messages, so a crash leaves whole batches or
nothing, and the next sweep finishes the rest (the unique key skips what is done).
Automatic advances go through the engine, one transaction each, as ``scheduler``.
An immediate contact's messages are held until the sweep has written them all, then
folded into one bundle per recipient (``plancycle.notifier.digest.build_bundles``).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from loguru import logger
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from plancycle.definitions.builtin_actors import BuiltinActor
from plancycle.definitions.model import Catalog, Definition, LadderRung
from plancycle.kinds import DayCount
from plancycle.notifier.contacts import ContactBook
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.notifier.digest import build_bundles
from plancycle.notifier.outbox import add_messages, outbox_rows
from plancycle.store.escalations import insert_new_escalations
from plancycle.store.models import Area, Cycle, Escalation, Instance
from plancycle.thai.areacode import length_at
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import Conflict, InvalidTrigger
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.notices import notice_for
from plancycle.workflow.sweep import (
    OPENED_LEVEL,
    AutoAdvance,
    Candidate,
    Notify,
    Snapshot,
    SweepPlan,
    auto_rules,
    plan_sweep,
    window_opens_at,
)
from plancycle.workflow.waits import blockers, waits_text
from plancycle.workflow.withdraw import counted_clause
from plancycle.workflow.workdays import WorkCalendar

__all__ = ["SweepReport", "load_snapshot", "run_sweep"]

SCHEDULER = BuiltinActor.SCHEDULER
Window = tuple[Definition, str]  # a step (definition version, state) that declares ``opens``


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    candidates: int = 0
    notices: Counter[str] = field(default_factory=Counter)  # kind -> escalations written
    messages: int = 0
    bundles: int = 0  # bundles sent at once to immediate contacts (each of 2+ messages)
    advanced: int = 0
    skipped_advances: int = 0
    seconds: float = 0.0
    plan: SweepPlan | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "candidates": self.candidates,
            "escalations": dict(self.notices),
            "messages": self.messages,
            "bundles": self.bundles,
            "advanced": self.advanced,
            "skipped_advances": self.skipped_advances,
            "seconds": round(self.seconds, 3),
        }


def _lead_days(rung: LadderRung) -> int:
    """Calendar days ahead a rung may fire: a reminder counted in working days reaches
    back over weekends and holiday runs (Songkran), so it looks twice as far and a week."""
    if rung.count == DayCount.WORKING:
        return -2 * rung.offset_days + 8
    return -rung.offset_days + 1


def _interest(catalog: Catalog) -> tuple[int, list[tuple[str, str]], list[Window]]:
    """How far ahead reminders look (days); the (process, state) pairs the sweep must see
    even without a deadline because they have an automatic exit; the steps (definition
    version, state) that declare a window to open."""
    lead = 1
    auto: set[tuple[str, str]] = set()
    windows: list[Window] = []
    for definition in catalog.all():
        lead = max([lead, *(_lead_days(r) for r in definition.ladder)])
        for state in definition.states:
            if any(t.auto for t in definition.transitions_from(state.id)):
                auto.add((definition.id, state.id))
            if state.opens is not None:
                windows.append((definition, state.id))
    return lead, sorted(auto), windows


def _opened_windows(
    session: Session, windows: list[Window], now: datetime, calendar: WorkCalendar
) -> list[tuple[str, int, str, int]]:
    """(process, version, state, fiscal year) of every window open by ``now``, for the
    fiscal years of the store's cycles (an instance carries its cycle's fiscal year)."""
    years = session.exec(select(Cycle.fiscal_year)).all()
    return [
        (definition.id, definition.version, state, fy)
        for fy in years
        for definition, state in windows
        if (opens := window_opens_at(definition, state, fy, calendar)) is not None and opens <= now
    ]


def _wanted(
    session: Session,
    now: datetime,
    horizon: datetime,
    auto: list[tuple[str, str]],
    windows: list[Window],
) -> sa.ColumnElement[bool]:
    """The open instances a sweep at ``now`` may act on: a deadline within the reminder
    lead (``horizon``), an automatic exit, or a window open by ``now`` whose opening is
    not recorded yet for the step occurrence. Every other open instance would plan
    nothing, so it is not read."""
    terms = [col(Instance.due_at) <= horizon]
    if auto:
        terms.append(sa.tuple_(Instance.definition_id, Instance.state).in_(auto))
    opened = _opened_windows(session, windows, now, load_calendar(session))
    if opened:
        step = (Instance.definition_id, Instance.definition_version, Instance.state)
        told = aliased(Escalation)
        recorded = (
            select(told.id)
            .where(
                told.instance_id == Instance.id,
                told.step_seq == Instance.version,
                told.level == OPENED_LEVEL,
            )
            .exists()
        )
        terms.append(sa.and_(sa.tuple_(*step, Instance.fiscal_year).in_(opened), ~recorded))
    return sa.and_(col(Instance.completed_at).is_(None), counted_clause(), sa.or_(*terms))


def load_snapshot(db: sa.Engine, catalog: Catalog, now: datetime) -> Snapshot:
    """What a sweep at ``now`` plans from: the open instances it may act on (``_wanted``),
    the rungs already recorded for their current steps, and the state counts of the
    automatic rules they wait on."""
    lead, auto, windows = _interest(catalog)
    horizon = now + timedelta(days=lead)
    cols = (
        Instance.id,
        Instance.key,
        Instance.definition_id,
        Instance.definition_version,
        Instance.fiscal_year,
        Instance.area_code,
        Instance.state,
        Instance.version,
        Instance.due_at,
    )
    with Session(db) as session:
        where = _wanted(session, now, horizon, auto, windows)
        # sqlmodel's select() is typed for at most four columns; more build the same select
        rows = session.exec(select(*cols).where(where)).all()  # type: ignore[call-overload]
        candidates = [Candidate(*row) for row in rows]
        done: dict[tuple[int, int], set[int]] = defaultdict(set)
        query = (
            select(Escalation.instance_id, Escalation.step_seq, Escalation.level)
            .join(Instance, col(Instance.id) == Escalation.instance_id)
            .where(where, col(Escalation.step_seq) == Instance.version)
        )
        for instance_id, step_seq, level in session.exec(query).all():
            done[(instance_id, step_seq)].add(level)
        children = _children(session, catalog, candidates)
        calendar = load_calendar(session)
    return Snapshot(candidates, done, children, calendar)


def _children(
    session: Session, catalog: Catalog, candidates: list[Candidate]
) -> dict[tuple[str, int, str], dict[str, int]]:
    """Per automatic rule a candidate waits on: the child process's state counts grouped
    by parent area (rules no candidate waits on are not counted)."""
    out: dict[tuple[str, int, str], dict[str, int]] = defaultdict(dict)
    steps = {(c.definition_id, c.definition_version, c.state, len(c.area_code)) for c in candidates}
    needed = {
        (t.auto.process, length)
        for process, version, state, length in steps
        for t in catalog.get(process, version).transitions_from(state)
        if t.auto is not None
    }
    for parent, rule in auto_rules(catalog):
        length = length_at(parent.scope)
        if (rule.process, length) not in needed:
            continue
        needed.discard((rule.process, length))
        prefix = func.substr(Instance.area_code, 1, length)
        query = (
            select(Instance.fiscal_year, prefix, Instance.state, func.count())
            .where(col(Instance.definition_id) == rule.process)
            .group_by(col(Instance.fiscal_year), prefix, col(Instance.state))
        )
        for fy, area, state, count in session.exec(query).all():
            out[(rule.process, fy, area)][state] = count
    return out


def run_sweep(
    engine: Engine,
    now: datetime | None = None,
    *,
    dry_run: bool = False,
    batch: int = 500,
    rules: DeliveryRules | None = None,
) -> SweepReport:
    """One sweep at ``now`` (default: the engine's clock): every row it writes
    (escalations, outbox messages, automatic steps) carries that instant; its messages
    are due (or held for a digest) as ``rules`` say."""
    rules = (rules or DeliveryRules()).for_run(engine.db)
    started = time.perf_counter()
    now = now or engine.clock.now()
    snapshot = load_snapshot(engine.db, engine.catalog, now)
    plan = plan_sweep(engine.catalog, snapshot, now)
    report = SweepReport(now, dry_run, candidates=len(snapshot.candidates), plan=plan)
    if dry_run:
        report.notices.update(n.kind for n in plan.notices)
    else:
        for start in range(0, len(plan.notices), batch):
            _write_notices(engine, plan.notices[start : start + batch], now, report, rules)
        report.bundles = build_bundles(engine.db, now, rules).bundles
        for advance in plan.advances:
            _auto_advance(engine, advance, now, report)
    report.seconds = time.perf_counter() - started
    logger.bind(sweep=report.as_dict()).info(
        "sweep at {now}: {c} candidates, escalations {e}, {m} messages, {a} advanced, {s:.3f} s",
        now=now.isoformat(),
        c=report.candidates,
        e=dict(report.notices),
        m=report.messages,
        a=report.advanced,
        s=report.seconds,
    )
    return report


def _write_notices(
    engine: Engine,
    notices: Sequence[Notify],
    now: datetime,
    report: SweepReport,
    rules: DeliveryRules,
) -> None:
    """One batch in one transaction: the escalation rows not written yet, then the
    outbox messages of those (and only those) in one statement."""
    by_key = {(n.instance.id, n.level): n for n in notices}
    with Session(engine.db) as session, session.begin():
        inserted = insert_new_escalations(session, [_escalation_row(n, now) for n in notices])
        if not inserted:
            return
        told = [by_key[(i, lv)] for _, i, lv in inserted]
        codes = {n.obligation_area or n.instance.area_code for n in told}
        names = _area_names(session, codes)
        book = ContactBook.load(session)
        messages: list[dict[str, Any]] = []
        for esc_id, instance_id, level in inserted:
            n = by_key[(instance_id, level)]
            report.notices[n.kind] += 1
            note = ("", "")
            if n.recipients:
                note = waits_text(blockers(session, engine.catalog, n.instance))
            for role in n.recipients:
                notice, area = notice_for(engine.catalog, n, role, names, now, note)
                messages += outbox_rows(esc_id, notice, area, book, now, rules, bundle=True)
                logger.info(
                    "escalation {key} {kind} L{lv} -> {role}@{area}",
                    key=n.instance.key,
                    kind=n.kind,
                    lv=level,
                    role=role,
                    area=area or "TH",
                )
        report.messages += add_messages(session, messages)


def _escalation_row(n: Notify, now: datetime) -> dict[str, Any]:
    return {
        "instance_id": n.instance.id,
        "step_seq": n.instance.version,
        "state": n.instance.state,
        "level": n.level,
        "kind": n.kind,
        "due_at": n.instance.due_at,
        "at": now,
        "recipients": list(n.recipients),
    }


def _area_names(session: Session, codes: set[str]) -> dict[str, tuple[str, str]]:
    if not codes:
        return {}
    rows = session.exec(
        select(Area.code, Area.name_th, Area.name_en).where(col(Area.code).in_(codes))
    )
    return {code: (th, en or th) for code, th, en in rows.all()}


def _auto_advance(engine: Engine, advance: AutoAdvance, now: datetime, report: SweepReport) -> None:
    """Fire an automatic step at the sweep's instant (not the engine's clock)."""
    try:
        engine.advance(advance.instance.key, advance.trigger, SCHEDULER, note="automatic", at=now)
    except (Conflict, InvalidTrigger):
        report.skipped_advances += 1  # someone (or another scheduler) moved it first
        return
    report.advanced += 1
