"""The per-district summary sheet: one row per district of the area (every district of the
nation, of a province, or the one district), and for each process its done and total
instances, the overdue ones and the KPI achieved. The numbers are the roll-up's
(:mod:`plancycle.workflow.rollup`, the KPI of :mod:`plancycle.workflow.kpi`): the sheet
counts nothing itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, Definition
from plancycle.store.models import Area
from plancycle.thai.areacode import AreaLevel, level_of
from plancycle.thai.fiscal import bangkok_date
from plancycle.web.sheet_columns import Ctx
from plancycle.web.sheets import SUMMARY, Sheet, Total
from plancycle.workflow.rollup import ProcessStatus, Rollup, area_rollup, children_rollup

__all__ = ["build_summary"]


def _districts(db: sa.Engine, code: str) -> list[Area]:
    """The districts the summary has a row for: those under ``code`` (a district: itself;
    a tambon or village: its district)."""
    level = level_of(code)
    with Session(db) as session:
        query = select(Area).where(col(Area.level) == AreaLevel.DISTRICT.value)
        if level is AreaLevel.PROVINCE:
            query = query.where(col(Area.province_code) == code)
        elif code:
            query = query.where(col(Area.code) == code[:4])
        return list(session.exec(query.order_by(col(Area.code))).all())


def _rollups(
    db: sa.Engine, catalog: Catalog, fy: int, districts: list[Area], now: datetime
) -> dict[str, Rollup]:
    """district code -> its roll-up, one grouped query per province."""
    by_province: dict[str, list[str]] = {}
    for d in districts:
        by_province.setdefault(d.code[:2], []).append(d.code)
    out: dict[str, Rollup] = {}
    for province, codes in by_province.items():
        if len(codes) == 1:
            out[codes[0]] = area_rollup(db, catalog, fy, codes[0], now)
        else:
            out.update(children_rollup(db, catalog, fy, province, codes, now))
    return out


def _kpi(status: ProcessStatus | None) -> float | None:
    found = status.kpi() if status is not None else None
    return None if found is None or not found["counted"] else float(found["actual_percent"])


def _cells(definition: Definition, status: ProcessStatus | None) -> list[Any]:
    counts = [
        status.done if status else 0,
        status.total if status else 0,
        status.overdue if status else 0,
    ]
    return [*counts, _kpi(status)] if definition.kpi else counts


def build_summary(
    db: sa.Engine,
    catalog: Catalog,
    fy: int,
    area_code: str,
    area_name: str,
    now: datetime,
    lang: str = "th",
) -> Sheet:
    """One row per district of ``area_code`` ("" the nation) for the fiscal year ``fy``."""
    ctx = Ctx(lang, now, catalog.roles)
    districts = _districts(db, area_code)
    rollups = _rollups(db, catalog, fy, districts, now)
    with Session(db) as session:
        provinces = {
            a.code: a
            for a in session.exec(
                select(Area).where(col(Area.code).in_({d.code[:2] for d in districts}))
            )
        }
    processes = catalog.latest()
    heads = [
        ctx.pick("ลำดับ", "No."),
        ctx.pick("จังหวัด", "Province"),
        ctx.pick("อำเภอ", "District"),
        ctx.pick("รหัสอำเภอ", "District code"),
    ]
    groups: list[tuple[str, int]] = [("", len(heads))]
    totals: list[Total | None] = [None, None, None, None]
    for d in processes:
        parts = [ctx.pick("เสร็จ", "Done"), ctx.pick("ทั้งหมด", "Total")]
        parts.append(ctx.pick("เกินกำหนด", "Overdue"))
        totals += [Total.SUM, Total.SUM, Total.SUM]
        if d.kpi:
            parts.append(ctx.pick("ตัวชี้วัด (ร้อยละ)", "KPI (%)"))
            totals.append(None)
        heads += parts
        groups.append((d.title.pick(lang), len(parts)))
    rows: list[list[Any]] = []
    for n, district in enumerate(districts, 1):
        by_process = {p.process: p for p in rollups[district.code].processes}
        province = provinces.get(district.code[:2])
        row: list[Any] = [
            n,
            _name(province, lang),
            _name(district, lang),
            district.code,
        ]
        for d in processes:
            row += _cells(d, by_process.get(d.id))
        rows.append(row)
    return Sheet(
        name=f"{SUMMARY}-{fy}",
        title=ctx.pick("สรุปความก้าวหน้ารายอำเภอ", "Progress by district"),
        area=ctx.pick(f"{area_name} ปีงบประมาณ {fy}", f"{area_name}, fiscal year {fy}"),
        columns=heads,
        rows=rows,
        lang=lang,
        made=bangkok_date(now),
        totals=totals,
        total_label=ctx.pick("รวม", "Total"),
        groups=groups,
    )


def _name(area: Area | None, lang: str) -> str:
    if area is None:
        return ""
    return area.name_th if lang == "th" else (area.name_en or area.name_th)
