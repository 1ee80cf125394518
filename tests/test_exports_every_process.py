"""Exports of every process and the per-district summary, from a populated Chachoengsao
store through the API: the XLSX opens, its totals are formulas that give what the rows
add up to, its days are date cells shown in BE, it prints A4 landscape with the header on
every page and ends in a signature block; the CSV starts with a byte-order mark; text that
would start a formula is quoted in both; unknown exports and areas are refused in Thai and
English; and the exports answer to the same permissions as the others."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, select

from plancycle.cli.sample import SampleStore
from plancycle.store.models import Instance
from plancycle.store.tokens import issue_token
from plancycle.web import WebSettings, create_app
from plancycle.web.sheets import Sheet, Total, export_kinds
from plancycle.web.tabular import BE_DATE, FONT, to_csv, to_xlsx
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.rollup import status
from plancycle.workflow.walk import walk
from tests.conftest import copy_sample_store
from tests.webapp import DISTRICT, PROVINCE, Web, make_web

FY = 2568
PROCESSES = (
    "activity1",
    "activity2",
    "activity3",
    "district_plan",
    "orders",
    "tambon_plan",
    "village_plan",
)
ENTERED = date(2025, 1, 15)  # the day the sample walk enters in every date field
RANGE = re.compile(r"^=(SUM|COUNTIF)\(([A-Z]+)(\d+):([A-Z]+)(\d+)(?:,\"([^\"]*)\")?\)$")


class Site:
    def __init__(self, store: SampleStore, client: TestClient, token: str) -> None:
        self.store, self.client, self.token = store, client, token

    def get(self, path: str) -> bytes:
        answer = self.client.get(path, headers={"Authorization": f"Bearer {self.token}"})
        assert answer.status_code == 200, answer.text
        return answer.content


@pytest.fixture
def site(tmp_path: Path, _sample_province: SampleStore) -> Site:
    """Chachoengsao started for FY2568, with instances of every process walked to the end
    in district 2401 and one Activity 2 instance recorded without the days entered."""
    store = copy_sample_store(_sample_province, tmp_path / "site.db")
    actors = store.actors_in("2401")
    with Session(store.engine.db) as session:
        keys = session.exec(
            select(Instance.key).where(col(Instance.district_code) == "2401").order_by(Instance.key)
        ).all()
    firsts: dict[str, list[str]] = {}
    for key in keys:
        firsts.setdefault(key.split("/")[1], []).append(key)
    for process in PROCESSES:
        for key in firsts.get(process, [])[:2]:
            walk(store.engine, key, actors, store.pdf)
    walk(store.engine, f"{FY}/activity1/24", store.actors_in("2401"), store.pdf)
    # an Activity 2 instance whose evaluation, BPM and report days were not entered
    bare = firsts["activity2"][2]
    walk(store.engine, bare, actors, store.pdf, max_steps=2)
    office = actors["district_cd_office"]
    store.engine.advance(bare, "evaluated", office, data={"plan_usable": True})
    store.engine.advance(bare, "bpm_recorded", office, data={})
    store.engine.advance(bare, "report_submitted", office, data={"spent": 3000})
    with Session(store.engine.db) as session, session.begin():
        token = issue_token(session, store.actors["24"]["provincial_cd_office"])
    settings = WebSettings(
        store.engine.db,
        store.engine.catalog,
        store.clock,
        tmp_path / "site-evidence",
        secret_key="x",
    )
    return Site(store, TestClient(create_app(settings)), token)


def _book(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return sheet


def _totals_row(ws: Worksheet) -> int:
    (row,) = [c.row for c in ws["A"] if c.value == "รวม"]
    return row


def _evaluate(ws: Worksheet, formula: str) -> float:
    """What a spreadsheet program computes for the totals row's formula."""
    m = RANGE.match(formula)
    assert m, formula
    fn, left, first, right, last, wanted = m.groups()
    assert left == right
    values = [ws[f"{left}{r}"].value for r in range(int(first), int(last) + 1)]
    if fn == "SUM":
        return sum(v for v in values if isinstance(v, int | float) and not isinstance(v, bool))
    return sum(1 for v in values if v == wanted)


def _rows(ws: Worksheet, header: int, totals: int) -> list[dict[str, Any]]:
    heads = [c.value for c in ws[header]]
    return [
        dict(zip(heads, [c.value for c in ws[r]], strict=False)) for r in range(header + 1, totals)
    ]


@pytest.mark.parametrize("kind", [*PROCESSES, "bpm", "summary"])
def test_every_export_reads_back_its_totals_and_dates(site: Site, kind: str) -> None:
    ws = _book(site.get(f"/api/v1/exports/{kind}.xlsx?area=24&fy={FY}"))
    totals = _totals_row(ws)
    rows = _rows(ws, 4, totals)
    db = site.store.engine.db
    # the title rows: the export, then the area and the day made, in BE
    assert ws["A1"].value and "ฉะเชิงเทรา ปีงบประมาณ 2568 ข้อมูล ณ" in ws["A2"].value
    assert ws["A2"].value.endswith("2568")  # 3 February 2568, the sample's clock
    formulas = {c.column_letter: c.value for c in ws[totals] if c.data_type == "f"}
    assert formulas, "a totals row of formulas"
    heads = {c.column_letter: c.value for c in ws[4]}
    for letter, formula in formulas.items():
        # over every row of the sheet, no more
        assert formula.split("(")[1].split(",")[0].rstrip(")") == f"{letter}5:{letter}{totals - 1}"
        got = _evaluate(ws, formula)
        column = [ws[f"{letter}{r}"].value for r in range(5, totals)]
        if formula.startswith("=COUNTIF"):
            assert got == sum(1 for v in column if v == "เสร็จสิ้น")
        else:
            assert got == sum(v or 0 for v in column)
    if kind == "summary":
        assert len(rows) == 11  # every district of Chachoengsao
        assert len(set(_groups(ws))) == 7  # each process's title over its columns
        # the sum of the districts' totals is what the roll-up counts district by district
        for p in status(db, site.store.engine.catalog, FY, AreaFilter(province="24"), _now(site)):
            letters = [
                letter
                for letter, title in _group_of(ws).items()
                if title == p.title_th and heads[letter] == "ทั้งหมด"
            ]
            (letter,) = letters
            in_districts = sum(
                q.total
                for d in _districts(db)
                for q in status(
                    db, site.store.engine.catalog, FY, AreaFilter(district=d), _now(site)
                )
                if q.process == p.process
            )
            assert _evaluate(ws, formulas[letter]) == in_districts
        return
    with Session(db) as session:
        process = "activity2" if kind == "bpm" else kind
        done = session.exec(
            select(Instance).where(
                col(Instance.definition_id) == process,
                col(Instance.completed_at).is_not(None),
            )
        ).all()
    status_letter = next((k for k, v in heads.items() if v == "สถานะ"), None)
    if status_letter:
        assert _evaluate(ws, formulas[status_letter]) == len(done) > 0
    # days are date cells shown with the BE year
    dated = [
        ws.cell(row=r, column=c)
        for r in range(5, totals)
        for c in range(1, ws.max_column + 1)
        if isinstance(ws.cell(row=r, column=c).value, datetime)
    ]
    assert dated, "date cells"
    assert {c.number_format for c in dated} == {BE_DATE["th"]}


def _now(site: Site) -> datetime:
    return site.store.clock.now()


def _districts(db: sa.Engine) -> list[str]:
    from plancycle.store.models import Area

    with Session(db) as session:
        return list(
            session.exec(
                select(Area.code).where(Area.level == "district", Area.province_code == "24")
            ).all()
        )


def _group_of(ws: Worksheet) -> dict[str, str]:
    """column letter -> the process title over it (row 3, merged across its columns)."""
    out: dict[str, str] = {}
    for merged in ws.merged_cells.ranges:
        if merged.min_row == 3:
            title = ws.cell(row=3, column=merged.min_col).value
            for c in range(merged.min_col, merged.max_col + 1):
                out[get_column_letter(c)] = title
    return out


def _groups(ws: Worksheet) -> list[str]:
    return [t for t in _group_of(ws).values() if t]


def test_dates_are_the_days_entered_or_say_they_are_the_record_days(site: Site) -> None:
    ws = _book(site.get(f"/api/v1/exports/activity2.xlsx?area=2401&fy={FY}"))
    rows = [r for r in _rows(ws, 4, _totals_row(ws)) if r["สถานะ"] == "เสร็จสิ้น"]
    assert len(rows) == 3
    day = "บันทึกในระบบ BPM"
    entered = [r for r in rows if r[f"{day}: ที่มา"] == "วันที่จัด"]
    recorded = [r for r in rows if r[f"{day}: ที่มา"] == "วันที่บันทึก"]
    assert len(entered) == 2 and {r[day].date() for r in entered} == {ENTERED}
    # no day entered: the day the step was recorded (the sample's clock, 3 Feb 2568)
    assert len(recorded) == 1 and recorded[0][day].date() == date(2025, 2, 3)
    for column in ("ประเมินผลแผนพัฒนาตำบล", "ส่งรายงาน"):
        assert sorted(r[f"{column}: ที่มา"] for r in rows) == ["วันที่จัด"] * 2 + ["วันที่บันทึก"]
    # the CSV writes the same days as text in BE
    text = site.get(f"/api/v1/exports/activity2.csv?area=2401&fy={FY}")
    assert text.startswith(b"\xef\xbb\xbf")
    lines = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert sorted(r[day] for r in lines if r["สถานะ"] == "เสร็จสิ้น") == [
        "15 มกราคม 2568",
        "15 มกราคม 2568",
        "3 กุมภาพันธ์ 2568",
    ]


def test_the_sheet_is_laid_out_for_printing(site: Site) -> None:
    ws = _book(site.get(f"/api/v1/exports/village_plan.xlsx?area=24&fy={FY}"))
    totals = _totals_row(ws)
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$4"  # the title and header on every page
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.freeze_panes == "B5"
    assert (
        ws.auto_filter.ref == f"A4:{ws.cell(row=4, column=ws.max_column).column_letter}{totals - 1}"
    )
    assert ws["A1"].font.name == ws["B5"].font.name == FONT
    below = [c.value for row in ws.iter_rows(min_row=totals + 1) for c in row if c.value]
    assert [v.split(" ")[0] for v in below] == [
        "ลงชื่อ",
        "(........................................)",
        "ตำแหน่ง",
        "วันที่",
    ]


def test_the_csv_of_every_export_has_a_byte_order_mark(site: Site) -> None:
    for kind in export_kinds(site.store.engine.catalog):
        body = site.get(f"/api/v1/exports/{kind}.csv?area=2401&fy={FY}")
        assert body.startswith(b"\xef\xbb\xbf"), kind
        heads = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert heads[0] == "ลำดับ"


def test_one_function_quotes_formula_text_in_both_writers() -> None:
    attacks = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]
    sheet = Sheet(
        name="t",
        title="=title",
        area="พื้นที่",
        columns=["ลำดับ", "ข้อความ", "จำนวน"],
        rows=[[n, a, -5] for n, a in enumerate(attacks, 1)],
        totals=[None, None, Total.SUM],
        total_label="รวม",
    )
    ws = _book(to_xlsx(sheet))
    formulas = [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert [c.value for c in formulas] == [f"=SUM(C5:C{4 + len(attacks)})"]
    assert [ws[f"B{r}"].value for r in range(5, 5 + len(attacks))] == ["'" + a for a in attacks]
    assert ws["A1"].value == "'=title" and ws["C5"].value == -5  # numbers stay numbers
    lines = list(csv.reader(io.StringIO(to_csv(sheet).decode("utf-8-sig"))))
    assert [line[1] for line in lines[1:]] == ["'" + a for a in attacks]


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(engine, tmp_path)


def _problem(answer: Any, status_code: int) -> dict[str, Any]:
    assert answer.status_code == status_code, answer.text
    return answer.json()


def test_unknown_exports_and_areas_are_refused_in_thai_and_english(web: Web) -> None:
    auth = web.auth(PROVINCE)
    body = _problem(web.client.get("/api/v1/exports/nothing.xlsx", headers=auth), 404)
    assert "no export 'nothing'" in body["detail"] and "village_plan" in body["detail"]
    assert "ไม่มีรายงาน 'nothing'" in body["detail_th"]
    body = _problem(web.client.get("/api/v1/exports/summary.xlsx?area=2499", headers=auth), 404)
    assert "No area by the code '2499'" in body["detail"]
    assert "ไม่พบพื้นที่รหัส '2499'" in body["detail_th"]
    body = _problem(web.client.get("/api/v1/exports/summary.csv?area=24x", headers=auth), 422)
    assert body["detail"] and body["detail_th"]
    # the process sheet that was a 404 before
    got = web.client.get("/api/v1/exports/village_plan.csv?area=24&fy=2568", headers=auth)
    assert got.status_code == 200 and got.content.startswith(b"\xef\xbb\xbf")


def test_the_exports_answer_to_the_same_permissions(web: Web) -> None:
    for kind in ("tambon_plan", "summary"):
        assert web.client.get(f"/api/v1/exports/{kind}.xlsx").status_code == 401
        answer = web.client.get(f"/api/v1/exports/{kind}.csv?area=2402", headers=web.auth(DISTRICT))
        assert answer.status_code == 403, answer.text
    # a district's own export holds its own district only
    own = web.client.get("/api/v1/exports/summary.csv", headers=web.auth(DISTRICT))
    lines = list(csv.DictReader(io.StringIO(own.content.decode("utf-8-sig"))))
    assert [line["รหัสอำเภอ"] for line in lines] == ["2401"]
    tambons = web.client.get("/api/v1/exports/tambon_plan.csv", headers=web.auth(DISTRICT))
    codes = {r["รหัสตำบล"] for r in csv.DictReader(io.StringIO(tambons.text.lstrip("\ufeff")))}
    assert codes and all(c.startswith("2401") for c in codes)


def test_the_area_pages_link_their_exports(web: Web) -> None:
    web.login(PROVINCE)
    page = web.client.get("/areas/24?fy=2568").text
    for kind in ("village_plan", "district_plan", "orders", "summary"):
        assert f'href="/exports/{kind}.xlsx?fy=2568&amp;area=24"' in page, kind
    exports = web.client.get("/exports?area=2401&fy=2568").text
    assert 'href="/exports/summary.xlsx?fy=2568&amp;area=2401"' in exports
    got = web.client.get("/exports/summary.xlsx?area=2401&fy=2568")
    assert got.status_code == 200
    assert _book(got.content)["D5"].value == "2401"
