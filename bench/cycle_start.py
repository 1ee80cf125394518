"""Benchmark: `cycle start 2568` for the whole nation on SQLite.

The national store: GeoThai's 76 provinces, 878 districts and 7,256 tambons plus
75,000 synthetic villages (fixed seed). Measures the time to create every
instance of FY2568, instances per second and peak memory, and compares with a
floor measured in the same run: bare ``sqlite3`` inserting rows of the same
shape with the same batch commits. Run: ``.venv/bin/python -m bench.cycle_start``.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from plancycle.definitions.loader import load_catalog
from plancycle.store import geothai_import as store_geothai
from plancycle.store import targets as store_targets
from plancycle.store import villages as store_villages
from plancycle.store.db import make_engine, migrate
from plancycle.workflow.cycle import start_cycle


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def national_store(path: Path, villages: int) -> None:
    db = make_engine(f"sqlite:///{path}")
    migrate(db)
    with Session(db) as session, session.begin():
        store_geothai.import_geothai(session)
        store_villages.synthetic_national_villages(session, total=villages, seed=2568)
        store_targets.default_strong_tambons(session, 2568)
    db.dispose()


def floor(path: Path, rows: int) -> float:
    """Seconds for bare sqlite3 to insert ``rows`` instance-shaped rows, 5,000 per batch."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(
        "CREATE TABLE inst (id INTEGER PRIMARY KEY, key TEXT UNIQUE, cycle_id INT, fy INT, "
        "def TEXT, ver INT, area TEXT, prov TEXT, dist TEXT, state TEXT, version INT, "
        "due TEXT, entered TEXT, created TEXT, updated TEXT, completed TEXT)"
    )
    con.execute("CREATE INDEX inst_area ON inst(area)")
    con.execute("CREATE INDEX inst_due ON inst(due)")
    start = time.perf_counter()
    batch = []
    for i in range(rows):
        code = f"{i:08d}"
        batch.append(
            (
                f"2568/p/{code}",
                1,
                2568,
                "p",
                1,
                code,
                code[:2],
                code[:4],
                "s",
                1,
                "2025-03-31 16:59:59",
                "t",
                "t",
                "t",
                None,
            )
        )
        if len(batch) == 5_000:
            con.executemany("INSERT INTO inst VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
            batch.clear()
    con.executemany("INSERT INTO inst VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
    con.commit()
    con.close()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=75_000)
    args = parser.parse_args(argv)
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "nation.db"
        t0 = time.perf_counter()
        national_store(store, args.villages)
        setup = time.perf_counter() - t0
        db = make_engine(f"sqlite:///{store}")
        t0 = time.perf_counter()
        result = start_cycle(db, catalog, 2568)
        elapsed = time.perf_counter() - t0
        rss = peak_rss_mb()
        t0 = time.perf_counter()
        again = start_cycle(db, catalog, 2568)
        rerun = time.perf_counter() - t0
        base = floor(Path(tmp) / "floor.db", result.total_created)
    n = result.total_created
    print(
        f"# cycle start, nation, SQLite — Python {platform.python_version()}, {platform.machine()}"
    )
    print(f"store set-up (areas + {args.villages:,} villages): {setup:.1f} s")
    print("| measure | value |\n|---|---|")
    print(
        f"| instances created | {n:,} ({', '.join(f'{k} {v:,}' for k, v in sorted(result.created.items()))}) |"
    )
    print(f"| cycle start | {elapsed:.2f} s ({n / elapsed:,.0f} instances/s) |")
    print(f"| second run (creates {again.total_created}) | {rerun:.2f} s |")
    print(f"| floor: bare sqlite3, same rows | {base:.2f} s ({n / base:,.0f} rows/s) |")
    print(f"| ratio plancycle / floor (time) | {elapsed / base:.1f}x |")
    print(f"| peak RSS | {rss:,.0f} MB |")
    print(f"target: under 30 s -> {'met' if elapsed < 30 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
