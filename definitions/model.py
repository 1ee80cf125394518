"""The immutable in-memory form of the process definitions.

Everything here is a frozen, slotted dataclass holding tuples and read-only
mappings, so a loaded :class:`Catalog` can be shared by every request, worker
and machine without copying. The YAML files are turned into these objects by
:mod:`plancycle.definitions.loader`, which also checks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from plancycle.definitions.errors import UnknownDefinition
from plancycle.definitions.report_columns import ReportColumn
from plancycle.definitions.row_kinds import RowKind
from plancycle.kinds import DayCount, DayRoll, EscalationKind
from plancycle.thai.areacode import AreaLevel

__all__ = [
    "DATA_TYPES",
    "DEADLINE_KINDS",
    "LADDER_KINDS",
    "LEVELS",
    "SCOPES",
    "SOURCES",
    "TARGETS",
    "GuardSeverity",
    "AutoRule",
    "Budget",
    "Catalog",
    "DataField",
    "DateWindow",
    "Deadline",
    "DeadlineKind",
    "Definition",
    "EvidenceSlot",
    "GuardRef",
    "Kpi",
    "KpiMeasure",
    "LadderRung",
    "Migration",
    "OnBehalf",
    "Participants",
    "ReportColumn",
    "Review",
    "Role",
    "State",
    "Text",
    "Transition",
    "Window",
]

# Where a step comes from (domain.md): the letter, public sources, or a reconstruction.
SOURCES = ("seed", "inferred", "public")
# Administrative levels, smallest first.
LEVELS = (*(str(level) for level in reversed(AreaLevel)), "nation")  # where a role answers
# The area level that gets one instance per area.
SCOPES = ("province", "district", "tambon", "village")
# Which areas of the scope level get an instance.
TARGETS = ("all", "activity2", "strong_tambon")


class GuardSeverity(StrEnum):
    """What a guard does when its rule fails: refuse the step, or let it pass and record
    (and report) the finding. A rule the letter writes refuses; one derived from it may
    be declared ``warn``."""

    REFUSE = "refuse"
    WARN = "warn"


class DeadlineKind(StrEnum):
    """How a deadline spec names its day (see :class:`Deadline`); the YAML key."""

    FY_DATE = "fy_date"
    QUARTER_END = "quarter_end"
    QUARTER_START = "quarter_start"
    MONTH_END = "month_end"
    AFTER = "after"  # relative to another step: last, and only where allowed


DEADLINE_KINDS: tuple[DeadlineKind, ...] = tuple(DeadlineKind)
DATA_TYPES = ("int", "str", "date", "list", "bool", *(str(k) for k in RowKind))
# What a rung of a deadline ladder is: before the deadline, at it, after it.
LADDER_KINDS: tuple[EscalationKind, ...] = (
    EscalationKind.REMINDER,
    EscalationKind.OVERDUE,
    EscalationKind.ESCALATION,
)

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_T = TypeVar("_T")


def required(value: _T | None, what: str) -> _T:
    """``value``, which the code that built it guarantees is set: a draft once its file
    parsed without problems, a deadline field its kind needs. A clear error otherwise."""
    if value is None:
        raise ValueError(f"{what} is not set")
    return value


@dataclass(frozen=True, slots=True)
class Text:
    """A user-facing label in Thai and English."""

    th: str
    en: str

    def pick(self, lang: str = "en") -> str:
        return self.th if lang == "th" else self.en


@dataclass(frozen=True, slots=True)
class Deadline:
    """One deadline spec, relative to the fiscal year or to another step.

    - ``fy_date``: ``month``/``day`` inside the FY (Oct-Dec fall in the previous CE year);
    - ``quarter_end`` / ``quarter_start``: ``quarter`` 1-4 of the FY;
    - ``month_end``: the last day of ``month`` in the FY;
    - ``after``: ``days`` calendar days after the instance left state ``after``; with
      ``field``, after the date recorded in that data field when it left ``after`` (the
      day of the event, not the day it was recorded).

    A deadline names a day; it runs until the end of that day, Asia/Bangkok.
    """

    kind: DeadlineKind
    month: int | None = None
    day: int | None = None
    quarter: int | None = None
    after: str | None = None
    days: int | None = None
    date_field: str | None = None  # with ``after``: the recorded date counted from (``field``)
    # where the day comes from (a SOURCES tag: the letter writes it, or it is inferred);
    # not part of the rule's value, so a re-tagged deadline is the same deadline
    source: str | None = field(default=None, compare=False)
    count: DayCount = DayCount.CALENDAR  # with ``after``: calendar or working days
    roll: DayRoll | None = None  # a day off moves to the next working day (source: inferred)

    def describe(self) -> str:
        """The spec as a definition file writes it, e.g. ``fy_date 03-31`` or ``7 days after
        workshop``, for problems found in a file; people read
        :func:`plancycle.definitions.describe.deadline_text`."""
        if self.kind == DeadlineKind.FY_DATE:
            return f"fy_date {self.month:02d}-{self.day:02d}"
        if self.kind == DeadlineKind.MONTH_END:
            return f"end of month {self.month}"
        if self.kind == DeadlineKind.QUARTER_END:
            return f"end of Q{self.quarter}"
        if self.kind == DeadlineKind.QUARTER_START:
            return f"start of Q{self.quarter}"
        unit = "working days" if self.count == DayCount.WORKING else "days"
        if self.date_field:
            return f"{self.days} {unit} after the {self.date_field} recorded at {self.after}"
        return f"{self.days} {unit} after {self.after}"


@dataclass(frozen=True, slots=True)
class EvidenceSlot:
    """A file a step takes (e.g. the scanned order 3.1 as PDF)."""

    id: str
    label: Text
    media_types: tuple[str, ...] = ()
    required: bool = False
    # a required slot the letter does not ask for (source: inferred) may be declared
    # ``warn``: a step without the file is done and its record keeps the finding
    severity: GuardSeverity = GuardSeverity.REFUSE
    source: str = "seed"

    @property
    def insisted(self) -> bool:
        """Required, and a step without it is refused (not only recorded)."""
        return self.required and self.severity == GuardSeverity.REFUSE


@dataclass(frozen=True, slots=True)
class DateWindow:
    """The days a date field takes, relative to the instance's fiscal year: from the day
    ``start`` names to the day ``end`` names (fiscal-year specs, as a state's ``due``;
    an absent bound is the fiscal year's first or last day)."""

    start: Deadline | None = None
    end: Deadline | None = None


@dataclass(frozen=True, slots=True)
class DataField:
    """A value a step takes (``--data name=value``); ``report`` is the sheet column the
    entered value fills, if any; ``window`` the days a date field takes (None: every day
    of the instance's fiscal year)."""

    name: str
    type: str
    required: bool = False
    label: Text | None = None
    report: ReportColumn | None = None
    window: DateWindow | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class GuardRef:
    """A named guard of :data:`plancycle.definitions.guards.GUARDS` with its parameters."""

    name: str
    params: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    severity: GuardSeverity = GuardSeverity.REFUSE
    source: str = "seed"  # a SOURCES tag: written in the letter, or derived from it

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items())), self.severity))


@dataclass(frozen=True, slots=True)
class AutoRule:
    """Fire this transition automatically (as ``scheduler``) once every instance of
    ``process`` inside the instance's area has reached state ``reached`` (or a later one),
    and there is at least one."""

    process: str
    reached: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class LadderRung:
    """One rung of a deadline ladder: ``offset_days`` from the deadline day (negative:
    before it), who hears of it (role codes, or ``lead`` / ``supervisor`` of the process)."""

    level: int
    kind: EscalationKind
    offset_days: int
    notify: tuple[str, ...]
    count: DayCount = DayCount.CALENDAR  # ``offset_days`` in calendar or working days


@dataclass(frozen=True, slots=True)
class OnBehalf:
    """A step another office may record for the role that performs it (ปฏิบัติราชการแทน /
    บันทึกแทน): ``of`` performs it, ``by`` may record it, ``evidence`` is the slot of the
    signed document the record must then carry."""

    of: str
    by: tuple[str, ...]
    evidence: str


@dataclass(frozen=True, slots=True)
class Review:
    """How a process's records may be reviewed: the roles that may send a completed step
    back (with a comment), and whether the data of the newest step may be corrected
    while the instance has not moved on."""

    send_back: tuple[str, ...] = ()
    correct: bool = False


@dataclass(frozen=True, slots=True)
class Transition:
    """A step that moves an instance from one of ``sources`` to ``dest``; ``report`` is
    the sheet column (a date) that the time of its record fills, if any."""

    trigger: str
    label: Text
    sources: tuple[str, ...]
    dest: str
    roles: tuple[str, ...]
    guards: tuple[GuardRef, ...] = ()
    evidence: tuple[EvidenceSlot, ...] = ()
    data: tuple[DataField, ...] = ()
    auto: AutoRule | None = None
    report: ReportColumn | None = None
    report_line: int = field(default=0, compare=False)
    on_behalf: OnBehalf | None = None


@dataclass(frozen=True, slots=True)
class State:
    """A state: the step that is pending (or, when final, the end)."""

    id: str
    label: Text
    source: str
    initial: bool = False
    final: bool = False
    due: tuple[Deadline, ...] = ()
    opens: Deadline | None = None  # the step's window opens (a notice to the lead unit)
    wait: bool = False  # waiting on other processes, not a step of its own
    # the step is done once per area of this level for all its instances (the district
    # chief sets one forum calendar per district): one obligation, one notice per rung
    once_per: str | None = None


@dataclass(frozen=True, slots=True)
class Budget:
    """Baht. ``total`` is the correct figure; ``seed_*`` keep what the letter wrote."""

    per_unit: int | None
    units: int | None
    total: int
    seed_digits: int | None = None
    seed_words: str | None = None


class KpiMeasure(StrEnum):
    """What a KPI counts (``kpi: measure``), each read from the records in
    the KPI module of the engine (workflow/kpi.py)."""

    # share of instances in a final state (no judgement recorded)
    INSTANCES_DONE = "instances_done"
    # share of instances whose tambon's latest ``step`` record of ``process`` holds
    # ``field: true`` (the plan evaluated as usable for community management)
    EVALUATED_USABLE = "evaluated_usable"
    # share of the province's districts whose row of ``field`` (latest ``step`` record)
    # holds the full composition the step's guard names (Activity 1: 1 + 3 + 1)
    DISTRICTS_COMPLETE = "districts_complete"


@dataclass(frozen=True, slots=True)
class Kpi:
    """The letter's indicator: ``label`` quotes it, ``measure`` says how it is counted;
    ``process`` (default: the definition itself), ``step`` (a trigger) and ``field``
    name the recorded value it reads."""

    label: Text
    target_percent: float
    measure: KpiMeasure = KpiMeasure.INSTANCES_DONE
    basis: Text | None = None  # how it is counted, in words, shown beside the value
    process: str | None = None
    step: str | None = None
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Participants:
    """Head counts: at least ``per_unit_min`` per ``unit`` area (default: the scope)."""

    per_unit_min: int | None = None
    total: int | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """When the work may start and should end (either may be absent)."""

    opens: Deadline | None = None
    closes: Deadline | None = None


@dataclass(frozen=True, slots=True)
class Role:
    code: str
    label: Text
    level: str
    # named in the letter but does no step: it is told (a notice, a copy), never asked
    informed_only: bool = False
    note: Text | None = None  # what the role is told, or why it has no step


@dataclass(frozen=True, slots=True)
class Migration:
    """How running instances of an older ``version`` of the same process move to this one:
    ``states`` maps each old state id to a state id of this version. An old state left out
    has no way over: an instance in it blocks the migration.

    The lines (of ``migrates_from``, its ``version`` and each old-state key) are kept for
    the catalog-level checks and are not part of the value."""

    version: int
    states: Mapping[str, str]
    line: int = field(default=0, compare=False)
    version_line: int = field(default=0, compare=False)
    state_lines: Mapping[str, int] = field(default_factory=lambda: _EMPTY, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.states, MappingProxyType):
            object.__setattr__(self, "states", MappingProxyType(dict(self.states)))
        if not isinstance(self.state_lines, MappingProxyType):
            object.__setattr__(self, "state_lines", MappingProxyType(dict(self.state_lines)))

    def __hash__(self) -> int:
        return hash((self.version, tuple(sorted(self.states.items()))))

    def target(self, old_state: str) -> str | None:
        """The state of the new version an instance in ``old_state`` moves to, or None."""
        return self.states.get(old_state)


@dataclass(frozen=True, slots=True)
class Definition:
    """One version of one process."""

    id: str
    version: int
    title: Text
    source: str
    scope: str
    targets: str
    lead_role: str
    supervisor_role: str
    kpi: Kpi | None
    budget: Budget | None
    participants: Participants | None
    window: Window | None
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    ladder: tuple[LadderRung, ...] = ()
    ladder_name: str = "default"
    path: Path | None = None
    migrates_from: Migration | None = None  # how instances of an older version move here
    basis: tuple[Text, ...] = ()  # the regulations the process rests on, as the letter cites them
    review: Review = Review()  # send back and correct (none by default)
    _states: Mapping[str, State] = field(init=False, repr=False, compare=False)
    _from: Mapping[str, tuple[Transition, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_states", MappingProxyType({s.id: s for s in self.states}))
        outgoing: dict[str, list[Transition]] = {s.id: [] for s in self.states}
        for t in self.transitions:
            for src in t.sources:
                outgoing.setdefault(src, []).append(t)
        object.__setattr__(
            self, "_from", MappingProxyType({k: tuple(v) for k, v in outgoing.items()})
        )

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    @property
    def initial_state(self) -> State:
        for s in self.states:
            if s.initial:
                return s
        raise LookupError(f"definition {self.id!r} v{self.version} has no initial state")

    @property
    def final_states(self) -> tuple[State, ...]:
        return tuple(s for s in self.states if s.final)

    @property
    def steps(self) -> tuple[State, ...]:
        """The states where work is pending (neither final nor waiting), in declared order."""
        return tuple(s for s in self.states if not s.final and not s.wait)

    @property
    def allocation(self) -> int | None:
        """The budget per unit (baht) that ``within_allocation`` checks against."""
        return self.budget.per_unit if self.budget else None

    def state(self, state_id: str) -> State:
        try:
            return self._states[state_id]
        except KeyError:
            known = ", ".join(self._states)
            raise KeyError(
                f"{self.id} v{self.version} has no state {state_id!r} (states: {known})"
            ) from None

    def has_state(self, state_id: str) -> bool:
        return state_id in self._states

    def transitions_from(self, state_id: str) -> tuple[Transition, ...]:
        """The transitions that may leave ``state_id``, in declared order."""
        return self._from.get(state_id, ())

    def transition(self, trigger: str, source_state: str) -> Transition | None:
        """The step declared for ``trigger`` from ``source_state`` (its roles, data,
        evidence and guards), or None. Whether the trigger may fire and where it leads
        is the state machine's answer (one Machine per definition version), which the engine
        asks first."""
        for t in self.transitions_from(source_state):
            if t.trigger == trigger:
                return t
        return None

    def blocked_steps(self, state_id: str) -> tuple[State, ...]:
        """The steps a waiting state blocks: every step reachable from it, in declared
        order (final and waiting states left out). Their deadlines are its deadline."""
        seen: set[str] = set()
        todo = [state_id]
        while todo:
            for step in self.transitions_from(todo.pop()):
                if step.dest not in seen:
                    seen.add(step.dest)
                    todo.append(step.dest)
        return tuple(s for s in self.steps if s.id in seen and s.id != state_id)

    def step_number(self, state_id: str) -> int | None:
        """1-based position of a step among the steps; None for final and waiting states."""
        state = self.state(state_id)
        if state.final or state.wait:
            return None
        return [s.id for s in self.steps].index(state.id) + 1


@dataclass(frozen=True, slots=True, eq=False)
class Catalog:
    """All roles and every version of every definition (compared and hashed by identity)."""

    roles: Mapping[str, Role]
    definitions: tuple[Definition, ...]
    _index: Mapping[tuple[str, int], Definition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.roles, MappingProxyType):
            object.__setattr__(self, "roles", MappingProxyType(dict(self.roles)))
        ordered = tuple(sorted(self.definitions, key=lambda d: (d.id, d.version)))
        object.__setattr__(self, "definitions", ordered)
        object.__setattr__(self, "_index", MappingProxyType({d.key: d for d in ordered}))

    def ids(self) -> tuple[str, ...]:
        return tuple(sorted({d.id for d in self.definitions}))

    def versions(self, definition_id: str) -> tuple[int, ...]:
        """The versions of ``definition_id``, oldest first (empty when unknown)."""
        return tuple(d.version for d in self.definitions if d.id == definition_id)

    def get(self, definition_id: str, version: int | None = None) -> Definition:
        """One version of a definition; the newest when ``version`` is None."""
        if version is None:
            versions = self.versions(definition_id)
            if not versions:
                known = ", ".join(self.ids())
                raise UnknownDefinition(
                    f"no process definition {definition_id!r} (known: {known}); "
                    f"see `plancycle definitions list`",
                    f"ไม่มีกระบวนการ {definition_id!r} (ที่มี: {known}); ดู `plancycle definitions list`",
                )
            version = versions[-1]
        try:
            return self._index[(definition_id, version)]
        except KeyError:
            have = ", ".join(str(v) for v in self.versions(definition_id)) or "none"
            raise UnknownDefinition(
                f"no version {version} of process definition {definition_id!r} (versions: {have})",
                f"ไม่มีรุ่น {version} ของกระบวนการ {definition_id!r} (รุ่นที่มี: {have})",
            ) from None

    def former_names(self, definition_id: str, version: int, state: str) -> tuple[str, ...]:
        """``state`` and the ids that became it in older versions, along each version's
        ``migrates_from`` (records written before a migration name the old ids)."""
        names = {state}
        current = self._index.get((definition_id, version))
        while current is not None and current.migrates_from is not None:
            older = current.migrates_from
            names |= {old for old, new in older.states.items() if new in names}
            if older.version >= current.version:
                break
            current = self._index.get((definition_id, older.version))
        return tuple(sorted(names))

    def state_label(self, definition_id: str, state: str, version: int | None = None) -> Text:
        """A state's label: from ``version`` when it has the state, else from the newest
        version that does (records and counts may name the ids of older versions); the id
        itself when none does."""
        newest_first = sorted(self.versions(definition_id), reverse=True)
        for v in (version, *newest_first) if version is not None else newest_first:
            known = self._index.get((definition_id, v))
            if known is not None and known.has_state(state):
                return known.state(state).label
        return Text(state, state)

    def all(self) -> tuple[Definition, ...]:
        """Every version of every definition, by id then version."""
        return self.definitions

    def latest(self) -> tuple[Definition, ...]:
        """The newest version of each definition, sorted by id."""
        return tuple(self.get(i) for i in self.ids())
