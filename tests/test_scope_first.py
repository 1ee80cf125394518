"""Scope is checked before anything about an instance is told (issue #11, item 2): a
district acting on or reading another district's instance gets the same 404 as for one
that does not exist, whatever it sends (a wrong trigger, a stale version), and the
refusal is kept as out of scope."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plancycle.store.models import RefusedAttempt
from plancycle.workflow.errors import OutOfScope, UnknownInstance
from tests.webapp import DISTRICT, OTHER_DISTRICT, Web, make_web

A2 = "/api/v1/instances/2568/activity2/240101"
NONE = "/api/v1/instances/2568/activity2/240199"  # a tambon code of 2401 with no instance


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(sqlite_engine, tmp_path)


def _told(answer) -> dict:
    """What a caller learns: status, type and both messages, the key left out."""
    body = answer.json()
    assert answer.status_code == 404, answer.text
    return {
        k: str(v).replace("2568/activity2/240199", "2568/activity2/240101")
        for k, v in body.items()
        if k != "instance"
    }


def _advance(web: Web, path: str, **form: str):
    return web.client.post(f"{path}/advance", headers=web.auth(OTHER_DISTRICT), data=form)


def test_another_districts_advance_learns_nothing(web: Web) -> None:
    wrong_trigger = _advance(web, A2, trigger="report_submitted")
    stale = _advance(web, A2, trigger="meeting_set", expected_version="9")
    valid = _advance(web, A2, trigger="meeting_set")
    missing = _advance(web, NONE, trigger="meeting_set")
    told = [_told(a) for a in (wrong_trigger, stale, valid, missing)]
    assert told[0] == told[1] == told[2] == told[3]
    assert told[0]["type"] == "urn:plancycle:problem:unknown-instance"
    with Session(web.world.db) as session:
        kept = session.exec(
            select(RefusedAttempt.error, RefusedAttempt.count).where(
                RefusedAttempt.actor_id == OTHER_DISTRICT
            )
        ).all()
    # four attempts, all kept as out of scope (the two alike fold into one counted row)
    assert {error for error, _ in kept} == {"OutOfScope"}
    assert sum(count for _, count in kept) == 4


def test_another_districts_read_is_not_found(web: Web) -> None:
    other = web.auth(OTHER_DISTRICT)
    for suffix in ("", "/history"):
        seen = web.client.get(f"{A2}{suffix}", headers=other)
        nothing = web.client.get(f"{NONE}{suffix}", headers=other)
        assert _told(seen) == _told(nothing)
    assert web.client.get(A2, headers=web.auth(DISTRICT)).status_code == 200


def test_engine_checks_scope_before_state_and_version(web: Web) -> None:
    engine, key = web.world.engine, "2568/activity2/240101"
    with pytest.raises(OutOfScope) as out:
        engine.advance(key, "no_such_trigger", OTHER_DISTRICT, expected_version=42)
    with pytest.raises(UnknownInstance) as missing:
        engine.advance("2568/activity2/240199", "x", DISTRICT)
    assert type(missing.value) is UnknownInstance
    told = str(missing.value).replace("2568/activity2/240199", key)
    assert str(out.value) == told
