"""Exporting transition records (with their hashes) as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.cells import safe_cell
from plancycle.store.models import Instance, TransitionRecord
from plancycle.thai.dates import format_datetime

__all__ = ["FORMATS", "export_records"]

FORMATS = ("jsonl", "csv")
COLUMNS = (
    "id",
    "key",
    "seq",
    "at",
    "at_be",
    "actor",
    "role",
    "on_behalf_of",
    "trigger",
    "from",
    "to",
    "automatic",
    "data",
    "note",
    "evidence",
    "prev_hash",
    "hash",
)


def _rows(db: sa.Engine, since: datetime | None, area: str | None) -> Iterator[dict[str, Any]]:
    query = (
        select(TransitionRecord, Instance.key)
        .join(Instance, col(Instance.id) == TransitionRecord.instance_id)
        .order_by(col(TransitionRecord.id))
        .execution_options(yield_per=5_000)
    )
    if since is not None:
        query = query.where(col(TransitionRecord.at) >= since)
    if area:
        query = query.where(
            col(Instance.area_code) >= area, col(Instance.area_code) < area + "\uffff"
        )
    with Session(db) as session:
        for rec, key in session.exec(query):
            yield {
                "id": rec.id,
                "key": key,
                "seq": rec.seq,
                "at": rec.at.astimezone(UTC).isoformat(),
                "at_be": format_datetime(rec.at, lang="th"),
                "actor": rec.actor_id,
                "role": rec.role,
                "on_behalf_of": rec.on_behalf_of,
                "trigger": rec.trigger,
                "from": rec.from_state,
                "to": rec.to_state,
                "automatic": rec.automatic,
                "data": rec.data,
                "note": rec.note,
                "evidence": rec.evidence,
                "prev_hash": rec.prev_hash,
                "hash": rec.hash,
            }


def export_records(
    db: sa.Engine,
    out: IO[str],
    fmt: str = "jsonl",
    since: datetime | None = None,
    area: str | None = None,
) -> int:
    """Write the records (oldest first) to ``out``; returns how many."""
    count = 0
    writer = csv.DictWriter(out, fieldnames=COLUMNS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    for row in _rows(db, since, area):
        if writer:
            cells = {
                **row,
                "data": json.dumps(row["data"], ensure_ascii=False),
                "evidence": " ".join(row["evidence"]),
            }
            writer.writerow({k: safe_cell(v) for k, v in cells.items()})
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
