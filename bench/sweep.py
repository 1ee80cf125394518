"""Benchmark: the deadline sweep on SQLite, idle and on the worst day, at three store sizes.

Stores: GeoThai's 76 provinces, 878 districts and 7,256 tambons plus N synthetic
villages (``bench.cycle_start.national_store``), FY2568 started. With every GeoThai
area the smallest store has 17,222 instances (no villages); more villages give ~30k
and ~92k (75,000 villages, the national figure).

- Idle sweep at 2024-10-02 09:00 (Bangkok): FY2568 has just started, nothing is due,
  no window is open. Baseline: bare ``sqlite3`` doing the indexed SELECT of instances
  due within the reminder lead (8 days) and not completed. For scale (not the baseline):
  bare ``sqlite3`` running the very SELECT of candidates that ``load_snapshot`` sends
  (captured from the engine).
- Worst day: every instance except Activity 2's is marked completed (``due_at`` NULL),
  then the sweep runs at 2025-04-01 00:00 (Bangkok), the first instant after Activity 2's
  31 March deadline, on a fresh copy of the store each time. Baseline: bare ``sqlite3``
  on another fresh copy, selecting the overdue Activity 2 ids and inserting as many
  escalation and outbox rows (same columns, same bytes) in transactions of 500
  escalations, like the sweep's batches.
- Opening day (not a target, the year's largest write): on a fresh copy of the store, a
  sweep at 2024-12-31 23:45 (what is due by then), then the one at 2025-01-01 00:00 that
  finds the Q2 windows open (every village plan and Activity 2 instance is told once).
- Scheduler memory: a subprocess runs ``sweep_job`` then ``dispatch_job`` (MemoryChannel)
  on a worst-day copy of the largest store and prints its ``ru_maxrss``; again with a
  channel that keeps nothing (MemoryChannel holds every message it is sent); baseline:
  a subprocess that imports the same modules and loads the catalog.

Logging is as the command line sets it by default (stderr, ERROR and above).
Run: ``.venv/bin/python -m bench.sweep [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from bench.cycle_start import national_store
from plancycle.definitions.loader import load_catalog
from plancycle.logs import configure_logging
from plancycle.store.db import make_engine
from plancycle.workflow.cycle import start_cycle
from plancycle.workflow.engine import Engine
from plancycle.workflow.sweep_apply import load_snapshot, run_sweep

BANGKOK = timezone(timedelta(hours=7))
IDLE_NOW = datetime(2024, 10, 2, 9, 0, tzinfo=BANGKOK)
WORST_NOW = datetime(2025, 4, 1, 0, 0, tzinfo=BANGKOK)
OPENING_NOW = datetime(2025, 1, 1, 0, 0, tzinfo=BANGKOK)
OPENING_EVE = OPENING_NOW - timedelta(minutes=15)  # the scheduler's sweep before it
LEAD_DAYS = 8  # the default ladder's reminder is 7 days ahead: the sweep looks 8 ahead
BATCH = 500  # run_sweep's default batch
OPENING_RUNS = 3  # the opening day writes ~82k rows at ~92k instances: fewer runs
# (label, synthetic villages): ~10k cannot be reached with every GeoThai area (17,222
# instances without villages), so the smallest store is the one without villages.
SIZES = [("~17k", 0), ("~30k", 12_800), ("~92k", 75_000)]
IDLE_TARGET, WORST_TARGET, RSS_TARGET = 1.0, 10.0, 300.0
DISPATCH_BUDGET = 48.0  # the scheduler's default: 0.8 x the 60 s dispatch interval
QUICK_DISPATCH_BUDGET = 5.0

ESCALATION_SQL = (
    "INSERT INTO escalation (instance_id, step_seq, state, level, kind, due_at, at, recipients) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
OUTBOX_SQL = (
    "INSERT INTO outbox_message (escalation_id, channel, address, role, area_code, subject, "
    "body, payload, status, attempts, next_attempt_at, claimed_by, claimed_until, last_error, "
    "created_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
CANDIDATE_COLUMNS = (
    "id, key, definition_id, definition_version, fiscal_year, area_code, state, version, due_at"
)

_IMPORTS = """
import json, resource, sys, time
from datetime import datetime, timedelta, timezone
from plancycle.logs import configure_logging
from plancycle.definitions.loader import load_catalog
from plancycle.notifier.channels import MemoryChannel
from plancycle.store.db import make_engine
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.engine import Engine
from plancycle.workflow.scheduler import dispatch_job, sweep_job
configure_logging()
catalog = load_catalog()
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def hwm():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmHWM')) / 1024
"""
BASELINE_CODE = _IMPORTS + "print(json.dumps({'rss_mb': rss(), 'hwm_mb': hwm()}))\n"
JOB_CODE = (
    _IMPORTS
    + """
path, budget, keep = sys.argv[1], float(sys.argv[2]), sys.argv[3] == 'keep'
class Forgetful(MemoryChannel):
    # a MemoryChannel that counts what it is sent and keeps none of it
    count = 0
    def send(self, message):
        super().send(message)
        self.sent.clear()
        Forgetful.count += 1
now = datetime(2025, 4, 1, tzinfo=timezone(timedelta(hours=7)))
engine = Engine(catalog, make_engine(f"sqlite:///{path}"), ManualClock(now))
out = {'rss_before_mb': rss()}
t0 = time.perf_counter()
sweep_job(engine)
out['sweep_s'] = time.perf_counter() - t0
out['rss_after_sweep_mb'] = rss()
kind = MemoryChannel if keep else Forgetful
channels = {name: kind(name) for name in ('log', 'email', 'webhook')}
t0 = time.perf_counter()
dispatch_job(engine, channels, 'bench', budget)
out['dispatch_s'] = time.perf_counter() - t0
out['delivered'] = sum(len(c.sent) for c in channels.values()) if keep else Forgetful.count
out['rss_mb'] = rss()
out['hwm_mb'] = hwm()
print(json.dumps(out))
"""
)


def db_time(when: datetime) -> str:
    """How UTCDateTime keeps an instant in SQLite: naive UTC text."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def connect(path: Path) -> sqlite3.Connection:
    """A bare connection with the pragmas ``plancycle.store.db`` sets."""
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        con.execute(f"PRAGMA {pragma}")
    return con


def settle(path: Path) -> None:
    """Fold the WAL into the database file so that ``shutil.copy`` copies everything."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        raise RuntimeError(f"{wal} is not empty after a checkpoint")


def fresh_copy(template: Path, name: str) -> Path:
    target = template.with_name(name)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, target)
    return target


def median_time(runs: int, fn: Callable[[], object]) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds of ``runs`` calls, and the last call's result."""
    times, cpu, result = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpu), result


@dataclass
class Size:
    label: str
    villages: int
    instances: int = 0
    activity2: int = 0
    setup_s: float = 0.0
    idle_s: float = 0.0
    idle_cpu: float = 0.0
    idle_candidates: int = 0
    idle_written: int = 0
    idle_base_s: float = 0.0
    idle_base_rows: int = 0
    idle_same_where_s: float = 0.0
    worst_s: float = 0.0
    worst_runs: list[float] = field(default_factory=list)
    worst_cpu: float = 0.0
    worst_candidates: int = 0
    escalations: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    messages: int = 0
    worst_base_s: float = 0.0
    worst_base_cpu: float = 0.0
    worst_base_ids: int = 0
    opening_s: float = 0.0
    opening_cpu: float = 0.0
    opening_escalations: int = 0
    opening_messages: int = 0


# --- stores ---------------------------------------------------------------------------


def build(size: Size, folder: Path, catalog) -> tuple[Path, Path]:
    """The store with FY2568 started, and its worst-day template."""
    store = folder / f"store-{size.villages}.db"
    t0 = time.perf_counter()
    national_store(store, size.villages)
    db = make_engine(f"sqlite:///{store}")
    size.instances = start_cycle(db, catalog, 2568).total_created
    db.dispose()
    size.setup_s = time.perf_counter() - t0
    settle(store)
    worst = fresh_copy(store, f"worst-{size.villages}.db")
    con = connect(worst)
    con.execute(
        "UPDATE instance SET completed_at = ?, due_at = NULL WHERE definition_id != 'activity2'",
        (db_time(IDLE_NOW),),
    )
    size.activity2 = con.execute(
        "SELECT count(*) FROM instance WHERE completed_at IS NULL"
    ).fetchone()[0]
    con.close()
    settle(worst)
    return store, worst


# --- idle sweep -----------------------------------------------------------------------


def idle(size: Size, store: Path, catalog, runs: int) -> None:
    db = make_engine(f"sqlite:///{store}")
    engine = Engine(catalog, db)
    size.idle_s, size.idle_cpu, report = median_time(runs, lambda: run_sweep(engine, IDLE_NOW))
    size.idle_candidates = report.candidates
    size.idle_written = sum(report.notices.values()) + report.messages
    con = connect(store)
    horizon = db_time(IDLE_NOW + timedelta(days=LEAD_DAYS))
    indexed = f"SELECT {CANDIDATE_COLUMNS} FROM instance WHERE due_at <= ? AND completed_at IS NULL"
    size.idle_base_s, _, rows = median_time(
        runs, lambda: con.execute(indexed, (horizon,)).fetchall()
    )
    size.idle_base_rows = len(rows)
    # Not the baseline: the SELECT of candidates the sweep sends, re-run by bare sqlite3.
    sql, params = candidates_select(engine)
    size.idle_same_where_s, _, _ = median_time(runs, lambda: con.execute(sql, params).fetchall())
    con.close()
    db.dispose()


def candidates_select(engine: Engine) -> tuple[str, tuple]:
    """The SELECT of candidates ``load_snapshot`` sends at IDLE_NOW, as the driver gets it."""
    sent: list[tuple[str, tuple]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append((statement, parameters))

    sa.event.listen(engine.db, "before_cursor_execute", keep)
    try:
        load_snapshot(engine.db, engine.catalog, IDLE_NOW)
    finally:
        sa.event.remove(engine.db, "before_cursor_execute", keep)
    return next((q, p) for q, p in sent if q.startswith('SELECT instance.id, instance."key"'))


# --- worst day ------------------------------------------------------------------------


def worst_day(size: Size, worst: Path, catalog, runs: int) -> dict[str, float]:
    """Median seconds of the sweep on fresh copies; returns the average bytes per outbox
    text column of what it wrote (the baseline writes rows of that size)."""
    shape: dict[str, float] = {}
    cpu = []
    for _ in range(runs):
        copy = fresh_copy(worst, "worst-run.db")
        db = make_engine(f"sqlite:///{copy}")
        engine = Engine(catalog, db)
        t0, c0 = time.perf_counter(), time.process_time()
        report = run_sweep(engine, WORST_NOW)
        size.worst_runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        db.dispose()
        size.worst_candidates = report.candidates
        size.kinds = dict(report.notices)
        con = connect(copy)
        size.escalations = con.execute("SELECT count(*) FROM escalation").fetchone()[0]
        size.messages = con.execute("SELECT count(*) FROM outbox_message").fetchone()[0]
        row = con.execute(
            "SELECT avg(length(CAST(subject AS BLOB))), avg(length(CAST(body AS BLOB))), "
            "avg(length(CAST(payload AS BLOB))), avg(length(CAST(address AS BLOB))) "
            "FROM outbox_message"
        ).fetchone()
        shape = dict(zip(("subject", "body", "payload", "address"), row, strict=True))
        con.close()
    size.worst_s = statistics.median(size.worst_runs)
    size.worst_cpu = statistics.median(cpu)
    return shape


def worst_baseline(size: Size, worst: Path, shape: dict[str, float], runs: int) -> None:
    times, cpu = [], []
    for _ in range(runs):
        copy = fresh_copy(worst, "base-run.db")
        con = connect(copy)
        wall, used = bare_writes(con, size.escalations, size.messages, shape)
        times.append(wall)
        cpu.append(used)
        con.close()
    size.worst_base_s = statistics.median(times)
    size.worst_base_cpu = statistics.median(cpu)


def bare_writes(
    con: sqlite3.Connection, escalations: int, messages: int, shape
) -> tuple[float, float]:
    """Wall-clock and CPU seconds for bare sqlite3: SELECT the overdue Activity 2 instances, then insert
    ``escalations`` escalation rows and ``messages`` outbox rows, 500 escalations (with
    their messages) per transaction."""
    now = db_time(WORST_NOW)
    subject, body = "s" * round(shape["subject"]), "b" * round(shape["body"])
    payload = json.dumps({"p": "x" * max(round(shape["payload"]) - 9, 0)})
    address = "a" * round(shape["address"])
    t0, c0 = time.perf_counter(), time.process_time()
    due = con.execute(
        "SELECT id, version, state, due_at FROM instance WHERE definition_id = 'activity2' "
        "AND completed_at IS NULL AND due_at < ?",
        (now,),
    ).fetchall()
    n = len(due)
    for start in range(0, escalations, BATCH):
        stop = min(start + BATCH, escalations)
        con.execute("BEGIN")
        ids = []
        for i in range(start, stop):
            inst_id, version, state, due_at = due[i % n]
            level = i // n - 1
            row = (inst_id, version, state, level, "overdue", due_at, now, '["lead"]')
            ids.append(con.execute(ESCALATION_SQL, row).lastrowid)
        first, last = start * messages // escalations, stop * messages // escalations
        con.executemany(
            OUTBOX_SQL,
            [
                (ids[(j - first) % len(ids)], "log", address, "role", "1101", subject, body)
                + (payload, "pending", 0, now, None, None, None, now, None)
                for j in range(first, last)
            ],
        )
        con.execute("COMMIT")
    return time.perf_counter() - t0, time.process_time() - c0


# --- opening day ----------------------------------------------------------------------


def opening_day(size: Size, store: Path, catalog, runs: int) -> None:
    """Median of the sweep at OPENING_NOW, each on a fresh copy swept at OPENING_EVE."""
    settle(store)
    walls, cpus = [], []
    for _ in range(runs):
        db = make_engine(f"sqlite:///{fresh_copy(store, 'opening-run.db')}")
        engine = Engine(catalog, db)
        run_sweep(engine, OPENING_EVE)
        t0, c0 = time.perf_counter(), time.process_time()
        report = run_sweep(engine, OPENING_NOW)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        db.dispose()
        size.opening_escalations = sum(report.notices.values())
        size.opening_messages = report.messages
    size.opening_s, size.opening_cpu = statistics.median(walls), statistics.median(cpus)


# --- scheduler memory -----------------------------------------------------------------


def subprocess_json(code: str, *args: str) -> dict:
    """Run ``python -c code args`` and read the JSON of its last line.

    Linux keeps ``ru_maxrss`` across ``execve``: a child started straight from this
    process would report at least this process's own peak (hundreds of MB after the
    big stores). So ``/bin/sh`` starts it (a fork of a small process, not an exec, as the
    command is followed by ``exit``), and the child's ``ru_maxrss`` is its own; the
    child also reports ``VmHWM`` from ``/proc/self/status`` as a cross-check.
    """
    command = [sys.executable, "-c", code, *args]
    done = subprocess.run(
        ["/bin/sh", "-c", '"$@"; exit $?', "sh", *command],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"subprocess failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def scheduler_memory(worst: Path, budget: float, quick: bool) -> dict[str, dict]:
    """Peak RSS of the jobs (MemoryChannel as it is, and, unless ``quick``, one that keeps
    nothing) and of the baseline process, each in a fresh subprocess on a fresh copy."""
    out = {}
    for keep in ("keep",) if quick else ("keep", "forget"):
        copy = fresh_copy(worst, "memory-run.db")
        out[keep] = subprocess_json(JOB_CODE, str(copy), str(budget), keep)
    out["baseline"] = subprocess_json(BASELINE_CODE)
    return out


# --- output ---------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def ratio(a: float, b: float) -> str:
    return f"{a / b:,.1f}x" if b else "n/a"


def print_header(quick: bool, load_start: float) -> None:
    print(f"# Sweep benchmark, SQLite{' (--quick)' if quick else ''}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    )
    print(
        f"date: {datetime.now(BANGKOK).date().isoformat()}; 1-minute load average at the "
        f"start {load_start:.2f}, at the end {os.getloadavg()[0]:.2f} (other work on the "
        f"machine shows as load above 1 and as spread between runs)"
    )


def print_sizes(sizes: list[Size], runs: int) -> None:
    print(f"\n## Stores (set-up = areas + villages + `cycle start 2568`; {runs} run(s) per figure)")
    print("| store | villages | instances | Activity 2 instances | set-up |\n|---|---|---|---|---|")
    for s in sizes:
        print(
            f"| {s.label} | {s.villages:,} | {s.instances:,} | {s.activity2:,} | {s.setup_s:.1f} s |"
        )


def print_idle(sizes: list[Size], runs: int) -> None:
    print(f"\n## Idle sweep at {IDLE_NOW.isoformat()} (median of {runs})")
    print(
        "| store | sweep (wall) | sweep (CPU) | candidates | rows written "
        "| baseline: indexed SELECT due <= now+8 d | ratio "
        "| the sweep's own SELECT, bare sqlite3 (not the baseline) | ratio |"
        "\n|---|---|---|---|---|---|---|---|---|"
    )
    for s in sizes:
        print(
            f"| {s.instances:,} | {s.idle_s:.3f} s | {s.idle_cpu:.3f} s | {s.idle_candidates:,} "
            f"| {s.idle_written} | {s.idle_base_s * 1e6:,.1f} µs ({s.idle_base_rows} rows) "
            f"| {ratio(s.idle_s, s.idle_base_s)} | {s.idle_same_where_s * 1000:.0f} ms "
            f"({s.idle_candidates:,} rows) | {ratio(s.idle_s, s.idle_same_where_s)} |"
        )


def print_worst(sizes: list[Size], runs: int) -> None:
    print(f"\n## Worst day at {WORST_NOW.isoformat()} (median of {runs}, fresh copy each run)")
    print(
        "| store | sweep (wall) | wall, each run | sweep (CPU) | candidates | escalation rows "
        "| outbox rows | baseline: bare sqlite3, same writes (wall / CPU) "
        "| ratio (wall / CPU) |\n|---|---|---|---|---|---|---|---|---|"
    )
    for s in sizes:
        kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(s.kinds.items()))
        spread = ", ".join(f"{t:.2f}" for t in s.worst_runs)
        print(
            f"| {s.instances:,} | {s.worst_s:.2f} s | {spread} | {s.worst_cpu:.2f} s "
            f"| {s.worst_candidates:,} | {s.escalations:,} ({kinds}) | {s.messages:,} "
            f"| {s.worst_base_s:.2f} s / {s.worst_base_cpu:.2f} s "
            f"| {ratio(s.worst_s, s.worst_base_s)} / {ratio(s.worst_cpu, s.worst_base_cpu)} |"
        )


def print_opening(sizes: list[Size], runs: int) -> None:
    print(
        f"\n## Opening day at {OPENING_NOW.isoformat()}, after a sweep at "
        f"{OPENING_EVE.isoformat()} (not a target; median of {runs}, fresh copy each run)"
    )
    print(
        "| store | sweep (wall) | sweep (CPU) | escalation rows | outbox rows |\n|---|---|---|---|---|"
    )
    for s in sizes:
        print(
            f"| {s.instances:,} | {s.opening_s:.2f} s | {s.opening_cpu:.2f} s "
            f"| {s.opening_escalations:,} | {s.opening_messages:,} |"
        )


def print_growth(sizes: list[Size]) -> None:
    print("\n## Growth (medians; wall / CPU)")
    print(
        "| store | instances | idle sweep | worst day | opening day (not a target) |"
        "\n|---|---|---|---|---|"
    )
    for s in sizes:
        print(
            f"| {s.label} | {s.instances:,} | {s.idle_s:.3f} s / {s.idle_cpu:.3f} s "
            f"| {s.worst_s:.2f} s / {s.worst_cpu:.2f} s "
            f"| {s.opening_s:.2f} s / {s.opening_cpu:.2f} s |"
        )
    if len(sizes) > 1:
        big, small = sizes[-1], sizes[0]
        print(
            f"| ratio {big.label} / {small.label} | {ratio(big.instances, small.instances)} "
            f"| {ratio(big.idle_s, small.idle_s)} / {ratio(big.idle_cpu, small.idle_cpu)} "
            f"| {ratio(big.worst_s, small.worst_s)} / {ratio(big.worst_cpu, small.worst_cpu)} "
            f"| {ratio(big.opening_s, small.opening_s)} / "
            f"{ratio(big.opening_cpu, small.opening_cpu)} |"
        )


def print_memory(label: str, mem: dict[str, dict], budget: float) -> None:
    job, forget, base = mem["keep"], mem.get("forget"), mem["baseline"]
    print(f"\n## Scheduler memory ({label} store, worst-day copy, one fresh process each)")
    print("| measure | ru_maxrss | VmHWM | ratio / baseline |\n|---|---|---|---|")
    rows = [
        ("sweep_job then dispatch_job, MemoryChannel", job["rss_mb"], job["hwm_mb"]),
        ("the same, after sweep_job only", job["rss_after_sweep_mb"], None),
        ("baseline: import the same modules + load the catalog", base["rss_mb"], base["hwm_mb"]),
    ]
    if forget:
        name = "sweep_job then dispatch_job, a channel that keeps nothing"
        rows.insert(2, (name, forget["rss_mb"], forget["hwm_mb"]))
    for name, rss, hwm in rows:
        shown = f"{hwm:,.0f} MB" if hwm is not None else "-"
        print(f"| {name} | {rss:,.0f} MB | {shown} | {ratio(rss, base['rss_mb'])} |")
    print(
        f"\nsweep_job {job['sweep_s']:.1f} s; dispatch_job (budget {budget:.0f} s) "
        f"{job['dispatch_s']:.1f} s, {job['delivered']:,} messages delivered "
        f"(MemoryChannel keeps every message it is sent)"
        + (
            f"; keeping nothing: {forget['dispatch_s']:.1f} s, {forget['delivered']:,} delivered."
            if forget
            else "."
        )
    )


def print_targets(size: Size, job: dict, quick: bool) -> None:
    note = " (--quick: measured on the smallest store; the targets are set for ~92k)"
    print(f"\n## Targets{note if quick else ''}")
    print(
        f"- idle sweep < {IDLE_TARGET:.0f} s at {size.instances:,} instances: "
        f"{size.idle_s:.2f} s wall ({size.idle_cpu:.2f} s CPU) -> "
        f"{verdict(size.idle_s < IDLE_TARGET)}"
    )
    print(
        f"- worst day < {WORST_TARGET:.0f} s at {size.instances:,} instances: "
        f"{size.worst_s:.2f} s wall ({size.worst_cpu:.2f} s CPU) -> "
        f"{verdict(size.worst_s < WORST_TARGET)}"
    )
    print(
        f"- scheduler peak RSS < {RSS_TARGET:.0f} MB: {job['rss_mb']:,.0f} MB -> "
        f"{verdict(job['rss_mb'] < RSS_TARGET)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smallest store, 1 run each")
    args = parser.parse_args(argv)
    configure_logging()  # the command line's default: stderr, ERROR and above
    load_start = os.getloadavg()[0]
    runs = 1 if args.quick else 5
    sizes = [Size(label, n) for label, n in (SIZES[:1] if args.quick else SIZES)]
    catalog = load_catalog()
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        for size in sizes:
            store, worst = build(size, Path(tmp), catalog)
            idle(size, store, catalog, runs)
            shape = worst_day(size, worst, catalog, runs)
            worst_baseline(size, worst, shape, runs)
            opening_day(size, store, catalog, min(runs, OPENING_RUNS))
            print(f"... {size.label} done", file=sys.stderr, flush=True)
        budget = QUICK_DISPATCH_BUDGET if args.quick else DISPATCH_BUDGET
        mem = scheduler_memory(worst, budget, args.quick)
    print_header(args.quick, load_start)
    print_sizes(sizes, runs)
    print_idle(sizes, runs)
    print_worst(sizes, runs)
    print_opening(sizes, min(runs, OPENING_RUNS))
    print_growth(sizes)
    print_memory(sizes[-1].label, mem, budget)
    print_targets(sizes[-1], mem["keep"], args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
