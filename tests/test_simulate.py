"""The simulated fiscal year: coordinators on time or late, the sweep escalating the late."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from plancycle.cli.sample import fresh_sample_store
from plancycle.thai.fiscal import BANGKOK
from plancycle.workflow.simulate import MonthRow, SimSettings, simulate
from tests.world import CATALOG


def run(tmp_path, late_rate: float, seed: int = 7) -> list[MonthRow]:
    start = datetime(2024, 10, 1, 8, tzinfo=BANGKOK)
    sample = fresh_sample_store(tmp_path / f"sim-{late_rate}-{seed}.db", CATALOG, "24", 2568, start)
    settings = SimSettings(2568, "24", late_rate, seed, until=date(2024, 12, 31))
    seen: list[date] = []
    months = simulate(
        sample.engine, settings, sample.actors, sample.pdf, lambda m: seen.append(m.month)
    )
    assert seen == [date(2024, 10, 1), date(2024, 11, 1), date(2024, 12, 1)]
    return months


def done(month: MonthRow, process: str) -> float:
    return next(p.percent_done for p in month.processes if p.process == process)


def test_on_time_coordinators_meet_the_25_december_deadline(tmp_path) -> None:
    months = run(tmp_path, late_rate=0.0)
    december = months[-1]
    assert done(december, "orders") == 100.0
    assert december.sent["overdue"] == 0 and december.sent["escalation"] == 0
    assert sum(m.advances for m in months) > 0


def test_late_coordinators_are_flagged_and_reminded(tmp_path) -> None:
    months = run(tmp_path, late_rate=1.0)
    december = months[-1]
    assert done(december, "orders") < 100.0
    assert december.sent["reminder"] > 0 and december.sent["overdue"] > 0
    assert december.overdue > 0


def test_same_seed_same_year(tmp_path) -> None:
    first = run(tmp_path / "a", late_rate=0.3, seed=11)
    second = run(tmp_path / "b", late_rate=0.3, seed=11)
    shape = lambda ms: [(m.advances, m.overdue, dict(m.sent)) for m in ms]  # noqa: E731
    assert shape(first) == shape(second)


def test_late_rate_is_checked() -> None:
    with pytest.raises(ValueError, match="late_rate"):
        SimSettings(2568, "24", late_rate=1.5)
