"""Keeping every refused attempt (who, what, why) without making the refused request
wait for a busy store.

A refusal is written at once, in a short transaction of its own, when the store is free.
When it is not (another writer holds SQLite's lock, the connection is lost, or the
refusal *is* that the store is busy), the row goes to an in-memory queue that one
background thread writes, in order, retrying with a capped backoff until the store
takes it. :meth:`RefusalLog.flush` waits for the queue to drain (the process does so
at exit, for a bounded time); a row that still cannot be written then is logged in
full, so it is never silently dropped.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time
import weakref
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session

from plancycle.store.refusals import keep_refusal

__all__ = ["RefusalLog", "refusal_row"]

_BACKOFF_MAX_S = 2.0
_EXIT_WAIT_S = 10.0
_RETRYABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
_LOGS: weakref.WeakSet[RefusalLog] = weakref.WeakSet()


def refusal_row(
    at: datetime, key: str, trigger: str, actor: str, error: str, reason: str
) -> dict[str, Any]:
    """A ``refused_attempt`` row, each text cut to its column's size."""
    return {
        "at": at,
        "actor_id": actor[:200],
        "key": key[:200],
        "trigger": trigger[:200],
        "error": error[:100],
        "reason": reason[:2000],
    }


class RefusalLog:
    """The refused attempts of one store."""

    def __init__(self, db: sa.Engine) -> None:
        self.db = db
        self._queue: queue.Queue[Mapping[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        self._writer: tuple[int, threading.Thread] | None = None
        _LOGS.add(self)

    def record(self, row: Mapping[str, Any], *, store_known_busy: bool = False) -> None:
        """Keep ``row``: written now if the store takes it at once, else queued. A row
        never waits for a busy store in the caller's thread longer than one try."""
        if not store_known_busy and self._queue.empty() and self._write([row]):
            return
        self._queue.put(row)
        self._ensure_writer()

    def pending(self) -> int:
        """Rows queued and not yet written."""
        return self._queue.unfinished_tasks

    def flush(self, timeout_s: float = 30.0) -> bool:
        """Wait until every queued row is written (True) or ``timeout_s`` passes."""
        deadline = time.monotonic() + timeout_s
        while self.pending():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _write(self, rows: list[Mapping[str, Any]]) -> bool:
        """Whether ``rows`` are settled: written, or (a row the store can never take)
        logged in full. False: the store is busy or unreachable; try again later."""
        try:
            with Session(self.db) as session, session.begin():
                for row in rows:  # a repeat folds into its row (plancycle.store.refusals)
                    fields = {k: v for k, v in row.items() if k != "at"}
                    keep_refusal(session, fields, row["at"])
        except _RETRYABLE as exc:
            logger.warning("refusals not written yet ({n}): {why}", n=len(rows), why=exc)
            return False
        except sa.exc.SQLAlchemyError:
            logger.exception("refused attempts the store cannot take: {rows}", rows=rows)
        return True

    def _ensure_writer(self) -> None:
        with self._lock:
            alive = self._writer is not None and self._writer[0] == os.getpid()
            if alive and self._writer[1].is_alive():  # type: ignore[index]
                return
            thread = threading.Thread(target=self._drain, name="refusal-log", daemon=True)
            self._writer = (os.getpid(), thread)
            thread.start()

    def _drain(self) -> None:
        pause = 0.05
        while True:
            rows = [self._queue.get()]
            while not self._queue.empty() and len(rows) < 500:
                rows.append(self._queue.get_nowait())
            while not self._write(rows):
                time.sleep(pause)
                pause = min(pause * 2, _BACKOFF_MAX_S)
            pause = 0.05
            for _ in rows:
                self._queue.task_done()

    def _unwritten(self) -> list[Mapping[str, Any]]:
        return list(self._queue.queue)


@atexit.register
def _flush_at_exit() -> None:
    for log in list(_LOGS):
        if log.pending() and not log.flush(_EXIT_WAIT_S):
            for row in log._unwritten():
                logger.error("refused attempt not stored at exit: {row}", row=dict(row))
