"""The store as several nodes use it: `init` from many processes at once, backup and
restore, readiness, and `serve --workers` refused where it is unsafe."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.cli.sample import fill_sample
from plancycle.definitions.loader import load_catalog
from plancycle.store.backup import BackupError, backup_store, restore_store
from plancycle.store.db import current_revision, downgrade, head_revision, make_engine, migrate
from plancycle.web import WebSettings, create_app
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.engine import Engine
from tests.conftest import _admin, _drop, pg_url
from tests.processes import PLANCYCLE
from tests.world import bkk

SMALL = "75"  # Samut Songkhram: 3 districts


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_init_from_two_processes_at_once(empty_engine: sa.Engine) -> None:
    url = _url(empty_engine)
    runs = [
        subprocess.Popen(
            [PLANCYCLE, "--db", url, "init"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outcomes = [(run.wait(timeout=120), run.stderr.read().decode()) for run in runs]
    for run in runs:
        run.stdout.close()
        run.stderr.close()
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert current_revision(empty_engine) == head_revision()


def _cli(*args: str, lang: str = "en") -> tuple[int, str]:
    """A real process: each run opens and closes its own connections."""
    done = subprocess.run(
        [PLANCYCLE, "--lang", lang, *args], capture_output=True, text=True, timeout=120
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def restore_target(request: pytest.FixtureRequest, empty_engine: sa.Engine, tmp_path: Path):
    """An empty store of the same kind as ``empty_engine`` to restore into."""
    if empty_engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    admin = _admin(request)
    name = f"{empty_engine.url.database}_restored"
    _drop(admin, name)
    admin.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield sa.engine.make_url(pg_url()).set(database=name).render_as_string(hide_password=False)
    _drop(admin, name)


def test_backup_restore_then_audit_verify(
    empty_engine: sa.Engine, restore_target: str, tmp_path: Path
) -> None:
    url = _url(empty_engine)
    migrate(empty_engine)
    catalog, clock = load_catalog(), ManualClock(bkk(2024, 12, 20, 9))
    fill_sample(empty_engine, catalog, SMALL, 2568, clock)  # the smallest province
    steps = Engine(catalog, empty_engine, clock, tmp_path / "evidence")
    for district in ("7501", "7502"):  # records in the audit chain
        steps.advance(f"2568/orders/{district}", "reviewed", f"district-cd-office-{district}")
    backup = tmp_path / "store.backup"
    code, out = _cli("--db", url, "backup", str(backup))
    assert code == 0, out
    with pytest.raises(BackupError, match="exists already"):  # never overwritten
        backup_store(empty_engine, backup)
    code, out = _cli("--db", restore_target, "restore", str(backup))
    assert code == 0, out
    code, out = _cli("--db", restore_target, "audit", "verify")
    assert code == 0 and "intact: 2 records" in out, out
    restored = make_engine(restore_target)
    try:
        count = "SELECT count(*) FROM instance"
        with restored.connect() as a, empty_engine.connect() as b:
            assert a.exec_driver_sql(count).scalar_one() == b.exec_driver_sql(count).scalar_one()
        # a second restore into the now full store is refused, nothing changed
        with pytest.raises(BackupError, match="restore into"):
            restore_store(restored, backup)
    finally:
        restored.dispose()


def test_restore_refuses_a_backup_of_the_other_kind(tmp_path: Path) -> None:
    not_a_backup = tmp_path / "x.backup"
    not_a_backup.write_bytes(b"PGDMP....")
    code, out = _cli("--db", f"sqlite:///{tmp_path / 'new.db'}", "restore", str(not_a_backup))
    assert code == 2 and "not a sqlite backup" in out
    assert not (tmp_path / "new.db").exists()


def test_readyz_is_503_when_the_store_is_behind_the_head(sqlite_engine: sa.Engine) -> None:
    client = TestClient(create_app(WebSettings(db=sqlite_engine, catalog=load_catalog())))
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    downgrade(sqlite_engine, "0012")
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "behind" and answer.json()["head"] == head_revision()
    assert client.get("/healthz").status_code == 200  # alive all the same


def test_serve_workers_refused_on_sqlite_and_without_a_secret_key(
    sqlite_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused before anything starts (no PostgreSQL connection is made to refuse)."""
    url = _url(sqlite_engine)

    def serve(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, [*args, "serve", "--workers", "2"])
        return result.exit_code, result.output

    monkeypatch.setenv("PLANCYCLE_SECRET_KEY", "k" * 40)
    code, out = serve("--lang", "en", "--db", url)
    assert code == 2 and "needs PostgreSQL" in out
    assert "ต้องใช้ PostgreSQL" in serve("--db", url)[1]
    monkeypatch.delenv("PLANCYCLE_SECRET_KEY")
    code, out = serve("--lang", "en", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 2 and "PLANCYCLE_SECRET_KEY" in out
