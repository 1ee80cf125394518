"""``/bulk/sheet``: the filled template uploaded in the browser. The check writes
nothing and names each refused row; the confirmation writes the rows checked; a file
that is not a sheet is a clear message and writes nothing. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from plancycle.store.models import TransitionRecord
from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import DISTRICT, Web, make_web

CSV_TYPE = "text/csv"


def records(db: sa.Engine) -> int:
    with Session(db) as s:
        return s.exec(select(func.count()).select_from(TransitionRecord)).one()


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    web = make_web(engine, tmp_path)
    web.login(DISTRICT)
    return web


def _csrf(web: Web) -> str:
    page = web.client.get("/bulk/sheet").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def filled(web: Web, dates: list[str]) -> bytes:
    """The district's village-plan calendar sheet, its first rows given ``dates``; the
    other rows are removed."""
    sheet = web.client.get("/templates/village_plan/calendar_set.csv?area=240101")
    assert sheet.status_code == 200
    lines = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    head, labels, body = lines[0], lines[1], lines[2 : 2 + len(dates)]
    col = head.index("forum_date")
    for row, day in zip(body, dates, strict=True):
        row[col] = day
    out = io.StringIO()
    csv.writer(out).writerows([head, labels, *body])
    return out.getvalue().encode("utf-8")


def post(web: Web, data: dict, files: list) -> object:
    return web.client.post("/bulk/sheet", data={"csrf": _csrf(web), **data}, files=files)


def test_check_names_the_bad_row_and_writes_nothing_then_a_good_sheet_is_written(
    web: Web,
) -> None:
    before = records(web.world.db)
    bad = filled(web, ["20/01/2568", "31/02/2568", "27/01/2568"])
    answer = post(web, {"step": "check"}, [("sheet", ("calendar.csv", bad, CSV_TYPE))])
    assert answer.status_code == 200, answer.text
    assert 'data-row="4" data-status="refused"' in answer.text
    assert "แถว 4: " in answer.text and "31/02/2568" in answer.text
    assert 'id="sheet-confirm"' not in answer.text  # all or nothing: nothing to confirm
    assert records(web.world.db) == before
    good = filled(web, ["20/01/2568", "25/01/2568", "27/01/2568"])
    checked = post(web, {"step": "check"}, [("sheet", ("calendar.csv", good, CSV_TYPE))])
    assert checked.text.count('data-status="valid"') == 3
    assert records(web.world.db) == before
    sealed = re.search(r'name="sealed" value="([^"]+)"', checked.text).group(1)
    written = post(web, {"step": "write", "sealed": sealed}, [])
    assert written.status_code == 200, written.text
    assert written.text.count('data-status="written"') == 3
    assert records(web.world.db) == before + 3


def test_partial_writes_the_valid_rows(web: Web) -> None:
    before = records(web.world.db)
    bad = filled(web, ["20/01/2568", "nope"])
    checked = post(web, {"step": "check", "partial": "on"}, [("sheet", ("c.csv", bad, CSV_TYPE))])
    sealed = re.search(r'name="sealed" value="([^"]+)"', checked.text).group(1)
    written = post(web, {"step": "write", "sealed": sealed}, [])
    assert written.text.count('data-status="written"') == 1
    assert 'data-row="4" data-status="refused"' in written.text
    assert records(web.world.db) == before + 1


def test_a_sealed_check_from_another_user_or_altered_is_refused(web: Web) -> None:
    before = records(web.world.db)
    answer = post(web, {"step": "write", "sealed": "forged.value"}, [])
    assert answer.status_code == 422 and "อัปโหลดอีกครั้ง" in answer.text
    assert records(web.world.db) == before


@pytest.mark.parametrize(
    ("name", "body", "said"),
    [
        ("calendar.pdf", MINIMAL_PDF, "ใช้ไฟล์ .csv หรือ .xlsx"),
        ("calendar.xlsx", b"not a workbook", "ไม่ใช่ไฟล์ XLSX"),
        ("calendar.csv", b"", "ไฟล์ว่างเปล่า"),
        ("calendar.csv", b"name,date\nx,y\n", "ขาด key, trigger"),
        ("calendar.csv", b"key,trigger\n", "ไม่มีแถวให้บันทึก"),
    ],
)
def test_a_file_that_is_not_a_filled_sheet_is_refused_clearly(
    web: Web, name: str, body: bytes, said: str
) -> None:
    before = records(web.world.db)
    answer = post(web, {"step": "check"}, [("sheet", (name, body, "application/octet-stream"))])
    assert answer.status_code == 422, answer.text
    assert said in answer.text and 'id="sheet-error"' in answer.text
    assert records(web.world.db) == before


def test_no_file_chosen_is_refused(web: Web) -> None:
    answer = post(web, {"step": "check"}, [])
    assert answer.status_code == 422 and "เลือกไฟล์แบบฟอร์ม" in answer.text


def test_evidence_files_are_matched_by_name_and_an_unnamed_one_is_refused(web: Web) -> None:
    web.world.engine.advance(
        "2568/activity2/240101", "meeting_set", web.world.actors["district_cd_office"]
    )
    head = "key,trigger,participants,workshop_date,evidence.attendance\n"
    sheet = (head + "2568/activity2/240101,workshop_held,25,2025-02-03,scans/ลงชื่อ.pdf\n").encode()
    pdf = ("ลงชื่อ.pdf", MINIMAL_PDF, "application/pdf")
    extra = ("other.pdf", MINIMAL_PDF + b"\n%x", "application/pdf")
    refused = post(
        web,
        {"step": "check"},
        [("sheet", ("a2.csv", sheet, CSV_TYPE)), ("evidence", pdf), ("evidence", extra)],
    )
    assert refused.status_code == 422 and "other.pdf" in refused.text
    checked = post(
        web, {"step": "check"}, [("sheet", ("a2.csv", sheet, CSV_TYPE)), ("evidence", pdf)]
    )
    assert 'data-status="valid"' in checked.text, checked.text
    sealed = re.search(r'name="sealed" value="([^"]+)"', checked.text).group(1)
    written = post(web, {"step": "write", "sealed": sealed}, [])
    assert 'data-status="written"' in written.text
    page = web.client.get("/instances/2568/activity2/240101")
    assert "ลงชื่อ.pdf" in page.text
