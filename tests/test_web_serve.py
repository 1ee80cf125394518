"""`plancycle serve` starts a real server on the store it is given."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlmodel import Session

from plancycle.cli.sample import fresh_sample_store
from plancycle.definitions.loader import load_catalog
from plancycle.store.tokens import issue_token
from tests.world import bkk


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_on_the_given_store(tmp_path: Path) -> None:
    store = fresh_sample_store(tmp_path / "s.db", load_catalog(), "24", 2568, bkk(2025, 1, 6))
    with Session(store.engine.db) as session, session.begin():
        token = issue_token(session, "district-cd-office-2401")
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("plancycle")),
        "--db",
        f"sqlite:///{tmp_path / 's.db'}",
        "serve",
        "--port",
        str(port),
    ]
    env = {**os.environ, "PLANCYCLE_EVIDENCE_DIR": str(tmp_path / "evidence")}
    base = f"http://127.0.0.1:{port}"
    with subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as server:
        _check(server, base, token)


def _check(server: subprocess.Popen, base: str, token: str) -> None:
    try:
        deadline = time.monotonic() + 20
        while True:  # waiting for the process to listen, not for time to pass
            try:
                health = httpx.get(f"{base}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "plancycle serve did not start"
                time.sleep(0.05)
        assert health.json() == {"status": "ok"}
        me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["id"] == "district-cd-office-2401"
        assert 'lang="th"' in httpx.get(f"{base}/login").text
    finally:
        server.terminate()
        server.wait(timeout=10)
