"""Running a sweep against the store: read a snapshot, plan, write idempotently.

Notices are written in batches; each batch is one transaction holding the
escalation rows and their outbox messages, so a crash leaves whole batches or
nothing, and the next sweep finishes the rest (the unique key skips what is done).
Automatic advances go through the engine, one transaction each, as ``scheduler``.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session, func, select

from plancycle.definitions.model import Catalog
from plancycle.notifier.contacts import ContactBook
from plancycle.notifier.outbox import enqueue
from plancycle.store.escalations import insert_new_escalations
from plancycle.store.models import Area, Escalation, Instance
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import Conflict, InvalidTrigger
from plancycle.workflow.notices import notice_for
from plancycle.workflow.sweep import (
    AutoAdvance,
    Candidate,
    Notify,
    Snapshot,
    SweepPlan,
    auto_rules,
    plan_sweep,
)

__all__ = ["SweepReport", "load_snapshot", "run_sweep"]

SCHEDULER = "scheduler"
_LEVEL_LENGTH = {"province": 2, "district": 4, "tambon": 6, "village": 8, "nation": 0}


@dataclass
class SweepReport:
    now: datetime
    dry_run: bool
    candidates: int = 0
    notices: Counter[str] = field(default_factory=Counter)  # kind -> escalations written
    messages: int = 0
    advanced: int = 0
    skipped_advances: int = 0
    seconds: float = 0.0
    plan: SweepPlan | None = None

    def as_dict(self) -> dict:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "candidates": self.candidates,
            "escalations": dict(self.notices),
            "messages": self.messages,
            "advanced": self.advanced,
            "skipped_advances": self.skipped_advances,
            "seconds": round(self.seconds, 3),
        }


def _interest(catalog: Catalog) -> tuple[int, list[tuple[str, str]]]:
    """How far ahead reminders look (days), and the (process, state) pairs the sweep must
    see even without a deadline: steps with a window to open or an automatic exit."""
    lead = 1
    pairs: set[tuple[str, str]] = set()
    for definition in catalog.all():
        lead = max([lead, *(-r.offset_days + 1 for r in definition.ladder)])
        for state in definition.states:
            auto = any(t.auto for t in definition.transitions_from(state.id))
            if state.opens is not None or auto:
                pairs.add((definition.id, state.id))
    return lead, sorted(pairs)


def load_snapshot(db: sa.Engine, catalog: Catalog, now: datetime) -> Snapshot:
    lead, pairs = _interest(catalog)
    wanted = Instance.due_at <= now + timedelta(days=lead)
    if pairs:
        wanted = sa.or_(wanted, sa.tuple_(Instance.definition_id, Instance.state).in_(pairs))
    where = sa.and_(Instance.completed_at.is_(None), wanted)
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
        candidates = [Candidate(*row) for row in session.exec(select(*cols).where(where)).all()]
        done: dict[tuple[int, int], set[int]] = defaultdict(set)
        query = (
            select(Escalation.instance_id, Escalation.step_seq, Escalation.level)
            .join(Instance, Instance.id == Escalation.instance_id)
            .where(where, Escalation.step_seq == Instance.version)
        )
        for instance_id, step_seq, level in session.exec(query).all():
            done[(instance_id, step_seq)].add(level)
        children = _children(session, catalog)
    return Snapshot(candidates, done, children)


def _children(session: Session, catalog: Catalog) -> dict[tuple[str, int, str], dict[str, int]]:
    """Per automatic rule: the child process's state counts grouped by parent area."""
    out: dict[tuple[str, int, str], dict[str, int]] = defaultdict(dict)
    seen: set[tuple[str, int]] = set()
    for parent, rule in auto_rules(catalog):
        length = _LEVEL_LENGTH[parent.scope]
        if (rule.process, length) in seen:
            continue
        seen.add((rule.process, length))
        prefix = func.substr(Instance.area_code, 1, length)
        query = (
            select(Instance.fiscal_year, prefix, Instance.state, func.count())
            .where(Instance.definition_id == rule.process)
            .group_by(Instance.fiscal_year, prefix, Instance.state)
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
) -> SweepReport:
    """One sweep at ``now`` (default: the engine's clock)."""
    started = time.perf_counter()
    now = now or engine.clock.now()
    snapshot = load_snapshot(engine.db, engine.catalog, now)
    plan = plan_sweep(engine.catalog, snapshot, now)
    report = SweepReport(now, dry_run, candidates=len(snapshot.candidates), plan=plan)
    if dry_run:
        report.notices.update(n.kind for n in plan.notices)
    else:
        for start in range(0, len(plan.notices), batch):
            _write_notices(engine, plan.notices[start : start + batch], now, report)
        for advance in plan.advances:
            _auto_advance(engine, advance, report)
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


def _write_notices(engine: Engine, notices: Sequence[Notify], now: datetime, report) -> None:
    by_key = {(n.instance.id, n.level): n for n in notices}
    with Session(engine.db) as session, session.begin():
        rows = [
            {
                "instance_id": n.instance.id,
                "step_seq": n.instance.version,
                "state": n.instance.state,
                "level": n.level,
                "kind": n.kind,
                "due_at": n.instance.due_at,
                "at": now,
                "recipients": list(n.recipients),
            }
            for n in notices
        ]
        inserted = insert_new_escalations(session, rows)
        names = _area_names(session, {by_key[(i, lv)].instance.area_code for _, i, lv in inserted})
        book = ContactBook.load(session) if inserted else None
        for esc_id, instance_id, level in inserted:
            n = by_key[(instance_id, level)]
            report.notices[n.kind] += 1
            for role in n.recipients:
                notice, area = notice_for(engine.catalog, n, role, names, now)
                report.messages += enqueue(session, esc_id, notice, area, book, now)
                logger.info(
                    "escalation {key} {kind} L{lv} -> {role}@{area}",
                    key=n.instance.key,
                    kind=n.kind,
                    lv=level,
                    role=role,
                    area=area or "TH",
                )


def _area_names(session: Session, codes: set[str]) -> dict[str, tuple[str, str]]:
    if not codes:
        return {}
    rows = session.exec(select(Area.code, Area.name_th, Area.name_en).where(Area.code.in_(codes)))
    return {code: (th, en or th) for code, th, en in rows.all()}


def _auto_advance(engine: Engine, advance: AutoAdvance, report: SweepReport) -> None:
    try:
        engine.advance(advance.instance.key, advance.trigger, SCHEDULER, note="automatic")
    except (Conflict, InvalidTrigger):
        report.skipped_advances += 1  # someone (or another scheduler) moved it first
        return
    report.advanced += 1
