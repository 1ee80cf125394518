"""Benchmark: persisted advance throughput on the national store, side by side with peers.

One transition = ``Engine.advance`` of a ``village_plan`` instance (the 6-step
village plan), as its district CD office, with the step's data: every check
(actor, role, area scope, step data, guards), the machine's dispatch, the new
state under the optimistic version and the hash-chained transition record, in one
transaction. Instances are drawn with a fixed seed from the 75,000 villages of the
national store (``bench.stores``) and advanced step by step across all of them;
every run takes fresh instances.

- SQLite (the engine's own settings, ``SQLITE_PRAGMAS``, which the floor and the
  peers use too), one process.
- PostgreSQL, 1, 4 and 8 worker processes, each advancing its own share of the
  instances; throughput is all transitions over the wall time from the start
  barrier to the last worker's end (start-up and warm-up excluded).
- In the same run, on the same instance count and step data: the floor (bare
  ``sqlite3`` on a copy of the same national store, the same statements'
  rows: SELECT the instance by key, UPDATE it under its version, INSERT its
  transition record, COMMIT; nothing computed) and the peers of ``bench.peers``.

Run: ``.venv/bin/python -m bench.advance [--quick] [--no-postgres]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import queue
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.peers import (
    CHECKPOINT,
    Result,
    checkpoint,
    measure,
    paired_ratio,
    peers,
    settled,
    spiff_version,
)
from bench.stores import (
    PROCESS,
    VILLAGES,
    Step,
    actor_of,
    build_postgres,
    build_sqlite,
    fresh_copy,
    pg_available,
    pg_url,
    process_steps,
    sample_keys,
)
from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Catalog
from plancycle.logs import configure_logging
from plancycle.store.db import SQLITE_PRAGMAS, make_engine
from plancycle.workflow.clock import SystemClock
from plancycle.workflow.engine import Engine

__all__ = ["AdvanceReport", "Settings", "main", "run"]

# Targets: plancycle's persisted advance on SQLite, one process, against each baseline.
TARGET_SPIFF = 5.0  # >= 5x SpiffWorkflow
TARGET_MACHINE = 1.0  # >= 1x one Machine built per advance
TARGET_FLOOR = 0.25  # >= 25 % of the bare floor
WORKERS = (1, 4, 8)
QUICK_BLOCK = 150  # instances per contender per round in --quick
QUICK_ROUNDS = 7


@dataclass(frozen=True)
class Settings:
    instances: int  # per round, per contender (a block)
    runs: int  # rounds: every contender advances one block per round, interleaved
    warm: int
    villages: int
    postgres: bool
    pg_instances: int = 1_000  # per run, per PostgreSQL configuration
    pg_runs: int = 3

    @classmethod
    def of(cls, quick: bool, postgres: bool = True, villages: int | None = None) -> Settings:
        if quick:  # sized so that the ratios hold still from run to run (docs/benchmarks.md)
            return cls(QUICK_BLOCK, QUICK_ROUNDS, 30, villages or VILLAGES, postgres, 100, 1)
        return cls(1_000, 3, 50, villages or VILLAGES, postgres)


@dataclass
class PgRun:
    workers: int
    transitions: int
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)  # all workers' CPU, per run
    refused: int = 0
    failed: int = 0
    first_failure: str = ""

    @property
    def rate(self) -> float:
        return statistics.median(self.transitions / s for s in self.seconds)

    @property
    def cpu_us(self) -> float:
        return 1e6 * statistics.median(self.cpu_seconds) / self.transitions


@dataclass
class AdvanceReport:
    settings: Settings
    steps: list[Step]
    instances_in_store: int = 0
    setup_s: float = 0.0
    plancycle: Result | None = None
    floor: Result | None = None
    peers: list[Result] = field(default_factory=list)
    pg: list[PgRun] = field(default_factory=list)
    pg_setup_s: float = 0.0
    pg_version: str = ""
    pg_skipped: str | None = None
    load: list[tuple[str, tuple[float, float, float]]] = field(default_factory=list)

    def peer(self, prefix: str) -> Result | None:
        return next((p for p in self.peers if p.name.startswith(prefix)), None)

    def targets(self) -> list[tuple[str, float, float, float, bool]]:
        """(what, ratio, ratio by CPU, target, met) for each target that could be measured:
        throughput ratios, each the median of the rounds' paired ratios."""
        out = [
            ("plancycle / SpiffWorkflow", self.peer("SpiffWorkflow"), TARGET_SPIFF),
            (
                "plancycle / one Machine built per advance",
                self.peer("transitions 0.9.3: one Machine per instance, built"),
                TARGET_MACHINE,
            ),
            ("plancycle / bare floor", self.floor, TARGET_FLOOR),
        ]
        base = self.plancycle
        return [
            (what, r, paired_ratio(base, other, cpu=True), t, r >= t)
            for what, other, t in out
            if other is not None
            for r in [paired_ratio(base, other)]
        ]


# --- plancycle and the floor on the national store --------------------------------------


class PlancycleContender:
    name = "plancycle `Engine.advance` (checks, guards, version, hash-chained record)"
    store = "SQLite, national store"

    def __init__(self, catalog: Catalog, template: Path) -> None:
        self.catalog = catalog
        self.template = template
        self.engine: Engine | None = None
        self.keys: list[str] = []

    def prepare(self, folder: Path, keys: list[str]) -> None:
        path = fresh_copy(self.template, "plancycle-run.db")
        db = make_engine(f"sqlite:///{path}")
        self.engine = Engine(self.catalog, db, SystemClock(), evidence_folder=folder / "evidence")
        self.keys = keys

    def advance(self, index: int, step: Step) -> None:
        trigger, _, dest, data = step
        key = self.keys[index]
        done = self.engine.advance(key, trigger, actor_of(key), data=data)
        if done.to_state != dest:
            raise RuntimeError(f"{key}: {done.to_state} != {dest}")

    def check(self, indexes: range, steps: list[Step]) -> str | None:
        keys = [self.keys[i] for i in indexes]
        return check_national(self.engine.db.url.database, keys, steps)

    def settle(self) -> None:
        with self.engine.db.connect() as conn:
            settled(*conn.exec_driver_sql(CHECKPOINT).one())

    def close(self) -> None:
        if self.engine is not None:
            self.engine.db.dispose()
            self.engine = None


def check_national(path: str, keys: list[str], steps: list[Step]) -> str | None:
    """None when every instance ended final with one record per step."""
    con = sqlite3.connect(path)
    try:
        marks = ",".join("?" * len(keys))
        final = con.execute(
            f"SELECT count(*) FROM instance WHERE key IN ({marks}) AND completed_at IS NOT NULL",
            keys,
        ).fetchone()[0]
        records = con.execute(
            f"SELECT count(*) FROM transition_record r JOIN instance i ON i.id = r.instance_id "
            f"WHERE i.key IN ({marks})",
            keys,
        ).fetchone()[0]
    finally:
        con.close()
    if final != len(keys) or records != len(keys) * len(steps):
        return f"{final}/{len(keys)} final, {records} records"
    return None


FLOOR_UPDATE = (
    "UPDATE instance SET state = ?, version = ?, due_at = ?, state_entered_at = ?, "
    "updated_at = ?, completed_at = ?, head_hash = ? WHERE id = ? AND version = ?"
)
FLOOR_INSERT = (
    'INSERT INTO transition_record (instance_id, seq, at, actor_id, role, "trigger", '
    "from_state, to_state, data, note, evidence, automatic, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class FloorContender:
    """Bare ``sqlite3`` on a copy of the national store: plancycle's rows and commits,
    nothing checked or computed (constant hashes, the time read once per transition)."""

    name = "floor: bare sqlite3, the same rows and commits"
    store = "SQLite, national store"

    def __init__(self, template: Path) -> None:
        self.template = template
        self.con: sqlite3.Connection | None = None
        self.keys: list[str] = []
        self.path = ""

    def prepare(self, folder: Path, keys: list[str]) -> None:
        path = fresh_copy(self.template, "floor-run.db")
        self.path = str(path)
        self.con = sqlite3.connect(path, isolation_level=None)
        for pragma in SQLITE_PRAGMAS:  # plancycle's own settings
            self.con.execute(pragma)
        self.keys = keys

    def advance(self, index: int, step: Step) -> None:
        trigger, _, dest, data = step
        key = self.keys[index]
        con = self.con
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        con.execute("BEGIN")
        inst_id, state, version, head = con.execute(
            "SELECT id, state, version, head_hash FROM instance WHERE key = ?", (key,)
        ).fetchone()
        digest = "f" * 64
        final = now if dest == "done" else None
        con.execute(
            FLOOR_UPDATE, (dest, version + 1, None, now, now, final, digest, inst_id, version)
        )
        con.execute(
            FLOOR_INSERT,
            (inst_id, version, now, actor_of(key), "district_cd_office", trigger, state, dest)
            + (json.dumps(data), None, "[]", 0, head or "0" * 64, digest),
        )
        con.execute("COMMIT")

    def check(self, indexes: range, steps: list[Step]) -> str | None:
        return check_national(self.path, [self.keys[i] for i in indexes], steps)

    def settle(self) -> None:
        checkpoint(self.con)

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


# --- PostgreSQL, several worker processes -----------------------------------------------


def _pg_worker(url: str, warm: list[str], keys: list[str], barrier, results) -> None:
    """One worker process: warm up, wait for the others, advance its keys step by step.
    Puts (start, end, CPU seconds, refused, failed, first failure) on ``results``, or
    ("error", traceback) when it cannot go on."""
    import traceback

    import sqlalchemy as sa

    from plancycle.workflow.errors import WorkflowError

    try:
        configure_logging()
        catalog = load_catalog()
        steps = process_steps(catalog)
        with tempfile.TemporaryDirectory(prefix="bench-pg-worker-") as tmp:
            engine = Engine(catalog, make_engine(url), SystemClock(), evidence_folder=Path(tmp))
            refused, failed, first = 0, 0, ""
            for group, timed in ((warm, False), (keys, True)):
                if timed:
                    barrier.wait(timeout=600)
                    t0, c0 = time.monotonic(), time.process_time()
                for trigger, _, _, data in steps:
                    for key in group:
                        try:
                            engine.advance(key, trigger, actor_of(key), data=data)
                        except WorkflowError:
                            refused += 1
                        except sa.exc.DBAPIError as exc:  # e.g. a deadlock: count it, go on
                            failed += 1
                            first = first or str(exc.orig).splitlines()[0]
            results.put((t0, time.monotonic(), time.process_time() - c0, refused, failed, first))
            engine.db.dispose()
    except BaseException:
        barrier.abort()
        results.put(("error", traceback.format_exc()))


@dataclass
class PgOutcome:
    seconds: float  # from the start barrier to the last worker's end
    cpu: float  # the workers' CPU seconds
    refused: int  # WorkflowError (conflicts and other refusals)
    failed: int  # database errors (e.g. deadlocks)
    first_failure: str


def pg_run(url: str, workers: int, warm: list[str], keys: list[str]) -> PgOutcome:
    # fork (Linux): the workers start without importing everything again; the parent
    # holds no open PostgreSQL connection (its engines are disposed) and no threads.
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    per_warm = max(len(warm) // workers, 1)
    procs = [
        ctx.Process(
            target=_pg_worker,
            args=(url, warm[w * per_warm : (w + 1) * per_warm], keys[w::workers], barrier, results),
        )
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    out = []
    while len(out) < workers:
        try:
            item = results.get(timeout=5)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                barrier.abort()
                raise RuntimeError("a PostgreSQL worker died without a word") from None
            continue
        if item[0] == "error":
            for proc in procs:
                proc.join(timeout=30)
            raise RuntimeError(f"a PostgreSQL worker failed:\n{item[1]}")
        out.append(item)
    for proc in procs:
        proc.join()
    return PgOutcome(
        max(o[1] for o in out) - min(o[0] for o in out),
        sum(o[2] for o in out),
        sum(o[3] for o in out),
        sum(o[4] for o in out),
        next((o[5] for o in out if o[5]), ""),
    )


def postgres(report: AdvanceReport, catalog: Catalog) -> None:
    url = pg_url()
    why = pg_available(url)
    if why:
        report.pg_skipped = f"PostgreSQL at {url} does not answer: {why}"
        return
    s = report.settings
    t0 = time.perf_counter()
    build_postgres(url, catalog, s.villages)
    report.pg_setup_s = time.perf_counter() - t0
    db = make_engine(url)
    with db.connect() as con:
        report.pg_version = con.exec_driver_sql("SHOW server_version").scalar()
    warm_per_run = 4 * max(WORKERS)
    pool = sample_keys(db, len(WORKERS) * s.pg_runs * (s.pg_instances + warm_per_run), seed=2569)
    db.dispose()
    for workers in WORKERS:
        result = PgRun(workers, s.pg_instances * len(report.steps))
        for _ in range(s.pg_runs):
            warm, pool = pool[:warm_per_run], pool[warm_per_run:]
            keys, pool = pool[: s.pg_instances], pool[s.pg_instances :]
            outcome = pg_run(url, workers, warm, keys)
            result.seconds.append(outcome.seconds)
            result.cpu_seconds.append(outcome.cpu)
            result.refused += outcome.refused
            result.failed += outcome.failed
            result.first_failure = result.first_failure or outcome.first_failure
        report.pg.append(result)
        print(f"... PostgreSQL, {workers} worker(s) done", file=sys.stderr, flush=True)


def count_instances(db) -> int:
    with db.connect() as con:
        return con.exec_driver_sql("SELECT count(*) FROM instance").scalar()


# --- the run ------------------------------------------------------------------------------


def run(settings: Settings, template: Path | None = None, setup_s: float = 0.0) -> AdvanceReport:
    """Measure everything; ``template`` is a national SQLite store built by
    ``bench.stores.build_sqlite`` with ``settings.villages`` (built here when None)."""
    configure_logging()  # the command line's default: stderr, ERROR and above
    catalog = load_catalog()
    report = AdvanceReport(settings, process_steps(catalog))
    report.load.append(("start", os.getloadavg()))
    report.setup_s = setup_s
    s = settings
    with tempfile.TemporaryDirectory(prefix="bench-advance-") as tmp:
        folder = Path(tmp)
        if template is None:
            template = folder / "national.db"
            t0 = time.perf_counter()
            build_sqlite(template, catalog, s.villages)
            report.setup_s = time.perf_counter() - t0
            print("... national SQLite store built", file=sys.stderr, flush=True)
        db = make_engine(f"sqlite:///{template}")
        report.instances_in_store = count_instances(db)
        keys = sample_keys(db, s.warm + s.runs * s.instances)
        db.dispose()
        args = (folder, keys, report.steps, s.instances, s.warm, s.runs)
        contenders = [PlancycleContender(catalog, template), FloorContender(template)]
        report.plancycle, report.floor, *report.peers = measure(
            [*contenders, *peers(catalog)], *args
        )
        print("... SQLite contenders done", file=sys.stderr, flush=True)
    report.load.append(("after SQLite", os.getloadavg()))
    if s.postgres:
        postgres(report, catalog)
        report.load.append(("after PostgreSQL", os.getloadavg()))
    return report


# --- output --------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def versions() -> str:
    from importlib.metadata import version

    spiff = spiff_version()
    return (
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"transitions {version('transitions')}, SQLAlchemy {version('sqlalchemy')}, "
        f"SQLModel {version('sqlmodel')}, psycopg {version('psycopg')}"
        + (f", SpiffWorkflow {spiff}" if spiff else "")
    )


def machine_line() -> str:
    return (
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs; {versions()}; "
        f"date: {datetime.now(UTC).date().isoformat()}"
    )


def print_report(report: AdvanceReport, quick: bool) -> None:
    s = report.settings
    n = s.instances * len(report.steps)
    triggers = ", ".join(t for t, *_ in report.steps)
    print(f"## Advance throughput and peers{' (--quick)' if quick else ''}")
    print(f"\n{machine_line()}")
    loads = "; ".join(f"{when} {a:.2f} {b:.2f} {c:.2f}" for when, (a, b, c) in report.load)
    print(f"\nload average (1, 5, 15 min): {loads}")
    print(
        f"\nStore: national ({report.instances_in_store:,} instances, {s.villages:,} villages; "
        f"set-up {report.setup_s:.1f} s). Process `{PROCESS}`, {len(report.steps)} steps "
        f"({triggers}). {s.runs} round(s); in each, every contender in turn (interleaved: "
        f"A B C A B C ...) advances a block of {s.instances:,} fresh instances x "
        f"{len(report.steps)} steps = {n:,} transitions, each its own transaction with its "
        f"audit row; {s.warm} instances of warm-up first. Rates: median of the rounds; "
        "ratios: median of the rounds' ratios (each round's contenders ran back to back). "
        "CPU = this process's CPU time (SQLite works in-process; waiting is not counted)."
    )
    print(
        "\n| contender | store | transitions/s | µs per transition | CPU µs per transition "
        "| rounds (transitions/s) | plancycle / contender, throughput | by CPU |"
        "\n|---|---|---|---|---|---|---|---|"
    )
    base = report.plancycle
    for res in [base, report.floor, *report.peers]:
        spread = ", ".join(f"{r:,.0f}" for r in res.rates)
        flag = f" **(check failed: {res.problem})**" if res.problem else ""
        print(
            f"| {res.name}{flag} | {res.store} | {res.rate:,.0f} | {res.per_transition_us:,.0f} "
            f"| {res.cpu_us:,.0f} | {spread} | {paired_ratio(base, res):.2f}x "
            f"| {paired_ratio(base, res, cpu=True):.2f}x |"
        )
    print_postgres(report)
    print("\nTargets (plancycle on SQLite, one process, throughput):")
    for what, ratio, cpu, target, met in report.targets():
        print(f"- {what} >= {target:g}x: {ratio:.2f}x (by CPU {cpu:.2f}x) -> {verdict(met)}")


def print_postgres(report: AdvanceReport) -> None:
    if report.pg_skipped:
        print(f"\nPostgreSQL: skipped ({report.pg_skipped}).")
        return
    if not report.pg:
        return
    print(
        f"\nPostgreSQL {report.pg_version} on the same machine (the server shares the "
        f"{os.cpu_count()} CPUs with the workers), national store (set-up "
        f"{report.pg_setup_s:.0f} s), `make_engine` defaults; {report.settings.pg_instances:,} "
        "instances per run shared by the workers (each its own instances, step by step); "
        "wall time from the start barrier to the last worker's end. CPU = the workers' own "
        "CPU time (the server's is not counted)."
    )
    print(
        "\n| worker processes | transitions/s | per worker | runs (transitions/s) "
        "| vs 1 worker | workers' CPU µs per transition | refused | database errors |"
        "\n|---|---|---|---|---|---|---|---|"
    )
    one = report.pg[0].rate
    for pg in report.pg:
        spread = ", ".join(f"{pg.transitions / t:,.0f}" for t in pg.seconds)
        print(
            f"| {pg.workers} | {pg.rate:,.0f} | {pg.rate / pg.workers:,.0f} | {spread} "
            f"| {pg.rate / one:.2f}x | {pg.cpu_us:,.0f} | {pg.refused} "
            f"| {pg.failed}{f' ({pg.first_failure})' if pg.failed else ''} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_ROUNDS} rounds of {QUICK_BLOCK} instances"
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--villages", type=int, help=f"default {VILLAGES:,}")
    args = parser.parse_args(argv)
    settings = Settings.of(args.quick, not args.no_postgres, args.villages)
    report = run(settings)
    print_report(report, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
