"""`plancycle definitions migrate` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from plancycle.cli import context
from plancycle.cli.app import app
from plancycle.definitions.model import Catalog
from tests.test_versions import a2_keys, catalog_with, snapshot, v2_text
from tests.world import World, bkk, populate


class Cli:
    """Runs plancycle against the test's store with a chosen catalog."""

    def __init__(self, db: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
        self.url = db.url.render_as_string(hide_password=False)
        self.monkeypatch = monkeypatch
        self.runner = CliRunner()
        # the test's own engine (disposed by its fixture), not one per command left open
        monkeypatch.setattr(context, "make_engine", lambda url, *_: db)

    def use(self, catalog: Catalog) -> None:
        self.monkeypatch.setattr(context, "load_catalog", lambda: catalog)

    def __call__(self, *args: str, lang: str = "en") -> tuple[int, str, str]:
        result = self.runner.invoke(app, ["--db", self.url, "--lang", lang, *args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, _flat(result.stdout), _flat(result.stderr)


def _flat(text: str) -> str:
    """The output with the terminal's line wrapping undone (runs of spaces become one)."""
    return " ".join(text.split())


@pytest.fixture
def world(engine: sa.Engine, tmp_path: Path) -> World:
    w = populate(engine, tmp_path)
    w.clock.set(bkk(2025, 2, 10, 9))
    return w


@pytest.fixture
def cli(world: World, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("PLANCYCLE_EVIDENCE_DIR", str(world.engine.evidence_folder))
    return Cli(world.db, monkeypatch)


def test_dry_run_prints_the_plan_and_changes_nothing(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    cli.use(catalog_with(tmp_path, v2_text()))
    before = snapshot(world.db)
    code, out, err = cli(
        "definitions", "migrate", "activity2", "--from", "1", "--to", "2", "--fy", "๒๕๖๘",
        "--dry-run",
    )  # fmt: skip
    assert code == 0, err
    assert "plan: activity2 v1 → v2 FY 2568: 93 running instance(s)" in out
    assert "coordinate │ coordinate │ 93" in out
    assert "FY 2568: activity2 would pin v2 (now v1)" in out
    assert "dry run: nothing was changed" in out
    assert snapshot(world.db) == before


def test_migrate_moves_the_instances_as_an_admin(world: World, cli: Cli, tmp_path: Path) -> None:
    cli.use(catalog_with(tmp_path, v2_text()))
    code, out, err = cli("definitions", "show", "activity2")
    assert code == 0 and "migrates from v1: coordinate → coordinate" in out
    assert "evaluate → assess" in out
    code, out, err = cli(
        "definitions", "migrate", "activity2", "--from", "1", "--to", "2",
        "--actor", world.actors["admin"],
    )  # fmt: skip
    assert code == 0, err
    assert "moved 93 instance(s) of activity2 from v1 to v2 (0 completed stay on v1)" in out
    assert "FY 2568: activity2 pins v2" in out
    after = snapshot(world.db)
    assert {after["instances"][k][1] for k in a2_keys(world.db)} == {2}
    assert after["pins"][2568]["activity2"] == 2


def test_refusals_exit_non_zero_in_both_languages_and_change_nothing(
    world: World, cli: Cli, tmp_path: Path
) -> None:
    migrate = ("definitions", "migrate", "activity2", "--from", "1", "--to", "2")
    before = snapshot(world.db)
    # no version 2 at all
    code, _, err = cli(*migrate, "--actor", world.actors["admin"])
    assert code == 3 and "no version 2" in err and "ไม่มีรุ่น 2" in err
    # a mapping that misses 'coordinate', where every instance is
    cli.use(catalog_with(tmp_path, v2_text({"workshop": "workshop"}), name="defs2"))
    code, out, err = cli(*migrate, "--dry-run")
    assert code == 2 and "coordinate │ ? (not mapped) │ 93" in out
    assert "would pin" not in out and "dry run: nothing was changed" not in out
    assert "error:" in err and "'coordinate' (93)" in err and "ผิดพลาด:" in err
    code, out, err = cli(*migrate, "--actor", world.actors["admin"], lang="th")
    assert code == 2 and "ไม่มีการเปลี่ยนแปลงใด ๆ" in err and "nothing was changed" in err
    # a good mapping, but no actor, or one who is not an admin
    cli.use(catalog_with(tmp_path, v2_text(), name="defs3"))
    code, _, err = cli(*migrate)
    assert code == 2 and "--actor" in err and "ผู้ดำเนินการ" in err
    code, _, err = cli(*migrate, "--actor", world.actors["district_cd_office"])
    assert code == 4 and "only an actor with role 'admin'" in err and "เฉพาะผู้ดูแลระบบ" in err
    code, _, err = cli(*migrate, "--actor", "nobody")
    assert code == 3 and "'nobody' does not exist" in err
    # a version that does not say how to come from version 1
    cli.use(catalog_with(tmp_path, v2_text(states=None), name="defs4"))
    code, _, err = cli(*migrate, "--actor", world.actors["admin"])
    assert code == 2 and "declares no migrates_from" in err and "ไม่มี migrates_from" in err
    assert snapshot(world.db) == before
