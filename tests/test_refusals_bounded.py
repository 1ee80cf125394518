"""Refused attempts are kept without letting a caller grow ``refused_attempt`` without
bound (issue #11, item 11): repeats fold into a count, and one actor adds at most
ROWS_PER_WINDOW rows per window however varied its attempts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from plancycle.store.models import RefusedAttempt
from plancycle.store.refusals import ROWS_PER_WINDOW, WINDOW
from plancycle.workflow.errors import InvalidTrigger, WorkflowError
from tests.test_engine import key_of, world  # noqa: F401  (fixture)
from tests.world import World


def kept(world: World) -> list[tuple[str, int]]:  # noqa: F811
    with Session(world.db) as session:
        rows = session.exec(select(RefusedAttempt).order_by(RefusedAttempt.id)).all()
        return [(r.trigger, r.count) for r in rows]


def test_repeats_fold_into_one_counted_row(world: World) -> None:  # noqa: F811
    key, actor = key_of(world, "activity2"), world.actors["district_cd_office"]
    for _ in range(30):
        with pytest.raises(InvalidTrigger):
            world.engine.advance(key, "report_submitted", actor)
    assert kept(world) == [("report_submitted", 30)]
    world.clock.advance(WINDOW + timedelta(seconds=1))  # a new window: a new row
    with pytest.raises(InvalidTrigger):
        world.engine.advance(key, "report_submitted", actor)
    assert kept(world) == [("report_submitted", 30), ("report_submitted", 1)]


def test_varied_attempts_of_one_actor_are_bounded(world: World) -> None:  # noqa: F811
    key, actor = key_of(world, "activity2"), world.actors["district_cd_office"]
    tries = ROWS_PER_WINDOW + 25
    for n in range(tries):
        with pytest.raises(WorkflowError):
            world.engine.advance(key, f"probe_{n}", actor)
    with Session(world.db) as session:
        rows = session.exec(select(func.count()).select_from(RefusedAttempt)).one()
        total = session.exec(select(func.sum(RefusedAttempt.count))).one()
    assert rows == ROWS_PER_WINDOW and total == tries
