"""The scheduler process: two fixed APScheduler 3 jobs, the sweep and the dispatcher.

Deadlines live as rows in our own tables, never as one job per tambon, and the
jobs are held in memory (APScheduler's job stores must not be shared between
processes). Several scheduler processes may run against one PostgreSQL: every
escalation has a unique key and every outbox message is claimed with
``FOR UPDATE SKIP LOCKED``, so correctness comes from the database.

Job settings:

- ``coalesce=True``: after a pause (a suspended laptop, a long GC, a busy
  database) the missed runs of a job collapse into one; a sweep is idempotent
  and looks at "now", so running it five times in a row would only waste work.
- ``max_instances=1``: a slow sweep is never overlapped by the next one in the
  same process.
- ``misfire_grace_time`` = one interval: a run late by less than its period still
  happens; a later one is dropped, and the next regular run catches up.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from loguru import logger

from plancycle.notifier.channels import Channel
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.notifier.digest import build_digests
from plancycle.notifier.dispatch import dispatch_until_idle
from plancycle.workflow.engine import Engine
from plancycle.workflow.sweep_apply import run_sweep

__all__ = ["SchedulerSettings", "build_scheduler", "worker_name"]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class SchedulerSettings:
    sweep_minutes: float = 15
    dispatch_seconds: float = 60
    worker: str = ""

    def __post_init__(self) -> None:
        if self.sweep_minutes <= 0 or self.dispatch_seconds <= 0:
            raise ValueError("The sweep and dispatch intervals must be positive")


def sweep_job(engine: Engine, rules: DeliveryRules | None = None) -> None:
    try:
        report = run_sweep(engine, rules=rules)
        logger.info("sweep done: {r}", r=report.notices)
    except Exception:  # keep the scheduler alive; the next run retries
        logger.exception("sweep failed")


def dispatch_job(
    engine: Engine,
    channels: Mapping[str, Channel],
    worker: str,
    budget: float,
    rules: DeliveryRules | None = None,
) -> None:
    """The working morning's digests (built once per recipient, whichever scheduler gets
    there first), then every due message."""
    try:
        now = engine.clock.now()
        build_digests(engine.db, now, rules)
        report = dispatch_until_idle(
            engine.db, channels, now, worker=worker, budget_seconds=budget, rules=rules
        )
        if report.claimed:
            logger.info("dispatch: {r}", r=report)
    except Exception:
        logger.exception("dispatch failed")


def build_scheduler(
    engine: Engine,
    channels: Mapping[str, Channel],
    settings: SchedulerSettings,
    rules: DeliveryRules | None = None,
    background: bool = False,
) -> BaseScheduler:
    """A scheduler with the two jobs, each starting at once: blocking (`plancycle
    scheduler run`), or in a background thread beside the web server (`plancycle up`);
    ``rules`` say when messages go (working mornings, digests) and the links they carry.
    Stopping it with ``shutdown(wait=True)`` lets a running sweep or dispatch finish:
    each sweep batch is one transaction, and an outbox message claimed but not sent
    goes back to the queue when its lease ends."""
    worker = settings.worker or worker_name()
    kind = BackgroundScheduler if background else BlockingScheduler
    scheduler: BaseScheduler = kind(timezone="Asia/Bangkok")
    sweep_every = settings.sweep_minutes * 60
    scheduler.add_job(
        sweep_job,
        IntervalTrigger(seconds=sweep_every),
        args=[engine, rules],
        id="sweep",
        name="deadline sweep",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(sweep_every),
        next_run_time=engine.clock.now(),
    )
    scheduler.add_job(
        dispatch_job,
        IntervalTrigger(seconds=settings.dispatch_seconds),
        args=[engine, channels, worker, settings.dispatch_seconds * 0.8, rules],
        id="dispatch",
        name="notification dispatcher",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=int(settings.dispatch_seconds),
        next_run_time=engine.clock.now(),
    )
    return scheduler
