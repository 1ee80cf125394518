"""The sweep, as a pure function: (definitions, instance states, now) -> actions.

Nothing here reads the clock or the database. ``plancycle.workflow.sweep_apply``
gathers a :class:`Snapshot`, calls :func:`plan_sweep`, and writes the actions
idempotently. Three kinds of action:

- :class:`Rung`-reached notices: a step's window opening, the reminder before its
  deadline, the overdue flag at it and the escalations after it, as each process's
  ladder declares (levels and recipients are data);
- automatic advances: a transition marked ``auto`` fires (as actor ``scheduler``)
  once every instance of another process inside the area has reached a state.

A rung's ``lead`` is the office that does the current step (:func:`does_step`), not the
process's lead. A step declared ``once_per: district`` is one obligation per district for
all the instances in it: each instance's rung is recorded, one notice is sent for them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from plancycle.definitions.model import AutoRule, Catalog, Definition, LadderRung
from plancycle.kinds import DayCount, EscalationKind
from plancycle.thai.areacode import code_at
from plancycle.thai.fiscal import start_of_day, to_bangkok
from plancycle.workflow.acting import does_step
from plancycle.workflow.deadlines import PLAIN_CALENDAR, deadline_day
from plancycle.workflow.workdays import WorkCalendar

__all__ = [
    "AutoAdvance",
    "Candidate",
    "Notify",
    "Snapshot",
    "SweepPlan",
    "plan_sweep",
    "rung_day",
    "rung_roles",
    "rung_time",
    "window_opens_at",
]

OPENED_LEVEL = -1
ChildKey = tuple[str, int, str]


@dataclass(frozen=True, slots=True)
class Candidate:
    """The facts of one open instance the sweep needs."""

    id: int
    key: str
    definition_id: str
    definition_version: int
    fiscal_year: int
    area_code: str
    state: str
    version: int  # identifies the step occurrence: the version it entered the step at
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class Notify:
    """A ladder rung reached: write one escalation row and its outbox messages."""

    instance: Candidate
    level: int
    kind: EscalationKind
    recipients: tuple[str, ...]  # roles; empty = recorded but skipped (a higher rung is sent)
    next_rung: LadderRung | None
    next_at: datetime | None
    # a once-per-area step: the area the one obligation is for, and how many instances
    obligation_area: str | None = None
    instances: int = 1


@dataclass(frozen=True, slots=True)
class AutoAdvance:
    instance: Candidate
    trigger: str


@dataclass
class Snapshot:
    """What the applier read from the store for one sweep."""

    candidates: list[Candidate]
    done_levels: Mapping[tuple[int, int], set[int]]  # (instance id, step version) -> levels
    # (child process, fiscal year, parent area code) -> {child state: count}
    children: Mapping[ChildKey, Mapping[str, int]] = field(default_factory=dict)
    # the store's working-day calendar (rungs counted in working days, windows that roll)
    calendar: WorkCalendar = PLAIN_CALENDAR


@dataclass
class SweepPlan:
    notices: list[Notify] = field(default_factory=list)
    advances: list[AutoAdvance] = field(default_factory=list)


def rung_day(rung: LadderRung, due_at: datetime, calendar: WorkCalendar = PLAIN_CALENDAR) -> date:
    """The day a rung counts to: deadline day + offset, in calendar days or (``count:
    working``) in working days of ``calendar``."""
    due = to_bangkok(due_at).date()
    if rung.count == DayCount.WORKING:
        return calendar.add_working_days(due, rung.offset_days)
    return due + timedelta(days=rung.offset_days)


def rung_time(
    rung: LadderRung, due_at: datetime, calendar: WorkCalendar = PLAIN_CALENDAR
) -> datetime:
    """When a rung is reached: the start of (deadline day + offset) for reminders before
    the deadline; for offsets >= 0, the first instant after the deadline day + offset
    has ended (00:00 Bangkok the next day). The offset counts working days of
    ``calendar`` when the rung says ``count: working``."""
    day = rung_day(rung, due_at, calendar)
    if rung.offset_days >= 0:
        day += timedelta(days=1)
    return start_of_day(day)


def window_opens_at(
    definition: Definition, state: str, fiscal_year: int, calendar: WorkCalendar = PLAIN_CALENDAR
) -> datetime | None:
    """When the window of step ``state`` opens in ``fiscal_year`` (00:00 Bangkok on its
    day); None when the step declares no window."""
    spec = definition.state(state).opens
    day = deadline_day(spec, fiscal_year, {}, calendar=calendar) if spec is not None else None
    return start_of_day(day) if day is not None else None


class _Instants:
    """The instants many instances share, computed once per sweep: thousands of
    instances sit in the same step of the same year and have the same deadline."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._opens: dict[tuple[str, int, str, int], datetime | None] = {}
        self._rungs: dict[tuple[int, DayCount, datetime], datetime] = {}

    def opens(self, definition: Definition, cand: Candidate) -> datetime | None:
        key = (definition.id, definition.version, cand.state, cand.fiscal_year)
        if key not in self._opens:
            self._opens[key] = window_opens_at(
                definition, cand.state, cand.fiscal_year, self.calendar
            )
        return self._opens[key]

    def rung(self, rung: LadderRung, due_at: datetime) -> datetime:
        key = (rung.offset_days, rung.count, due_at)
        if key not in self._rungs:
            self._rungs[key] = rung_time(rung, due_at, self.calendar)
        return self._rungs[key]


def plan_sweep(catalog: Catalog, snapshot: Snapshot, now: datetime) -> SweepPlan:
    plan = SweepPlan()
    instants = _Instants(snapshot.calendar)
    for cand in snapshot.candidates:
        definition = catalog.get(cand.definition_id, cand.definition_version)
        done = snapshot.done_levels.get((cand.id, cand.version), set())
        plan.notices += _notices(definition, cand, done, now, instants)
        auto = _auto_trigger(definition, cand, snapshot.children, catalog)
        if auto:
            plan.advances.append(AutoAdvance(cand, auto))
    plan.notices = _once_per_area(catalog, plan.notices, snapshot.done_levels)
    return plan


ObligationKey = tuple[str, int, str, int, str, int, datetime | None]


def _obligation(catalog: Catalog, n: Notify) -> ObligationKey | None:
    """The one obligation a notice belongs to when its step is done once per area: the
    step, the fiscal year, the area, the rung and the deadline; None otherwise."""
    c = n.instance
    per = catalog.get(c.definition_id, c.definition_version).state(c.state).once_per
    if per is None:
        return None
    area = code_at(c.area_code, per)
    return (c.definition_id, c.definition_version, c.state, c.fiscal_year, area, n.level, c.due_at)


def _once_per_area(
    catalog: Catalog, notices: list[Notify], done: Mapping[tuple[int, int], set[int]]
) -> list[Notify]:
    """One notice per obligation of a once-per-area step: the first instance's notice
    (by key) is sent for the area and counts them all; the others are recorded, not sent.
    Nothing is sent when a sweep before already told that rung for one of them."""
    groups: dict[ObligationKey, list[int]] = {}
    for i, n in enumerate(notices):
        key = _obligation(catalog, n)
        if key is not None:
            groups.setdefault(key, []).append(i)
    told = {
        key
        for key in groups
        for n in (notices[i] for i in groups[key])
        if key[5] in done.get((n.instance.id, n.instance.version), set())
    }
    out = list(notices)
    for key, members in groups.items():
        sending = [i for i in members if notices[i].recipients]
        if not sending:
            continue
        first = min(sending, key=lambda i: notices[i].instance.key)
        for i in sending:
            out[i] = replace(notices[i], recipients=())
        if key not in told:
            out[first] = replace(notices[first], obligation_area=key[4], instances=len(members))
    return out


def _notices(
    definition: Definition, cand: Candidate, done: set[int], now: datetime, instants: _Instants
) -> list[Notify]:
    """The rungs ``cand`` reaches at ``now``. The window opening is the lowest rung: when
    the same sweep also sends a rung of the ladder (a scheduler down since before the
    window opened, a window that opens late), the opening is recorded but not sent, as
    any rung passed by is: the ladder's notice names the step and its deadline."""
    out = _ladder_notices(definition, cand, done, now, instants)
    if OPENED_LEVEL in done:
        return out
    opens = instants.opens(definition, cand)
    if opens is None or opens > now:
        return out
    told = any(n.recipients for n in out)
    roles = () if told else (does_step(definition, cand.state),)
    return [Notify(cand, OPENED_LEVEL, EscalationKind.OPENED, roles, None, None), *out]


def _ladder_notices(
    definition: Definition, cand: Candidate, done: set[int], now: datetime, instants: _Instants
) -> list[Notify]:
    """The ladder's rungs reached and not yet done; only the highest is sent."""
    due = cand.due_at
    if due is None:
        return []
    ladder = definition.ladder
    reached = [r for r in ladder if r.level not in done and instants.rung(r, due) <= now]
    if not reached:
        return []
    top = max(reached, key=lambda r: r.level)
    later = [r for r in ladder if r.level > top.level]
    nxt = min(later, key=lambda r: r.level) if later else None
    out = [
        Notify(cand, r.level, r.kind, (), None, None)
        for r in sorted(reached, key=lambda r: r.level)
        if r is not top
    ]
    nxt_at = instants.rung(nxt, due) if nxt else None
    roles = rung_roles(definition, top.notify, cand.state)
    out.append(Notify(cand, top.level, top.kind, roles, nxt, nxt_at))
    return out


def rung_roles(definition: Definition, notify: Iterable[str], state: str) -> tuple[str, ...]:
    """The roles a rung names, with ``lead`` the office that does step ``state``
    (:func:`does_step`) and ``supervisor`` the process's supervisor."""
    named = {"lead": does_step(definition, state), "supervisor": definition.supervisor_role}
    roles = [named.get(r, r) for r in notify]
    return tuple(dict.fromkeys(r for r in roles if r))


def _auto_trigger(
    definition: Definition,
    cand: Candidate,
    children: Mapping[ChildKey, Mapping[str, int]],
    catalog: Catalog,
) -> str | None:
    for step in definition.transitions_from(cand.state):
        if step.auto is not None and _rule_met(step.auto, cand, children, catalog):
            return step.trigger
    return None


def _rule_met(
    rule: AutoRule,
    cand: Candidate,
    children: Mapping[ChildKey, Mapping[str, int]],
    catalog: Catalog,
) -> bool:
    """Every instance of ``rule.process`` inside the area has reached ``rule.reached``
    (and there is at least one)."""
    counts = children.get((rule.process, cand.fiscal_year, cand.area_code), {})
    total = sum(counts.values())
    if total == 0:
        return False
    child = catalog.get(rule.process)
    return sum(n for state, n in counts.items() if reached(child, state, rule.reached)) == total


def reached(definition: Definition, state: str, target: str) -> bool:
    """``state`` is ``target`` or lies after it in the declared order of states."""
    order = {s.id: i for i, s in enumerate(definition.states)}
    return order.get(state, -1) >= order[target]


def auto_rules(catalog: Catalog) -> Iterable[tuple[Definition, AutoRule]]:
    """Every automatic rule of the catalog's newest definitions."""
    for definition in catalog.latest():
        for step in definition.transitions:
            if step.auto is not None:
                yield definition, step.auto
