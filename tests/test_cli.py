"""The `plancycle` command end to end on a SQLite file, as a coordinator would use it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.workflow.walk import MINIMAL_PDF


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Runs plancycle against a fresh store in tmp_path; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PLANCYCLE_DB", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("PLANCYCLE_EVIDENCE_DIR", str(tmp_path / "evidence"))
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, ["--lang", "en", *args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def ready(cli, chachoengsao_db, tmp_path):
    """Province 24 with villages in the store, strong tambons set, FY2568 started."""
    shutil.copy(chachoengsao_db, tmp_path / "cli.db")
    code, out, err = cli("areas", "strong", "default", "--fy", "2568", "--province", "24")
    assert code == 0, err
    code, out, err = cli(
        "actors", "add", "cd-2401", "--role", "district_cd_office", "--area", "2401"
    )
    assert code == 0, err
    code, out, err = cli("cycle", "start", "2568", "--province", "24", "--quiet")
    assert code == 0, err
    return cli


def test_commands_before_init_say_to_run_init(cli) -> None:
    code, _, err = cli("status")
    assert code == 2 and "plancycle init" in err


def test_init_import_and_start_twice_creates_nothing_new(cli) -> None:
    assert cli("init")[0] == 0
    code, out, _ = cli("areas", "import", "--province", "๒๔", "--quiet")
    assert code == 0 and "tambons 93" in out
    assert cli("areas", "sample-villages", "--province", "24")[0] == 0
    assert cli("areas", "strong", "default", "--fy", "2568")[0] == 0
    code, out, _ = cli("cycle", "start", "๒๕๖๘", "--province", "24", "--quiet")
    assert code == 0 and "activity2: 93 created" in out
    code, out, _ = cli("cycle", "start", "2568", "--province", "24", "--quiet")
    assert code == 0 and "0 instances created in all" in out


def test_status_json_counts_every_process(ready) -> None:
    code, out, _ = ready("status", "--fy", "2568", "--json")
    assert code == 0
    rows = {r["process"]: r for r in json.loads(out)["processes"]}
    assert rows["activity2"]["total"] == 93 and rows["activity3"]["total"] == 11
    assert rows["activity1"]["total"] == 1 and rows["orders"]["total"] == 11
    assert rows["activity2"]["kpi_target_percent"] == 85
    code, out, _ = ready("status", "--fy", "2568", "--district", "2401", "--json")
    district = {r["process"]: r["total"] for r in json.loads(out)["processes"]}
    assert district["activity2"] < 93 and district["orders"] == 1


def test_advance_and_history_through_the_cli(ready, tmp_path) -> None:
    key = "2568/activity2/240101"
    code, out, _ = ready("show", key, "--json")
    first = json.loads(out)["next"][0]
    code, out, err = ready("advance", key, first["trigger"], "--actor", "cd-2401", "--note", "ok")
    assert code == 0, err
    assert first["dest"] in out
    code, out, _ = ready("history", key, "--json")
    records = json.loads(out)["records"]
    assert [(r["seq"], r["trigger"], r["actor"]) for r in records] == [
        (1, first["trigger"], "cd-2401")
    ]


@pytest.mark.parametrize(
    ("args", "exit_code", "needle"),
    [
        (("advance", "2568/activity2/240101", "nope", "--actor", "cd-2401"), 2, "valid now:"),
        (
            ("advance", "2568/activity2/999999", "x", "--actor", "cd-2401"),
            3,
            "No instance by the key",
        ),
        (("advance", "2568/activity2/240101", "x", "--actor", "ghost"), 3, "does not exist"),
        (
            ("advance", "2568/activity2/240101", "x", "--actor", "cd-2401", "--data", "oops"),
            2,
            "NAME=VALUE",
        ),
        (("cycle", "start", "2025"), 2, "looks like a CE year"),
        (("status", "--province", "2401"), 2, "province code is needed"),
        (("actors", "add", "x1", "--role", "wizard"), 2, "unknown role 'wizard'"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(ready, args, exit_code, needle) -> None:
    _, before, _ = ready("history", "2568/activity2/240101", "--json")
    code, _, err = ready(*args)
    assert code == exit_code
    assert needle in err.replace("\n", " ")
    _, after, _ = ready("history", "2568/activity2/240101", "--json")
    assert before == after


def test_out_of_district_actor_is_told_not_found_with_exit_3(ready) -> None:
    assert (
        ready("actors", "add", "cd-2402", "--role", "district_cd_office", "--area", "2402")[0] == 0
    )
    code, out, _ = ready("show", "2568/activity2/240101", "--json")
    trigger = json.loads(out)["next"][0]["trigger"]
    code, _, err = ready("advance", "2568/activity2/240101", trigger, "--actor", "cd-2402")
    assert code == 3 and "No instance by the key" in err  # scope first (#11.2)


def test_evidence_slot_syntax(ready, tmp_path) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    ready("actors", "add", "chief-2401", "--role", "district_chief", "--area", "2401")
    code, out, _ = ready("show", "2568/orders/2401", "--json")
    assert code == 0
    # a wrong slot name is refused with the slots the step has
    step = json.loads(out)["next"][0]["trigger"]
    code, _, err = ready(
        "advance", "2568/orders/2401", step, "--actor", "cd-2401", "--evidence", f"nosuch={pdf}"
    )
    assert code == 2 and "evidence" in err


def test_instances_list_filters(ready) -> None:
    code, out, _ = ready(
        "instances",
        "list",
        "--process",
        "activity2",
        "--fy",
        "2568",
        "--tambon",
        "240101",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["total"] == 1
    assert data["instances"][0]["key"] == "2568/activity2/240101"
    code, _, err = ready("instances", "list", "--process", "activity9")
    assert code == 2 and "is not a process" in err and "ไม่ใช่กระบวนการ" in err


def test_definitions_check_reports_the_seed_budget_mismatch(cli) -> None:
    code, out, err = cli("definitions", "check")
    assert code == 0 and "7 processes" in out
    assert "27,450,500" in err and "27,440,400" in err


def test_definitions_show_mermaid(cli) -> None:
    code, out, _ = cli("definitions", "show", "activity2", "--mermaid")
    assert code == 0 and out.startswith("stateDiagram-v2")


def test_demo_runs_and_prints_progress(cli, tmp_path: Path) -> None:
    code, out, err = cli("demo", "--no-year", "--file", str(tmp_path / "demo.db"))
    assert code == 0, err
    assert "refused:" in out and "at least 20 participants" in out
    assert "Progress, fiscal year 2568" in out
    assert (tmp_path / "demo.db").exists()


def test_the_cli_words_a_refusal_as_its_own_options(ready, tmp_path) -> None:
    key = "2568/activity2/240101"
    code, _, err = ready("advance", key, "meeting_set", "--actor", "cd-2401")
    assert code == 0, err
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    code, _, err = ready("advance", key, "workshop_held", "--actor", "cd-2401")
    assert code == 2
    flat = " ".join(err.split())
    assert "missing data workshop_date, participants" in flat
    assert "(give --data workshop_date=DATE, --data participants=N)" in flat
    assert "(ใส่ --data workshop_date=วันที่, --data participants=จำนวน)" in flat
    held = ["--data", "workshop_date=2025-02-03"]
    code, _, err = ready(
        "advance",
        key,
        "workshop_held",
        "--actor",
        "cd-2401",
        *held,
        "--data",
        "participants=12",
        "--evidence",
        f"attendance={pdf}",
    )
    flat = " ".join(err.split())
    assert code == 2 and "got 12 (give --data participants=N)" in flat
    # a slot that refuses when missing: the orders' PDFs (the letter asks for them)
    orders = "2568/orders/2401"
    code, _, err = ready("advance", orders, "reviewed", "--actor", "cd-2401")
    assert code == 0, err
    code, _, err = ready("advance", orders, "sent_to_province", "--actor", "cd-2401")
    flat = " ".join(err.split())
    assert code == 2 and "needs evidence order_3_1, order_3_2" in flat
    assert "(give --evidence order_3_1=FILE, --evidence order_3_2=FILE" in flat
    code, _, err = ready(
        "advance",
        orders,
        "sent_to_province",
        "--actor",
        "cd-2401",
        "--evidence",
        f"order_3_1={tmp_path / 'missing.pdf'}",
    )
    assert code == 2 and "does not exist" in err


def test_the_token_setting_reaches_the_cli(ready, monkeypatch) -> None:
    assert ready("status", "--fy", "2568")[0] == 0
    monkeypatch.setenv("PLANCYCLE_TOKEN", "not-a-token")
    code, _, err = ready("status", "--fy", "2568")
    assert code == 4 and "token" in err.lower()
