"""The columns of the reporting sheets: each has an id (a :class:`ReportColumn` that the
definitions fill from the records, or a :class:`SheetColumn` computed here), a title in
Thai and English, and how a row gives its value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from plancycle.definitions.model import Definition, ReportColumn, Role, Text
from plancycle.definitions.row_kinds import RowKind
from plancycle.definitions.rows import rows_text
from plancycle.store.models import Area, Instance
from plancycle.thai.dates import format_date
from plancycle.thai.fiscal import bangkok_date
from plancycle.workflow.overdue import days_late
from plancycle.workflow.report_values import ColumnValue

__all__ = ["COLUMNS", "DONE", "SUMMED", "Column", "Ctx", "Row", "SheetColumn", "columns_for"]


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
    DUE = "due"  # the current step's deadline, extensions applied
    EXTENDED = "extended"  # whether an extension set it
    FISCAL_YEAR = "fiscal_year"
    RECORD_KEY = "record_key"
    ACTIVITY = "activity"
    UNIT = "unit"
    AREA_CODE = "area_code"
    AREA = "area"
    INDICATOR = "indicator"
    EVIDENCE = "evidence"
    COMPLETED = "completed"
    DATE_SOURCE = "date_source"  # whether the date beside it was entered or recorded


@dataclass
class Row:
    """One instance with what its records say for each report column."""

    inst: Instance
    definition: Definition
    area: Area | None
    district: Area | None
    values: dict[ReportColumn, ColumnValue] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    extended: bool = False  # the current step's deadline is an extension's

    def value(self, column: ReportColumn) -> Any:
        found = self.values.get(column)
        return None if found is None else found.value


Getter = Callable[[Row, "Ctx"], Any]


@dataclass(frozen=True)
class Ctx:
    lang: str
    now: datetime
    roles: Mapping[str, Role]

    def pick(self, th: str, en: str) -> str:
        return th if self.lang == "th" else en

    def date(self, value: date | datetime | str | None) -> str:
        """A day in BE; text (a stored value that names no day) as it is."""
        if value is None or isinstance(value, str):
            return value or ""
        return format_date(value, "full", lang=self.lang)


@dataclass(frozen=True)
class Column:
    id: ReportColumn | SheetColumn
    title: Text
    get: Getter


def _name(area: Area | None, ctx: Ctx) -> str:
    if area is None:
        return ""
    return area.name_th if ctx.lang == "th" else (area.name_en or area.name_th)


#: What the status column says of a done instance (Thai, English): the totals row counts it.
DONE = ("เสร็จสิ้น", "done")


def _status(row: Row, ctx: Ctx) -> str:
    inst = row.inst
    if inst.completed_at is not None:
        return ctx.pick(*DONE)
    late = days_late(inst.due_at, ctx.now)
    if late:
        return ctx.pick(f"เกินกำหนด {late} วัน", f"{late} days late")
    return ctx.pick("กำลังดำเนินการ", "in progress")


def _day(value: Any) -> date | str | None:
    """A date cell: a day (a record's time read in Bangkok), or text that names no day."""
    if isinstance(value, date):
        return bangkok_date(value)
    return value or None


def _read(column: ReportColumn, th: str, en: str) -> Column:
    """A column read from the records: a day, a list joined, else the value."""

    def get(r: Row, c: Ctx) -> Any:
        value = r.value(column)
        if column.is_date:
            return _day(value)
        if column.data_type in set(RowKind) and isinstance(value, list):
            return rows_text(RowKind(column.data_type), value, c.lang)
        if isinstance(value, bool):
            return c.pick("ใช่", "yes") if value else c.pick("ไม่", "no")
        return ", ".join(map(str, value)) if isinstance(value, list) else value

    return Column(column, Text(th, en), get)


def _source(column: ReportColumn) -> Getter:
    def get(r: Row, c: Ctx) -> str:
        found = r.values.get(column)
        if found is None:
            return ""
        return (
            c.pick("วันที่จัด", "date entered") if found.entered else c.pick("วันที่บันทึก", "date recorded")
        )

    return get


def _dated(column: ReportColumn, th: str, en: str) -> list[Column]:
    """A date column and beside it whether the day is the one entered ("วันที่จัด") or,
    none entered, the day the step was recorded ("วันที่บันทึก")."""
    return [
        _read(column, th, en),
        Column(
            SheetColumn.DATE_SOURCE,
            Text(f"{th}: ที่มา", f"{en}: source"),
            _source(column),
        ),
    ]


def _fixed(column: SheetColumn, th: str, en: str, get: Getter) -> Column:
    return Column(column, Text(th, en), get)


def _area_level(r: Row, c: Ctx) -> str:
    return _name(r.area, c)


COMMON_HEAD = [
    _fixed(SheetColumn.DISTRICT, "อำเภอ", "District", lambda r, c: _name(r.district, c)),
    _fixed(SheetColumn.TAMBON, "ตำบล", "Tambon", lambda r, c: _name(r.area, c)),
    _fixed(SheetColumn.TAMBON_CODE, "รหัสตำบล", "Tambon code", lambda r, c: r.inst.area_code),
]
AREA_HEAD = [
    _fixed(SheetColumn.DISTRICT, "อำเภอ", "District", lambda r, c: _name(r.district, c)),
    _fixed(SheetColumn.AREA, "พื้นที่", "Area", _area_level),
    _fixed(SheetColumn.AREA_CODE, "รหัสพื้นที่", "Area code", lambda r, c: r.inst.area_code),
]
STEP = _fixed(
    SheetColumn.STEP,
    "ขั้นปัจจุบัน",
    "Current step",
    lambda r, c: r.definition.state(r.inst.state).label.pick(c.lang),
)
STATUS = _fixed(SheetColumn.STATUS, "สถานะ", "Status", _status)
DUE = _fixed(
    SheetColumn.DUE,
    "กำหนดส่งขั้นปัจจุบัน",
    "Current step due",
    lambda r, c: bangkok_date(r.inst.due_at) if r.inst.due_at and not r.inst.completed_at else None,
)
EXTENDED = _fixed(
    SheetColumn.EXTENDED,
    "ขยายกำหนดเวลา",
    "Deadline extended",
    lambda r, c: c.pick("ใช่", "yes") if r.extended else c.pick("ไม่", "no"),
)
COMPLETED = _fixed(
    SheetColumn.COMPLETED,
    "วันที่บันทึกว่าเสร็จ",
    "Recorded as done on",
    lambda r, c: bangkok_date(r.inst.completed_at) if r.inst.completed_at else None,
)
PROGRESS_TAIL = [STEP, DUE, EXTENDED, COMPLETED, STATUS]
COMMON_TAIL = [
    *_dated(ReportColumn.BPM_DATE, "บันทึกในระบบ BPM", "Recorded in BPM"),
    *_dated(ReportColumn.REPORT_DATE, "ส่งรายงาน", "Report submitted"),
    *PROGRESS_TAIL,
]
ALLOCATION = _fixed(
    SheetColumn.ALLOCATION,
    "งบประมาณ (บาท)",
    "Allocation (baht)",
    lambda r, c: r.definition.allocation,
)
SPENT = _read(ReportColumn.SPENT, "เบิกจ่าย (บาท)", "Spent (baht)")
PARTICIPANTS = _read(ReportColumn.PARTICIPANTS, "ผู้เข้าร่วม (คน)", "Participants")
EVALUATED = _dated(ReportColumn.EVALUATED_AT, "วันที่ประเมินผล", "Evaluated on")

#: The columns of each export, by process id (and ``bpm``); a process not named here
#: (a definition added later) gets ``GENERIC``.
COLUMNS: dict[str, list[Column]] = {
    "orders": [*AREA_HEAD, *PROGRESS_TAIL],
    "village_plan": [
        *AREA_HEAD,
        *_dated(ReportColumn.FORUM_DATE, "วันที่จัดเวทีประชาคม", "Village forum held"),
        PARTICIPANTS,
        *EVALUATED,
        *PROGRESS_TAIL,
    ],
    "tambon_plan": [*COMMON_HEAD, *EVALUATED, *PROGRESS_TAIL],
    "district_plan": [
        *AREA_HEAD,
        *_dated(ReportColumn.PLAN_APPROVED, "วันที่อนุมัติแผนพัฒนาอำเภอ", "District plan approved"),
        *EVALUATED,
        *PROGRESS_TAIL,
    ],
    "activity1": [
        *AREA_HEAD,
        *_dated(ReportColumn.WORKSHOP_DATE, "วันที่จัดประชุมเชิงปฏิบัติการ", "Workshop date"),
        ALLOCATION,
        SPENT,
        *_dated(ReportColumn.BPM_DATE, "บันทึกในระบบ BPM", "Recorded in BPM"),
        *PROGRESS_TAIL,
    ],
    "activity2": [
        *COMMON_HEAD,
        *_dated(ReportColumn.WORKSHOP_DATE, "วันที่จัดประชุมเชิงปฏิบัติการ", "Workshop date"),
        PARTICIPANTS,
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
        *_dated(ReportColumn.EVALUATED_AT, "ประเมินผลแผนพัฒนาตำบล", "Tambon plan evaluated"),
        _read(
            ReportColumn.PLAN_USABLE,
            "แผนนำไปใช้ประโยชน์ได้ (ผลประเมิน)",
            "Plan usable (evaluation)",
        ),
        *COMMON_TAIL,
    ],
    "activity3": [
        *COMMON_HEAD,
        _read(ReportColumn.PROJECT, "กิจกรรม/โครงการที่ขับเคลื่อน", "Activities/projects"),
        _read(ReportColumn.BUDGET_LINES, "รายการงบประมาณ", "Budget lines"),
        PARTICIPANTS,
        _read(ReportColumn.PARTICIPATION, "การมีส่วนร่วมของประชาชน", "People's participation"),
        *_dated(ReportColumn.PROJECT_DATE, "วันที่ดำเนินโครงการ", "Project carried out"),
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
        PARTICIPANTS,
        *_dated(ReportColumn.BPM_DATE, "วันที่บันทึก BPM", "Recorded in BPM on"),
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
        STATUS,
    ],
}
GENERIC: list[Column] = [*AREA_HEAD, *PROGRESS_TAIL]
SUMMED = frozenset(
    {ReportColumn.PARTICIPANTS, ReportColumn.SPENT, SheetColumn.ALLOCATION, SheetColumn.REMAINING}
)


def columns_for(kind: str) -> list[Column]:
    """The columns of the export ``kind`` (a process id or ``bpm``)."""
    return COLUMNS.get(kind, GENERIC)


def _unit(r: Row, c: Ctx) -> str:
    """The spending unit: the process's lead role, in the instance's district (or area)."""
    lead = r.definition.lead_role
    role = c.roles[lead].label.pick(c.lang) if lead in c.roles else lead
    return f"{role} {_name(r.district or r.area, c)}".strip()


def _remaining(r: Row) -> int | None:
    spent = r.value(ReportColumn.SPENT)
    allocation = r.definition.allocation
    return allocation - spent if allocation is not None and isinstance(spent, int) else None
