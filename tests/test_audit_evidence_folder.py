"""`audit verify` checks the evidence files where the store wrote them, from any working
directory: the engine records the folder (as an absolute path) in ``store_setting``;
``--evidence`` still wins, and a folder that is not there is a clear refusal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.store.db import make_engine
from plancycle.store.store_settings import evidence_folder_of
from plancycle.workflow.walk import MINIMAL_PDF

KEY = "2568/activity2/240101"


@pytest.fixture
def written(chachoengsao_db: Path, tmp_path: Path, monkeypatch) -> Path:
    """A store whose workshop step attached a PDF, written from ``tmp_path/office``
    with the default evidence folder (``./evidence`` there); the working directory is
    then moved elsewhere. Returns the folder the file went to."""
    monkeypatch.setenv("PLANCYCLE_DB", f"sqlite:///{chachoengsao_db}")
    monkeypatch.delenv("PLANCYCLE_EVIDENCE_DIR", raising=False)
    office = tmp_path / "office"
    office.mkdir()
    monkeypatch.chdir(office)
    (office / "sheet.pdf").write_bytes(MINIMAL_PDF)
    for args in (
        ["actors", "add", "cd-2401", "--role", "district_cd_office", "--area", "2401"],
        ["cycle", "start", "2568", "--province", "24", "--quiet"],
        ["advance", KEY, "meeting_set", "--actor", "cd-2401"],
        [
            "advance",
            KEY,
            "workshop_held",
            "--actor",
            "cd-2401",
            "--data",
            "participants=25",
            "--data",
            "workshop_date=2025-02-03",
        ]
        + ["--evidence", "attendance=sheet.pdf"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return office / "evidence"


def verify(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", "verify", *args])
    return result.exit_code, result.output + result.stderr


def test_the_store_records_the_folder_its_files_went_to(written: Path, chachoengsao_db) -> None:
    db = make_engine(f"sqlite:///{chachoengsao_db}")
    try:
        assert evidence_folder_of(db) == written.resolve()
    finally:
        db.dispose()


def test_verify_from_another_directory_finds_and_checks_the_files(written: Path) -> None:
    code, out = verify()
    assert code == 0, out
    assert not Path("evidence").exists()  # ./evidence here was never looked at
    [stored] = [p for p in written.rglob("*") if p.is_file()]
    stored.chmod(0o644)
    stored.write_bytes(MINIMAL_PDF + b"%changed")
    code, out = verify()
    assert code == 7 and "ถูกแทนที่" in out  # Thai, the default


def test_an_explicit_evidence_folder_wins(written: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    code, out = verify("--evidence", str(other))
    assert code == 7 and "ไม่พบไฟล์หลักฐาน" in out and str(other) in out
    shutil.copytree(written, tmp_path / "copy")
    assert verify("--evidence", str(tmp_path / "copy"))[0] == 0


def test_a_folder_that_is_not_there_is_told_in_thai_and_english(
    written: Path, tmp_path: Path
) -> None:
    code, out = verify("--evidence", str(tmp_path / "nowhere"))
    assert code == 3, out
    assert "does not exist" in out and "ไม่พบโฟลเดอร์หลักฐาน" in out and "nowhere" in out
    written.rename(tmp_path / "moved")
    code, out = verify()
    assert code == 3, out
    assert str(written.resolve()) in out.replace("\n", "") and "--evidence" in out
    assert "Traceback" not in out
