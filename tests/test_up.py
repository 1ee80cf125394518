"""`plancycle up`: the web app and the scheduler in one process, stopped by Ctrl-C."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import sqlalchemy as sa

from plancycle.store.db import make_engine
from tests.processes import answers, free_port, start, wait_for


def _escalations(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM escalation")).scalar_one()
    finally:
        engine.dispose()


def test_up_serves_sweeps_and_stops_on_sigint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    port, log = free_port(), tmp_path / "up.log"
    env = {"PLANCYCLE_EVIDENCE_DIR": str(tmp_path / "evidence"), "COLUMNS": "80"}
    process = start(["--db", url, "up", "--sample", "--port", str(port)], env, log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for("up serves", answers(f"{base}/healthz"), process, log)
        # the sweep runs on its schedule: its first run is at start (then every 15 min),
        # and the sample's FY2568 deadlines are all past on the real clock
        wait_for("the first sweep", lambda: _escalations(url) > 0, process, log)
        printed = log.read_text()
        assert "เปิดบริการที่ http://127.0.0.1:" in printed
        token = next(
            line.split(": ")[1]
            for line in printed.splitlines()
            if "district-cd-office-2401" in line
        )
        me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["id"] == "district-cd-office-2401"
        assert 'lang="th"' in httpx.get(f"{base}/login").text
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    assert code == 0, log.read_text()
    assert "หยุดแล้ว" in log.read_text()
    # nothing was left half-done: a second start on the same store keeps its rows
    assert _escalations(url) > 0
