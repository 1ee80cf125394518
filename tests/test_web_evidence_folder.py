"""The web app serves (and stores) evidence where the store recorded its files, by the
same rule ``audit verify`` reads them (``workflow/evidence_folder.py``): without
``PLANCYCLE_EVIDENCE_DIR`` the recorded folder; a setting that names another folder is
refused in Thai and English (and logged) rather than served from the wrong place."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from loguru import logger

from plancycle.settings import load_settings
from plancycle.web import WebSettings, create_app
from plancycle.workflow.evidence_folder import (
    EvidenceFoldersDiffer,
    FolderSource,
    evidence_folder_for,
)
from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import DISTRICT, Web, make_web

KEY = "2568/activity2/240101"
SHA = hashlib.sha256(MINIMAL_PDF).hexdigest()


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    """A store with one PDF attached through the API, into ``tmp_path/web-evidence``."""
    web = make_web(engine, tmp_path)
    web.world.engine.advance(KEY, "meeting_set", web.world.actors["district_cd_office"])
    answer = web.client.post(
        f"/api/v1/instances/{KEY}/advance",
        headers=web.auth(DISTRICT),
        data={
            "trigger": "workshop_held",
            "data.participants": "25",
            "data.workshop_date": "2025-02-03",
        },
        files={"evidence.attendance": ("sheet.pdf", MINIMAL_PDF, "application/pdf")},
    )
    assert answer.status_code == 200, answer.text
    return web


def test_without_a_setting_the_web_serves_the_recorded_folder(
    web: Web, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PLANCYCLE_EVIDENCE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)  # ./evidence here is the world's folder, not the recorded one
    settings = WebSettings.of(web.world.db, web.world.catalog, load_settings(), web.world.clock)
    assert settings.evidence_folder is None
    app = create_app(settings)
    assert app.state.web.engine.evidence_folder == (tmp_path / "web-evidence").resolve()
    client = TestClient(app)
    answer = client.get(f"/api/v1/evidence/{SHA}", headers=web.auth(DISTRICT))
    assert answer.status_code == 200, answer.text
    assert answer.content == MINIMAL_PDF


def test_the_same_setting_as_recorded_is_taken(web: Web, tmp_path: Path) -> None:
    folder = evidence_folder_for(web.world.db, None, tmp_path / "web-evidence")
    assert folder.source is FolderSource.RECORDED


def test_a_setting_naming_another_folder_is_refused_and_logged(
    web: Web, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere"
    monkeypatch.setenv("PLANCYCLE_EVIDENCE_DIR", str(other))
    settings = WebSettings.of(web.world.db, web.world.catalog, load_settings(), web.world.clock)
    assert settings.evidence_folder == other
    logged: list[str] = []
    sink = logger.add(logged.append, level="ERROR", format="{message}")
    try:
        with pytest.raises(EvidenceFoldersDiffer) as caught:
            create_app(settings)
    finally:
        logger.remove(sink)
    assert str(other) in caught.value.en and "web-evidence" in caught.value.en
    assert "ยกเลิกการตั้ง PLANCYCLE_EVIDENCE_DIR" in caught.value.th
    assert any("refused to start" in line and str(other) in line for line in logged)
    assert not other.exists()  # nothing made in the wrong folder


def test_a_new_store_takes_the_setting_then_the_default(engine: sa.Engine, tmp_path: Path) -> None:
    assert evidence_folder_for(engine, None, tmp_path).source is FolderSource.CONFIGURED
    assert evidence_folder_for(engine).source is FolderSource.DEFAULT
    assert evidence_folder_for(engine, tmp_path / "x", tmp_path).source is FolderSource.GIVEN
