"""The area pages stay fast as the year fills up: the nation's and a province's status
page build no instance object (every count is grouped in the database) and read the
KPIs once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from plancycle.cli.sample import fresh_sample_store
from plancycle.store.models import Instance
from plancycle.store.tokens import issue_token
from plancycle.thai.fiscal import BANGKOK
from plancycle.web import WebSettings, create_app
from plancycle.workflow import area_summary
from tests.world import CATALOG


@pytest.mark.parametrize(
    ("actor", "path"), [("cdd-th", "/areas"), ("provincial-cd-office-24", "/areas/24")]
)
def test_status_page_builds_no_instance_and_reads_kpis_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, actor: str, path: str
) -> None:
    store = fresh_sample_store(
        tmp_path / "s.db", CATALOG, "24", 2568, datetime(2025, 1, 10, 9, tzinfo=BANGKOK)
    )
    db = store.engine.db
    with Session(db) as session, session.begin():
        token = issue_token(session, actor)
    client = TestClient(
        create_app(WebSettings(db, CATALOG, store.clock, tmp_path / "ev", secret_key="k"))
    )
    csrf = client.get("/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"csrf": csrf, "token": token})
    built: list[int] = []
    kpi_reads: list[str] = []
    real = area_summary.kpi_counts

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        kpi_reads.append(args[3].code)
        return real(*args, **kwargs)

    def loaded(target: Instance, _context: object) -> None:
        built.append(target.id or 0)

    monkeypatch.setattr(area_summary, "kpi_counts", counted)
    event.listen(Instance, "load", loaded)
    try:
        page = client.get(path, params={"fy": 2568})
    finally:
        event.remove(Instance, "load", loaded)
    assert page.status_code == 200, page.text
    assert "ฉะเชิงเทรา" in page.text  # the province's row or heading: the page has content
    assert built == []  # 1,158 instances in the store; none became an object
    assert kpi_reads == [path.removeprefix("/areas").strip("/")]
