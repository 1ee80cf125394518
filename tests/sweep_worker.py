"""A sweep run in a separate process (for the several-schedulers test)."""

from __future__ import annotations

from datetime import datetime


def sweep_in_process(url: str, iso_now: str, go) -> dict:
    from plancycle.definitions.loader import load_catalog
    from plancycle.store.db import make_engine
    from plancycle.workflow.engine import Engine
    from plancycle.workflow.sweep_apply import run_sweep

    engine = Engine(load_catalog(), make_engine(url))
    go.wait(60)  # every process starts its sweep at the same moment
    return run_sweep(engine, datetime.fromisoformat(iso_now), batch=50).as_dict()
