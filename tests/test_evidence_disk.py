"""An evidence folder that cannot take a file (issue #11, item 8): a disk that is full
and a folder that is read-only, made real with a tiny tmpfs mounted for the test.
Every shell says "cannot store the evidence file" (API 507 or 503, CLI exit 6), nothing
is recorded, and no partial file is left to keep the disk full."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.store.evidence import EvidenceInput, EvidenceNotStored
from plancycle.store.models import Evidence, TransitionRecord
from plancycle.workflow.engine import Engine
from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import DISTRICT, make_web
from tests.world import populate

KEY = "2568/activity2/240101"
A2 = "/api/v1/instances/2568/activity2/240101"
BIG_PDF = MINIMAL_PDF + b"%" + b"0" * 200_000  # larger than the 64 KiB disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs; skipped where mounting is not allowed (not root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _recorded(db: sa.Engine) -> tuple[int, int]:
    with Session(db) as session:
        records = session.exec(select(func.count()).select_from(TransitionRecord)).one()
        files = session.exec(select(func.count()).select_from(Evidence)).one()
    return records, files


def _ready(db: sa.Engine, tmp_path: Path, folder: Path) -> Engine:
    world = populate(db, tmp_path)
    engine = Engine(world.catalog, db, world.clock, folder)
    engine.advance(KEY, "meeting_set", DISTRICT)
    return engine


def _workshop(engine: Engine) -> None:
    engine.advance(
        KEY,
        "workshop_held",
        DISTRICT,
        evidence=[EvidenceInput("attendance", "sheet.pdf", io.BytesIO(BIG_PDF))],
        data={"participants": 25},
    )


def test_a_full_disk_is_a_clear_error_with_nothing_left(
    sqlite_engine: sa.Engine, tmp_path: Path, small_disk: Path
) -> None:
    engine = _ready(sqlite_engine, tmp_path, small_disk / "evidence")
    with pytest.raises(EvidenceNotStored) as caught:
        _workshop(engine)
    assert caught.value.no_space and caught.value.exit_code == 6
    assert "cannot store the evidence file" in caught.value.en
    assert "บันทึกไฟล์หลักฐาน" in caught.value.th
    assert _leftovers(small_disk) == []  # no partial file keeps the disk full
    assert _recorded(sqlite_engine) == (1, 0)  # meeting_set only


def test_a_read_only_folder_is_a_clear_error(
    sqlite_engine: sa.Engine, tmp_path: Path, small_disk: Path
) -> None:
    engine = _ready(sqlite_engine, tmp_path, small_disk / "evidence")
    _read_only(small_disk)
    with pytest.raises(EvidenceNotStored) as caught:
        _workshop(engine)
    assert not caught.value.no_space and caught.value.exit_code == 6
    assert _recorded(sqlite_engine) == (1, 0)


def test_the_api_answers_507_for_a_full_disk_and_503_for_read_only(
    sqlite_engine: sa.Engine, tmp_path: Path, small_disk: Path
) -> None:
    web = make_web(sqlite_engine, tmp_path)
    web.client.app.state.web.engine.evidence_folder = small_disk / "evidence"
    auth = web.auth(DISTRICT)
    assert web.client.post(
        f"{A2}/advance", headers=auth, data={"trigger": "meeting_set"}
    ).is_success

    def workshop():
        return web.client.post(
            f"{A2}/advance",
            headers=auth,
            data={"trigger": "workshop_held", "data.participants": "25"},
            files={"evidence.attendance": ("sheet.pdf", BIG_PDF, "application/pdf")},
        )

    full = workshop()
    assert full.status_code == 507, full.text
    assert full.json()["type"] == "urn:plancycle:problem:evidence-not-stored"
    assert full.json()["detail_th"] and full.headers["Retry-After"]
    assert _leftovers(small_disk) == []
    _read_only(small_disk)
    read_only = workshop()
    assert read_only.status_code == 503, read_only.text
    assert _recorded(sqlite_engine) == (1, 0)


def test_the_cli_exits_6_without_a_traceback(
    chachoengsao_db: Path, tmp_path: Path, small_disk: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PLANCYCLE_DB", f"sqlite:///{chachoengsao_db}")
    monkeypatch.setenv("PLANCYCLE_EVIDENCE_DIR", str(small_disk / "evidence"))
    runner = CliRunner()
    for args in (
        ["actors", "add", "cd-2401", "--role", "district_cd_office", "--area", "2401"],
        ["cycle", "start", "2568", "--province", "24", "--quiet"],
        ["advance", KEY, "meeting_set", "--actor", "cd-2401"],
    ):
        assert runner.invoke(app, args).exit_code == 0
    sheet = tmp_path / "sheet.pdf"
    sheet.write_bytes(BIG_PDF)
    result = runner.invoke(
        app,
        ["--lang", "en", "advance", KEY, "workshop_held", "--actor", "cd-2401"]
        + ["--data", "participants=25", "--evidence", f"attendance={sheet}"],
    )
    assert result.exit_code == 6, result.output
    assert "cannot store the evidence file" in result.stderr
    assert "Traceback" not in result.stderr
    assert _leftovers(small_disk) == []
