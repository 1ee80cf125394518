"""Progress per process for an area, and for each area under it: counts per state, done,
overdue and the KPI against its target; for the nation, the instance count against the
letter's (``budget.units``). Withdrawn instances are not counted (``AreaFilter.clauses``).
One grouped query serves the area itself and the
drill-down; the CLI's ``status --json`` and the API's ``/status`` return the same shapes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.definitions.model import Catalog, Kpi, KpiMeasure, Text
from plancycle.store.models import Instance
from plancycle.thai.areacode import child_length
from plancycle.workflow.kpi import KpiCount, kpi_counts
from plancycle.workflow.letter_counts import holds_nation, letter_units
from plancycle.workflow.overdue import overdue_clause
from plancycle.workflow.reports import AreaFilter

__all__ = ["ProcessStatus", "Rollup", "area_rollup", "children_rollup", "status"]


@dataclass
class ProcessStatus:
    process: str
    title_th: str
    title_en: str
    total: int = 0
    done: int = 0
    overdue: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    kpi_spec: Kpi | None = None
    kpi_counted: int = 0  # units the KPI counts (measures that read recorded values)
    kpi_met: int = 0
    # the letter's national count (``budget.units``); set only for the nation's roll-up
    letter_units: int | None = None

    @property
    def kpi_target(self) -> float | None:
        return self.kpi_spec.target_percent if self.kpi_spec else None

    @property
    def count_differs(self) -> bool:
        """The nation holds another number of (counted) instances than the letter funds."""
        return self.letter_units is not None and self.total != self.letter_units

    def count_finding(self) -> Text | None:
        """What ``count_differs`` says, in Thai and English (None when they agree)."""
        if not self.count_differs or self.letter_units is None:
            return None
        return Text(
            f"{self.title_th} ({self.process}): มี {self.total:,} รายการ แต่หนังสือกำหนด "
            f"{self.letter_units:,}; ตัวชี้วัดนับจาก {self.total:,} รายการ",
            f"{self.process}: {self.total:,} instances, the letter counts "
            f"{self.letter_units:,}; the KPI is read over the {self.total:,}",
        )

    @property
    def percent_done(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0

    def kpi(self) -> dict[str, Any] | None:
        """The KPI as its definition declares it (:mod:`plancycle.workflow.kpi`) against
        its target, with the indicator's words and how it is counted."""
        spec = self.kpi_spec
        if spec is None:
            return None
        by_state = spec.measure is KpiMeasure.INSTANCES_DONE
        counted, met = (self.total, self.done) if by_state else (self.kpi_counted, self.kpi_met)
        actual = round(100.0 * met / counted, 1) if counted else 0.0
        return {
            "target_percent": spec.target_percent,
            "actual_percent": actual,
            "met": actual >= spec.target_percent,
            "measure": str(spec.measure),
            "counted": counted,
            "achieved": met,
            "label_th": spec.label.th,
            "label_en": spec.label.en,
            "basis_th": spec.basis.th if spec.basis else None,
            "basis_en": spec.basis.en if spec.basis else None,
            "instances": self.total,
            "letter_units": self.letter_units,
            "count_differs": self.count_differs,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "process": self.process,
            "title_th": self.title_th,
            "title_en": self.title_en,
            "total": self.total,
            "done": self.done,
            "overdue": self.overdue,
            "percent_done": round(self.percent_done, 1),
            "by_state": self.by_state,
            "kpi_target_percent": self.kpi_target,
            "kpi": self.kpi(),
            "letter_units": self.letter_units,
            "count_differs": self.count_differs,
        }


@dataclass
class Rollup:
    """One area's progress per process, in the catalog's process order."""

    code: str
    processes: list[ProcessStatus]

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.processes)

    def process(self, pid: str) -> ProcessStatus | None:
        """The row of process ``pid``; None when the area holds none of its instances."""
        return next((p for p in self.processes if p.process == pid), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "overdue": self.overdue,
            "processes": [p.as_dict() for p in self.processes],
        }


def _counts(
    db: sa.Engine, fiscal_year: int, area: AreaFilter, now: datetime, prefix: int | None
) -> list[sa.Row[*tuple[Any, ...]]]:
    """(prefix?, process, version, state, count, overdue) rows, grouped."""
    late = func.sum(sa.case((overdue_clause(now), 1), else_=0))
    keys: list[Any] = [Instance.definition_id, Instance.definition_version, Instance.state]
    if prefix is not None:
        keys.insert(0, func.substr(Instance.area_code, 1, prefix))
    # sqlmodel's select() is typed for at most four fixed columns; a variable list of
    # them builds the same SQLAlchemy select
    query = (
        select(*keys, func.count(), late)  # type: ignore[call-overload]
        .where(col(Instance.fiscal_year) == fiscal_year, *area.clauses())
        .group_by(*keys)
    )
    with Session(db) as session:
        return list(session.exec(query).all())


class _Tally:
    """Adds grouped rows into :class:`ProcessStatus` rows of one area."""

    def __init__(self, catalog: Catalog, nation: bool = False) -> None:
        self.catalog = catalog
        self.nation = nation  # the letter's national counts apply
        self.rows: dict[str, ProcessStatus] = {}

    def add(self, pid: str, version: int, state: str, count: int, overdue: int) -> None:
        definition = self.catalog.get(pid, version)
        row = self.rows.get(pid)
        if row is None:
            row = self.rows[pid] = ProcessStatus(
                pid,
                definition.title.th,
                definition.title.en,
                kpi_spec=definition.kpi,
                letter_units=letter_units(definition) if self.nation else None,
            )
        row.total += count
        row.overdue += overdue
        row.by_state[state] = row.by_state.get(state, 0) + count
        if definition.state(state).final:
            row.done += count

    def add_kpi(self, count: KpiCount) -> None:
        row = self.rows.get(count.process)
        if row is not None:
            row.kpi_counted += count.counted
            row.kpi_met += count.met

    def ordered(self) -> list[ProcessStatus]:
        order = {d.id: i for i, d in enumerate(self.catalog.latest())}
        return sorted(self.rows.values(), key=lambda r: order.get(r.process, len(order)))


def status(
    db: sa.Engine,
    catalog: Catalog,
    fiscal_year: int,
    area: AreaFilter,
    now: datetime,
    kpis: list[KpiCount] | None = None,
) -> list[ProcessStatus]:
    """Counts per state, done and overdue, per process, in the catalog's process order
    (``kpis``: the area's :func:`kpi_counts`, when the caller has them already)."""
    tally = _Tally(catalog, nation=not area.code and holds_nation(db))
    for pid, version, state, count, late in _counts(db, fiscal_year, area, now, None):
        tally.add(pid, version, state, int(count), int(late or 0))
    for kpi in kpi_counts(db, catalog, fiscal_year, area) if kpis is None else kpis:
        tally.add_kpi(kpi)
    return tally.ordered()


def area_rollup(
    db: sa.Engine,
    catalog: Catalog,
    fiscal_year: int,
    code: str,
    now: datetime,
    kpis: list[KpiCount] | None = None,
) -> Rollup:
    """The progress of the area ``code`` ("" for the nation)."""
    return Rollup(code, status(db, catalog, fiscal_year, AreaFilter.of(code), now, kpis))


def children_rollup(
    db: sa.Engine,
    catalog: Catalog,
    fiscal_year: int,
    code: str,
    child_codes: Iterable[str],
    now: datetime,
    kpis: list[KpiCount] | None = None,
) -> dict[str, Rollup]:
    """child code -> its progress per process (every child present, maybe empty)."""
    length = child_length(code)
    tallies = {c: _Tally(catalog) for c in child_codes}
    for child, pid, version, state, count, late in _counts(
        db, fiscal_year, AreaFilter.of(code), now, length
    ):
        if len(child) == length and child in tallies:  # not the area's own instances
            tallies[child].add(pid, version, state, int(count), int(late or 0))
    if kpis is None:
        kpis = kpi_counts(db, catalog, fiscal_year, AreaFilter.of(code))
    for kpi in kpis:
        child = kpi.area_code[:length]
        if len(kpi.area_code) >= length and child in tallies:
            tallies[child].add_kpi(kpi)
    return {c: Rollup(c, t.ordered()) for c, t in tallies.items()}
