"""The read model: one rule for each of "overdue", "left at", area levels and the roll-up,
and the instance page, the API and ``plancycle show --json`` telling the same story of a
migrated instance (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from plancycle.store.models import Escalation, Instance
from plancycle.store.tokens import issue_token
from plancycle.thai.areacode import (
    AreaCode,
    AreaLevel,
    BadAreaCode,
    child_length,
    code_at,
    level_of,
)
from plancycle.web import WebSettings, create_app
from plancycle.workflow.overdue import is_overdue, overdue_clause, rungs_reached
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.rollup import area_rollup, children_rollup
from plancycle.workflow.sweep_apply import run_sweep
from plancycle.workflow.versions import migrate_instances
from plancycle.workflow.views import StepStatus, instance_view
from plancycle.workflow.walk import walk
from tests.test_versions import MAPPING, a2_keys, catalog_with, v2_text
from tests.test_versions_cli import Cli
from tests.world import World, bkk, populate

NATION_ACTOR = "cdd-a"


# --- area codes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "parents"),
    [
        ("24", AreaLevel.PROVINCE, []),
        ("2401", AreaLevel.DISTRICT, ["24"]),
        ("240101", AreaLevel.TAMBON, ["24", "2401"]),
        ("24010101", AreaLevel.VILLAGE, ["24", "2401", "240101"]),
    ],
)
def test_an_area_code_knows_its_level_and_parents(code, level, parents) -> None:
    area = AreaCode(code)
    assert area.level is level and level_of(code) is level
    assert [p.code for p in area.parents()] == parents
    assert (area.parent.code if area.parent else None) == (parents[-1] if parents else None)
    assert area.province == "24" and area.contains(code + "01")
    assert area.district == (code[:4] if len(code) >= 4 else None)


def test_area_code_parsing_takes_thai_digits_and_refuses_the_wrong_level() -> None:
    assert AreaCode.parse(" ๒๔๐๑ ").code == "2401"
    assert AreaCode.parse("2401", level="district").level is AreaLevel.DISTRICT
    with pytest.raises(BadAreaCode) as wrong:
        AreaCode.parse("2401", level=AreaLevel.PROVINCE)
    assert "province code is needed" in wrong.value.en and "จังหวัด" in wrong.value.th
    for bad in ("", "2", "240", "24a1", "２４", "123456789"):
        assert level_of(bad) is None
        with pytest.raises(BadAreaCode):
            AreaCode(bad)


def test_the_level_above_and_below_a_code() -> None:
    assert [child_length(c) for c in ("", "24", "2401", "240101")] == [2, 4, 6, 8]
    assert code_at("24010101", "district") == "2401" and code_at("24010101", None) == ""
    assert AreaFilter.of("") == AreaFilter() and AreaFilter.of("2401").district == "2401"


# --- overdue in Python and in SQL ---------------------------------------------------------


@pytest.fixture
def world(engine: sa.Engine, tmp_path: Path) -> World:
    w = populate(engine, tmp_path)
    w.clock.set(bkk(2025, 2, 10, 9))
    return w


def test_overdue_in_python_and_in_sql_agree_at_every_instant(world: World) -> None:
    """Around the Activity 2 deadline (end of 31 March), with some instances done."""
    for key in a2_keys(world.db)[:3]:
        walk(world.engine, key, world.actors, world.pdf)
    with Session(world.db) as session:
        instances = list(session.exec(select(Instance)).all())
        for now in (
            bkk(2025, 3, 31, 23, 59),
            bkk(2025, 4, 1, 0, 0, 1),
            bkk(2025, 9, 30, 12),
            bkk(2025, 10, 15, 12),
        ):
            in_python = {i.key for i in instances if is_overdue(i.due_at, i.completed_at, now)}
            in_sql = set(session.exec(select(Instance.key).where(overdue_clause(now))).all())
            assert in_python == in_sql
    assert in_python and len(in_python) < len(instances)


def test_the_rung_reached_is_the_highest_of_the_current_step(world: World) -> None:
    (key,) = a2_keys(world.db)[:1]
    world.clock.set(bkk(2025, 4, 20, 9))  # 'coordinate' was due 31 March: 20 days late
    run_sweep(world.engine, world.clock.now())
    with Session(world.db) as session:
        inst = session.exec(select(Instance).where(Instance.key == key)).one()
        levels = session.exec(
            select(Escalation.level).where(Escalation.instance_id == inst.id)
        ).all()
        rung = rungs_reached(session, [inst])[inst.id]
    assert rung.level == max(levels) >= 2
    view = instance_view(world.db, world.catalog, key, world.clock.now())
    assert view.rung == rung and view.overdue and view.days_late == 20


# --- one instance, three shells, after a migration ---------------------------------------


def _renaming_v2() -> str:
    """v2 renames 'workshop' to 'plan_workshop' and 'evaluate' to 'assess'."""
    v2 = v2_text({**MAPPING, "workshop": "plan_workshop"})
    for old, new in (
        ("id: workshop", "id: plan_workshop"),
        ("after: workshop", "after: plan_workshop"),
    ):
        v2 = v2.replace(old, new)
    v2 = v2.replace("dest: workshop\n", "dest: plan_workshop\n")
    return v2.replace("source: workshop\n", "source: plan_workshop\n")


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _comparable(shown: dict) -> dict:
    """What the three shells must agree on (JSON encoders write UTC as Z or +00:00)."""
    keep = ("key", "state", "definition_version", "overdue", "days_late", "progress")
    steps = [(s["id"], s["status"], _instant(s["due_at"])) for s in shown["steps"]]
    return {**{k: shown[k] for k in keep}, "due_at": _instant(shown["due_at"]), "steps": steps}


def test_page_api_and_cli_agree_on_a_migrated_instance(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, freezer
) -> None:
    """Three steps done under v1 (the workshop and evaluation among them), then moved to
    v2, which renamed both: they are done, not pending, in every shell."""
    (key,) = a2_keys(world.db)[:1]
    walk(world.engine, key, world.actors, world.pdf, max_steps=3)
    catalog = catalog_with(tmp_path, _renaming_v2())
    world.clock.set(bkk(2025, 2, 12, 10))
    migrate_instances(
        world.db, catalog, "activity2", 1, 2, world.actors["admin"], world.clock.now()
    )
    world.clock.set(bkk(2025, 4, 3, 10))  # the BPM record is late

    view = instance_view(world.db, catalog, key, world.clock.now())
    status = {s.id: s.status for s in view.steps}
    assert status["plan_workshop"] is StepStatus.DONE and status["assess"] is StepStatus.DONE
    assert view.inst.state == "bpm_record" and view.progress == (3, 5) and view.percent == 60.0
    assert view.must_act() == ("district_cd_office", "cd_officer")  # not the administrator

    with Session(world.db) as session, session.begin():
        token = issue_token(session, NATION_ACTOR)
    settings = WebSettings(
        world.db,
        catalog,
        world.clock,
        None,
        secret_key="k",  # the folder the store recorded
    )
    client = TestClient(create_app(settings))
    path = "/" + "/".join(("instances", key))
    api = client.get("/api/v1" + path, headers={"Authorization": f"Bearer {token}"}).json()

    cli = Cli(world.db, monkeypatch)
    cli.use(catalog)
    freezer.move_to(world.clock.now())  # the CLI reads the system clock
    code, out, err = cli("show", key, "--json")
    assert code == 0, err
    shown = json.loads(out)
    expected = json.loads(json.dumps(view.as_dict(), default=lambda v: v.isoformat()))
    assert _comparable(api) == _comparable(expected)
    assert _comparable(shown) == _comparable(expected)
    assert shown["progress"] == api["progress"] == {"done": 3, "total": 5, "percent": 60.0}

    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"csrf": csrf, "token": token}, follow_redirects=False)
    page = client.get(path).text
    for step in ("plan_workshop", "assess"):
        assert re.search(rf'<li class="done" data-step="{step}"', page), step
    assert view.days_late == 45  # BPM was due 7 days after the workshop: 17 Feb
    assert f'data-days-late="{view.days_late}"' in page
    assert re.search(r'id="must-act"><strong>ผู้ต้องดำเนินการ:</strong> สำนักงานพัฒนาชุมชนอำเภอ', page)
    assert api["must_act"][0]["role"] == shown["must_act"][0]["role"] == "district_cd_office"


# --- the roll-up -------------------------------------------------------------------------


def test_the_area_and_its_children_add_up(world: World) -> None:
    for key in a2_keys(world.db)[:4]:
        walk(world.engine, key, world.actors, world.pdf)
    now = world.clock.now() + timedelta(days=60)
    own = area_rollup(world.db, world.catalog, 2568, "24", now)
    districts = [f"24{n:02d}" for n in range(1, 12)]
    kids = children_rollup(world.db, world.catalog, 2568, "24", districts, now)
    for process in own.processes:
        below = [p for r in kids.values() for p in r.processes if p.process == process.process]
        if process.process in ("activity1",):  # a province's own instance, no child's
            assert sum(p.total for p in below) == 0
            continue
        assert sum(p.total for p in below) == process.total
        assert sum(p.done for p in below) == process.done
        assert sum(p.overdue for p in below) == process.overdue
    a2 = next(p for p in own.processes if p.process == "activity2")
    assert a2.done == 4 and a2.as_dict()["kpi"]["actual_percent"] == round(400 / a2.total, 1)
