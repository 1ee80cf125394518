"""Bulk entry: the batch core (all or nothing, --partial, scope, a failure mid-way), the
`advance-many` and `template` commands, the batch API and the bulk page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.store.errors import StoreBusy
from plancycle.store.evidence import EvidenceInput
from plancycle.store.models import TransitionRecord
from plancycle.workflow.batch import BatchRow, RowStatus, run_batch
from plancycle.workflow.batch_sheet import SheetFormat, read_sheet, template_csv
from plancycle.workflow.batch_template import template_for
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import GuardFailed
from tests.webapp import DISTRICT, OTHER_DISTRICT, Web, make_web
from tests.world import World, populate

KEYS = [f"2568/village_plan/240101{n:02d}" for n in range(1, 6)]
OFFICE = "district_cd_office-a"


def records(db: sa.Engine) -> int:
    with Session(db) as s:
        return s.exec(select(func.count()).select_from(TransitionRecord)).one()


def rows(dates: list[str], keys: list[str] = KEYS) -> list[BatchRow]:
    return [
        BatchRow(i + 3, k, "calendar_set", {"forum_date": d})
        for i, (k, d) in enumerate(zip(keys, dates, strict=True))
    ]


@pytest.fixture
def world(engine: sa.Engine, tmp_path: Path) -> World:
    return populate(engine, tmp_path)


def test_one_bad_row_writes_nothing_and_names_it(world: World) -> None:
    before = records(world.db)
    result = run_batch(
        world.engine, rows(["20/01/2568", "20 ม.ค. 68", "31/02/2568", "2025-01-21", ""]), OFFICE
    )
    assert records(world.db) == before
    assert [r.status for r in result.rows] == [
        RowStatus.VALID,
        RowStatus.VALID,
        RowStatus.REFUSED,
        RowStatus.VALID,
        RowStatus.REFUSED,
    ]
    bad = result.refused
    assert [(r.row, r.key, r.reason) for r in bad] == [
        (5, KEYS[2], "BadValue"),
        (7, KEYS[4], "BadData"),
    ]
    assert "forum_date" in bad[0].error.en and "forum_date" in bad[0].error.th
    assert result.exit_code == 2 and not result.complete


def test_partial_writes_the_valid_rows_each_as_its_own_record(world: World) -> None:
    before = records(world.db)
    result = run_batch(
        world.engine,
        rows(["20/01/2568", "x", "2025-01-21", "2025-01-22", "2025-01-23"]),
        OFFICE,
        partial=True,
    )
    assert records(world.db) == before + 4
    assert [r.status for r in result.rows].count(RowStatus.WRITTEN) == 4
    assert result.refused[0].row == 4 and result.exit_code == 2
    assert all(r.seq == 1 for r in result.written)  # each instance's own chain


def test_another_districts_key_is_refused_as_not_found(world: World) -> None:
    other = "2568/village_plan/24020101"
    before = records(world.db)
    result = run_batch(world.engine, rows(["2025-01-20"] * 2, [KEYS[0], other]), "cd-2402")
    assert result.rows[0].reason == "UnknownInstance"  # 2401 is not its district: not found
    assert "ไม่พบรายการ" in result.rows[0].error.th
    assert result.rows[1].status is RowStatus.VALID
    assert records(world.db) == before and not result.written


def test_guards_and_duplicates_are_checked_before_anything_is_written(world: World) -> None:
    world.engine.advance("2568/activity2/240101", "meeting_set", OFFICE)
    batch = [
        BatchRow(1, KEYS[0], "calendar_set", {"forum_date": "2025-01-20"}),
        BatchRow(
            2,
            "2568/activity2/240101",
            "workshop_held",
            {"participants": "12", "workshop_date": "2025-02-03"},
            [EvidenceInput("attendance", "scan.pdf", io.BytesIO(world.pdf.read_bytes()))],
        ),
        BatchRow(3, KEYS[0], "calendar_set", {"forum_date": "2025-01-20"}),
    ]
    before = records(world.db)
    result = run_batch(world.engine, batch, OFFICE)
    assert records(world.db) == before
    assert isinstance(result.rows[1].error, GuardFailed)
    assert result.rows[1].error.facts()[0]["actual"]
    assert result.rows[2].reason == "DuplicateRow"


def test_a_failure_mid_way_leaves_the_rows_before_written_and_says_so(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = world.engine.advance_stored
    calls = []

    def busy_on_the_third(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 3:
            raise StoreBusy(args[0], 5.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(world.engine, "advance_stored", busy_on_the_third)
    before = records(world.db)
    result = run_batch(world.engine, rows(["2025-01-20"] * 5), OFFICE)
    assert records(world.db) == before + 2
    assert [r.status for r in result.rows] == [
        RowStatus.WRITTEN,
        RowStatus.WRITTEN,
        RowStatus.FAILED,
        RowStatus.NOT_WRITTEN,
        RowStatus.NOT_WRITTEN,
    ]
    assert isinstance(result.stopped, StoreBusy) and result.exit_code == 6
    monkeypatch.setattr(world.engine, "advance_stored", real)
    again = run_batch(world.engine, rows(["2025-01-20"] * 5), OFFICE, partial=True)
    assert [r.status for r in again.rows] == [RowStatus.REFUSED] * 2 + [RowStatus.WRITTEN] * 3


def test_template_lists_the_instances_at_the_step(world: World) -> None:
    world.engine.advance(KEYS[0], "calendar_set", OFFICE, data={"forum_date": "2025-01-20"})
    sheet = template_for(world.db, world.catalog, "village_plan", "calendar_set", "240101", 2568)
    keys = [r.key for r in sheet.rows]
    assert (
        KEYS[0] not in keys
        and KEYS[1] in keys
        and all(k.startswith("2568/village_plan/240101") for k in keys)
    )
    back = read_sheet(template_csv(sheet), "t.csv", SheetFormat.CSV)
    assert [r.key for r in back] == keys and back[0].row == 3 and back[0].data == {}


# --- the command line ----------------------------------------------------------------


@pytest.fixture
def cli(sqlite_engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    world = populate(sqlite_engine, tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCYCLE_DB", str(sqlite_engine.url))
    monkeypatch.setenv("PLANCYCLE_EVIDENCE_DIR", str(tmp_path / "evidence"))
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(app, ["--lang", "th", *args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    run.world = world  # type: ignore[attr-defined]
    return run


def _fill(path: Path, dates: dict[int, str]) -> None:
    book = openpyxl.load_workbook(path)
    ws = book.active
    head = [c.value for c in ws[1]]
    column = head.index("forum_date") + 1
    for n, value in dates.items():
        ws.cell(n, column).value = value
    book.save(path)


def test_template_round_trip_through_xlsx(cli, tmp_path: Path) -> None:
    code, out, err = cli(
        "template",
        "village_plan",
        "calendar_set",
        "--area",
        "240101",
        "--fy",
        "2568",
        "-o",
        "t.xlsx",
    )
    assert code == 0, err
    sheet = tmp_path / "t.xlsx"
    ws = openpyxl.load_workbook(sheet).active
    assert [c.value for c in ws[1]][:4] == ["key", "#area", "trigger", "forum_date"]
    n = ws.max_row - 2
    _fill(sheet, {3: "20/01/2568", 4: "20 ม.ค. 68", **{r: "2025-01-22" for r in range(5, n + 3)}})
    before = records(cli.world.db)
    code, out, err = cli("advance-many", str(sheet), "--actor", OFFICE)
    assert code == 0, err
    assert records(cli.world.db) == before + n
    assert f"บันทึกแล้ว {n} จาก {n} แถว" in out
    code, out, err = cli("--lang", "en", "history", KEYS[1], "--json")
    assert '"forum_date": "2025-01-20"' in out


def test_advance_many_refuses_a_bad_row_by_number_and_writes_nothing(cli, tmp_path: Path) -> None:
    assert (
        cli(
            "template",
            "village_plan",
            "calendar_set",
            "--area",
            "240101",
            "--fy",
            "2568",
            "-o",
            "t.xlsx",
        )[0]
        == 0
    )
    sheet = tmp_path / "t.xlsx"
    n = openpyxl.load_workbook(sheet).active.max_row
    _fill(sheet, {r: "2025-01-22" for r in range(3, n + 1)} | {7: "32/01/2568"})
    before = records(cli.world.db)
    code, out, err = cli("advance-many", str(sheet), "--actor", OFFICE)
    assert code == 2 and records(cli.world.db) == before
    flat = " ".join(err.split())
    assert re.search(r"แถว 7 \(2568/village_plan/240101\d\d\): forum_date='32/01/2568'", flat)
    assert re.search(
        r"row 7 \(2568/village_plan/240101\d\d\): forum_date='32/01/2568' is not a date", flat
    )
    assert "ไม่ได้บันทึกแถวใดเลย" in " ".join(out.split())
    code, out, err = cli("advance-many", str(sheet), "--actor", OFFICE, "--partial")
    assert code == 2 and records(cli.world.db) == before + n - 3
    assert "แถว 7" in err


def test_advance_many_reads_csv_with_or_without_bom(cli, tmp_path: Path) -> None:
    text = "key,trigger,forum_date,note\r\n" + "".join(
        f"{k},calendar_set,2025-01-2{i},ok\r\n" for i, k in enumerate(KEYS[:2])
    )
    (tmp_path / "bom.csv").write_bytes(("\ufeff" + text).encode())
    (tmp_path / "plain.csv").write_bytes(text.encode())
    code, out, err = cli("advance-many", "bom.csv", "--actor", OFFICE, "--dry-run")
    assert code == 0, err
    code, out, err = cli("advance-many", "plain.csv", "--actor", OFFICE)
    assert code == 0, err
    assert records(cli.world.db) == 2


# --- the API and the pages -------------------------------------------------------------


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(sqlite_engine, tmp_path)


def test_api_batch_422_writes_nothing_partial_writes_the_rest(web: Web) -> None:
    items = [
        {"key": k, "trigger": "calendar_set", "data": {"forum_date": "2025-01-20"}}
        for k in KEYS[:3]
    ]
    items[1]["data"] = {"forum_date": "nope"}
    before = records(web.world.db)
    answer = web.client.post(
        "/api/v1/advance-batch", json={"items": items}, headers=web.auth(DISTRICT)
    )
    assert (
        answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    )
    body = answer.json()
    assert body["detail_th"] and [i["status"] for i in body["items"]] == [
        "valid",
        "refused",
        "valid",
    ]
    assert body["items"][1]["problem"]["invalid"] == ["data.forum_date"]
    assert records(web.world.db) == before
    answer = web.client.post(
        "/api/v1/advance-batch", json={"items": items, "partial": True}, headers=web.auth(DISTRICT)
    )
    assert answer.status_code == 200, answer.text
    assert [i["status"] for i in answer.json()["items"]] == ["written", "refused", "written"]
    assert records(web.world.db) == before + 2


def test_api_batch_scope_another_districts_key_is_not_found(web: Web) -> None:
    items = [{"key": KEYS[0], "trigger": "calendar_set", "data": {"forum_date": "2025-01-20"}}]
    before = records(web.world.db)
    answer = web.client.post(
        "/api/v1/advance-batch", json={"items": items}, headers=web.auth(OTHER_DISTRICT)
    )
    assert answer.status_code == 422
    item = answer.json()["items"][0]
    assert item["status"] == "refused" and item["problem"]["status"] == 404
    assert records(web.world.db) == before


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_bulk_page_one_bad_row_writes_nothing_and_keeps_what_was_entered(web: Web) -> None:
    web.login(DISTRICT)
    page = web.client.get(
        "/bulk", params={"process": "village_plan", "trigger": "calendar_set", "key": KEYS[:3]}
    )
    assert page.status_code == 200 and page.text.count('name="row.') == 6
    form = {
        "csrf": _csrf(page.text),
        "process": "village_plan",
        "trigger": "calendar_set",
        "note": "ปฏิทิน",
    }
    for i, k in enumerate(KEYS[:3]):
        form[f"row.{i}.key"] = k
    form |= {"row.0.data.forum_date": "2025-01-20", "row.1.data.forum_date": "2025-02-30"}
    form["all.data.forum_date"] = "2025-01-25"
    before = records(web.world.db)
    answer = web.client.post("/bulk", data=form)
    assert answer.status_code == 422 and records(web.world.db) == before
    assert 'value="2025-02-30"' in answer.text and "ปฏิทิน" in answer.text
    assert 'data-status="refused"' in answer.text
    form["row.1.data.forum_date"] = "2025-02-03"
    answer = web.client.post("/bulk", data=form)
    assert answer.status_code == 200 and records(web.world.db) == before + 3
    assert answer.text.count('data-status="written"') == 3


def test_template_route_serves_the_sheet_and_hides_other_areas(web: Web) -> None:
    web.login(DISTRICT)
    answer = web.client.get(
        "/templates/village_plan/calendar_set.xlsx", params={"area": "240101", "fy": 2568}
    )
    assert answer.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert ws.cell(3, 1).value == KEYS[0]
    assert (
        web.client.get(
            "/templates/village_plan/calendar_set.xlsx", params={"area": "2402"}
        ).status_code
        == 404
    )


def test_evidence_columns_name_files_in_the_evidence_folder(cli, tmp_path: Path) -> None:
    world = cli.world
    tambons = ["2568/activity2/240101", "2568/activity2/240102", "2568/activity2/240103"]
    for key in tambons:
        world.engine.advance(key, "meeting_set", OFFICE)
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "att.pdf").write_bytes(world.pdf.read_bytes())
    sheet = tmp_path / "sheets" / "workshops.csv"
    sheet.parent.mkdir()
    head = "key,trigger,participants,workshop_date,evidence.attendance\r\n"
    lines = [
        f"{k},workshop_held,{p},2025-02-03,{f}\r\n"
        for k, p, f in zip(
            tambons, ["25", "๓๐", "22"], ["att.pdf", "att.pdf", "gone.pdf"], strict=True
        )
    ]
    sheet.write_text(head + "".join(lines), encoding="utf-8")
    before = records(world.db)
    code, out, err = cli(
        "advance-many", str(sheet), "--actor", OFFICE, "--evidence-dir", str(folder)
    )
    assert code == 2 and records(world.db) == before
    assert "แถว 4 (2568/activity2/240103)" in err and "gone.pdf" in err
    lines[2] = lines[2].replace("gone.pdf", "att.pdf")
    sheet.write_text(head + "".join(lines), encoding="utf-8")
    code, out, err = cli(
        "advance-many", str(sheet), "--actor", OFFICE, "--evidence-dir", str(folder), "--json"
    )
    assert code == 0, err
    assert records(world.db) == before + 3
    assert '"written": 3' in out


def test_advance_many_stopped_mid_way_names_the_rows_written(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Engine.advance_stored
    calls: list[str] = []

    def busy_on_the_third(self, key, *args, **kwargs):
        calls.append(key)
        if len(calls) == 3:
            raise StoreBusy(key, 5.0)
        return real(self, key, *args, **kwargs)

    monkeypatch.setattr(Engine, "advance_stored", busy_on_the_third)
    text = "key,trigger,forum_date\r\n" + "".join(f"{k},calendar_set,2025-01-20\r\n" for k in KEYS)
    (tmp_path / "five.csv").write_text(text, encoding="utf-8")
    before = records(cli.world.db)
    code, out, err = cli("advance-many", "five.csv", "--actor", OFFICE)
    assert code == 6 and records(cli.world.db) == before + 2
    flat = " ".join(err.split())
    assert "บันทึกแล้วแถว 2-3; ยังไม่ได้บันทึกแถว 4-6" in flat
    assert "rows 2-3 written; rows 4-6 not written" in flat


def test_bulk_page_refuses_another_districts_key_as_not_found(web: Web) -> None:
    web.login(OTHER_DISTRICT)
    page = web.client.get(
        "/bulk", params={"process": "village_plan", "trigger": "calendar_set", "key": KEYS[0]}
    )
    assert 'id="bulk-missing"' in page.text and 'name="row.0.key"' not in page.text
    form = {
        "csrf": _csrf(page.text),
        "process": "village_plan",
        "trigger": "calendar_set",
        "row.0.key": KEYS[0],  # a forged form: the batch still refuses it, as not found
        "row.0.data.forum_date": "2025-01-20",
    }
    before = records(web.world.db)
    answer = web.client.post("/bulk", data=form)
    assert answer.status_code == 422 and records(web.world.db) == before
    assert "ไม่พบรายการ" in answer.text and "หมู่ที่" not in answer.text
