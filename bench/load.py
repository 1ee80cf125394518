"""Load test: virtual district, province and nation users against `plancycle serve`.

The store is the national one (``bench/stores.py``: 76 provinces, 878 districts, 7,256
tambons, 75,000 synthetic villages, FY2568 started: 92,222 instances) with 500,000
chained transition records written as ``bench/audit.py`` writes them (every process but
Activity 2, whose 7,256 instances are kept at their first step for the users to advance),
and the sample actors of every province (``add_sample_actors``). It is built once and
cached: on PostgreSQL as a template database (``plancycle_load_template``, copied with
``CREATE DATABASE ... TEMPLATE`` for each run), on SQLite as a file under
``~/.cache/plancycle-bench`` (copied). The cache key (villages, records, schema revision)
is kept with it; a changed key rebuilds it.

Each configuration starts a real server on 127.0.0.1 (``plancycle serve --workers N``),
signs the users in, and runs them for a fixed time; every user is one ``httpx.AsyncClient``
(its own cookies) in one asyncio loop, waiting an exponential think time (mean
``--think`` s) between requests. The mix:

- district office (70 %): inbox 25 %, instance page 25 %, district status 20 %,
  advance with a PDF 20 % (Activity 2 of its own district, API, multipart), export 10 %
  (the district's summary sheet, XLSX);
- provincial office (25 %): province status 40 %, overdue list 30 %, instance page 20 %,
  export 10 %;
- nation (5 %): nation status 50 %, nation overdue list 50 %.

Configurations: SQLite, 1 process (the baseline), then PostgreSQL with 1, 2 and 4 worker
processes, each on a fresh copy of the store. Reported per configuration: requests/s,
p50/p95/p99 per request kind, errors (any status but the expected one, or a transport
error), and the RSS of each server process at the end; ratios against the SQLite run.

Run: ``.venv/bin/python -m bench.load`` (``--quick`` for the small mode, < 1 minute;
``--service N``: instead, each request kind N times in a row on an idle server, the time the
server itself takes per request).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from bench import stores
from bench.audit import INSERT_BATCH, INSTANCE_UPDATE, generate, read_instances
from bench.web import free_port
from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Catalog
from plancycle.store.actors import add_sample_actors
from plancycle.store.db import head_revision, make_engine
from plancycle.store.models import Area, Instance, TransitionRecord
from plancycle.store.tokens import issue_token
from plancycle.workflow.walk import MINIMAL_PDF

__all__ = ["Config", "Scale", "main", "run_config", "template_sqlite"]

FY = 2568
KEPT = "activity2"  # left at its first step: what the users advance
PG_ENV = "PLANCYCLE_BENCH_LOAD_PG"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/plancycle_load"
TEMPLATE = "plancycle_load_template"
CACHE = Path(os.environ.get("PLANCYCLE_BENCH_CACHE", Path.home() / ".cache" / "plancycle-bench"))
PAGES = {"inbox", "instance", "status_district", "status_province", "status_nation"}
PAGES |= {"overdue_province", "overdue_nation", "advance"}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
NATION_KINDS = ("status_nation", "overdue_nation")


@dataclass(frozen=True)
class Scale:
    villages: int
    records: int

    @property
    def key(self) -> str:
        return f"v{self.villages}-r{self.records}-{head_revision()}"


FULL = Scale(stores.VILLAGES, 500_000)
QUICK = Scale(2_000, 40_000)


# ---- the store, built once and cached -------------------------------------------------


def fill_records(db: sa.Engine, catalog: Catalog, target: int) -> int:
    """``target`` valid chained records (as ``bench/audit.py``), none on Activity 2."""
    written = 0
    with db.begin() as con:
        instances = [i for i in read_instances(con) if i.definition_id != KEPT]
        for rows, updates in generate(instances, catalog, target):
            for at in range(0, len(rows), INSERT_BATCH):
                con.execute(sa.insert(TransitionRecord.__table__), rows[at : at + INSERT_BATCH])
            con.execute(INSTANCE_UPDATE, updates)
            written += len(rows)
    return written


def add_users(db: sa.Engine, catalog: Catalog) -> None:
    """The sample actors of every province (and the nation's)."""
    with Session(db) as session, session.begin():
        provinces = session.exec(select(Area.code).where(Area.level == "province")).all()
        now = datetime.now(UTC)
        for code in provinces:
            add_sample_actors(session, catalog.roles, code, now)


def _populate(db: sa.Engine, catalog: Catalog, scale: Scale) -> int:
    add_users(db, catalog)
    return fill_records(db, catalog, scale.records)


def template_sqlite(catalog: Catalog, scale: Scale, log=print) -> Path:
    """The cached SQLite store for ``scale`` (built when missing or stale)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"load-{scale.key}.db"
    if path.exists():
        return path
    t0 = time.perf_counter()
    building = path.with_suffix(".building")
    stores.build_sqlite(building, catalog, scale.villages)
    db = make_engine(f"sqlite:///{building}")
    written = _populate(db, catalog, scale)
    db.dispose()
    stores.settle(building)
    con = sqlite3.connect(building)
    con.execute("ANALYZE")
    con.close()
    building.rename(path)
    log(f"built {path.name}: {written:,} records in {time.perf_counter() - t0:.0f} s")
    return path


def _admin(url: str) -> sa.Engine:
    return sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def template_pg(url: str, catalog: Catalog, scale: Scale, log=print) -> None:
    """The PostgreSQL template database for ``scale`` (built when missing or stale)."""
    admin = _admin(url)
    try:
        with admin.connect() as con:
            found = con.execute(
                sa.text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :n"
                ),
                {"n": TEMPLATE},
            ).scalar()
        if found == scale.key:
            return
        t0 = time.perf_counter()
        template_url = make_url(url).set(database=TEMPLATE).render_as_string(False)
        stores.build_postgres(template_url, catalog, scale.villages)
        db = make_engine(template_url)
        written = _populate(db, catalog, scale)
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            con.execute(sa.text("VACUUM ANALYZE"))
        db.dispose()
        with admin.connect() as con:
            con.execute(sa.text(f"COMMENT ON DATABASE {TEMPLATE} IS '{scale.key}'"))
        log(f"built {TEMPLATE}: {written:,} records in {time.perf_counter() - t0:.0f} s")
    finally:
        admin.dispose()


def fresh_pg(url: str) -> None:
    """The run's database ``url``, a copy of the template."""
    stores.recreate_database(url, template=TEMPLATE)


# ---- the users ------------------------------------------------------------------------


@dataclass
class User:
    kind: str  # district | province | nation
    area: str
    token: str
    instances: list[str]  # keys it may open
    walks: list[list[Any]] = field(default_factory=list)  # [key, next step index]


def walk_steps(catalog: Catalog) -> list[tuple[str, dict[str, str], str | None]]:
    """Activity 2's first path as form posts: (trigger, fields, evidence slot for the PDF)."""
    definition = catalog.get(KEPT)
    out = []
    for trigger, _, _, data in stores.process_steps(catalog, KEPT):
        step = next(t for t in definition.transitions if t.trigger == trigger)
        fields = {
            f"data.{k}": str(v).lower() if isinstance(v, bool) else str(v) for k, v in data.items()
        }
        slot = next((e.id for e in step.evidence if e.required), None)
        out.append((trigger, fields, slot))
    return out


STEPS = walk_steps(load_catalog())


def make_users(db: sa.Engine, count: int, seed: int) -> list[User]:
    """``count`` users: 5 % nation (at least one), 25 % provincial, the rest district
    offices, each in an area of its own where there are enough, with a token."""
    rnd = random.Random(seed)
    nation = max(1, count // 20)
    province = max(1, count // 4)
    district = max(1, count - nation - province)
    with Session(db) as session, session.begin():
        provinces = sorted(session.exec(select(Area.code).where(Area.level == "province")).all())
        districts = sorted(
            session.exec(select(Instance.district_code).where(Instance.definition_id == KEPT))
            .unique()
            .all()
        )
        chosen_d = _draw(rnd, [d for d in districts if d], district)
        chosen_p = _draw(rnd, provinces, province)
        users: list[User] = []
        for code in chosen_d:
            keys = session.exec(
                select(Instance.key, Instance.definition_id)
                .where(col(Instance.district_code) == code, col(Instance.fiscal_year) == FY)
                .order_by(col(Instance.key))
            ).all()
            token = issue_token(session, f"district-cd-office-{code}")
            user = User("district", code, token, [k for k, _ in keys])
            user.walks = [[k, 0] for k, d in keys if d == KEPT]
            users.append(user)
        for code in chosen_p:
            keys = session.exec(
                select(Instance.key)
                .where(col(Instance.province_code) == code, col(Instance.fiscal_year) == FY)
                .limit(2000)
            ).all()
            token = issue_token(session, f"provincial-cd-office-{code}")
            users.append(User("province", code, token, list(keys)))
        token = issue_token(session, "cdd-th")  # one token: a new one replaces the last
        users += [User("nation", "", token, []) for _ in range(nation)]
    return users


def _draw(rnd: random.Random, items: list[str], count: int) -> list[str]:
    """``count`` items, distinct while there are enough."""
    out: list[str] = []
    while len(out) < count:
        out += rnd.sample(items, min(len(items), count - len(out)))
    return out


MIX = {
    "district": (
        ("inbox", 25),
        ("instance", 25),
        ("status_district", 20),
        ("advance", 20),
        ("export", 10),
    ),
    "province": (
        ("status_province", 40),
        ("overdue_province", 30),
        ("instance", 20),
        ("export", 10),
    ),
    "nation": (("status_nation", 50), ("overdue_nation", 50)),
}


def _pick(rnd: random.Random, user: User) -> str:
    kinds, weights = zip(*MIX[user.kind], strict=True)
    kind = rnd.choices(kinds, weights)[0]
    if kind == "advance" and not user.walks:
        return "inbox"
    if kind == "instance" and not user.instances:
        return "status_district"
    return kind


async def _request(http: httpx.AsyncClient, rnd: random.Random, user: User, kind: str) -> bool:
    fy = {"fy": FY}
    if kind == "inbox":
        r = await http.get("/inbox", params=fy)
    elif kind == "instance":
        r = await http.get(f"/instances/{rnd.choice(user.instances)}")
    elif kind.startswith("status_"):
        r = await http.get(f"/areas/{user.area}" if user.area else "/areas", params=fy)
    elif kind.startswith("overdue_"):
        r = await http.get("/overdue", params={**fy, "area": user.area} if user.area else fy)
    elif kind == "export":
        r = await http.get("/exports/summary.xlsx", params={**fy, "area": user.area})
    else:  # advance: the next step of one of its own Activity 2 instances
        walk = user.walks[0]
        trigger, fields, slot = STEPS[walk[1]]
        files = {f"evidence.{slot}": (f"{slot}.pdf", MINIMAL_PDF, "application/pdf")}
        r = await http.post(
            f"/api/v1/instances/{walk[0]}/advance",
            headers={"Authorization": f"Bearer {user.token}"},
            data={"trigger": trigger, **fields},
            files=files if slot else None,
        )
        walk[1] += 1
        if walk[1] == len(STEPS):
            user.walks.pop(0)
    if r.status_code != 200 and kind == "advance":
        LAST_REFUSAL[:] = [r.text[:300]]
    return r.status_code == 200


LAST_REFUSAL: list[str] = []


@dataclass
class Outcome:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)  # the first few errors, for the report
    seconds: float = 0.0


async def _drive(
    base: str, users: list[User], seconds: float, warmup: float, think: float, seed: int
) -> Outcome:
    out = Outcome()
    start = time.perf_counter()
    measure_from, end = start + warmup, start + warmup + seconds
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def one(index: int, user: User) -> None:
        rnd = random.Random(seed * 1000 + index)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
            page = await http.get("/login")
            csrf = CSRF.search(page.text)
            signed = await http.post(
                "/login", data={"token": user.token, "csrf": csrf[1] if csrf else ""}
            )
            if signed.status_code >= 400:
                out.errors["login"] += 1
                return
            await asyncio.sleep(rnd.expovariate(1 / think) if think else 0)
            while time.perf_counter() < end:
                kind = _pick(rnd, user)
                t0 = time.perf_counter()
                try:
                    ok = await _request(http, rnd, user, kind)
                    why = "" if ok else "status"
                except httpx.HTTPError as exc:
                    ok, why = False, type(exc).__name__
                t1 = time.perf_counter()
                if t0 >= measure_from and t1 <= end:
                    out.latencies[kind].append(t1 - t0)
                    if not ok:
                        out.errors[kind] += 1
                        if len(out.samples) < 5:
                            out.samples.append(f"{kind}: {why}")
                if think:
                    await asyncio.sleep(rnd.expovariate(1 / think))

    await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))
    out.seconds = seconds
    return out


async def _service(base: str, users: list[User], repeat: int) -> dict[str, list[float]]:
    """Each request kind ``repeat`` times in a row by one user of its kind, nothing else
    running: the server's own time per request (its first, cold, answer left out)."""
    out: dict[str, list[float]] = {}
    for kind_of_user, mix in MIX.items():
        user = next(u for u in users if u.kind == kind_of_user)
        rnd = random.Random(0)
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            page = await http.get("/login")
            csrf = CSRF.search(page.text)
            await http.post("/login", data={"token": user.token, "csrf": csrf[1] if csrf else ""})
            for kind, _ in mix:
                times = []
                for _ in range(repeat + 1):
                    t0 = time.perf_counter()
                    if not await _request(http, rnd, user, kind):
                        raise RuntimeError(f"{kind}: refused ({LAST_REFUSAL})")
                    times.append(time.perf_counter() - t0)
                out.setdefault(kind, []).extend(times[1:])
    return out


def service_report(url: str, folder: Path, repeat: int) -> str:
    """The median and the fastest time per request kind, one request at a time."""
    db = make_engine(url)
    people = make_users(db, 20, 7)
    db.dispose()
    proc, base = start_server(url, 1, folder)
    try:
        found = asyncio.run(_service(base, people, repeat))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    lines = ["| request | median ms | fastest ms |", "|---|---|---|"]
    for kind, times in sorted(found.items()):
        ordered = sorted(times)
        lines.append(
            f"| {kind} | {ordered[len(ordered) // 2] * 1000:.0f} | {ordered[0] * 1000:.0f} |"
        )
    return "\n".join(lines)


# ---- the server -----------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _spawned(pid: int) -> bool:
    """A worker process (multiprocessing's ``spawn_main``)."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, kb = line.split()[:2]
            values[name] = int(kb) / 1024
    return values.get("VmRSS:", 0.0), values.get("VmHWM:", 0.0)


def start_server(url: str, workers: int, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PLANCYCLE_SECRET_KEY": "bench-load",
        "PLANCYCLE_EVIDENCE_DIR": str(folder / "evidence"),
        "PLANCYCLE_LOG_LEVEL": "ERROR",
    }
    plancycle = Path(sys.executable).with_name("plancycle")
    argv = [str(plancycle), "--db", url, "serve", "--port", str(port)]
    if workers > 1:
        argv += ["--workers", str(workers)]
    with (folder / "server.log").open("wb") as sink:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            # alive, then ready (the store answers) on a few requests, so on the workers
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200 and all(
                httpx.get(f"{base}/readyz", timeout=5).status_code == 200
                for _ in range(workers * 2)
            ):
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the server did not start: {(folder / 'server.log').read_text()[-2000:]}")


# ---- a configuration ------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    label: str
    backend: str  # sqlite | postgres
    workers: int


@dataclass
class Result:
    config: Config
    outcome: Outcome
    rss: list[tuple[float, float]]  # (now, peak) MB per server process
    tracebacks: int

    def pct(self, kind: str, q: float) -> float:
        values = sorted(self.outcome.latencies.get(kind, []))
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    def all_latencies(self) -> list[float]:
        return sorted(v for vs in self.outcome.latencies.values() for v in vs)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.outcome.latencies.values())

    @property
    def errors(self) -> int:
        return sum(self.outcome.errors.values()) + self.tracebacks

    @property
    def rps(self) -> float:
        return self.count / self.outcome.seconds


def run_config(
    config: Config,
    url: str,
    folder: Path,
    users: int,
    seconds: float,
    think: float,
    seed: int = 2568,
    warmup: float = 3.0,
) -> Result:
    db = make_engine(url)
    people = make_users(db, users, seed)
    db.dispose()
    proc, base = start_server(url, config.workers, folder)
    try:
        outcome = asyncio.run(_drive(base, people, seconds, warmup, think, seed))
        # with workers, the parent only supervises: the workers are its spawned children
        # (not the multiprocessing resource tracker)
        pids = [p for p in _children(proc.pid) if _spawned(p)] if config.workers > 1 else [proc.pid]
        rss = [_rss_mb(p) for p in pids if Path(f"/proc/{p}").exists()]
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    logged = (folder / "server.log").read_text(errors="replace")
    return Result(config, outcome, rss, logged.count("Traceback"))


# ---- the report -----------------------------------------------------------------------


def report(results: list[Result], users: int, think: float) -> str:
    lines: list[str] = []
    base = results[0]
    kinds = sorted({k for r in results for k in r.outcome.latencies})
    lines.append(
        f"{users} users, think time {think:g} s (exponential), "
        f"{base.outcome.seconds:g} s measured per configuration"
    )
    lines.append("")
    lines.append(
        "| configuration | requests | req/s | ratio | p50 | p95 | p99 ms | errors | RSS MB |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        every = r.all_latencies()

        def q(p: float, every: list[float] = every) -> float:
            return every[min(len(every) - 1, int(p * len(every)))] * 1000 if every else 0.0

        rss = ", ".join(f"{now:.0f} (peak {peak:.0f})" for now, peak in r.rss)
        lines.append(
            f"| {r.config.label} | {r.count} | {r.rps:.1f} | {r.rps / base.rps:.2f}x | "
            f"{q(0.5):.0f} | {q(0.95):.0f} | {q(0.99):.0f} | {r.errors} | {rss} |"
        )
    lines.append("")
    header = "| request | " + " | ".join(r.config.label for r in results) + " |"
    lines.append(header + "  (n; p50 / p95 / p99 ms)")
    lines.append("|---" * (len(results) + 1) + "|")
    for kind in kinds:
        cells = []
        for r in results:
            n = len(r.outcome.latencies.get(kind, []))
            cells.append(
                f"{n}; {r.pct(kind, 0.5):.0f} / {r.pct(kind, 0.95):.0f} / {r.pct(kind, 0.99):.0f}"
            )
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    for r in results:
        if r.outcome.samples:
            lines.append(f"errors in {r.config.label}: {'; '.join(r.outcome.samples)}")
    return "\n".join(lines)


def verdicts(results: list[Result]) -> list[tuple[str, bool]]:
    pg = [r for r in results if r.config.backend == "postgres"] or results
    best = min(pg, key=lambda r: max(r.pct(k, 0.95) for k in PAGES))
    out = [("zero errors in every configuration", all(r.errors == 0 for r in results))]
    worst = max(best.pct(k, 0.95) for k in PAGES)
    out.append((f"pages and advances p95 < 500 ms ({best.config.label}: {worst:.0f})", worst < 500))
    nation = max(best.pct(k, 0.95) for k in NATION_KINDS)
    out.append((f"nation status and overdue p95 < 300 ms ({nation:.0f})", nation < 300))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small store, short runs (< 1 min)")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg", default=os.environ.get(PG_ENV, PG_DEFAULT))
    parser.add_argument("--users", type=int, help="virtual users (100; quick 20)")
    parser.add_argument(
        "--seconds", type=float, help="measured time per configuration (60; quick 6)"
    )
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, s (1.0)")
    parser.add_argument("--workers", default="1,2,4", help="PostgreSQL worker counts (1,2,4)")
    parser.add_argument("--villages", type=int, help="store size (75000; quick 2000)")
    parser.add_argument("--records", type=int, help="records in the store (500000; quick 40000)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument(
        "--service",
        type=int,
        metavar="N",
        help="instead: each request kind N times, one at a time (PostgreSQL, 1 process)",
    )
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    scale = Scale(args.villages or scale.villages, args.records or scale.records)
    users = args.users or (20 if args.quick else 100)
    seconds = args.seconds or (6.0 if args.quick else 60.0)
    warmup = 2.0 if args.quick else 5.0
    catalog = load_catalog()
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cores; load average at start "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    if args.service:
        template_pg(args.pg, catalog, scale)
        fresh_pg(args.pg)
        with tempfile.TemporaryDirectory(prefix="plancycle-bench-load-") as tmp:
            print(service_report(args.pg, Path(tmp), args.service))
        return 0
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="plancycle-bench-load-") as tmp:
        folder = Path(tmp)
        if args.backend in ("sqlite", "both"):
            template = template_sqlite(catalog, scale)
            copy = folder / "load.db"
            shutil.copy(template, copy)
            config = Config("SQLite, 1 process", "sqlite", 1)
            results.append(
                run_config(
                    config,
                    f"sqlite:///{copy}",
                    folder / "s1",
                    users,
                    seconds,
                    args.think,
                    warmup=warmup,
                )
            )
            print(f"done: {config.label}", flush=True)
        if args.backend in ("postgres", "both"):
            template_pg(args.pg, catalog, scale)
            for n in (int(x) for x in args.workers.split(",")):
                fresh_pg(args.pg)
                config = Config(f"PostgreSQL, {n} worker{'s' if n > 1 else ''}", "postgres", n)
                results.append(
                    run_config(
                        config, args.pg, folder / f"p{n}", users, seconds, args.think, warmup=warmup
                    )
                )
                print(f"done: {config.label}", flush=True)
    print(report(results, users, args.think))
    checks = verdicts(results)
    for text, ok in checks:
        print(f"{'met' if ok else 'MISSED'}: {text}")
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "config": r.config.label,
                        "requests": r.count,
                        "errors": r.errors,
                        "rps": r.rps,
                        "p95_ms": {k: r.pct(k, 0.95) for k in r.outcome.latencies},
                        "rss_mb": r.rss,
                    }
                    for r in results
                ],
                indent=1,
            )
        )
    return 0 if all(r.errors == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
