"""Benchmark: the web app under 20 concurrent clients, on SQLite and on PostgreSQL.

A real server (`plancycle serve`, uvicorn, one process) runs on 127.0.0.1 in a
subprocess over a sample province (Chachoengsao: 11 districts, 93 tambons, 938
sample villages, FY2568 started). 20 client threads, each with its own httpx client,
measure:

- baseline: ``GET /api/v1/health`` (the same app, server and clients; no store work);
- the province status page: ``GET /areas/24`` logged in as the provincial CD office
  (the roll-up per process and per district, rendered);
- advance: ``POST /api/v1/instances/.../advance`` (multipart, a PDF on the workshop
  step) walking each Activity 2 tambon through its five steps as its district office;
  no two clients touch one instance, so every advance is a write that succeeds.

Each reports p50 / p95 latency and requests per second, with the ratio to the baseline.
Run: ``.venv/bin/python -m bench.web`` (``--backend sqlite|postgres``, ``--pg URL``).
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import Session, select

from plancycle.cli.sample import fresh_sample_store
from plancycle.definitions.loader import load_catalog
from plancycle.store import geothai_import, targets, villages
from plancycle.store.actors import add_sample_actors
from plancycle.store.db import make_engine, migrate
from plancycle.store.models import Instance
from plancycle.store.tokens import issue_token
from plancycle.thai.fiscal import BANGKOK
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.cycle import start_cycle
from plancycle.workflow.walk import MINIMAL_PDF

CLIENTS = 20
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/plancycle_bench"
START = datetime(2025, 1, 10, 9, tzinfo=BANGKOK)
STEPS = (  # Activity 2, first path: trigger, form fields, evidence
    ("meeting_set", {}, False),
    ("workshop_held", {"data.participants": "25", "data.workshop_date": "2025-01-10"}, True),
    ("evaluated", {}, False),
    ("bpm_recorded", {}, False),
    ("report_submitted", {"data.spent": "3900"}, False),
)


@dataclass
class Result:
    name: str
    latencies: list[float]
    seconds: float
    errors: int

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds


def sample_pg(url: str) -> sa.Engine:
    """A fresh sample province on the PostgreSQL database ``url`` (created if missing)."""
    parsed = sa.engine.make_url(url)
    admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
        exists = con.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).scalar()
        if not exists:
            con.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()
    db = make_engine(url)
    with db.begin() as con:
        con.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        con.exec_driver_sql("CREATE SCHEMA public")
    migrate(db)
    catalog, clock = load_catalog(), ManualClock(START)
    with Session(db) as session, session.begin():
        geothai_import.import_geothai(session, ["24"])
        villages.generate_sample_villages(session, "24")
        targets.default_strong_tambons(session, 2568, "24")
        add_sample_actors(session, catalog.roles, "24", clock.now())
    start_cycle(db, catalog, 2568, "24", clock)
    return db


def tokens_for(db: sa.Engine) -> tuple[str, dict[str, str]]:
    """The provincial office's token, and each district office's (by district code)."""
    with Session(db) as session, session.begin():
        province = issue_token(session, "provincial-cd-office-24")
        districts = session.exec(
            select(Instance.district_code).where(Instance.definition_id == "activity2")
        ).all()
        offices = {d: issue_token(session, f"district-cd-office-{d}") for d in set(districts)}
    return province, offices


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "PLANCYCLE_SECRET_KEY": "bench",
        "PLANCYCLE_EVIDENCE_DIR": str(folder),
        "PLANCYCLE_LOG_LEVEL": "ERROR",
    }
    plancycle = Path(sys.executable).with_name("plancycle")
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "server.log"  # a file, not a pipe nobody reads: a full pipe stalls the server
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(plancycle), "--db", url, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")


def run_clients(
    name: str,
    jobs: queue.Queue,
    work: Callable[[httpx.Client, object], bool],
    setup: Callable[[httpx.Client], None] = lambda c: None,
    base: str = "",
    clients: int = CLIENTS,
) -> Result:
    """``clients`` threads take jobs until the queue is empty; each job's latency is kept."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            setup(http)
            while True:
                try:
                    job = jobs.get_nowait()
                except queue.Empty:
                    return
                t0 = time.perf_counter()
                try:
                    ok = work(http, job)
                except httpx.HTTPError:
                    ok = False
                spent = time.perf_counter() - t0
                with lock:
                    latencies.append(spent)
                    errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Result(name, latencies, time.perf_counter() - started, errors[0])


def filled(items) -> queue.Queue:
    q: queue.Queue = queue.Queue()
    for item in items:
        q.put(item)
    return q


def bench_backend(label: str, url: str, db: sa.Engine, folder: Path, rounds: int) -> list[Result]:
    province, offices = tokens_for(db)
    with Session(db) as session:
        keys = session.exec(
            select(Instance.key, Instance.district_code)
            .where(Instance.definition_id == "activity2")
            .order_by(Instance.key)
        ).all()
    proc, base = start_server(url, folder)
    try:
        health = run_clients(
            "baseline GET /api/v1/health",
            filled(range(CLIENTS * rounds)),
            lambda h, _: h.get("/api/v1/health").status_code == 200,
            base=base,
        )

        def login(h: httpx.Client) -> None:
            h.post("/login", data={"token": province}, follow_redirects=False)

        page = run_clients(
            "province status page GET /areas/24",
            filled(range(CLIENTS * rounds)),
            lambda h, _: h.get("/areas/24?fy=2568").status_code == 200,
            setup=login,
            base=base,
        )
        posts: list[float] = []
        walked = run_clients("walk", filled(keys), _walker(offices, posts), base=base)
        alone = [  # one client: the service time, without queueing
            run_clients(
                "1 client: baseline",
                filled(range(rounds * 2)),
                lambda h, _: h.get("/api/v1/health").status_code == 200,
                base=base,
                clients=1,
            ),
            run_clients(
                "1 client: province status page",
                filled(range(rounds * 2)),
                lambda h, _: h.get("/areas/24?fy=2568").status_code == 200,
                setup=login,
                base=base,
                clients=1,
            ),
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        logged = (folder / "server.log").read_text()
        if "Traceback" in logged:
            print(f"server errors ({label}):\n{logged[-3000:]}")
    # per POST latency; throughput = POSTs over the walks' wall time
    advance = Result("advance POST .../advance (multipart)", posts, walked.seconds, walked.errors)
    return [health, page, advance, *alone]


def _walker(offices: dict[str, str], sink: list[float]) -> Callable[[httpx.Client, object], bool]:
    """One job = one instance walked through its 5 steps; the latency kept is per advance."""

    def walk(http: httpx.Client, job) -> bool:
        key, district = job
        headers = {"Authorization": f"Bearer {offices[district]}"}
        ok = True
        for trigger, fields, pdf in STEPS:
            files = {"evidence.attendance": ("attendance.pdf", MINIMAL_PDF, "application/pdf")}
            t0 = time.perf_counter()
            answer = http.post(
                f"/api/v1/instances/{key}/advance",
                headers=headers,
                data={"trigger": trigger, **fields},
                files=files if pdf else None,
            )
            sink.append(time.perf_counter() - t0)  # list.append is atomic
            ok = ok and answer.status_code == 200
        return ok

    return walk


def report(label: str, results: list[Result]) -> None:
    print(f"\n{label}: {CLIENTS} concurrent clients (the last rows: one client alone)")
    print("| request | n | p50 ms | p95 ms | req/s | p50 / baseline | errors |")
    print("|---|---|---|---|---|---|---|")
    for r in results:  # each compared with the baseline of its own concurrency
        base = results[3] if r.name.startswith("1 client") else results[0]
        ratio = r.pct(0.5) / base.pct(0.5)
        print(
            f"| {r.name} | {len(r.latencies)} | {r.pct(0.5):.1f} | {r.pct(0.95):.1f} | "
            f"{r.rps:.0f} | {ratio:.1f}x | {r.errors} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg", default=os.environ.get("PLANCYCLE_BENCH_PG", PG_DEFAULT))
    parser.add_argument("--rounds", type=int, default=25, help="GETs per client (default 25)")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
    with tempfile.TemporaryDirectory(prefix="plancycle-bench-web-") as tmp:
        folder = Path(tmp)
        if args.backend in ("sqlite", "both"):
            path = folder / "web.db"
            store = fresh_sample_store(path, load_catalog(), "24", 2568, START)
            run_and_report(
                "SQLite", f"sqlite:///{path}", store.engine.db, folder / "ev1", args.rounds
            )
        if args.backend in ("postgres", "both"):
            db = sample_pg(args.pg)
            run_and_report("PostgreSQL", args.pg, db, folder / "ev2", args.rounds)


def run_and_report(label: str, url: str, db: sa.Engine, folder: Path, rounds: int) -> None:
    report(label, bench_backend(label, url, db, folder, rounds))
    db.dispose()


if __name__ == "__main__":
    main()
