"""The reporting sheets: what the province's shared sheet asks for Activity 2 (report
no. 1, by 31 March) and Activity 3 (report no. 2, by 31 July), one row per tambon by
district; and the fields a BPM (Budget and Project Management) record needs, one row per
instance of a budgeted activity. Values come from the instances' transition records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, Definition, ReportColumn, Role, Text
from plancycle.store.models import Area, Instance, TransitionRecord
from plancycle.thai.dates import format_date
from plancycle.workflow.errors import BadStepInput, WorkflowError
from plancycle.workflow.notices import days_late
from plancycle.workflow.report_values import ColumnValue, report_values
from plancycle.workflow.reports import AreaFilter

__all__ = [
    "KINDS",
    "Column",
    "Row",
    "Sheet",
    "SheetColumn",
    "UnknownExport",
    "budgeted",
    "build_sheet",
]

KINDS = ("activity2", "activity3", "bpm")


class SheetColumn(StrEnum):
    """The columns of the sheets that do not come from the records (those are
    :class:`ReportColumn`, declared by the definitions)."""

    DISTRICT = "district"
    TAMBON = "tambon"
    TAMBON_CODE = "tambon_code"
    PARTICIPANT_TARGET = "participant_target"
    ALLOCATION = "allocation"
    REMAINING = "remaining"
    STEP = "step"
    STATUS = "status"
    FISCAL_YEAR = "fiscal_year"
    RECORD_KEY = "record_key"
    ACTIVITY = "activity"
    UNIT = "unit"
    AREA_CODE = "area_code"
    AREA = "area"
    INDICATOR = "indicator"
    EVIDENCE = "evidence"


def budgeted(catalog: Catalog) -> tuple[Definition, ...]:
    """The processes with a budget (newest versions): those a BPM record is kept for."""
    return tuple(d for d in catalog.latest() if d.budget is not None)


class UnknownExport(WorkflowError, LookupError):
    exit_code = 3

    def __init__(self, kind: str) -> None:
        super().__init__(
            f"no export {kind!r}; exports: {', '.join(KINDS)} (as .csv or .xlsx)",
            f"ไม่มีรายงาน {kind!r}; รายงานที่มี: {', '.join(KINDS)} (.csv หรือ .xlsx)",
        )


@dataclass
class Row:
    """One instance with what its records say for each report column."""

    inst: Instance
    definition: Definition
    area: Area | None
    district: Area | None
    values: dict[ReportColumn, ColumnValue] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)

    def value(self, column: ReportColumn) -> Any:
        found = self.values.get(column)
        return None if found is None else found.value


@dataclass
class Sheet:
    name: str
    title: str
    subtitle: str
    columns: list[str]
    rows: list[list[Any]]
    totals: list[Any] | None = None


Getter = Callable[[Row, "Ctx"], Any]


@dataclass(frozen=True)
class Ctx:
    lang: str
    now: datetime
    roles: Mapping[str, Role]

    def pick(self, th: str, en: str) -> str:
        return th if self.lang == "th" else en

    def date(self, value: date | datetime | None) -> str:
        return "" if value is None else format_date(value, "full", lang=self.lang)


@dataclass(frozen=True)
class Column:
    id: ReportColumn | SheetColumn
    title: Text
    get: Getter


def _name(area: Area | None, ctx: Ctx) -> str:
    if area is None:
        return ""
    return area.name_th if ctx.lang == "th" else (area.name_en or area.name_th)


def _status(row: Row, ctx: Ctx) -> str:
    inst = row.inst
    if inst.completed_at is not None:
        return ctx.pick("เสร็จสิ้น", "done")
    late = days_late(inst.due_at, ctx.now)
    if late:
        return ctx.pick(f"เกินกำหนด {late} วัน", f"{late} days late")
    return ctx.pick("กำลังดำเนินการ", "in progress")


def _read(column: ReportColumn, th: str, en: str) -> Column:
    """A column read from the records: a date in BE, a list joined, else the value."""

    def get(r: Row, c: Ctx) -> Any:
        value = r.value(column)
        if column.is_date:
            return c.date(value)
        return ", ".join(map(str, value)) if isinstance(value, list) else value

    return Column(column, Text(th, en), get)


def _fixed(column: SheetColumn, th: str, en: str, get: Getter) -> Column:
    return Column(column, Text(th, en), get)


COMMON_HEAD = [
    _fixed(SheetColumn.DISTRICT, "อำเภอ", "District", lambda r, c: _name(r.district, c)),
    _fixed(SheetColumn.TAMBON, "ตำบล", "Tambon", lambda r, c: _name(r.area, c)),
    _fixed(SheetColumn.TAMBON_CODE, "รหัสตำบล", "Tambon code", lambda r, c: r.inst.area_code),
]
COMMON_TAIL = [
    _read(ReportColumn.BPM_DATE, "บันทึกในระบบ BPM", "Recorded in BPM"),
    _read(ReportColumn.REPORT_DATE, "ส่งรายงาน", "Report submitted"),
    _fixed(
        SheetColumn.STEP,
        "ขั้นปัจจุบัน",
        "Current step",
        lambda r, c: r.definition.state(r.inst.state).label.pick(c.lang),
    ),
    _fixed(SheetColumn.STATUS, "สถานะ", "Status", _status),
]
ALLOCATION = _fixed(
    SheetColumn.ALLOCATION,
    "งบประมาณ (บาท)",
    "Allocation (baht)",
    lambda r, c: r.definition.allocation,
)
SPENT = _read(ReportColumn.SPENT, "เบิกจ่าย (บาท)", "Spent (baht)")

COLUMNS: dict[str, list[Column]] = {
    "activity2": [
        *COMMON_HEAD,
        _read(ReportColumn.WORKSHOP_DATE, "วันที่จัดประชุมเชิงปฏิบัติการ", "Workshop date"),
        _read(ReportColumn.PARTICIPANTS, "ผู้เข้าร่วม (คน)", "Participants"),
        _fixed(
            SheetColumn.PARTICIPANT_TARGET,
            "เป้าหมายผู้เข้าร่วม (คน)",
            "Participant target",
            lambda r, c: (
                r.definition.participants.per_unit_min if r.definition.participants else None
            ),
        ),
        ALLOCATION,
        SPENT,
        _read(ReportColumn.EVALUATED_AT, "ประเมินผลแผนพัฒนาตำบล", "Tambon plan evaluated"),
        *COMMON_TAIL,
    ],
    "activity3": [
        *COMMON_HEAD,
        _read(ReportColumn.PROJECT, "กิจกรรม/โครงการที่ขับเคลื่อน", "Activities/projects"),
        _read(ReportColumn.SPENDING_CATEGORIES, "หมวดรายจ่าย", "Spending categories"),
        _read(ReportColumn.PARTICIPANTS, "ผู้เข้าร่วมประชาคม (คน)", "Forum participants"),
        _read(ReportColumn.PROJECT_DATE, "วันที่ดำเนินโครงการ", "Project carried out"),
        ALLOCATION,
        SPENT,
        *COMMON_TAIL,
    ],
    "bpm": [
        _fixed(
            SheetColumn.FISCAL_YEAR, "ปีงบประมาณ", "Fiscal year", lambda r, c: r.inst.fiscal_year
        ),
        _fixed(SheetColumn.RECORD_KEY, "รหัสรายการ", "Record key", lambda r, c: r.inst.key),
        _fixed(
            SheetColumn.ACTIVITY,
            "โครงการ/กิจกรรม",
            "Project/activity",
            lambda r, c: r.definition.title.pick(c.lang),
        ),
        _fixed(SheetColumn.UNIT, "หน่วยดำเนินการ", "Spending unit", lambda r, c: _unit(r, c)),
        _fixed(SheetColumn.AREA_CODE, "รหัสพื้นที่", "Area code", lambda r, c: r.inst.area_code),
        _fixed(SheetColumn.AREA, "พื้นที่", "Area", lambda r, c: _name(r.area, c)),
        ALLOCATION,
        SPENT,
        _fixed(
            SheetColumn.REMAINING, "คงเหลือ (บาท)", "Remaining (baht)", lambda r, c: _remaining(r)
        ),
        _read(ReportColumn.PARTICIPANTS, "ผู้เข้าร่วม (คน)", "Participants"),
        _read(ReportColumn.BPM_DATE, "วันที่บันทึก BPM", "Recorded in BPM on"),
        _fixed(
            SheetColumn.INDICATOR,
            "ตัวชี้วัด",
            "Indicator",
            lambda r, c: r.definition.kpi.label.pick(c.lang) if r.definition.kpi else "",
        ),
        _fixed(
            SheetColumn.EVIDENCE,
            "หลักฐาน (SHA-256)",
            "Evidence (SHA-256)",
            lambda r, c: " ".join(dict.fromkeys(r.evidence)),
        ),
        _fixed(SheetColumn.STATUS, "สถานะ", "Status", _status),
    ],
}
SUMMED = frozenset(
    {ReportColumn.PARTICIPANTS, ReportColumn.SPENT, SheetColumn.ALLOCATION, SheetColumn.REMAINING}
)


def _unit(r: Row, c: Ctx) -> str:
    """The spending unit: the process's lead role, in the instance's district (or area)."""
    lead = r.definition.lead_role
    role = c.roles[lead].label.pick(c.lang) if lead in c.roles else lead
    return f"{role} {_name(r.district or r.area, c)}".strip()


def _remaining(r: Row) -> int | None:
    spent = r.value(ReportColumn.SPENT)
    allocation = r.definition.allocation
    return allocation - spent if allocation is not None and isinstance(spent, int) else None


def _load(db: sa.Engine, catalog: Catalog, process: str, fy: int, area: AreaFilter) -> list[Row]:
    where = [Instance.fiscal_year == fy, Instance.definition_id == process, *area.clauses()]
    with Session(db) as session:
        insts = session.exec(select(Instance).where(*where).order_by(Instance.area_code)).all()
        ids = [i.id for i in insts]
        codes = {i.area_code for i in insts} | {i.district_code for i in insts if i.district_code}
        areas = {a.code: a for a in session.exec(select(Area).where(col(Area.code).in_(codes)))}
        records = session.exec(
            select(TransitionRecord)
            .where(col(TransitionRecord.instance_id).in_(ids))
            .order_by(TransitionRecord.instance_id, TransitionRecord.seq)
        ).all()
    rows = {
        i.id: Row(
            i,
            catalog.get(i.definition_id, i.definition_version),
            areas.get(i.area_code),
            areas.get(i.district_code or ""),
        )
        for i in insts
    }
    chains: dict[int, list[TransitionRecord]] = {i.id: [] for i in insts}
    for rec in records:
        chains[rec.instance_id].append(rec)
        rows[rec.instance_id].evidence.extend(rec.evidence)
    for inst in insts:
        chain = chains[inst.id]
        rows[inst.id].values = report_values(catalog, process, inst.definition_version, chain)
    return list(rows.values())


def _check(kind: str, process: str | None, catalog: Catalog) -> str:
    if kind not in KINDS:
        raise UnknownExport(kind)
    chosen = process or ("activity2" if kind == "bpm" else kind)
    ids = [d.id for d in budgeted(catalog)]
    if chosen not in ids or (kind != "bpm" and chosen != kind):
        raise BadStepInput(
            f"a BPM export is for a budgeted activity ({', '.join(ids)}), not {chosen!r}",
            f"รายงาน BPM ใช้กับกิจกรรมที่มีงบประมาณ ({', '.join(ids)}) ไม่ใช่ {chosen!r}",
        )
    return chosen


def build_sheet(
    db: sa.Engine,
    catalog: Catalog,
    kind: str,
    fy: int,
    area_code: str,
    area_name: str,
    now: datetime,
    lang: str = "th",
    process: str | None = None,
) -> Sheet:
    """The sheet ``kind`` (activity2, activity3 or bpm of ``process``) for one area."""
    chosen = _check(kind, process, catalog)
    ctx = Ctx(lang, now, catalog.roles)
    flt = AreaFilter.of(area_code) if area_code else AreaFilter()
    rows = _load(db, catalog, chosen, fy, flt)
    spec = COLUMNS[kind]
    body = [[n, *(column.get(r, ctx) for column in spec)] for n, r in enumerate(rows, 1)]
    definition = catalog.get(chosen)
    heads = [ctx.pick("ลำดับ", "No."), *(column.title.pick(lang) for column in spec)]
    return Sheet(
        name=f"{kind}-{fy}",
        title=(ctx.pick("บันทึก BPM: ", "BPM record: ") if kind == "bpm" else "")
        + definition.title.pick(lang),
        subtitle=ctx.pick(
            f"{area_name} ปีงบประมาณ {fy} ข้อมูล ณ {ctx.date(now)}",
            f"{area_name}, fiscal year {fy}, as of {ctx.date(now)}",
        ),
        columns=heads,
        rows=body,
        totals=_totals(spec, rows, body, ctx),
    )


def _totals(spec: list[Column], rows: list[Row], body: list[list[Any]], ctx: Ctx) -> list[Any]:
    out: list[Any] = [ctx.pick("รวม", "Total")]
    for i, column in enumerate(spec, 1):
        if column.id in SUMMED:
            out.append(sum(v for line in body if isinstance(v := line[i], int)))
        elif column.id == SheetColumn.STATUS:
            done = sum(1 for r in rows if r.inst.completed_at is not None)
            out.append(ctx.pick(f"เสร็จ {done}/{len(rows)}", f"done {done}/{len(rows)}"))
        else:
            out.append(None)
    return out
