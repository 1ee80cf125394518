"""The reporting sheets: what the province's shared sheet asks for Activity 2 (report
no. 1, by 31 March) and Activity 3 (report no. 2, by 31 July), one row per tambon by
district; and the fields a BPM (Budget and Project Management) record needs, one row per
instance of a budgeted activity. Values come from the instances' transition records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, Definition, required
from plancycle.store.models import Area, DeadlineExtension, Instance, TransitionRecord
from plancycle.thai.fiscal import bangkok_date
from plancycle.web.sheet_columns import (
    DONE,
    SUMMED,
    Column,
    Ctx,
    Row,
    SheetColumn,
    columns_for,
)
from plancycle.workflow.errors import BadStepInput, WorkflowError
from plancycle.workflow.extensions import governing
from plancycle.workflow.report_values import report_values
from plancycle.workflow.reports import AreaFilter

__all__ = [
    "BPM",
    "SUMMARY",
    "Column",
    "Row",
    "Sheet",
    "SheetColumn",
    "Total",
    "UnknownExport",
    "budgeted",
    "build_sheet",
    "export_kinds",
]

BPM = "bpm"  # the fields of a BPM record, of one budgeted process
SUMMARY = "summary"  # one row per district: each process's progress and KPI


def export_kinds(catalog: Catalog) -> list[str]:
    """What can be exported: each process (by id), ``bpm`` and ``summary``."""
    return [*(d.id for d in catalog.latest()), BPM, SUMMARY]


def budgeted(catalog: Catalog) -> tuple[Definition, ...]:
    """The processes with a budget (newest versions): those a BPM record is kept for."""
    return tuple(d for d in catalog.latest() if d.budget is not None)


class UnknownExport(WorkflowError, LookupError):
    exit_code = 3

    def __init__(self, kind: str, kinds: list[str]) -> None:
        super().__init__(
            f"no export {kind!r}; exports: {', '.join(kinds)} (as .csv or .xlsx)",
            f"ไม่มีรายงาน {kind!r}; รายงานที่มี: {', '.join(kinds)} (.csv หรือ .xlsx)",
        )


class Total(StrEnum):
    """What the totals row holds under a column (a formula over the column's cells)."""

    SUM = "sum"  # =SUM(...)
    COUNT_DONE = "count_done"  # =COUNTIF(..., the word for done)


@dataclass
class Sheet:
    """An export as rows of typed cells: text, numbers, and days (:class:`date`), which a
    CSV writes as text in BE and an XLSX as date cells shown in BE."""

    name: str
    title: str
    area: str  # the area's name, for the title row
    columns: list[str]
    rows: list[list[Any]]
    lang: str = "th"
    made: date | None = None  # the day the sheet was made (Bangkok)
    totals: list[Total | None] | None = None  # per column, the first column the label
    total_label: str = ""
    done_word: str = ""  # what the status column says of a done instance
    groups: list[tuple[str, int]] | None = None  # a header row above: (title, columns)

    @property
    def subtitle(self) -> str:
        return self.area

    def total_values(self) -> list[Any]:
        """What the totals row's formulas give, computed from the rows (for a document
        that shows the figures, not the formulas): a sum, "เสร็จ 3/11", or None."""
        out: list[Any] = []
        for i, total in enumerate(self.totals or []):
            cells = [line[i] for line in self.rows]
            if total == Total.SUM:
                out.append(sum(v for v in cells if isinstance(v, int | float)))
            elif total == Total.COUNT_DONE:
                done = sum(1 for v in cells if v == self.done_word)
                word = "เสร็จ" if self.lang == "th" else "done"
                out.append(f"{word} {done}/{len(cells)}")
            else:
                out.append(None)
        return out


def _load(db: sa.Engine, catalog: Catalog, process: str, fy: int, area: AreaFilter) -> list[Row]:
    where = [
        col(Instance.fiscal_year) == fy,
        col(Instance.definition_id) == process,
        *area.clauses(),
    ]
    with Session(db) as session:
        insts = session.exec(select(Instance).where(*where).order_by(col(Instance.area_code))).all()
        ids = [required(i.id, "instance id") for i in insts]
        codes = {i.area_code for i in insts} | {i.district_code for i in insts if i.district_code}
        areas = {a.code: a for a in session.exec(select(Area).where(col(Area.code).in_(codes)))}
        records = session.exec(
            select(TransitionRecord)
            .where(col(TransitionRecord.instance_id).in_(ids))
            .order_by(col(TransitionRecord.instance_id), col(TransitionRecord.seq))
        ).all()
    rows = {
        required(i.id, "instance id"): Row(
            i,
            catalog.get(i.definition_id, i.definition_version),
            areas.get(i.area_code),
            areas.get(i.district_code or ""),
        )
        for i in insts
    }
    chains: dict[int, list[TransitionRecord]] = {required(i.id, "instance id"): [] for i in insts}
    for rec in records:
        chains[rec.instance_id].append(rec)
        rows[rec.instance_id].evidence.extend(rec.evidence)
    for inst in insts:
        chain = chains[required(inst.id, "instance id")]
        rows[required(inst.id, "instance id")].values = report_values(
            catalog, process, inst.definition_version, chain
        )
    _mark_extended(db, fy, process, list(rows.values()))
    return list(rows.values())


def _mark_extended(db: sa.Engine, fy: int, process: str, rows: list[Row]) -> None:
    """Flag the rows whose current step's deadline an extension set (the one rule,
    ``workflow/extensions.py``, names the extension that decides it)."""
    with Session(db) as session:
        found = session.exec(
            select(DeadlineExtension).where(
                col(DeadlineExtension.fiscal_year) == fy,
                col(DeadlineExtension.definition_id) == process,
            )
        ).all()
    by_state: dict[str, list[DeadlineExtension]] = {}
    for ext in found:
        by_state.setdefault(ext.state, []).append(ext)
    for row in rows:
        inst = row.inst
        chosen = governing(by_state.get(inst.state, []), inst.key, inst.area_code)
        row.extended = (
            chosen is not None and inst.completed_at is None and inst.due_at == chosen.until
        )


def _check(kind: str, process: str | None, catalog: Catalog) -> str:
    kinds = export_kinds(catalog)
    if kind not in kinds or kind == SUMMARY:
        raise UnknownExport(kind, kinds)
    if kind != BPM and process not in (None, kind):
        raise BadStepInput(
            f"the {kind} sheet is the sheet of process {kind}; leave out process={process} "
            f"(process chooses the activity of a bpm export only)",
            f"รายงาน {kind} เป็นของกระบวนการ {kind}; ไม่ต้องระบุ process={process} "
            f"(process ใช้เลือกกิจกรรมของรายงาน bpm เท่านั้น)",
        )
    if kind != BPM:
        return kind
    chosen = process or "activity2"
    ids = [d.id for d in budgeted(catalog)]
    if chosen not in ids:
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
    """The sheet ``kind`` (a process id, or bpm of ``process``) for one area."""
    chosen = _check(kind, process, catalog)
    ctx = Ctx(lang, now, catalog.roles)
    flt = AreaFilter.of(area_code) if area_code else AreaFilter()
    rows = _load(db, catalog, chosen, fy, flt)
    spec = columns_for(kind)
    body = [[n, *(column.get(r, ctx) for column in spec)] for n, r in enumerate(rows, 1)]
    definition = catalog.get(chosen)
    heads = [ctx.pick("ลำดับ", "No."), *(column.title.pick(lang) for column in spec)]
    return Sheet(
        name=f"{kind}-{fy}",
        title=(ctx.pick("บันทึก BPM: ", "BPM record: ") if kind == BPM else "")
        + definition.title.pick(lang),
        area=ctx.pick(f"{area_name} ปีงบประมาณ {fy}", f"{area_name}, fiscal year {fy}"),
        columns=heads,
        rows=body,
        lang=lang,
        made=bangkok_date(now),
        totals=[None, *(_total(column) for column in spec)],
        total_label=ctx.pick("รวม", "Total"),
        done_word=ctx.pick(*DONE),
    )


def _total(column: Column) -> Total | None:
    if column.id in SUMMED:
        return Total.SUM
    if column.id == SheetColumn.STATUS:
        return Total.COUNT_DONE
    return None
