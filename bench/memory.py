"""Benchmark: memory of the scheduler and of an API-like process on the national store.

Each measurement is a fresh Python subprocess on a fresh copy of the national
SQLite store (``bench.stores``; FY2568 started, nothing advanced) that imports
only what that process needs and reports its own ``VmHWM`` (peak resident set)
and ``VmRSS`` from ``/proc/self/status``. (``ru_maxrss`` is not used: Linux carries
it across ``execve``, so a child of a big benchmark process would report its
parent's peak.)

- Scheduler: ``sweep_job`` then ``dispatch_job`` as ``plancycle scheduler run``
  does them, with the channels it builds from an empty environment (``log`` and
  ``webhook``; with no contacts imported every notice goes to ``log``, whose INFO
  lines the default stderr sink drops), on two days: an idle one (2 Oct 2024,
  nothing due) and 2 Jan 2025, when the village plans' and Activity 2's windows
  open and every one of their instances' units is told (the store's busiest day).
  The dispatch budget is the scheduler's (0.8 x 60 s). ``--quick``: the idle day
  only, and a 5 s budget.
- API-like: loads the catalog, opens the store, runs ``status`` for the nation and
  pages of ``list_instances`` (the first pages, pages spread to the last one, the
  village plans of one province, the overdue ones).
- Baseline: a process that imports the same modules and loads the catalog.

Run: ``.venv/bin/python -m bench.memory [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.stores import VILLAGES, build_sqlite, fresh_copy
from plancycle.definitions.loader import load_catalog

__all__ = ["MemoryReport", "main", "measure_memory"]

DISPATCH_BUDGET = 48.0  # the scheduler's: 0.8 x the 60 s dispatch interval
QUICK_DISPATCH_BUDGET = 5.0
DAYS = {  # label -> the sweep's "now", Bangkok time
    "idle day, 2 Oct 2024 09:00": "2024-10-02T09:00:00+07:00",
    "windows open, 2 Jan 2025 09:00": "2025-01-02T09:00:00+07:00",
}

_PRELUDE = """
import json, sys, time
def mem():
    out = {}
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(('VmHWM', 'VmRSS')):
                out[line.split(':')[0]] = int(line.split()[1]) / 1024
    return out
"""
BASELINE_CODE = (
    _PRELUDE
    + """
from plancycle.logs import configure_logging
from plancycle.definitions.loader import load_catalog
from plancycle.notifier.channels import channels_for
from plancycle.settings import load_settings
from plancycle.store.db import make_engine
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.engine import Engine
from plancycle.workflow.reports import AreaFilter, InstanceFilter, list_instances
from plancycle.workflow.rollup import status
from plancycle.workflow.scheduler import dispatch_job, sweep_job
configure_logging()
catalog = load_catalog()
print(json.dumps(mem()))
"""
)
SCHEDULER_CODE = (
    _PRELUDE
    + """
from datetime import datetime
import sqlalchemy as sa
from plancycle.logs import configure_logging
from plancycle.definitions.loader import load_catalog
from plancycle.notifier.channels import channels_for
from plancycle.settings import load_settings
from plancycle.store.db import make_engine
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.engine import Engine
from plancycle.workflow.scheduler import dispatch_job, sweep_job
configure_logging()
path, when, budget = sys.argv[1], datetime.fromisoformat(sys.argv[2]), float(sys.argv[3])
catalog = load_catalog()
engine = Engine(catalog, make_engine(f"sqlite:///{path}"), ManualClock(when))
out = {'start': mem()}
t0 = time.perf_counter()
sweep_job(engine)
out['sweep_s'] = time.perf_counter() - t0
out['after_sweep'] = mem()
channels = channels_for(load_settings({}))
t0 = time.perf_counter()
dispatch_job(engine, channels, 'bench', budget)
out['dispatch_s'] = time.perf_counter() - t0
with engine.db.connect() as con:
    q = lambda sql: con.execute(sa.text(sql)).scalar()
    out['escalations'] = q('SELECT count(*) FROM escalation')
    out['messages'] = q('SELECT count(*) FROM outbox_message')
    out['delivered'] = q("SELECT count(*) FROM outbox_message WHERE status = 'delivered'")
out['end'] = mem()
print(json.dumps(out))
"""
)
API_CODE = (
    _PRELUDE
    + """
from datetime import datetime
from plancycle.logs import configure_logging
from plancycle.definitions.loader import load_catalog
from plancycle.store.db import make_engine
from plancycle.workflow.reports import AreaFilter, InstanceFilter, list_instances
from plancycle.workflow.rollup import status
configure_logging()
path = sys.argv[1]
now = datetime.fromisoformat('2025-04-01T09:00:00+07:00')
catalog = load_catalog()
db = make_engine(f"sqlite:///{path}")
out = {'start': mem()}
t0 = time.perf_counter()
rows = status(db, catalog, 2568, AreaFilter(), now)
out['status_s'] = time.perf_counter() - t0
out['processes'] = len(rows)
out['after_status'] = mem()
times, shown = [], 0
def page(**kw):
    global shown
    t = time.perf_counter()
    items, total = list_instances(db, InstanceFilter(fiscal_year=2568, limit=100, **kw))
    times.append(time.perf_counter() - t)
    shown += len(items)
    return total
total = page()
for i in range(1, 10):
    page(offset=100 * i)
for i in range(1, 11):
    page(offset=(total - 100) * i // 10)
village_total = page(process='village_plan', area=AreaFilter(province='10'))
for i in range(1, 5):
    page(process='village_plan', area=AreaFilter(province='10'), offset=(village_total - 100) * i // 4)
page(overdue_at=now)
out.update(pages=len(times), rows=shown, total=total, page_median_s=sorted(times)[len(times) // 2],
           page_max_s=max(times), end=mem())
print(json.dumps(out))
"""
)


def child(code: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"subprocess failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass
class MemoryReport:
    instances: int = 0
    villages: int = 0
    budget: float = 0.0
    baseline: dict = field(default_factory=dict)
    scheduler: dict[str, dict] = field(default_factory=dict)
    api: dict = field(default_factory=dict)
    seconds: float = 0.0


def measure_memory(template: Path, quick: bool, instances: int, villages: int) -> MemoryReport:
    """Run every child on fresh copies of ``template`` (the national store)."""
    t0 = time.perf_counter()
    report = MemoryReport(instances, villages, QUICK_DISPATCH_BUDGET if quick else DISPATCH_BUDGET)
    report.baseline = child(BASELINE_CODE)
    days = list(DAYS.items())[:1] if quick else list(DAYS.items())
    for label, when in days:
        copy = fresh_copy(template, "memory-scheduler.db")
        report.scheduler[label] = child(SCHEDULER_CODE, str(copy), when, str(report.budget))
    report.api = child(API_CODE, str(fresh_copy(template, "memory-api.db")))
    report.seconds = time.perf_counter() - t0
    return report


def print_report(report: MemoryReport, quick: bool) -> None:
    base = report.baseline["VmHWM"]
    print(f"## Memory{' (--quick)' if quick else ''}")
    print(
        f"\nNational store: {report.instances:,} instances ({report.villages:,} villages), "
        "SQLite; one fresh process per line, on a fresh copy of the store; peak = `VmHWM`, "
        "now = `VmRSS` at the end, from `/proc/self/status`."
    )
    print(
        "\n| process | what it did | peak RSS | RSS at the end | peak / baseline |"
        "\n|---|---|---|---|---|"
    )
    for label, job in report.scheduler.items():
        did = (
            f"sweep {job['sweep_s']:.1f} s ({job['escalations']:,} escalations, "
            f"{job['messages']:,} messages); dispatch {job['dispatch_s']:.1f} s "
            f"(budget {report.budget:.0f} s, {job['delivered']:,} delivered)"
        )
        print(
            f"| scheduler: sweep_job + dispatch_job, {label} | {did} "
            f"| {job['end']['VmHWM']:,.0f} MB | {job['end']['VmRSS']:,.0f} MB "
            f"| {job['end']['VmHWM'] / base:.1f}x |"
        )
        print(
            f"| the same, after sweep_job only | | {job['after_sweep']['VmHWM']:,.0f} MB "
            f"| {job['after_sweep']['VmRSS']:,.0f} MB | {job['after_sweep']['VmHWM'] / base:.1f}x |"
        )
    api = report.api
    did = (
        f"`status` for the nation {api['status_s'] * 1000:,.0f} ms ({api['processes']} processes); "
        f"{api['pages']} `list_instances` pages of 100 ({api['rows']:,} rows; median "
        f"{api['page_median_s'] * 1000:,.0f} ms, slowest {api['page_max_s'] * 1000:,.0f} ms)"
    )
    print(
        f"| API-like | {did} | {api['end']['VmHWM']:,.0f} MB | {api['end']['VmRSS']:,.0f} MB "
        f"| {api['end']['VmHWM'] / base:.1f}x |"
    )
    print(
        f"| baseline: the same imports + load the catalog | | {base:,.0f} MB "
        f"| {report.baseline['VmRSS']:,.0f} MB | 1.0x |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--villages", type=int, default=VILLAGES)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        template = Path(tmp) / "national.db"
        instances = build_sqlite(template, load_catalog(), args.villages)
        report = measure_memory(template, args.quick, instances, args.villages)
    print_report(report, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
