"""Deadlines: pure arithmetic, and overdue as seen with the wall clock frozen on either side."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from plancycle.definitions.model import Deadline
from plancycle.workflow.clock import SystemClock
from plancycle.workflow.deadlines import deadline_day, due_at, state_due_at
from plancycle.workflow.reports import AreaFilter, InstanceFilter, list_instances
from plancycle.workflow.rollup import status
from tests.world import CATALOG, bkk, populate


def spec(kind: str, **kw) -> Deadline:
    base = {"month": None, "day": None, "quarter": None, "after": None, "days": None}
    return Deadline(kind=kind, **{**base, **kw})


@pytest.mark.parametrize(
    ("deadline", "fy", "day"),
    [
        (spec("fy_date", month=12, day=25), 2568, "2024-12-25"),
        (spec("fy_date", month=3, day=31), 2568, "2025-03-31"),
        (spec("fy_date", month=3, day=31), 2569, "2026-03-31"),
        (spec("quarter_end", quarter=1), 2568, "2024-12-31"),
        (spec("quarter_start", quarter=2), 2568, "2025-01-01"),
        (spec("month_end", month=2), 2568, "2025-02-28"),
        (spec("month_end", month=2), 2571, "2028-02-29"),
    ],
)
def test_deadline_days_follow_the_fiscal_year(deadline, fy, day) -> None:
    assert deadline_day(deadline, fy, {}).isoformat() == day


def test_after_deadline_counts_from_leaving_the_step_in_bangkok_time() -> None:
    # left the workshop at 23:30 Bangkok on 12 Feb (16:30 UTC): day 12 Feb + 7 = 19 Feb
    left = {"workshop": datetime(2025, 2, 12, 16, 30, tzinfo=UTC)}
    seven = spec("after", after="workshop", days=7)
    assert deadline_day(seven, 2568, left).isoformat() == "2025-02-19"
    assert deadline_day(seven, 2568, {}) is None  # not done yet: no deadline from it
    cap = spec("fy_date", month=3, day=31)
    assert due_at([seven, cap], 2568, left) == bkk(2025, 2, 19, 23, 59, 59).astimezone(UTC)
    late = {"workshop": datetime(2025, 3, 30, 3, 0, tzinfo=UTC)}
    assert due_at([seven, cap], 2568, late) == bkk(2025, 3, 31, 23, 59, 59).astimezone(UTC)


def test_activity2_report_is_due_at_end_of_31_march_bangkok() -> None:
    due = state_due_at(CATALOG.get("activity2"), "report", 2568, {})
    assert due.isoformat() == "2025-03-31T16:59:59+00:00"
    assert due.astimezone(bkk(2025, 1, 1).tzinfo).isoformat() == "2025-03-31T23:59:59+07:00"
    assert state_due_at(CATALOG.get("activity2"), "done", 2568, {}) is None


@pytest.mark.parametrize(
    ("process", "state", "iso"),
    [
        ("orders", "review", "2024-12-25"),
        ("activity1", "lesson_learned", "2024-12-27"),
        ("activity3", "report", "2025-07-31"),
        ("village_plan", "forum_calendar", "2025-02-28"),
    ],
)
def test_seed_deadlines(process: str, state: str, iso: str) -> None:
    due = state_due_at(CATALOG.get(process), state, 2568, {})
    assert due == bkk(*map(int, iso.split("-")), 23, 59, 59).astimezone(UTC)


def test_activity2_overdue_flips_at_midnight_bangkok(sqlite_engine, tmp_path, freezer) -> None:
    world = populate(sqlite_engine, tmp_path)
    clock = SystemClock()  # reads the frozen wall clock
    late = InstanceFilter(2568, "activity2", area=AreaFilter(province="24"))

    freezer.move_to("2025-03-31T23:59:59+07:00")
    rows = {r.process: r for r in status(world.db, CATALOG, 2568, AreaFilter("24"), clock.now())}
    assert rows["activity2"].overdue == 0
    assert list_instances(world.db, replace(late, overdue_at=clock.now()))[1] == 0

    freezer.move_to("2025-04-01T00:00:00+07:00")
    rows = {r.process: r for r in status(world.db, CATALOG, 2568, AreaFilter("24"), clock.now())}
    assert rows["activity2"].overdue == rows["activity2"].total == 93
    assert list_instances(world.db, replace(late, overdue_at=clock.now()))[1] == 93


def test_orders_overdue_after_25_december_2567(sqlite_engine, tmp_path, freezer) -> None:
    world = populate(sqlite_engine, tmp_path)
    freezer.move_to("2024-12-25T23:59:59+07:00")
    rows = {
        r.process: r for r in status(world.db, CATALOG, 2568, AreaFilter("24"), SystemClock().now())
    }
    assert rows["orders"].overdue == 0
    freezer.move_to("2024-12-26T00:00:01+07:00")
    rows = {
        r.process: r for r in status(world.db, CATALOG, 2568, AreaFilter("24"), SystemClock().now())
    }
    assert rows["orders"].overdue == 11
