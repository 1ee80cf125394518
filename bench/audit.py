"""Benchmark: the audit chain on SQLite — `audit verify` speed and what hashing costs an advance.

1. Verify. A national store (``bench.cycle_start.national_store``: GeoThai's areas plus
   75,000 synthetic villages), FY2568 started, whose ``transition_record`` table is then
   filled with 500,000 valid chained records: instances walked along their first declared
   path (the step data ``workflow.walk`` gives, typed as the engine types it, one PDF per
   evidence slot), as evenly as the target count allows. Each record is hashed with the
   real ``record_hash`` / ``genesis_hash`` and chained per instance as ``append_transition``
   does; rows go in through SQLAlchemy Core ``executemany`` (so every column is stored as
   the ORM stores it) and each instance gets its state, version, head, times and next
   deadline. Measured: ``workflow.audit.verify(db)`` (records/s), which must find nothing.
   Floor, same run: bare ``sqlite3`` selecting the same records in the same order and
   SHA-256-ing each row's JSON.
2. Hashing per transition. ``Engine.advance`` walks N Activity 2 instances from start to
   end (5 steps, valid data and evidence, one district CD office actor per district) on
   two identical copies of the store; on the second, ``plancycle.store.chain.record_hash``
   is replaced by a stub returning a constant. Blocks of instances alternate between the
   two copies in ABBA order so that drift hits both alike. Both sides call the hash
   through the same timing wrapper, which also gives the time spent inside the real
   ``record_hash`` during the run. Also: ``record_hash`` alone (µs per call).

Run: ``.venv/bin/python -m bench.audit [--quick]`` (--quick: 50,000 records on the store
without villages, N=200; under a minute).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bench.cycle_start import national_store
from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Catalog, Definition, Transition
from plancycle.logs import configure_logging
from plancycle.store import chain
from plancycle.store.actors import add_actor
from plancycle.store.audit_hash import genesis_hash, record_hash
from plancycle.store.db import make_engine
from plancycle.store.evidence import open_evidence
from plancycle.store.models import Instance, TransitionRecord
from plancycle.thai.fiscal import BANGKOK
from plancycle.workflow.audit import verify
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.cycle import start_cycle
from plancycle.workflow.deadlines import state_due_at
from plancycle.workflow.engine import Engine
from plancycle.workflow.stepdata import coerce_step_data
from plancycle.workflow.walk import MINIMAL_PDF, sample_step_data

PDF_SHA = hashlib.sha256(MINIMAL_PDF).hexdigest()
FIRST_AT = datetime(2024, 11, 1, 2, 0, tzinfo=UTC)  # the bulk records' first step
WALK_NOW = datetime(2025, 1, 15, 9, 0, tzinfo=BANGKOK)  # the engine's clock in part 2
STUB_DIGEST = "0" * 64
INSERT_BATCH = 10_000  # records per executemany
WARM_UP = 10  # Activity 2 instances walked on both copies before timing
RECORD_SQL = (
    "SELECT id, instance_id, seq, at, actor_id, role, trigger, from_state, to_state, data, "
    "note, evidence, automatic, prev_hash, hash FROM transition_record "
    "ORDER BY instance_id, seq, id"
)


@dataclass(frozen=True)
class Settings:
    records: int
    villages: int
    walkers: int  # N Activity 2 instances walked start to end
    blocks: int  # per side, alternating ABBA
    runs: int  # verify and its floor: best of
    micro_calls: int  # record_hash calls per timing repeat


FULL = Settings(
    records=500_000, villages=75_000, walkers=1_000, blocks=40, runs=2, micro_calls=200_000
)
QUICK = Settings(records=50_000, villages=0, walkers=200, blocks=20, runs=1, micro_calls=50_000)


@dataclass(frozen=True)
class Timing:
    """Wall-clock and CPU seconds of one measure (the machine may be shared: both count)."""

    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


class Stopwatch:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> Timing:
        return Timing(time.perf_counter() - self.wall, time.process_time() - self.cpu)


@dataclass
class Results:
    setup_s: float = 0.0
    instances: int = 0
    fill_s: float = 0.0
    inserted: int = 0
    instances_with_records: int = 0
    by_definition: dict[str, int] = field(default_factory=dict)
    db_mb: float = 0.0
    verify_runs: list[Timing] = field(default_factory=list)
    checked: int = 0
    findings: int = 0
    floor_runs: list[Timing] = field(default_factory=list)
    floor_rows: int = 0
    walk: dict[str, Any] = field(default_factory=dict)
    micro: dict[str, float] = field(default_factory=dict)
    rss_mb: float = 0.0
    load: list[tuple[float, float, float]] = field(default_factory=list)


def first_path(definition: Definition) -> list[Transition]:
    """The first declared transition out of each state, from the initial one to the end."""
    path, state = [], definition.initial_state.id
    while steps := definition.transitions_from(state):
        path.append(steps[0])
        state = steps[0].dest
    return path


def plan_depths(lengths: list[int], target: int) -> list[int]:
    """How many steps each instance takes: as even as possible, ``target`` in all."""
    depth = 0
    while depth < max(lengths) and sum(min(n, depth + 1) for n in lengths) <= target:
        depth += 1
    out = [min(n, depth) for n in lengths]
    left = target - sum(out)
    for i, n in enumerate(lengths):
        if left <= 0:
            break
        if n > depth:
            out[i] += 1
            left -= 1
    return out


def district_counts(con: sa.Connection) -> dict[str, int]:
    rows = con.execute(
        sa.text(
            "SELECT province_code, count(*) FROM area WHERE level = 'district' "
            "GROUP BY province_code"
        )
    )
    return dict(rows.all())


class StepData:
    """The walk's data for a step, typed by the engine's rules; cached per province size."""

    def __init__(self) -> None:
        self.cache: dict[tuple, dict[str, Any]] = {}

    def __call__(self, step: Transition, definition: Definition, districts: int, fy: int) -> dict:
        key = (definition.key, step.trigger, districts, fy)
        if key not in self.cache:
            raw = sample_step_data(step, definition, districts, fiscal_year=fy)
            self.cache[key] = coerce_step_data(step.data, raw, fiscal_year=fy)
        return self.cache[key]


def chain_one(
    inst: Any, definition: Definition, path: list[Transition], index: int, data: Callable
) -> tuple[list[dict], dict]:
    """The records of one instance walked ``len(path)`` steps, and its instance update."""
    rows: list[dict] = []
    prev, state = genesis_hash(inst.key), inst.state
    left_at: dict[str, datetime] = {}
    at = FIRST_AT
    for seq, step in enumerate(path, start=1):
        at = FIRST_AT + timedelta(days=7 * seq, seconds=index, microseconds=index % 999_983)
        role = step.roles[0]
        values = data(step, definition, inst.districts, inst.fiscal_year)
        move = {
            "seq": seq,
            "at": at,
            "actor_id": f"{role.replace('_', '-')}-{inst.area_code}",
            "role": role,
            "trigger": step.trigger,
            "from_state": state,
            "to_state": step.dest,
            "data": values,
            "note": None,
            "evidence": [PDF_SHA] * len(step.evidence),
            "automatic": role == "scheduler",
        }
        digest = record_hash(key=inst.key, prev_hash=prev, **move)
        rows.append({"instance_id": inst.id, "prev_hash": prev, "hash": digest, **move})
        left_at[state] = at
        prev, state = digest, step.dest
    final = definition.state(state).final
    update = {
        "b_id": inst.id,
        "b_state": state,
        "b_version": len(path) + 1,
        "b_head": prev,
        "b_at": at,
        "b_completed": at if final else None,
        "b_due": state_due_at(definition, state, inst.fiscal_year, left_at),
    }
    return rows, update


@dataclass(frozen=True)
class InstanceRow:
    id: int
    key: str
    definition_id: str
    definition_version: int
    state: str
    fiscal_year: int
    area_code: str
    districts: int


def read_instances(con: sa.Connection) -> list[InstanceRow]:
    counts = district_counts(con)
    rows = con.execute(
        sa.text(
            "SELECT id, key, definition_id, definition_version, state, fiscal_year, area_code, "
            "province_code FROM instance WHERE version = 1 AND head_hash IS NULL ORDER BY id"
        )
    )
    return [InstanceRow(*r[:7], counts.get(r[7], 0)) for r in rows]


INSTANCE_UPDATE = (
    sa.update(Instance.__table__)
    .where(Instance.__table__.c.id == sa.bindparam("b_id"))
    .values(
        state=sa.bindparam("b_state"),
        version=sa.bindparam("b_version"),
        head_hash=sa.bindparam("b_head"),
        state_entered_at=sa.bindparam("b_at"),
        updated_at=sa.bindparam("b_at"),
        completed_at=sa.bindparam("b_completed"),
        due_at=sa.bindparam("b_due"),
    )
)


def generate(
    instances: list[InstanceRow], catalog: Catalog, target: int
) -> Iterator[tuple[list[dict], list[dict]]]:
    """Batches of (records, instance updates), ``target`` records in all."""
    paths = {d.key: first_path(d) for d in catalog.definitions}
    keys = [(i.definition_id, i.definition_version) for i in instances]
    depths = plan_depths([len(paths[k]) for k in keys], target)
    data = StepData()
    rows: list[dict] = []
    updates: list[dict] = []
    for index, (inst, key, depth) in enumerate(zip(instances, keys, depths, strict=True)):
        if depth == 0:
            continue
        recs, update = chain_one(inst, catalog.get(*key), paths[key][:depth], index, data)
        rows += recs
        updates.append(update)
        if len(rows) >= INSERT_BATCH:
            yield rows, updates
            rows, updates = [], []
    if rows:
        yield rows, updates


def fill(store: Path, catalog: Catalog, target: int, res: Results) -> None:
    """Write ``target`` valid chained records into the store, in one transaction."""
    db = make_engine(f"sqlite:///{store}")
    t0 = time.perf_counter()
    with db.begin() as con:
        instances = read_instances(con)
        by_id = {i.id: i.definition_id for i in instances}
        for rows, updates in generate(instances, catalog, target):
            con.execute(sa.insert(TransitionRecord.__table__), rows)
            con.execute(INSTANCE_UPDATE, updates)
            res.inserted += len(rows)
            res.instances_with_records += len(updates)
            for row in rows:
                name = by_id[row["instance_id"]]
                res.by_definition[name] = res.by_definition.get(name, 0) + 1
    res.fill_s = time.perf_counter() - t0
    db.dispose()
    checkpoint(store)
    res.db_mb = store.stat().st_size / 1e6


def checkpoint(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def copy_store(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()


def floor_read_hash(store: Path) -> tuple[Timing, int]:
    """Time for bare sqlite3 to read every record in verify's order and hash its JSON."""
    con = sqlite3.connect(store)
    watch = Stopwatch()
    cur = con.execute(RECORD_SQL)
    count = 0
    while batch := cur.fetchmany(5_000):
        for row in batch:
            text = json.dumps(row, separators=(",", ":"), ensure_ascii=False)
            hashlib.sha256(text.encode("utf-8")).hexdigest()
        count += len(batch)
    elapsed = watch.read()
    con.close()
    return elapsed, count


def measure_verify(store: Path, runs: int, res: Results) -> None:
    """Alternate floor and verify ``runs`` times (best of each is reported)."""
    for _ in range(runs):
        elapsed, res.floor_rows = floor_read_hash(store)
        res.floor_runs.append(elapsed)
        db = make_engine(f"sqlite:///{store}")
        watch = Stopwatch()
        checked, findings = verify(db)
        res.verify_runs.append(watch.read())
        db.dispose()
        res.checked, res.findings = checked, len(findings)
        for finding in findings[:5]:
            print(f"finding: {finding}", file=sys.stderr)


# --- part 2: advance with and without the hash ---------------------------------------


class HashTimer:
    """Calls ``fn`` and adds up the time spent in it."""

    def __init__(self, fn: Callable[..., str]) -> None:
        self.fn = fn
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, **kwargs: Any) -> str:
        t0 = time.perf_counter()
        out = self.fn(**kwargs)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        return out


def stub_hash(**_: Any) -> str:
    return STUB_DIGEST


@dataclass(frozen=True)
class Walker:
    key: str
    actor: str
    steps: tuple[tuple[str, dict, list], ...]  # (trigger, data, evidence)


def add_walk_actors(store: Path, catalog: Catalog, count: int, pdf: Path) -> list[Walker]:
    """``count`` Activity 2 instances spread over the nation, with an actor per district."""
    db = make_engine(f"sqlite:///{store}")
    definition = catalog.get("activity2", 1)
    path = first_path(definition)
    with db.begin() as con:
        counts = district_counts(con)
        rows = con.execute(
            sa.text(
                "SELECT key, area_code, province_code, fiscal_year FROM instance "
                "WHERE definition_id = 'activity2' ORDER BY id"
            )
        ).all()
    chosen = rows[:: max(1, len(rows) // count)][:count]
    walkers = []
    for key, area, province, fiscal_year in chosen:
        steps = tuple(
            (
                s.trigger,
                sample_step_data(s, definition, counts[province], fiscal_year=fiscal_year),
                [(slot.id, pdf) for slot in s.evidence],
            )
            for s in path
        )
        walkers.append(Walker(key, f"cd-{area[:4]}", steps))
    roles = set(catalog.roles)
    with Session(db) as session, session.begin():
        for district in sorted({w.actor[3:] for w in walkers}):
            add_actor(
                session, f"cd-{district}", "district_cd_office", district, "CD", roles, WALK_NOW
            )
    db.dispose()
    checkpoint(store)
    return walkers


def walk_block(engine: Engine, walkers: list[Walker]) -> tuple[Timing, int]:
    watch = Stopwatch()
    done = 0
    for w in walkers:
        for trigger, data, evidence in w.steps:
            with open_evidence(evidence) as files:
                engine.advance(w.key, trigger, w.actor, files, None, data)
            done += 1
    return watch.read(), done


def blocks_of(items: list, count: int) -> list[list]:
    size = max(1, len(items) // count)
    return [items[i : i + size] for i in range(0, len(items), size)]


def abba(
    engines: dict[str, Engine], hashes: dict[str, HashTimer], blocks: list[list[Walker]]
) -> dict[str, list[tuple[Timing, int]]]:
    """Each block walked on both copies; the order alternates A B, B A, ..."""
    times: dict[str, list[tuple[Timing, int]]] = {"real": [], "stub": []}
    try:
        for i, block in enumerate(blocks):
            for side in ("real", "stub") if i % 2 == 0 else ("stub", "real"):
                chain.record_hash = hashes[side]
                times[side].append(walk_block(engines[side], block))
    finally:
        chain.record_hash = record_hash
    return times


def hash_cost(
    template: Path, folder: Path, catalog: Catalog, settings: Settings, res: Results
) -> None:
    pdf = folder / "scan.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    walkers = add_walk_actors(template, catalog, settings.walkers + WARM_UP, pdf)
    warm, timed = walkers[:WARM_UP], walkers[WARM_UP:]
    engines, dbs = {}, {}
    for side in ("real", "stub"):
        copy = folder / f"advance-{side}.db"
        copy_store(template, copy)
        dbs[side] = make_engine(f"sqlite:///{copy}")
        clock = ManualClock(WALK_NOW)
        engines[side] = Engine(catalog, dbs[side], clock, evidence_folder=folder / f"ev-{side}")
    hashes = {"real": HashTimer(record_hash), "stub": HashTimer(stub_hash)}
    abba(engines, hashes, [warm])  # warm-up: not counted
    for timer in hashes.values():
        timer.seconds, timer.calls = 0.0, 0
    times = abba(engines, hashes, blocks_of(timed, settings.blocks))
    res.walk = {
        "walkers": len(timed),
        "times": times,
        "hash_s": hashes["real"].seconds,
        "hash_calls": hashes["real"].calls,
        "stub_calls": hashes["stub"].calls,
    }
    for side, db in dbs.items():
        checked, findings = verify(db)
        res.walk[f"verify_{side}"] = (checked, len(findings))
        db.dispose()


def micro(calls: int) -> dict[str, float]:
    """µs per call: record_hash for an Activity 2 workshop record, and two of its parts."""
    args = {
        "key": "2568/activity2/240101",
        "seq": 2,
        "at": datetime(2025, 1, 15, 2, 0, 0, 123456, tzinfo=UTC),
        "actor_id": "cd-2401",
        "role": "district_cd_office",
        "trigger": "workshop_held",
        "from_state": "workshop",
        "to_state": "evaluate",
        "data": {"participants": 25, "workshop_date": "2025-01-15"},
        "note": None,
        "evidence": [PDF_SHA, PDF_SHA],
        "automatic": False,
        "prev_hash": "f" * 64,
    }
    body = {**args, "v": 1, "at": args["at"].isoformat(timespec="microseconds")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    cases: dict[str, Callable[[], object]] = {
        "record_hash": lambda: record_hash(**args),
        "json.dumps of the body": lambda: json.dumps(
            body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ),
        "sha256 of the text": lambda: hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "at.astimezone(UTC).isoformat()": lambda: (
            args["at"].astimezone(UTC).isoformat(timespec="microseconds")
        ),
    }
    return {
        name: min(timeit.repeat(fn, number=calls, repeat=5)) / calls * 1e6
        for name, fn in cases.items()
    }


# --- report -----------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_header(quick: bool, res: Results) -> None:
    print(f"# Audit benchmark, SQLite{' (--quick)' if quick else ''}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs; Python "
        f"{platform.python_version()}; SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL); "
        f"SQLAlchemy {sa.__version__}"
    )
    load = " -> ".join("/".join(f"{x:.2f}" for x in avg) for avg in res.load)
    print(f"date: {datetime.now(BANGKOK).date().isoformat()}; load average at start -> end: {load}")


def rate(count: int, t: Timing) -> str:
    return (
        f"{t.wall:.2f} s wall, {t.cpu:.2f} s CPU ({count / t.wall:,.0f} records/s; "
        f"{t.wall / count * 1e6:.1f} µs/record wall, {t.cpu / count * 1e6:.1f} CPU)"
    )


def print_verify(res: Results, settings: Settings) -> None:
    best_v = min(res.verify_runs, key=lambda t: t.wall)
    best_f = min(res.floor_runs, key=lambda t: t.wall)
    spread = ", ".join(f"{t.wall:.2f}" for t in res.verify_runs)
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(res.by_definition.items()))
    print(f"\n## 1. `verify(db)` on {res.inserted:,} records (best of {settings.runs})")
    print("| measure | value |\n|---|---|")
    print(
        f"| store | {res.instances:,} instances ({settings.villages:,} villages), set-up "
        f"{res.setup_s:.1f} s; file {res.db_mb:,.0f} MB after the fill |"
    )
    print(
        f"| records written | {res.inserted:,} on {res.instances_with_records:,} instances "
        f"({kinds}) in {res.fill_s:.1f} s |"
    )
    print(f"| `verify(db)` | {rate(res.checked, best_v)}; runs (wall): {spread} s |")
    print(f"| records checked / findings | {res.checked:,} / {res.findings} |")
    print(f"| floor: bare sqlite3 SELECT + sha256(row JSON) | {rate(res.floor_rows, best_f)} |")
    print(
        f"| ratio verify / floor | {best_v.wall / best_f.wall:.1f}x wall, "
        f"{best_v.cpu / best_f.cpu:.1f}x CPU |"
    )


def paired_us(times: dict[str, list[tuple[Timing, int]]], attr: str) -> tuple[float, ...]:
    diffs = [
        (getattr(a, attr) - getattr(b, attr)) / n * 1e6
        for (a, n), (b, _) in zip(times["real"], times["stub"], strict=True)
    ]
    q1, med, q3 = statistics.quantiles(diffs, n=4)
    return med, q1, q3


def print_walk(res: Results) -> None:
    w = res.walk
    real = sum((t for t, _ in w["times"]["real"]), Timing(0.0, 0.0))
    stub = sum((t for t, _ in w["times"]["stub"]), Timing(0.0, 0.0))
    n = sum(k for _, k in w["times"]["real"])
    pairs = len(w["times"]["real"])
    print(
        f"\n## 2. Hashing per transition: `Engine.advance`, {w['walkers']:,} Activity 2 instances "
        f"x 5 steps, {pairs} block pairs (ABBA)"
    )
    print("| measure | wall | CPU |\n|---|---|---|")
    for label, t in (("(a) advance, real hash", real), ("(b) advance, hash stubbed", stub)):
        print(
            f"| {label}: {n:,} transitions | {t.wall:.2f} s, {n / t.wall:,.0f}/s, "
            f"{t.wall / n * 1e6:,.0f} µs each | {t.cpu:.2f} s, {n / t.cpu:,.0f}/s, "
            f"{t.cpu / n * 1e6:,.0f} µs each |"
        )
    cells = []
    for attr in ("wall", "cpu"):
        med, q1, q3 = paired_us(w["times"], attr)
        total = (getattr(real, attr) - getattr(stub, attr)) / n * 1e6
        cells.append(
            f"{total:+.1f} µs (block pairs: median {med:+.1f}, IQR {q1:+.1f} to {q3:+.1f})"
        )
    print(f"| (a) - (b) per transition | {cells[0]} | {cells[1]} |")
    print(
        f"| share of (a) from (a) - (b) | {(real.wall - stub.wall) / real.wall:+.2%} "
        f"| {(real.cpu - stub.cpu) / real.cpu:+.2%} |"
    )
    hash_us = w["hash_s"] / w["hash_calls"] * 1e6
    print(
        f"| time inside the real `record_hash` during (a) | {w['hash_s'] * 1000:.1f} ms over "
        f"{w['hash_calls']:,} calls: {hash_us:.1f} µs/call, {w['hash_s'] / real.wall:.2%} of (a) "
        f"| - |"
    )
    ok_real, ok_stub = w["verify_real"], w["verify_stub"]
    print(
        f"| verify after the walk | real: {ok_real[0]:,} records, {ok_real[1]} findings; "
        f"stubbed: {ok_stub[0]:,} records, {ok_stub[1]:,} findings | - |"
    )


def print_micro(res: Results, calls: int) -> None:
    print(f"\n## `record_hash` alone (best of 5 x {calls:,} calls)")
    print("| call | µs per call |\n|---|---|")
    for name, us in res.micro.items():
        print(f"| {name} | {us:.2f} |")


def print_checks(res: Results) -> None:
    w = res.walk
    n = sum(k for _, k in w["times"]["real"]) + WARM_UP * 5
    print("\n## Checks (no speed target was set for this benchmark)")
    checks = [
        ("verify finds nothing in the filled store", res.findings == 0),
        ("verify checked every record written", res.checked == res.inserted),
        ("the walk with the real hash verifies clean", w["verify_real"] == (n, 0)),
        ("the stub was in effect: verify flags every stubbed record", w["verify_stub"] == (n, n)),
        ("advance called the hash once per transition", w["hash_calls"] == w["stub_calls"]),
    ]
    for name, ok in checks:
        print(f"- {name} -> {verdict(ok)}")
    print(f"\npeak RSS of the process: {res.rss_mb:,.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 records, N=200")
    args = parser.parse_args(argv)
    configure_logging()  # the command line's default: stderr, ERROR and above
    settings = QUICK if args.quick else FULL
    catalog = load_catalog()
    res = Results(load=[os.getloadavg()])
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        folder = Path(tmp)
        store = folder / "nation.db"
        t0 = time.perf_counter()
        national_store(store, settings.villages)
        db = make_engine(f"sqlite:///{store}")
        res.instances = start_cycle(db, catalog, 2568).total_created
        db.dispose()
        res.setup_s = time.perf_counter() - t0
        template = folder / "advance-template.db"
        copy_store(store, template)
        fill(store, catalog, settings.records, res)
        print(f"... {res.inserted:,} records written", file=sys.stderr, flush=True)
        measure_verify(store, settings.runs, res)
        print("... verify measured", file=sys.stderr, flush=True)
        hash_cost(template, folder, catalog, settings, res)
        print("... advance measured", file=sys.stderr, flush=True)
    res.micro = micro(settings.micro_calls)
    res.rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res.load.append(os.getloadavg())
    print_header(args.quick, res)
    print_verify(res, settings)
    print_walk(res)
    print_micro(res, settings.micro_calls)
    print_checks(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
