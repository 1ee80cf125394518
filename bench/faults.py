"""The fault run: processes killed with SIGKILL at random moments, then the trail checked.

Worker processes run against one store (SQLite file or PostgreSQL): advance loops (each
walking its own share of the FY2568 instances, and now and then trying a trigger that
is refused), sweeps, dispatch and a cycle start (FY2569). At moments drawn from a
seeded random generator one worker is killed with ``kill -9`` and started again.
Every advance a worker saw acknowledged, and every refusal it saw stored (its refusal
log flushed), is written to the worker's acknowledgement file before it goes on.

Afterwards: ``audit verify`` and ``audit replay`` must find nothing, every acknowledged
advance must be a transition record and every acknowledged refusal a ``refused_attempt``
row (records lost and refusal rows lost must be 0), and the interrupted cycle start,
run once more, must complete and a further run add nothing.

```sh
.venv/bin/python -m bench.faults --faults 40 --seed 11                 # SQLite
.venv/bin/python -m bench.faults --faults 40 --seed 11 --pg postgresql+psycopg://postgres@127.0.0.1:5432/test_h7
```
Figures: docs/reliability.md. ``tests/test_faults.py`` runs a short version.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

__all__ = ["FaultReport", "run_faults"]

PROVINCE = "24"
FY, NEXT_FY = 2568, 2569
KINDS = ("advance", "sweep", "dispatch", "cycle")
_FORK = multiprocessing.get_context("fork")


@dataclass
class FaultReport:
    backend: str
    seed: int
    faults_injected: int = 0
    faults_by_kind: dict[str, int] = field(default_factory=dict)
    advances_acknowledged: int = 0
    records_lost: int = 0
    refusals_acknowledged: int = 0
    refusal_rows_lost: int = 0
    records_verified: int = 0
    audit_findings: int = 0
    instances_replayed: int = 0
    replay_findings: int = 0
    cycle_completed: bool = False
    seconds: float = 0.0

    @property
    def survived(self) -> bool:
        return (
            self.records_lost == 0
            and self.refusal_rows_lost == 0
            and self.audit_findings == 0
            and self.replay_findings == 0
            and self.cycle_completed
        )


# --- the store ---------------------------------------------------------------------


def _prepare(url: str, workdir: Path) -> None:
    """A migrated store with province 24, sample actors and FY2568 started."""
    from plancycle.definitions.loader import load_catalog
    from plancycle.store import geothai_import, targets, villages
    from plancycle.store.actors import add_sample_actors
    from plancycle.store.db import make_engine, migrate
    from plancycle.workflow.cycle import start_cycle
    from plancycle.workflow.walk import MINIMAL_PDF

    db = make_engine(url)
    if db.dialect.name == "postgresql":
        with db.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    migrate(db)
    catalog = load_catalog()
    with Session(db) as session, session.begin():
        geothai_import.import_geothai(session, [PROVINCE])
        villages.generate_sample_villages(session, PROVINCE)
        targets.default_strong_tambons(session, FY, PROVINCE)
        actors = add_sample_actors(session, catalog.roles, PROVINCE, _now())
    start_cycle(db, catalog, FY, PROVINCE)
    (workdir / "actors.json").write_text(json.dumps(actors))
    (workdir / "scan.pdf").write_bytes(MINIMAL_PDF)
    db.dispose()


def _now():
    from plancycle.workflow.clock import SystemClock

    return SystemClock().now()


# --- the workers -------------------------------------------------------------------


def _engine(url: str, workdir: Path):
    from plancycle.definitions.loader import load_catalog
    from plancycle.store.db import make_engine
    from plancycle.workflow.engine import Engine

    engine = Engine(load_catalog(), make_engine(url), evidence_folder=workdir / "evidence")
    (workdir / f"ready-{os.getpid()}").touch()  # imported and connected: at work from now
    return engine


def _my_keys(engine, index: int, count: int) -> list[str]:
    query = "SELECT key FROM instance WHERE fiscal_year = :fy AND definition_id <> 'activity1'"
    with engine.db.connect() as connection:
        keys = connection.execute(sa.text(query), {"fy": FY}).scalars().all()
    return [k for i, k in enumerate(sorted(keys)) if i % count == index]


def _advance_worker(url: str, workdir: Path, index: int, count: int) -> None:
    from plancycle.errors import PlancycleError
    from plancycle.workflow.walk import walk

    engine = _engine(url, workdir)
    actors: dict[str, dict[str, str]] = json.loads((workdir / "actors.json").read_text())
    acks = (workdir / f"acks-{index}.txt").open("a", buffering=1)
    pdf = workdir / "scan.pdf"
    tries = 0
    for key in _my_keys(engine, index, count):
        area = key.split("/")[2]
        mine = {**actors.get("", {}), **actors.get(area[:2], {}), **actors.get(area[:4], {})}
        while True:
            tries += 1
            if tries % 7 == 0:
                _refused_try(engine, key, f"nope-{os.getpid()}-{tries}", acks)
            try:
                done = walk(engine, key, mine, pdf, max_steps=1)
            except PlancycleError:
                continue  # busy, or lost a race with the sweep's automatic steps
            if not done:
                break
            acks.write(f"A {key} {done[0].seq}\n")


def _refused_try(engine, key: str, trigger: str, acks) -> None:
    from plancycle.errors import PlancycleError

    try:
        engine.advance(key, trigger, "nobody")
    except PlancycleError:
        if engine.refusals.flush(30):
            acks.write(f"R {trigger}\n")


def _sweep_worker(url: str, workdir: Path) -> None:
    from plancycle.workflow.sweep_apply import run_sweep

    engine = _engine(url, workdir)
    while True:
        run_sweep(engine, _now(), batch=50)


def _dispatch_worker(url: str, workdir: Path) -> None:
    from plancycle.notifier.channels import LogChannel
    from plancycle.notifier.dispatch import dispatch_once

    engine = _engine(url, workdir)
    channels = {"log": LogChannel("DEBUG")}
    while True:
        dispatch_once(engine.db, channels, _now(), worker=f"faults-{os.getpid()}", batch=20)
        time.sleep(0.05)


def _cycle_worker(url: str, workdir: Path) -> None:
    from plancycle.workflow.cycle import start_cycle

    engine = _engine(url, workdir)
    start_cycle(engine.db, engine.catalog, NEXT_FY, PROVINCE)
    time.sleep(3600)  # done: wait to be killed like the others


def _forked(kind: str, url: str, workdir: Path, index: int, count: int) -> None:
    log = os.open(workdir / f"{kind}-{index}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    worker_main(kind, url, workdir, index, count)


def worker_main(kind: str, url: str, workdir: Path, index: int, count: int) -> None:
    from plancycle.store.errors import StoreUnavailable

    runners = {
        "advance": lambda: _advance_worker(url, workdir, index, count),
        "sweep": lambda: _sweep_worker(url, workdir),
        "dispatch": lambda: _dispatch_worker(url, workdir),
        "cycle": lambda: _cycle_worker(url, workdir),
    }
    while True:
        try:
            runners[kind]()
            time.sleep(3600)
        except (StoreUnavailable, sa.exc.OperationalError):
            time.sleep(0.05)  # the store was busy for a whole sweep/dispatch: go on


# --- the run -----------------------------------------------------------------------


@dataclass
class _Worker:
    """One worker process, forked from the run (no start-up imports to wait for), its
    output in ``KIND-INDEX.log``."""

    kind: str
    index: int
    count: int
    process: BaseProcess | None = None

    def start(self, url: str, workdir: Path) -> None:
        args = (self.kind, url, workdir, self.index, self.count)
        self.process = _FORK.Process(target=_forked, args=args, daemon=True)
        self.process.start()

    def wait_ready(self, workdir: Path, timeout_s: float = 120.0) -> None:
        """Until the (re)started process is at work, so that a kill lands mid-work."""
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        ready = workdir / f"ready-{self.process.pid}"
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.is_alive():
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.join()


def run_faults(
    url: str,
    workdir: Path,
    faults: int = 20,
    seed: int = 11,
    advancers: int = 2,
    pause: tuple[float, float] = (0.3, 1.5),
) -> FaultReport:
    """Prepare the store, run the workers, inject ``faults`` kills, then check."""
    started = time.monotonic()
    _prepare(url, workdir)
    rng = random.Random(seed)
    workers = [_Worker("advance", i, advancers) for i in range(advancers)]
    workers += [_Worker(kind, 0, 1) for kind in KINDS[1:]]
    for worker in workers:
        worker.start(url, workdir)
    for worker in workers:
        worker.wait_ready(workdir)
    killed: Counter[str] = Counter()
    try:
        for _ in range(faults):
            time.sleep(rng.uniform(*pause))
            victim = rng.choice(workers)
            victim.kill()
            killed[victim.kind] += 1
            victim.start(url, workdir)
            victim.wait_ready(workdir)
    finally:
        for worker in workers:
            worker.kill()
    report = FaultReport(sa.engine.make_url(url).get_backend_name(), seed)
    report.faults_injected = sum(killed.values())
    report.faults_by_kind = dict(killed)
    _check(url, workdir, report)
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _acks(workdir: Path) -> tuple[set[tuple[str, int]], set[str]]:
    advances: set[tuple[str, int]] = set()
    refusals: set[str] = set()
    for path in workdir.glob("acks-*.txt"):
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "A":
                advances.add((parts[1], int(parts[2])))
            elif len(parts) == 2 and parts[0] == "R":
                refusals.add(parts[1])
    return advances, refusals


def _check(url: str, workdir: Path, report: FaultReport) -> None:
    from plancycle.definitions.loader import load_catalog
    from plancycle.store.db import make_engine
    from plancycle.workflow.audit import replay, verify
    from plancycle.workflow.cycle import start_cycle

    db = make_engine(url)
    catalog = load_catalog()
    advances, refusals = _acks(workdir)
    with db.connect() as connection:
        records = set(
            connection.execute(
                sa.text(
                    "SELECT i.key, t.seq FROM transition_record t "
                    "JOIN instance i ON i.id = t.instance_id"
                )
            ).all()
        )
        stored = set(connection.execute(sa.text("SELECT trigger FROM refused_attempt")).scalars())
        # past ROWS_PER_WINDOW rows an hour, an actor's further refusals are folded into its
        # newest row (its count), so they are kept as counts, not as rows of their own
        folded = connection.execute(
            sa.text("SELECT coalesce(sum(count - 1), 0) FROM refused_attempt")
        ).scalar_one()
    report.advances_acknowledged = len(advances)
    report.records_lost = len(advances - {(k, int(s)) for k, s in records})
    report.refusals_acknowledged = len(refusals)
    report.refusal_rows_lost = max(0, len(refusals - stored) - int(folded))
    report.records_verified, findings = verify(db, workdir / "evidence")
    report.audit_findings = len(findings)
    report.instances_replayed, disagreements = replay(db, catalog)
    report.replay_findings = len(disagreements)
    start_cycle(db, catalog, NEXT_FY, PROVINCE)
    report.cycle_completed = start_cycle(db, catalog, NEXT_FY, PROVINCE).total_created == 0
    db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", type=int, default=40)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--advancers", type=int, default=2)
    parser.add_argument("--pg", help="PostgreSQL URL (its public schema is dropped!)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="plancycle-faults-") as tmp:
        workdir = Path(tmp)
        url = args.pg or f"sqlite:///{workdir / 'faults.db'}"
        report = run_faults(url, workdir, args.faults, args.seed, args.advancers)
    print(json.dumps({**asdict(report), "survived": report.survived}, indent=2))
    return 0 if report.survived else 1


if __name__ == "__main__":
    raise SystemExit(main())
