"""A date field as each shell takes it: ``2568-01-20`` is stored as 2025-01-20 from the
command line, the API and the instance page's form; a date outside the fiscal year is
refused in each, with the range in BE; the Activity 2 sheet shows the workshop date as
entered (BE 2568, never 3111), also for a record an earlier version stored with the BE
year as CE, which the audit still verifies, replays and exports."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.store.models import TransitionRecord
from plancycle.thai.dates import format_date
from plancycle.workflow import engine as engine_module
from plancycle.workflow.audit import replay, verify
from plancycle.workflow.audit_export import export_records
from tests.webapp import DISTRICT, PROVINCE, Web, make_web

KEY = "2568/activity2/240101"
API = f"/api/v1/instances/{KEY}"
PAGE = f"/instances/{KEY}"
RANGE_TH = "1 ต.ค. 2567 – 30 ก.ย. 2568"


def stored_data(db: sa.Engine) -> list[dict[str, Any]]:
    with Session(db) as session:
        records = session.exec(select(TransitionRecord).order_by(col(TransitionRecord.id))).all()
        return [dict(r.data or {}) for r in records]


# --- the command line ----------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chachoengsao_db: Path):
    """Province 24 with FY2568 started and a district CD office actor, in Thai."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCYCLE_DB", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("PLANCYCLE_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.setenv("COLUMNS", "80")
    shutil.copy(chachoengsao_db, tmp_path / "cli.db")
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args))
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    for args in (
        ("actors", "add", "cd-2401", "--role", "district_cd_office", "--area", "2401"),
        ("cycle", "start", "2568", "--province", "24", "--quiet"),
    ):
        code, _, err = run(*args)
        assert code == 0, err
    return run


def test_the_cli_stores_a_be_iso_date_as_its_ce_day(cli, tmp_path: Path) -> None:
    code, _, err = cli(
        "advance", KEY, "meeting_set", "--actor", "cd-2401", "--data", "meeting_date=2568-01-20"
    )
    assert code == 0, err
    code, out, _ = cli("history", KEY, "--json")
    assert json.loads(out)["records"][0]["data"] == {"meeting_date": "2025-01-20"}


def test_the_cli_refuses_a_date_outside_the_fiscal_year_naming_the_range(cli) -> None:
    code, out, err = cli(
        "advance", KEY, "meeting_set", "--actor", "cd-2401", "--data", "meeting_date=1999-01-01"
    )
    assert code == 2
    said = " ".join((out + err).split())  # as wrapped at 80 columns
    assert RANGE_TH in said and "ปีงบประมาณ 2568" in said
    assert "--data meeting_date=วันที่" in said  # the fix, in the CLI's own terms
    assert "1 Oct 2567 – 30 Sep 2568 BE" in said
    code, out, _ = cli("history", KEY, "--json")
    assert json.loads(out)["records"] == []  # nothing written


def test_the_cli_says_what_was_typed_when_it_is_no_date(cli) -> None:
    code, out, err = cli(
        "advance", KEY, "meeting_set", "--actor", "cd-2401", "--data", "meeting_date=31/02/2568"
    )
    said = " ".join((out + err).split())
    assert code == 2 and "'31/02/2568'" in said and "ไม่ใช่วันที่" in said
    assert "20 ม.ค. 68, 20 มกราคม 2568" in said


# --- the API and the form ------------------------------------------------------------


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(sqlite_engine, tmp_path)


def test_the_api_stores_a_be_iso_date_from_a_field_and_from_json(web: Web) -> None:
    for key, data in (
        (KEY, {"data.meeting_date": "2568-01-20"}),
        ("2568/activity2/240102", {"data": '{"meeting_date": "2568-01-20"}'}),
    ):
        path = f"/api/v1/instances/{key}"
        answer = web.client.post(
            f"{path}/advance", headers=web.auth(DISTRICT), data={"trigger": "meeting_set", **data}
        )
        assert answer.status_code == 200, answer.text
        records = web.client.get(f"{path}/history", headers=web.auth(DISTRICT)).json()["records"]
        assert records[-1]["data"] == {"meeting_date": "2025-01-20"}


def test_the_api_refuses_a_date_outside_the_fiscal_year_with_its_facts(web: Web) -> None:
    answer = web.client.post(
        f"{API}/advance",
        headers=web.auth(DISTRICT),
        data={"trigger": "meeting_set", "data.meeting_date": "1999-01-01"},
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == "urn:plancycle:problem:date-out-of-range"
    assert body["invalid"] == ["data.meeting_date"]
    assert (body["value"], body["allowed_from"], body["allowed_to"]) == (
        "1999-01-01",
        "2024-10-01",
        "2025-09-30",
    )
    assert RANGE_TH in body["detail_th"] and "data.meeting_date" in body["detail_th"]
    assert "1 Oct 2567 – 30 Sep 2568 BE" in body["detail"]
    assert stored_data(web.world.db) == []


def test_the_api_refuses_what_is_no_date_naming_it(web: Web) -> None:
    answer = web.client.post(
        f"{API}/advance",
        headers=web.auth(DISTRICT),
        data={"trigger": "meeting_set", "data": '{"meeting_date": "tomorrow"}'},
    )
    body = answer.json()
    assert answer.status_code == 422 and body["invalid"] == ["data.meeting_date"]
    assert "'tomorrow'" in body["detail"] and "one of 20 ม.ค. 68" in body["detail"]
    assert "'tomorrow'" in body["detail_th"] and "ไม่ใช่วันที่" in body["detail_th"]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_the_form_takes_a_typed_thai_date_and_names_the_range(web: Web) -> None:
    web.login(DISTRICT)
    page = web.client.get(PAGE).text
    field = re.search(r'<input id="meeting_set-meeting_date"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'placeholder="เช่น 20 ม.ค. 68"' in field
    assert f"วันที่ระหว่าง {RANGE_TH}" in page
    refused = web.client.post(
        f"{PAGE}/advance",
        headers={"HX-Request": "true"},
        data={
            "csrf": _csrf(page),
            "trigger": "meeting_set",
            "expected_version": "1",
            "data.meeting_date": "1999-01-01",
        },
    )
    assert refused.status_code == 422 and 'id="advance-error"' in refused.text
    assert RANGE_TH in refused.text and "“วันประชุมเชิงปฏิบัติการ”" in refused.text
    assert 'value="1999-01-01"' in refused.text  # what was typed stays in the field
    done = web.client.post(
        f"{PAGE}/advance",
        data={
            "csrf": _csrf(page),
            "trigger": "meeting_set",
            "expected_version": "1",
            "data.meeting_date": "2568-01-20",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert stored_data(web.world.db) == [{"meeting_date": "2025-01-20"}]
    history = web.client.get(PAGE).text
    assert '<span data-day="2025-01-20">20 มกราคม 2568</span>' in history


# --- the sheets, and what earlier versions stored -------------------------------------


def _workshop_dates(web: Web, lang: str = "th") -> tuple[str, str]:
    """The workshop date of tambon 240101 in the CSV and in the XLSX sheet."""
    head = "วันที่จัดประชุมเชิงปฏิบัติการ" if lang == "th" else "Workshop date"
    code = "รหัสตำบล" if lang == "th" else "Tambon code"
    got = web.client.get(f"/api/v1/exports/activity2.csv?lang={lang}", headers=web.auth(PROVINCE))
    assert got.status_code == 200, got.text
    rows = csv.DictReader(io.StringIO(got.content.decode("utf-8-sig")))
    in_csv = next(r[head] for r in rows if r[code] == "240101")
    got = web.client.get(f"/api/v1/exports/activity2.xlsx?lang={lang}", headers=web.auth(PROVINCE))
    sheet = load_workbook(io.BytesIO(got.content)).active
    heads = [c.value for c in sheet[4]]
    row = next(r for r in sheet.iter_rows(min_row=5, values_only=True) if "240101" in r)
    cell = row[heads.index(head)]
    # a day is a date cell (shown in BE by its number format); text that names no day
    # stays the text stored
    shown = format_date(cell.date(), "full", lang=lang) if isinstance(cell, datetime) else cell
    return in_csv, shown


def test_the_activity2_sheet_shows_the_workshop_date_entered(web: Web) -> None:
    web.world.engine.advance(KEY, "meeting_set", DISTRICT, data={"meeting_date": "2568-01-20"})
    assert _workshop_dates(web) == ("20 มกราคม 2568", "20 มกราคม 2568")
    assert _workshop_dates(web, "en")[0] == "20 January 2025 (BE 2568)"


def _advance_as_before(web: Web, monkeypatch: pytest.MonkeyPatch, data: dict[str, Any]) -> None:
    """An advance whose data is kept as given, as an earlier version kept 2568-01-20 (read
    as CE 2568) or a value the step-data rules of today refuse."""
    with monkeypatch.context() as patch:
        patch.setattr(engine_module, "coerce_step_data", lambda fields, given, **_: dict(given))
        web.world.engine.advance(KEY, "meeting_set", DISTRICT, data=data)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2568-01-20", "20 มกราคม 2568"),  # CE 2568 as stored: BE 2568 meant, not 3111
        ("2568-02-29", "2568-02-29"),  # no such day in BE 2568: the text as stored
        ("20 ม.ค. 68", "20 ม.ค. 68"),
    ],
)
def test_dates_earlier_versions_stored_do_not_break_sheets_or_audit(
    web: Web, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stored: str, shown: str
) -> None:
    _advance_as_before(web, monkeypatch, {"meeting_date": stored})
    assert stored_data(web.world.db) == [{"meeting_date": stored}]
    assert _workshop_dates(web) == (shown, shown)
    db = web.world.db
    assert verify(db)[1] == [] and replay(db, web.world.catalog)[1] == []
    out = io.StringIO()
    assert export_records(db, out, "csv") >= 1 and stored in out.getvalue()
