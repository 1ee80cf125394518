"""The letter's provincial reports as documents: no. 1 (Activity 2, due 31 March) and
no. 2 (Activity 3, due 31 July), in the layout of a Thai memo (บันทึกข้อความ). Every
figure comes from the reporting sheet (:mod:`plancycle.web.sheets`) and the area's
roll-up and KPI (:mod:`plancycle.workflow.rollup`); numbers and dates in Thai digits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from plancycle.definitions.describe import deadline_text
from plancycle.definitions.model import Catalog, ReportColumn
from plancycle.thai.areacode import AreaLevel, level_of
from plancycle.thai.dates import format_date
from plancycle.thai.digits import to_thai_digits
from plancycle.thai.fiscal import to_bangkok
from plancycle.web.areas_view import area_view
from plancycle.web.sheet_columns import COLUMNS, SheetColumn
from plancycle.web.sheets import build_sheet
from plancycle.workflow.errors import BadStepInput, WorkflowError
from plancycle.workflow.rollup import area_rollup
from plancycle.workflow.years import choose_year

__all__ = ["REPORTS", "NoCycle", "ReportDocument", "report_document"]

# the letter's numbering of the two reports it asks the province for
REPORTS = {"activity2": 1, "activity3": 2}
REPORT_STATE = "report"  # the step whose deadline is the report's
# the sheet columns the document's table shows, in order
_TABLE = (
    SheetColumn.DISTRICT,
    SheetColumn.TAMBON,
    SheetColumn.ALLOCATION,
    ReportColumn.SPENT,
    SheetColumn.STATUS,
)


_LEVEL_WORD: dict[AreaLevel | None, str] = {
    AreaLevel.PROVINCE: "จังหวัด",
    AreaLevel.DISTRICT: "อำเภอ",
    AreaLevel.TAMBON: "ตำบล",
}


class NoCycle(WorkflowError, LookupError):
    exit_code = 3

    def __init__(self, year: int, existing: tuple[int, ...]) -> None:
        years = ", ".join(map(str, existing)) or "-"
        super().__init__(
            f"fiscal year {year} has no cycle (cycles: {years}); give --fy of one of them",
            f"ปีงบประมาณ {year} ยังไม่มีรอบงาน (มีปี {years}); ระบุ --fy เป็นปีที่มี",
        )


@dataclass(frozen=True)
class ReportDocument:
    """What the memo says, in Thai, numbers already in Thai digits."""

    kind: str
    heading: str
    office: str
    ref: str
    date: str
    subject: str
    to: str
    paragraphs: list[str]
    columns: list[str]
    rows: list[list[str]]
    totals: list[str]
    signature: list[str]
    filename: str
    area_code: str = ""
    fiscal_year: int = 0


def _th(value: object) -> str:
    if value is None or value == "":
        return "-"
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return to_thai_digits(text)


def report_document(
    db: sa.Engine, catalog: Catalog, kind: str, fy: int | None, code: str, now: datetime
) -> ReportDocument:
    """Report no. 1 (``activity2``) or no. 2 (``activity3``) of the area ``code``."""
    if kind not in REPORTS:
        raise BadStepInput(
            f"no report {kind!r}; reports: {', '.join(REPORTS)}",
            f"ไม่มีรายงาน {kind!r}; รายงานที่มี: {', '.join(REPORTS)}",
        )
    view = area_view(db, code)  # UnknownArea for a code not in the store
    choice = choose_year(db, fy, now)
    if choice.year not in choice.existing:
        raise NoCycle(choice.year, tuple(choice.existing))
    year, name = choice.year, view.area.name_th
    defn = catalog.get(kind)
    sheet = build_sheet(db, catalog, kind, year, view.area.code, name, now, "th")
    ids = [c.id for c in COLUMNS[kind]]
    picks = [ids.index(c) + 1 for c in _TABLE]  # +1: the sheet's first column is ลำดับ
    rows = [[_th(r[0]), *(_th(r[i]) for i in picks)] for r in sheet.rows]
    totals = sheet.total_values()
    total_row = ["", "รวม", "", *(_th(totals[i]) for i in picks[2:])]
    ps = next(
        (
            p
            for p in area_rollup(db, catalog, year, view.area.code, now).processes
            if p.process == kind
        ),
        None,
    )
    due = ", ".join(deadline_text(d, defn, "th") for d in defn.state(REPORT_STATE).due)
    number = REPORTS[kind]
    paragraphs = [
        f"ตามที่กรมการพัฒนาชุมชนกำหนดให้จังหวัดรายงานผลการดำเนินงาน{defn.title.th} "
        f"(รายงานครั้งที่ {number}) ภายในวันที่ {due} {year} นั้น",
        f"{name} ขอรายงานผลการดำเนินงาน ปีงบประมาณ {year} ข้อมูล ณ วันที่ {format_date(to_bangkok(now).date(), 'full')} ดังนี้",
    ]
    if ps is not None:
        paragraphs.append(
            f"๑. เป้าหมาย {ps.total:,} แห่ง ดำเนินการเสร็จสิ้น {ps.done:,} แห่ง "
            f"(ร้อยละ {ps.percent_done:.1f}) เกินกำหนด {ps.overdue:,} แห่ง"
        )
        kpi = ps.kpi()
        if kpi is not None:
            paragraphs.append(
                f"๒. ตัวชี้วัด: {kpi['label_th']} ผลการดำเนินงาน {kpi['achieved']:,} จาก "
                f"{kpi['counted']:,} (ร้อยละ {kpi['actual_percent']:.1f}) เป้าหมายร้อยละ "
                f"{kpi['target_percent']:g} ({'บรรลุ' if kpi['met'] else 'ยังไม่บรรลุ'})"
            )
    paragraphs.append(
        f"๓. งบประมาณที่ได้รับจัดสรร {total_row[3]} บาท เบิกจ่ายแล้ว {total_row[4]} บาท "
        f"รายละเอียดตามตารางแนบ"
    )
    paragraphs.append("จึงเรียนมาเพื่อโปรดทราบ")
    return ReportDocument(
        kind=kind,
        heading="บันทึกข้อความ",
        office=f"สำนักงานพัฒนาชุมชน{_LEVEL_WORD.get(level_of(view.area.code), '')}{name}",
        ref="ที่ ........................",
        date=_th(format_date(to_bangkok(now).date(), "full")),
        subject=_th(f"รายงานผลการดำเนินงาน{defn.title.th} (รายงานครั้งที่ {number})"),
        to="อธิบดีกรมการพัฒนาชุมชน",
        paragraphs=[_th(p) for p in paragraphs],
        columns=["ลำดับ", *(sheet.columns[i] for i in picks)],
        rows=rows,
        totals=total_row,
        signature=[
            "(ลงชื่อ) ........................................",
            "(........................................)",
            "ตำแหน่ง ........................................",
        ],
        area_code=view.area.code,
        fiscal_year=year,
        filename=f"report{number}-{kind}-{year}-{view.area.code or 'th'}",
    )
