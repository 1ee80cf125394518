"""The inbox names the steps an office may only record on behalf of another role
(บันทึกแทน): the API and ``plancycle inbox --json`` alike, the CLI table and the page in
Thai, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from rich.cells import cell_len
from typer.testing import CliRunner

from plancycle.cli import context
from plancycle.cli.app import app
from plancycle.store.db import make_engine
from tests.webapp import DISTRICT, Web, make_web
from tests.world import bkk

NOW = bkk(2025, 1, 10, 9)
TP = "/api/v1/instances/2568/tambon_plan/240101"
QUERY = "process=tambon_plan&state=sign_kbt_order"


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    made = make_web(engine, tmp_path)
    made.world.clock.set(NOW)
    proposed = made.client.post(
        f"{TP}/advance", headers=made.auth(DISTRICT), data={"trigger": "kbt_order_proposed"}
    )
    assert proposed.status_code == 200, proposed.text  # now the district chief's to sign
    return made


def _cli(web: Web, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("PLANCYCLE_DB", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COLUMNS", "80")
    made: list[sa.Engine] = []

    def engine_of(*a: object, **kw: object) -> sa.Engine:
        made.append(make_engine(*a, **kw))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(context, "make_engine", engine_of)
    try:
        result = CliRunner().invoke(app, ["--token", web.tokens[DISTRICT], *args])
    finally:  # the command's own engine closed here, not by the collector in another test
        for opened in made:
            opened.dispose()
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_inbox_marks_a_step_recorded_on_behalf(
    web: Web, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, freezer
) -> None:
    freezer.move_to(NOW)
    api = web.client.get(f"/api/v1/inbox?{QUERY}", headers=web.auth(DISTRICT)).json()
    [group] = api["mine"]["groups"]
    assert group["instances"][0]["key"] == "2568/tambon_plan/240101"
    assert group["triggers"] == []  # the office's own steps: none; it records for the chief
    assert group["on_behalf_of"] == "district_chief"
    assert group["on_behalf_label"]["th"] == "นายอำเภอ"
    assert [(x["trigger"], x["on_behalf_of"]) for x in group["records_for"]] == [
        ("kbt_order_signed", "district_chief")
    ]
    others = api["mine"]["groups"] + api["waiting"]["groups"]
    full = web.client.get("/api/v1/inbox?limit=5", headers=web.auth(DISTRICT)).json()
    own = [g for g in full["mine"]["groups"] if g["state"] == "draft_kbt_order"]
    assert own and own[0]["on_behalf_of"] is None and own[0]["records_for"] == []
    assert others == api["mine"]["groups"]  # the chief's other steps do not wait on it

    out = _cli(
        web,
        engine,
        monkeypatch,
        "inbox",
        "--json",
        "--process",
        "tambon_plan",
        "--state",
        "sign_kbt_order",
    )
    assert json.loads(out) == api

    text = _cli(web, engine, monkeypatch, "inbox", "--process", "tambon_plan")
    assert "บันทึกแทน นายอำเภอ" in text and "ผู้ต้องดำเนินการคือนายอำเภอ" in text
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    english = _cli(web, engine, monkeypatch, "--lang", "en", "inbox", "--process", "tambon_plan")
    assert "record for the district chief" in english

    web.login(DISTRICT)
    page = web.client.get(f"/inbox?{QUERY}").text
    assert 'data-on-behalf-of="district_chief"' in page
    assert "บันทึกแทน นายอำเภอ" in page and "ผู้ต้องดำเนินการคือ" in page
