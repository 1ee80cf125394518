"""The one home of the KPIs: each process's indicator, counted as its definition declares
(``kpi: measure``) from the recorded values, for the status, the area pages, the API and
the sheets.

- ``instances_done``: instances in a final state, over the instances.
- ``evaluated_usable``: instances whose tambon's latest ``step`` record (of ``process``,
  default the definition itself) holds ``field: true``, over the instances. Activity 2
  reads its own evaluation; Activity 3 reads Activity 2's evaluation of its strong tambon.
- ``districts_complete``: districts of the instance's province whose row in the latest
  ``step`` record's ``field`` has the full composition that the step's
  ``participants_per_district`` guard names, over the province's districts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from plancycle.definitions.guards import district_composition
from plancycle.definitions.model import Catalog, Definition, Kpi, KpiMeasure
from plancycle.store.models import Area, Instance, TransitionRecord
from plancycle.thai.areacode import child_length
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.sql_json import json_true

__all__ = ["COMPOSITION_GUARD", "KpiCount", "kpi_counts"]

# the guard whose parameters say what a complete district is
COMPOSITION_GUARD = "participants_per_district"


@dataclass(frozen=True, slots=True)
class KpiCount:
    """A group of instances' share of its process's KPI: ``met`` of ``counted`` units.
    ``area_code`` is the instances' code cut to the level under the area asked about (one
    group per area under it; an instance of the area itself keeps its shorter code)."""

    process: str
    area_code: str
    counted: int
    met: int


def _latest(
    session: Session, process: str, trigger: str, fiscal_year: int, area: AreaFilter
) -> dict[str, Mapping[str, Any]]:
    """area code -> the data of the latest ``trigger`` record of ``process`` there."""
    query = (
        select(Instance.area_code, TransitionRecord.data)
        .join(Instance, col(Instance.id) == col(TransitionRecord.instance_id))
        .where(
            col(Instance.definition_id) == process,
            col(Instance.fiscal_year) == fiscal_year,
            col(TransitionRecord.trigger) == trigger,
            *area.clauses(),
        )
        .order_by(col(TransitionRecord.instance_id), col(TransitionRecord.seq))
    )
    return {code: data or {} for code, data in session.exec(query).all()}


def _instances(
    session: Session, process: str, fiscal_year: int, area: AreaFilter
) -> list[tuple[str, str]]:
    """(area code, province code) of each instance of ``process`` in the area."""
    query = select(Instance.area_code, Instance.province_code).where(
        col(Instance.definition_id) == process,
        col(Instance.fiscal_year) == fiscal_year,
        *area.clauses(),
    )
    return [(a, p) for a, p in session.exec(query).all()]


def _districts(session: Session, provinces: Iterable[str]) -> dict[str, set[str]]:
    wanted = sorted(set(provinces))
    out: dict[str, set[str]] = {p: set() for p in wanted}
    if not wanted:
        return out
    query = select(Area.province_code, Area.code).where(
        col(Area.level) == "district", col(Area.province_code).in_(wanted)
    )
    for province, code in session.exec(query).all():
        out[province].add(code)
    return out


def _usable(
    session: Session, definition: Definition, kpi: Kpi, fy: int, area: AreaFilter, length: int
) -> list[KpiCount]:
    """Grouped in the database: per area code cut to ``length``, the instances of the
    definition and those whose tambon's latest ``step`` record (of ``kpi.process``, default
    the definition itself) holds ``field: true``."""
    step, name = kpi.step, kpi.field
    if step is None or name is None:  # the loader requires both for this measure
        return []
    newest_first = col(TransitionRecord.seq).desc()
    latest = (
        sa.select(
            col(Instance.area_code).label("area_code"),
            json_true(col(TransitionRecord.data), name).label("met"),
            func.row_number()
            .over(partition_by=col(TransitionRecord.instance_id), order_by=newest_first)
            .label("n"),
        )
        .join(Instance, col(Instance.id) == col(TransitionRecord.instance_id))
        .where(
            col(Instance.definition_id) == (kpi.process or definition.id),
            col(Instance.fiscal_year) == fy,
            col(TransitionRecord.trigger) == step,
            *area.clauses(),
        )
        .subquery()
    )
    group = func.substr(col(Instance.area_code), 1, length)
    met = func.sum(sa.case((latest.c.met, 1), else_=0))
    query = (
        sa.select(group, func.count(), met)
        .outerjoin(latest, sa.and_(latest.c.area_code == col(Instance.area_code), latest.c.n == 1))
        .where(
            col(Instance.definition_id) == definition.id,
            col(Instance.fiscal_year) == fy,
            *area.clauses(),
        )
        .group_by(group)
    )
    return [
        KpiCount(definition.id, code, int(counted), int(achieved or 0))
        for code, counted, achieved in session.execute(query).all()
    ]


def _complete(
    session: Session, definition: Definition, kpi: Kpi, fy: int, area: AreaFilter, length: int
) -> list[KpiCount]:
    if kpi.step is None or kpi.field is None:  # the loader requires both for this measure
        return []
    step = next(t for t in definition.transitions if t.trigger == kpi.step)
    guard = next(g for g in step.guards if g.name == COMPOSITION_GUARD)
    bar = district_composition(guard.params)
    instances = _instances(session, definition.id, fy, area)
    districts = _districts(session, (p for _, p in instances))
    found = _latest(session, definition.id, kpi.step, fy, area)
    sums: dict[str, list[int]] = {}
    for code, province in instances:
        rows = found.get(code, {}).get(kpi.field) or []
        full = {
            str(r.get("district"))
            for r in rows
            if isinstance(r, dict) and all(int(r.get(k) or 0) >= n for k, n in bar.items())
        }
        known = districts[province]
        tally = sums.setdefault(code[:length], [0, 0])
        tally[0] += len(known)
        tally[1] += len(full & known)
    return [KpiCount(definition.id, code, c, m) for code, (c, m) in sums.items()]


def kpi_counts(
    db: sa.Engine, catalog: Catalog, fiscal_year: int, area: AreaFilter
) -> list[KpiCount]:
    """Per area under ``area`` (the groups of :class:`KpiCount`), the units its process's
    KPI counts and those met, for every process whose KPI reads recorded values
    (``instances_done`` KPIs are counted by the rollup from the states it already groups).
    ``evaluated_usable`` is counted in the database, never one row per instance."""
    length = child_length(area.code)
    out: list[KpiCount] = []
    with Session(db) as session:  # one connection for every read
        for definition in catalog.latest():
            kpi = definition.kpi
            if kpi is None or kpi.measure is KpiMeasure.INSTANCES_DONE:
                continue
            if kpi.measure is KpiMeasure.EVALUATED_USABLE:
                out += _usable(session, definition, kpi, fiscal_year, area, length)
            else:
                out += _complete(session, definition, kpi, fiscal_year, area, length)
    return out
