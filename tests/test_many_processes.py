"""Two `serve` processes and two schedulers on one PostgreSQL database, as on two
nodes: a session made on one app is good on the other, a step done on one is seen on
the other, both schedulers sweep and dispatch, and every escalation and every outbox
message happens once."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plancycle.cli.sample import fill_sample
from plancycle.definitions.loader import load_catalog
from plancycle.notifier.contacts import import_contacts_csv
from plancycle.store.tokens import issue_token
from plancycle.workflow.clock import ManualClock
from tests.processes import answers, free_port, start, stop, wait_for
from tests.world import bkk

pytestmark = pytest.mark.postgres

ACTOR = "district-cd-office-7501"  # Samut Songkhram, the smallest province


def _scalar(db: sa.Engine, sql: str) -> int:
    with db.connect() as connection:
        return int(connection.exec_driver_sql(sql).scalar_one())


def _prepare(db: sa.Engine, tmp_path: Path) -> str:
    catalog = load_catalog()
    fill_sample(db, catalog, "75", 2568, ManualClock(bkk(2025, 2, 3, 9)))
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("area_code,role,channel,address\n7501,district_cd_office,log,cd-7501\n")
    with Session(db) as session, session.begin():
        assert import_contacts_csv(session, contacts, catalog.roles) == 1
        return issue_token(session, ACTOR)


def test_two_apps_and_two_schedulers_share_one_postgres(
    pg_engine: sa.Engine, tmp_path: Path
) -> None:
    token = _prepare(pg_engine, tmp_path)
    url = pg_engine.url.render_as_string(hide_password=False)
    env = {
        "PLANCYCLE_SECRET_KEY": "one-key-for-every-node-" + "x" * 20,
        "PLANCYCLE_EVIDENCE_DIR": str(tmp_path / "evidence"),  # the shared folder
        "PLANCYCLE_LOG_LEVEL": "INFO",
    }
    ports = [free_port(), free_port()]
    apps = [  # the first node runs two uvicorn workers, the second one
        start(
            ["--db", url, "serve", "--port", str(p), "--workers", str(2 - i)],
            env,
            tmp_path / f"app{i}.log",
        )
        for i, p in enumerate(ports)
    ]
    schedulers = [
        start(
            ["--db", url, "scheduler", "run", "--dispatch-seconds", "1"],
            env,
            tmp_path / f"scheduler{i}.log",
        )
        for i in range(2)
    ]
    try:
        a, b = (f"http://127.0.0.1:{p}" for p in ports)
        for i, base in enumerate((a, b)):
            wait_for(f"app {i}", answers(f"{base}/readyz"), apps[i], tmp_path / f"app{i}.log")
        for i, process in enumerate(schedulers):
            log = tmp_path / f"scheduler{i}.log"
            wait_for(
                f"scheduler {i} sweeps",
                lambda log=log: "sweep done" in log.read_text(),
                process,
                log,
            )
        _sessions_and_steps(a, b, token)
        escalations = _scalar(pg_engine, "SELECT count(*) FROM escalation")
        assert escalations > 0
        assert (
            _scalar(
                pg_engine,
                "SELECT count(*) FROM (SELECT 1 FROM escalation GROUP BY instance_id, "
                "step_seq, level HAVING count(*) > 1) AS twice",
            )
            == 0
        )
        messages = "SELECT count(*) FROM outbox_message"
        assert _scalar(pg_engine, messages) > 0
        # what is due now is delivered; a digest's items and what a day off holds wait for
        # their working morning (the real clock's day decides which, so count only the due)
        due = (
            "SELECT count(*) FROM outbox_message WHERE status IN ('pending', 'held') "
            "AND next_attempt_at <= now()"
        )
        log = tmp_path / "scheduler0.log"
        wait_for("dispatch", lambda: _scalar(pg_engine, due) == 0, schedulers[0], log)
        # once each: one message per escalation and contact, one attempt each, and each
        # notice in at most one bundle (``digest_id`` is one column)
        assert (
            _scalar(
                pg_engine,
                "SELECT count(*) FROM (SELECT 1 FROM outbox_message WHERE escalation_id IS NOT "
                "NULL GROUP BY escalation_id, channel, address HAVING count(*) > 1) AS twice",
            )
            == 0
        )
        assert _scalar(pg_engine, "SELECT max(attempts) FROM outbox_message") <= 1
    finally:
        codes = [stop(p) for p in (*apps, *schedulers)]
    assert all(code in (0, -15) for code in codes), codes


def _sessions_and_steps(a: str, b: str, token: str) -> None:
    with httpx.Client(base_url=a) as on_a, httpx.Client(base_url=b) as on_b:
        csrf = re.search(r'name="csrf" value="([^"]+)"', on_a.get("/login").text).group(1)
        signed_in = on_a.post(
            "/login", data={"csrf": csrf, "token": token, "next": "/"}, follow_redirects=False
        )
        assert signed_in.status_code == 303, signed_in.text
        on_b.cookies.update(on_a.cookies)  # the next request lands on the other node
        inbox = on_b.get("/inbox", follow_redirects=False)
        assert inbox.status_code == 200, inbox.headers
        done = on_b.post(
            "/api/v1/instances/2568/orders/7501/advance",
            data={"trigger": "reviewed"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert done.status_code == 200, done.text
        seen = on_a.get(
            "/api/v1/instances/2568/orders/7501", headers={"Authorization": f"Bearer {token}"}
        )
        assert seen.json()["state"] == "send_copies"
        # logging out on B ends the session for A too (it is a row in the store)
        page = inbox.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        assert on_a.get("/inbox", follow_redirects=False).status_code == 200  # still in
        assert on_b.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
        after = on_a.get("/inbox", follow_redirects=False)
        assert after.status_code in (302, 303, 307) and "/login" in after.headers["location"]
