"""The load test's harness works: on a small national store (SQLite, built into a cache
of the test's own), a short run of virtual users signs in, takes every kind of request
(advances with a PDF included) and reports zero errors and each server process's RSS."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import load
from plancycle.definitions.loader import load_catalog

pytestmark = pytest.mark.load


def test_quick_run_has_zero_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "CACHE", tmp_path / "cache")
    template = load.template_sqlite(load_catalog(), load.Scale(300, 3_000), log=lambda _: None)
    copy = tmp_path / "run.db"
    shutil.copy(template, copy)
    result = load.run_config(
        load.Config("SQLite, 1 process", "sqlite", 1),
        f"sqlite:///{copy}",
        tmp_path / "run",
        users=12,
        seconds=4,
        think=0.2,
        warmup=1,
    )
    seen = set(result.outcome.latencies)
    assert result.errors == 0, result.outcome.samples
    assert {"advance", "inbox", "instance", "export", "status_nation"} <= seen, seen
    assert result.count > 20
    assert result.rss and all(now > 20 for now, _ in result.rss)
    text = load.report([result], 12, 0.2)
    assert "| SQLite, 1 process |" in text and "| advance |" in text


def test_service_times_cover_every_request_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "CACHE", tmp_path / "cache")
    template = load.template_sqlite(load_catalog(), load.Scale(300, 3_000), log=lambda _: None)
    copy = tmp_path / "run.db"
    shutil.copy(template, copy)
    text = load.service_report(f"sqlite:///{copy}", tmp_path / "run", repeat=2)
    kinds = {kind for mix in load.MIX.values() for kind, _ in mix}
    rows = [line for line in text.splitlines() if line.startswith("| ") and "ms" not in line]
    assert {row.split(" | ")[0].removeprefix("| ") for row in rows} == kinds
