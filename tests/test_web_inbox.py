"""The inbox through its three shells on one store: ``GET /api/v1/inbox``, the page
``/inbox`` (the landing page after login) and ``plancycle inbox``. Each lists only the
caller's area, and the CLI's ``--json`` is the API's answer, field for field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from rich.cells import cell_len
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.web.pages_inbox import PER_GROUP
from tests.webapp import CHIEF, DISTRICT, NATION, OTHER_DISTRICT, PROVINCE, Web, make_web
from tests.world import bkk

NOW = bkk(2025, 1, 10, 9)


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    made = make_web(sqlite_engine, tmp_path)
    made.world.clock.set(NOW)
    return made


@pytest.fixture
def cli(web: Web, sqlite_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, freezer):  # noqa: ANN201
    """plancycle on the web's store, its clock frozen at the web's instant."""
    freezer.move_to(NOW)
    monkeypatch.setenv("PLANCYCLE_DB", sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("PLANCYCLE_TOKEN", raising=False)
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args))
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


def _areas(answer: dict) -> set[str]:
    return {
        i["area"]["code"]
        for part in ("mine", "waiting")
        for g in answer[part]["groups"]
        for i in g["instances"]
    }


def test_the_api_lists_only_the_callers_district(web: Web) -> None:
    answer = web.client.get("/api/v1/inbox?limit=500", headers=web.auth(DISTRICT))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["area_code"] == "2401" and body["fiscal_year"] == 2568
    codes = _areas(body)
    assert codes and all(c.startswith("2401") for c in codes)
    other = web.client.get("/api/v1/inbox?limit=500", headers=web.auth(OTHER_DISTRICT)).json()
    assert all(c.startswith("2402") for c in _areas(other))
    refused = web.client.get("/api/v1/inbox?area=2402", headers=web.auth(DISTRICT))
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "2402" in refused.json()["detail"] and refused.json()["detail_th"]
    province = web.client.get("/api/v1/inbox?area=2403", headers=web.auth(PROVINCE)).json()
    assert {c[:4] for c in _areas(province)} == {"2403"}


def test_the_api_orders_names_the_role_filters_and_refuses_bad_filters(web: Web) -> None:
    body = web.client.get("/api/v1/inbox", headers=web.auth(DISTRICT)).json()
    firsts = [g["instances"][0]["due_at"] for g in body["mine"]["groups"]]
    assert firsts == sorted(firsts)  # the group holding the earliest deadline first
    late = [g for g in body["mine"]["groups"] if g["overdue"]]
    assert late and body["mine"]["groups"][0] in late
    (waits,) = [g for g in body["waiting"]["groups"] if g["process"] == "district_plan"]
    assert waits["roles"][0] == {
        "role": "district_chief",
        "label": {"th": "นายอำเภอ", "en": "District chief"},
    }
    only = web.client.get(
        "/api/v1/inbox?process=activity2&state=coordinate&limit=5", headers=web.auth(DISTRICT)
    ).json()
    assert [(g["process"], g["state"]) for g in only["mine"]["groups"]] == [
        ("activity2", "coordinate")
    ]
    assert (
        only["mine"]["groups"][0]["total"] == 19
        and len(only["mine"]["groups"][0]["instances"]) == 5
    )
    for query in ("process=nope", "process=activity2&state=nope", "limit=0", "area=24x"):
        bad = web.client.get(f"/api/v1/inbox?{query}", headers=web.auth(DISTRICT))
        assert bad.status_code == 422, query
    assert web.client.get("/api/v1/inbox").status_code == 401


def test_the_cli_json_is_the_api_answer(web: Web, cli) -> None:
    for actor, query, args in (
        (DISTRICT, "limit=7", ["--limit", "7"]),
        (
            PROVINCE,
            "area=2401&process=village_plan&offset=3",
            ["--district", "2401", "--process", "village_plan", "--offset", "3"],
        ),
        (CHIEF, "", []),
    ):
        api = web.client.get(f"/api/v1/inbox?{query}", headers=web.auth(actor)).json()
        code, out, err = cli("--token", web.tokens[actor], "inbox", "--json", *args)
        assert code == 0, err
        assert json.loads(out) == api


def test_the_cli_in_thai_lists_only_the_district(web: Web, cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = cli("--token", web.tokens[DISTRICT], "inbox", "--limit", "500")
    assert code == 0, err
    assert "งานที่ต้องทำ" in out and "ต้องดำเนินการ" in out and "รอหน่วยงานอื่น" in out
    assert "นายอำเภอ" in out and "เกิน" in out
    keys = re.findall(r"2568/\w+/(\d+)", out)
    assert keys and all(k.startswith("2401") for k in keys)
    assert max(cell_len(line) for line in out.splitlines()) <= 80  # columns on screen
    code, _, err = cli("--token", web.tokens[DISTRICT], "inbox", "--district", "2402")
    assert code == 4 and "2402" in err and "ไม่มีสิทธิ์" in err
    code, _, err = cli("--token", web.tokens[DISTRICT], "inbox", "--process", "nope")
    assert code == 2 and "nope" in err and "ไม่รู้จักกระบวนการ" in err
    code, out, err = cli("--lang", "en", "inbox", "--actor", "cd-2402")
    assert code == 0, err
    assert "Inbox" in out and not re.findall(r"2568/\w+/2401", out)


def test_login_lands_on_the_inbox_with_a_bulk_form_per_group(web: Web) -> None:
    web.login(DISTRICT)
    home = web.client.get("/")
    assert home.url.path == "/inbox"
    page = home.text
    assert 'href="/areas/2401"' in page  # the former landing page, from the header
    assert "งานที่ต้องทำ" in page and "รอหน่วยงานอื่น" in page
    forms = re.findall(r'<form method="get" action="/bulk" class="bulk">(.*?)</form>', page, re.S)
    assert len(forms) >= 4
    tambon = next(f for f in forms if 'value="tambon_plan"' in f)
    assert 'name="process" value="tambon_plan"' in tambon
    assert 'name="trigger" value="kbt_order_proposed"' in tambon
    assert tambon.count('name="key"') == 19 and 'class="select-all"' in tambon
    assert 'href="/templates/tambon_plan/kbt_order_proposed.xlsx?area=2401"' in tambon
    keys = re.findall(r'name="key" value="2568/\w+/(\d+)"', page)
    assert keys and all(k.startswith("2401") for k in keys)
    assert "นายอำเภอ" in page.split('id="waiting"')[1]
    shown = re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1].split(">", 1)[1])  # as read
    assert re.findall(r"[A-Za-z]{2,}", shown) == []  # Thai only: no English word at all


def test_the_inbox_page_filters_and_stays_in_scope(web: Web) -> None:
    web.login(PROVINCE)
    page = web.client.get("/inbox?area=2402&process=tambon_plan").text
    keys = re.findall(r'href="/instances/2568/(\w+)/(\d+)"', page)
    assert keys and {p for p, _ in keys} == {"tambon_plan"}
    assert {a[:4] for _, a in keys} == {"2402"}
    assert '<option value="draft_kbt_order"' in page  # steps of the chosen process
    web.login(DISTRICT)
    refused = web.client.get("/inbox?area=2402")
    assert refused.status_code == 403 and "2402" in refused.text
    assert web.client.get("/inbox?process=nope").status_code == 422
    english = web.client.get("/lang/en?next=/inbox").text
    assert "Inbox" in english and "Waiting on others" in english


def test_a_group_pages_through_its_instances(web: Web) -> None:
    web.login(NATION)
    first = web.client.get("/inbox?process=village_plan&area=24").text
    assert first.count('name="key"') == 0  # CDD does no village plan step: all wait
    second = web.client.get("/inbox?process=village_plan&area=24&page=2").text
    one = set(re.findall(r'href="/instances/(2568/village_plan/\d+)"', first))
    two = set(re.findall(r'href="/instances/(2568/village_plan/\d+)"', second))
    assert len(one) == len(two) == PER_GROUP and not one & two
    link = re.search(r'href="([^"]*page=2)"', first).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {
        "area": ["24"],
        "process": ["village_plan"],
        "state": ["forum_calendar"],
        "page": ["2"],
    }


def test_the_inbox_says_which_years_exist(web: Web, cli) -> None:
    api = web.client.get("/api/v1/inbox?fy=2570", headers=web.auth(DISTRICT)).json()
    assert api["fiscal_year"] == 2570 and api["fiscal_years"] == [2568]
    assert api["default_fiscal_year"] == 2568 and api["mine"]["total"] == 0
    code, out, err = cli("--token", web.tokens[DISTRICT], "inbox", "--fy", "2570")
    assert code == 0, err
    assert "ปีงบประมาณ 2570 ยังไม่มีรอบงาน" in out and "2568" in out
