"""The reporting sheets: what the province's shared sheet asks for Activity 2 (report
no. 1, by 31 March) and Activity 3 (report no. 2, by 31 July), one row per tambon by
district; and the fields a BPM (Budget and Project Management) record needs, one row per
instance of a budgeted activity. Values come from the instances' transition records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, Definition, Role, Text
from plancycle.store.models import Area, Instance, TransitionRecord
from plancycle.thai.dates import format_date
from plancycle.workflow.errors import BadStepInput, WorkflowError
from plancycle.workflow.overdue import days_late
from plancycle.workflow.reports import AreaFilter

__all__ = ["KINDS", "Row", "Sheet", "UnknownExport", "build_sheet"]

KINDS = ("activity2", "activity3", "bpm")
BUDGETED = ("activity1", "activity2", "activity3")


class UnknownExport(WorkflowError, LookupError):
    exit_code = 3

    def __init__(self, kind: str) -> None:
        super().__init__(
            f"no export {kind!r}; exports: {', '.join(KINDS)} (as .csv or .xlsx)",
            f"ไม่มีรายงาน {kind!r}; รายงานที่มี: {', '.join(KINDS)} (.csv หรือ .xlsx)",
        )


@dataclass
class Row:
    """One instance with what its records say: merged step data and when each step was done."""

    inst: Instance
    definition: Definition
    area: Area | None
    district: Area | None
    data: dict[str, Any] = field(default_factory=dict)
    done_at: dict[str, datetime] = field(default_factory=dict)  # trigger -> when
    evidence: list[str] = field(default_factory=list)


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

    def date(self, value: datetime | str | None) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            return format_date(datetime.fromisoformat(value).date(), "full", lang=self.lang)
        return format_date(value, "full", lang=self.lang)


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


def _when(trigger: str) -> Getter:
    return lambda r, c: c.date(r.done_at.get(trigger))


def _data(name: str) -> Getter:
    def get(r: Row, c: Ctx) -> Any:
        value = r.data.get(name)
        return ", ".join(map(str, value)) if isinstance(value, list) else value

    return get


def _workshop_date(r: Row, c: Ctx) -> str:
    return c.date(r.data.get("meeting_date") or r.done_at.get("workshop_held"))


COMMON_HEAD: list[tuple[Text, Getter]] = [
    (Text("อำเภอ", "District"), lambda r, c: _name(r.district, c)),
    (Text("ตำบล", "Tambon"), lambda r, c: _name(r.area, c)),
    (Text("รหัสตำบล", "Tambon code"), lambda r, c: r.inst.area_code),
]
COMMON_TAIL: list[tuple[Text, Getter]] = [
    (Text("บันทึกในระบบ BPM", "Recorded in BPM"), _when("bpm_recorded")),
    (Text("ส่งรายงาน", "Report submitted"), _when("report_submitted")),
    (
        Text("ขั้นปัจจุบัน", "Current step"),
        lambda r, c: r.definition.state(r.inst.state).label.pick(c.lang),
    ),
    (Text("สถานะ", "Status"), _status),
]
ALLOCATION = (Text("งบประมาณ (บาท)", "Allocation (baht)"), lambda r, c: r.definition.allocation)
SPENT = (Text("เบิกจ่าย (บาท)", "Spent (baht)"), _data("spent"))

COLUMNS: dict[str, list[tuple[Text, Getter]]] = {
    "activity2": [
        *COMMON_HEAD,
        (Text("วันที่จัดประชุมเชิงปฏิบัติการ", "Workshop date"), _workshop_date),
        (Text("ผู้เข้าร่วม (คน)", "Participants"), _data("participants")),
        (
            Text("เป้าหมายผู้เข้าร่วม (คน)", "Participant target"),
            lambda r, c: (
                r.definition.participants.per_unit_min if r.definition.participants else None
            ),
        ),
        ALLOCATION,
        SPENT,
        (Text("ประเมินผลแผนพัฒนาตำบล", "Tambon plan evaluated"), _when("evaluated")),
        *COMMON_TAIL,
    ],
    "activity3": [
        *COMMON_HEAD,
        (Text("กิจกรรม/โครงการที่ขับเคลื่อน", "Activities/projects"), _data("project_description")),
        (Text("หมวดรายจ่าย", "Spending categories"), _data("purchase_categories")),
        (Text("ผู้เข้าร่วมประชาคม (คน)", "Forum participants"), _data("participants")),
        (Text("วันที่ดำเนินโครงการ", "Project carried out"), _when("project_run")),
        ALLOCATION,
        SPENT,
        *COMMON_TAIL,
    ],
    "bpm": [
        (Text("ปีงบประมาณ", "Fiscal year"), lambda r, c: r.inst.fiscal_year),
        (Text("รหัสรายการ", "Record key"), lambda r, c: r.inst.key),
        (Text("โครงการ/กิจกรรม", "Project/activity"), lambda r, c: r.definition.title.pick(c.lang)),
        (Text("หน่วยดำเนินการ", "Spending unit"), lambda r, c: _unit(r, c)),
        (Text("รหัสพื้นที่", "Area code"), lambda r, c: r.inst.area_code),
        (Text("พื้นที่", "Area"), lambda r, c: _name(r.area, c)),
        ALLOCATION,
        SPENT,
        (Text("คงเหลือ (บาท)", "Remaining (baht)"), lambda r, c: _remaining(r)),
        (Text("ผู้เข้าร่วม (คน)", "Participants"), _data("participants")),
        (Text("วันที่บันทึก BPM", "Recorded in BPM on"), _when("bpm_recorded")),
        (
            Text("ตัวชี้วัด", "Indicator"),
            lambda r, c: r.definition.kpi.label.pick(c.lang) if r.definition.kpi else "",
        ),
        (
            Text("หลักฐาน (SHA-256)", "Evidence (SHA-256)"),
            lambda r, c: " ".join(dict.fromkeys(r.evidence)),
        ),
        (Text("สถานะ", "Status"), _status),
    ],
}
SUMMED = {"Participants", "Allocation (baht)", "Spent (baht)", "Remaining (baht)"}


def _unit(r: Row, c: Ctx) -> str:
    """The spending unit: the process's lead role, in the instance's district (or area)."""
    lead = r.definition.lead_role
    role = c.roles[lead].label.pick(c.lang) if lead in c.roles else lead
    return f"{role} {_name(r.district or r.area, c)}".strip()


def _remaining(r: Row) -> int | None:
    spent = r.data.get("spent")
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
    for rec in records:
        row = rows[rec.instance_id]
        row.data.update(rec.data or {})
        row.done_at[rec.trigger] = rec.at
        row.evidence.extend(rec.evidence)
    return list(rows.values())


def _check(kind: str, process: str | None) -> str:
    if kind not in KINDS:
        raise UnknownExport(kind)
    chosen = process or ("activity2" if kind == "bpm" else kind)
    if chosen not in BUDGETED or (kind != "bpm" and chosen != kind):
        raise BadStepInput(
            f"a BPM export is for a budgeted activity ({', '.join(BUDGETED)}), not {chosen!r}",
            f"รายงาน BPM ใช้กับกิจกรรมที่มีงบประมาณ ({', '.join(BUDGETED)}) ไม่ใช่ {chosen!r}",
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
    chosen = _check(kind, process)
    ctx = Ctx(lang, now, catalog.roles)
    flt = AreaFilter.of(area_code) if area_code else AreaFilter()
    rows = _load(db, catalog, chosen, fy, flt)
    spec = COLUMNS[kind]
    body = [[n, *(get(r, ctx) for _, get in spec)] for n, r in enumerate(rows, 1)]
    definition = catalog.get(chosen)
    heads = [ctx.pick("ลำดับ", "No."), *(t.pick(lang) for t, _ in spec)]
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


def _totals(
    spec: list[tuple[Text, Getter]], rows: list[Row], body: list[list[Any]], ctx: Ctx
) -> list[Any]:
    out: list[Any] = [ctx.pick("รวม", "Total")]
    for i, (text, _) in enumerate(spec, 1):
        if text.en in SUMMED:
            out.append(sum(v for line in body if isinstance(v := line[i], int)))
        elif text.en == "Status":
            done = sum(1 for r in rows if r.inst.completed_at is not None)
            out.append(ctx.pick(f"เสร็จ {done}/{len(rows)}", f"done {done}/{len(rows)}"))
        else:
            out.append(None)
    return out
