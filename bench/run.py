"""The benchmark suite in one command, on the national data set.

    .venv/bin/python -m bench.run            # the full run (several minutes)
    .venv/bin/python -m bench.run --quick    # everyday check (60-90 s)
    .venv/bin/python -m bench.run --quick --no-postgres --repeat 5   # do its ratios hold still?
    .venv/bin/python -m bench.run --out report.md --no-postgres

Parts, each measuring its baseline in the same run and printing markdown:

1. cycle start for the nation (``bench.cycle_start``);
2. the deadline sweep, idle and worst day, at three store sizes (``bench.sweep``);
3. persisted advance throughput on SQLite and on PostgreSQL with 1, 4 and 8
   worker processes, side by side with the bare floor, ``transitions`` with one
   Machine per instance, and SpiffWorkflow (``bench.advance``, ``bench.peers``);
4. memory of the scheduler and of an API-like process (``bench.memory``).

The national store (GeoThai areas + 75,000 synthetic villages, seed 2568; FY2568
started) is built once for parts 3 and 4. ``--quick`` uses 10,000 villages, fewer
instances and rounds, and the quick modes of the other parts. ``--repeat N`` runs the
suite N times back to back and ends with each ratio's min, median, max and largest
deviation from the median (``bench.stability``). The report goes to
stdout (``--out FILE`` also writes it to FILE); it ends with every target line.
PostgreSQL: ``PLANCYCLE_BENCH_ADVANCE_PG`` (default: database
``plancycle_bench_advance`` on 127.0.0.1:5432, dropped and re-created; skipped when
the server does not answer).
SpiffWorkflow comes with the ``bench`` extra: ``.venv/bin/pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import advance, memory
from bench.stability import BAND, stability_table
from bench.stores import VILLAGES, build_sqlite
from plancycle.definitions.loader import load_catalog
from plancycle.logs import configure_logging

QUICK_VILLAGES = 10_000
QUICK_BUDGET_S = 90.0
SWEEP_FILE = Path(__file__).with_name("sweep.py")
TARGET_LINE = re.compile(r"->\s*(met|MISSED)\b")


class Tee(io.TextIOBase):
    """Writes to several text streams at once (the terminal and the report)."""

    def __init__(self, *streams) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def note(text: str) -> None:
    print(f"... {text}", file=sys.__stderr__, flush=True)


def part_cycle_start(quick: bool) -> None:
    from bench import cycle_start

    cycle_start.main(["--villages", str(QUICK_VILLAGES)] if quick else [])


def part_sweep(quick: bool) -> None:
    """``bench.sweep`` (another benchmark's own module): imported when it is there,
    run as a subprocess if it cannot be imported, skipped if the file is missing."""
    argv = ["--quick"] if quick else []
    if not SWEEP_FILE.exists():
        print("(bench/sweep.py is not there: sweep benchmark skipped)")
        return
    try:
        sweep_main = importlib.import_module("bench.sweep").main
    except Exception as exc:  # a module being written may not import yet
        note(f"bench.sweep does not import ({exc!r}); running it as a subprocess")
        done = subprocess.run(
            [sys.executable, "-m", "bench.sweep", *argv],
            capture_output=True,
            text=True,
            check=False,
            cwd=SWEEP_FILE.parent.parent,
        )
        print(done.stdout, end="")
        if done.returncode:
            print(f"(bench.sweep failed, exit {done.returncode}: {done.stderr[-500:]})")
        return
    sweep_main(argv)
    configure_logging()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the everyday check, 60-90 s")
    parser.add_argument("--out", type=Path, help="also write the markdown report to this file")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL runs")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["cycle_start", "sweep", "advance", "memory"],
        help="leave a part out (repeatable)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is MISSED")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run the suite N times back to back, then show how much each ratio moved",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    configure_logging()
    reports = [run_once(args, i) for i in range(1, args.repeat + 1)]
    text = "\n".join(reports)
    if args.repeat > 1:
        text += print_stability(reports)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        note(f"report written to {args.out}")
    missed = any(m.group(1) == "MISSED" for m in TARGET_LINE.finditer(text))
    return 1 if args.strict and missed else 0


def run_once(args: argparse.Namespace, number: int) -> str:
    """One run of the suite; its markdown report (also printed)."""
    buffer = io.StringIO()
    started = time.perf_counter()
    timings: list[tuple[str, float]] = []
    with contextlib.redirect_stdout(Tee(sys.stdout, buffer)):
        if args.repeat > 1:
            print(f"<!-- run {number} of {args.repeat} -->")
        run_parts(args, timings)
        total = time.perf_counter() - started
        print_summary(buffer.getvalue(), timings, total, args.quick)
    return buffer.getvalue()


def print_stability(reports: list[str]) -> str:
    """The stability table of ``reports`` (printed, and returned for ``--out``)."""
    table, steady = stability_table(reports)
    verdict = "every ratio" if steady else "NOT every ratio"
    text = (
        f"\n## Stability over {len(reports)} runs\n\n{table}\n\n"
        f"{verdict} stayed within ±{BAND:.0%} of its median.\n"
    )
    print(text, end="")
    return text


def run_parts(args: argparse.Namespace, timings: list[tuple[str, float]]) -> None:
    quick = args.quick
    villages = QUICK_VILLAGES if quick else VILLAGES
    print(f"# plancycle benchmarks{' (--quick)' if quick else ''}")
    print(f"\n{advance.machine_line()}")
    print(f"CPU: {cpu_model()}; load average at start: {os.getloadavg()[0]:.2f}")
    print(f"started: {datetime.now(UTC).isoformat(timespec='seconds')}\n")

    def timed(name: str, fn) -> None:
        if name in args.skip:
            return
        note(f"{name} ...")
        t0 = time.perf_counter()
        fn()
        timings.append((name, time.perf_counter() - t0))
        print()

    timed("cycle_start", lambda: part_cycle_start(quick))
    timed("sweep", lambda: part_sweep(quick))
    if "advance" in args.skip and "memory" in args.skip:
        return
    catalog = load_catalog()
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        template = Path(tmp) / "national.db"
        t0 = time.perf_counter()
        instances = build_sqlite(template, catalog, villages)
        setup = time.perf_counter() - t0
        timings.append(("national store for advance and memory", setup))
        settings = advance.Settings.of(quick, not args.no_postgres, villages)

        def part_advance() -> None:
            report = advance.run(settings, template, setup)
            advance.print_report(report, quick)

        def part_memory() -> None:
            report = memory.measure_memory(template, quick, instances, villages)
            memory.print_report(report, quick)

        timed("advance", part_advance)
        timed("memory", part_memory)


def print_summary(text: str, timings: list[tuple[str, float]], total: float, quick: bool) -> None:
    print("## Summary")
    print("\nTargets:")
    for line in text.splitlines():
        if TARGET_LINE.search(line):
            print(f"- {line.lstrip('- ').strip()}")
    print("\nTime per part: " + ", ".join(f"{name} {secs:.0f} s" for name, secs in timings))
    budget = f" (the quick mode's budget: {QUICK_BUDGET_S:.0f} s)" if quick else ""
    print(f"Suite: {total:.0f} s{budget}.")


if __name__ == "__main__":
    sys.exit(main())
