"""Bulk entry: ``advance-many`` of a 1,000-row XLSX (parse, check every row, write each
as its own advance) against its baseline measured in the same run, 1,000 single
``Engine.advance`` calls of the same step on the same instances, each on a fresh copy of
the national SQLite store (``bench/stores.py``). Target: under 5 s wall for the batch.

    .venv/bin/python -m bench.batch [--rows 1000]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import Session

from bench.stores import build_sqlite, fresh_copy, sample_keys
from plancycle.definitions.loader import load_catalog
from plancycle.logs import configure_logging
from plancycle.store.db import make_engine
from plancycle.store.models import Actor
from plancycle.workflow.batch import BatchRow, run_batch
from plancycle.workflow.batch_sheet import SheetFormat, read_sheet
from plancycle.workflow.engine import Engine

TRIGGER, FIELD, DATE = "calendar_set", "forum_date", "20/01/2568"
ACTOR = "bench-nation"  # a district CD office role without an area: acts nation-wide
TARGET_S = 5.0


def _sheet(keys: list[str]) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(["key", "#area", "trigger", FIELD, "note"])
    ws.append(["# labels", "", "", "", ""])
    for key in keys:
        ws.append([key, "", TRIGGER, DATE, "bench"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _engine(path: Path, folder: Path) -> Engine:
    db = make_engine(f"sqlite:///{path}")
    with Session(db) as session, session.begin():
        session.add(
            Actor(
                id=ACTOR,
                name="bench",
                role="district_cd_office",
                area_code=None,
                active=True,
                created_at=datetime.now(UTC),
            )
        )
    return Engine(load_catalog(), db, evidence_folder=folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    configure_logging()  # the command line's default: stderr, ERROR and above
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "national.db"
        build_sqlite(template, catalog)
        keys = sample_keys(make_engine(f"sqlite:///{template}"), args.rows)
        raw = _sheet(keys)

        single = _engine(fresh_copy(template, "single.db"), Path(tmp) / "ev")
        started = time.perf_counter()
        for key in keys:
            single.advance(key, TRIGGER, ACTOR, data={FIELD: DATE}, note="bench")
        baseline = time.perf_counter() - started

        batch = _engine(fresh_copy(template, "batch.db"), Path(tmp) / "ev")
        started = time.perf_counter()
        rows = read_sheet(raw, "bench.xlsx", SheetFormat.XLSX)
        parsed = time.perf_counter() - started
        result = run_batch(
            batch, [BatchRow(r.row, r.key, r.trigger, r.data, (), r.note) for r in rows], ACTOR
        )
        wall = time.perf_counter() - started
    assert result.complete and len(result.written) == args.rows, result.counts()
    print(f"rows: {args.rows}")
    print(f"baseline, {args.rows} single Engine.advance: {baseline:.2f} s")
    print(f"advance-many (XLSX parse {parsed:.2f} s + check + write): {wall:.2f} s")
    print(f"ratio batch / baseline: {wall / baseline:.2f}")
    print(f"target < {TARGET_S:.0f} s: {'met' if wall < TARGET_S else 'MISSED'}")


if __name__ == "__main__":
    main()
