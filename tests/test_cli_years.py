"""The CLI's default year is the year people mean: after `cycle start 2568` with the clock
in FY2570, `status` and `instances list` show FY2568; a year without a cycle is named
with the years that exist, in Thai and in English; `--fy` always wins."""

from __future__ import annotations

import json

import pytest

from tests.test_cli import cli, ready  # noqa: F401 - the fixtures

pytestmark = pytest.mark.usefixtures("in_fy2570")


@pytest.fixture
def in_fy2570(freezer) -> None:
    freezer.move_to("2026-12-02T03:00:00+00:00")  # 10:00 in Bangkok, fiscal year 2570


def test_status_defaults_to_the_open_cycle_not_the_clock_s_year(ready) -> None:  # noqa: F811
    code, out, err = ready("status", "--province", "24")
    assert code == 0, err
    assert "fiscal year 2568" in out and "cycle start" not in out
    code, out, _ = ready("status", "--province", "24", "--json")
    data = json.loads(out)
    assert (data["fiscal_year"], data["default_fiscal_year"]) == (2568, 2568)
    assert data["fiscal_years"] == [2568]
    assert {r["process"]: r["total"] for r in data["processes"]}["activity2"] == 93


def test_instances_list_defaults_to_the_open_cycle(ready) -> None:  # noqa: F811
    code, out, err = ready("instances", "list", "--process", "activity2", "--limit", "5")
    assert code == 0, err
    assert "Fiscal year 2568: 5 of 93 instances" in out
    code, out, _ = ready("instances", "list", "--process", "activity2", "--json")
    data = json.loads(out)
    assert data["fiscal_year"] == 2568 and data["total"] == 93
    assert data["instances"][0]["key"].startswith("2568/activity2/")


def test_a_year_without_a_cycle_names_the_years_that_exist(ready) -> None:  # noqa: F811
    code, out, _ = ready("status", "--province", "24", "--fy", "2570")
    assert code == 0
    assert "fiscal year 2570 has no cycle; cycles exist for 2568: use --fy 2568" in out
    assert "cycle start" not in out
    code, out, _ = ready("--lang", "th", "instances", "list", "--fy", "2570")
    assert code == 0
    assert "ปีงบประมาณ 2570 ยังไม่มีรอบงาน มีปี 2568: ใช้ --fy 2568" in out
    code, out, _ = ready("--lang", "th", "--thai-digits", "status", "--fy", "๒๕๗๐")
    assert "ปีงบประมาณ ๒๕๗๐ ยังไม่มีรอบงาน มีปี ๒๕๖๘: ใช้ --fy ๒๕๖๘" in out
    code, out, _ = ready("instances", "list", "--fy", "2570", "--json")
    data = json.loads(out)
    assert (data["fiscal_year"], data["fiscal_years"], data["total"]) == (2570, [2568], 0)


def test_a_second_cycle_takes_over_once_started_and_fy_still_wins(ready) -> None:  # noqa: F811
    code, _, err = ready("cycle", "start", "2569", "--province", "24", "--quiet")
    assert code == 0, err
    code, out, _ = ready("status", "--province", "24", "--json")
    data = json.loads(out)
    assert (data["fiscal_year"], data["fiscal_years"]) == (2569, [2569, 2568])
    code, out, _ = ready("instances", "list", "--fy", "2568", "--process", "orders", "--json")
    assert {i["key"][:4] for i in json.loads(out)["instances"]} == {"2568"}


def test_a_filter_that_finds_nothing_in_a_started_year_says_so(ready) -> None:  # noqa: F811
    code, out, _ = ready("instances", "list", "--state", "no_such_state")
    assert code == 0
    assert "nothing matches these filters in fiscal year 2568" in out


def test_before_any_cycle_the_message_says_to_start_one(cli, chachoengsao_db, tmp_path) -> None:  # noqa: F811
    import shutil

    shutil.copy(chachoengsao_db, tmp_path / "cli.db")
    code, out, _ = cli("status")
    assert code == 0
    assert "no cycle has been started yet: run `plancycle cycle start` first" in out
