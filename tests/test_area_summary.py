"""The nation's and a province's page figures are kept in the process for
``PLANCYCLE_SUMMARY_SECONDS`` and say when they were read; a district's are read on every
view. Kept answers expire by the caller's clock, and one thread computes a new answer
while the others are served the kept one."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from plancycle.store.tokens import issue_token
from plancycle.web import WebSettings, create_app
from plancycle.web.areas_view import area_view
from plancycle.web.ui import Ui
from plancycle.workflow.area_summary import AreaSummary, Summaries, kept_level, steps_kept
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.kept_answers import KeptAnswers
from tests.world import CATALOG, World, bkk, populate

A2 = instance_key(2568, "activity2", "240101")
T0 = datetime(2025, 1, 10, 2, tzinfo=UTC)


@pytest.fixture
def world(engine, tmp_path) -> World:  # type: ignore[no-untyped-def]
    return populate(engine, tmp_path)


def _never() -> int:
    raise AssertionError("computed when a kept answer should have been served")


def test_an_answer_is_kept_for_its_seconds_by_the_callers_clock() -> None:
    kept: KeptAnswers[int] = KeptAnswers(60)
    assert kept.get("k", T0, lambda: 1).value == 1
    assert kept.get("k", T0 + timedelta(seconds=59), _never).value == 1
    answer = kept.get("k", T0 + timedelta(seconds=60), lambda: 2)
    assert (answer.value, answer.at) == (2, T0 + timedelta(seconds=60))
    assert kept.get("other", T0, lambda: 3).value == 3  # each key its own answer
    # a clock that went back does not make an old answer young
    assert kept.get("k", T0, lambda: 4).value == 4


def test_nothing_is_kept_at_zero_seconds_and_the_oldest_goes_first() -> None:
    none: KeptAnswers[int] = KeptAnswers(0)
    assert [none.get("k", T0, lambda n=n: n).value for n in range(3)] == [0, 1, 2]
    small: KeptAnswers[str] = KeptAnswers(60, size=2)
    for key in ("a", "b", "c"):
        small.get(key, T0, lambda key=key: key)
    assert small.get("c", T0, _never).value == "c"
    assert small.get("a", T0, lambda: "a again").value == "a again"  # "a" was dropped
    with pytest.raises(ValueError, match="0 or more"):
        KeptAnswers(-1)


def test_while_one_thread_computes_the_others_are_served_the_kept_answer() -> None:
    kept: KeptAnswers[int] = KeptAnswers(60)
    kept.get("k", T0, lambda: 1)
    started, release = threading.Event(), threading.Event()
    got: list[int] = []

    def slow() -> int:
        started.set()
        assert release.wait(10)
        return 2

    later = T0 + timedelta(seconds=61)
    worker = threading.Thread(target=lambda: got.append(kept.get("k", later, slow).value))
    worker.start()
    assert started.wait(10)
    assert kept.get("k", later, _never).value == 1  # the old one, at once: no second read
    release.set()
    worker.join(10)
    assert got == [2]
    assert kept.get("k", later, _never).value == 2


def _a2(summary: AreaSummary) -> dict[str, int]:
    return next(p.by_state for p in summary.own.processes if p.process == "activity2")


def _get(world: World, summaries: Summaries, code: str, now: datetime) -> AreaSummary:
    kids = [c.code for c in area_view(world.db, code).children]
    return summaries.get(2568, code, kids, now)


def test_the_nation_and_a_province_are_kept_a_district_is_read_every_time(
    world: World,
) -> None:
    assert [kept_level(c) for c in ("", "24", "2401", "240101")] == [True, True, False, False]
    assert [steps_kept(c) for c in ("", "24", "2401", "240101")] == [True, True, True, False]
    summaries = Summaries(world.db, CATALOG, 60)
    t0 = bkk(2025, 1, 10, 9)
    world.clock.set(t0)
    nation, province, district = (_get(world, summaries, c, t0) for c in ("", "24", "2401"))
    assert (province.kept_seconds, district.kept_seconds) == (60, 0)
    assert "workshop" not in _a2(district)  # every tambon still coordinates its meeting

    world.engine.advance(A2, "meeting_set", "district_cd_office-a")
    t1 = t0 + timedelta(seconds=59)
    # the district's page shows the step at once ...
    fresh = _get(world, summaries, "2401", t1)
    assert fresh.as_of == t1
    assert _a2(district)["coordinate"] - _a2(fresh)["coordinate"] == 1
    assert _a2(fresh)["workshop"] == 1
    # its step times (medians of steps finished) are kept 5 x 60 s, and say so
    assert fresh.steps is district.steps
    assert (fresh.steps.as_of, fresh.steps.kept_seconds) == (t0, 300)
    assert summaries.get(2568, "240101", [], t1).steps.kept_seconds == 0  # a tambon: read
    # ... the province's and the nation's keep the figures read at t0 for 60 s
    assert _get(world, summaries, "24", t1) is province
    assert _get(world, summaries, "", t1) is nation
    t2 = t0 + timedelta(seconds=60)
    for code in ("24", ""):
        again = _get(world, summaries, code, t2)
        assert again.as_of == t2
        assert _a2(again)["workshop"] == 1
        assert again.children  # the areas under it are read with it


def test_the_page_says_when_its_figures_were_read_and_for_how_long_they_are_kept(
    world: World, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    world.clock.set(bkk(2025, 1, 10, 9, 5, 30))
    with Session(world.db) as session, session.begin():
        token = issue_token(session, "provincial_cd_office-a")
    settings = WebSettings(
        world.db, CATALOG, world.clock, tmp_path / "evidence", secret_key="k", summary_seconds=60
    )
    client = TestClient(create_app(settings))
    csrf = client.get("/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"csrf": csrf, "token": token})
    province = client.get("/areas/24", params={"fy": 2568}).text
    assert 'data-kept="60"' in province
    assert "10 ม.ค. 68 09:05" in province
    assert "ตัวเลขของจังหวัดและทั้งประเทศปรับใหม่ทุก 1 นาที" in province
    assert 'href="/areas/24?fy=2568&amp;fresh=1"' in province  # "อ่านตัวเลขใหม่ตอนนี้"
    district = client.get("/areas/2401", params={"fy": 2568}).text
    assert 'data-kept="0"' in district
    assert "ปรับใหม่ทุก" not in district and "read-again" not in district
    # 40 s later the kept figures are still served; asked for, they are read now and kept
    world.clock.set(bkk(2025, 1, 10, 9, 6, 10))
    assert "10 ม.ค. 68 09:05" in client.get("/areas/24", params={"fy": 2568}).text
    again = client.get("/areas/24", params={"fy": 2568, "fresh": 1}).text
    assert "10 ม.ค. 68 09:06" in again
    assert "10 ม.ค. 68 09:06" in client.get("/areas/24", params={"fy": 2568}).text
    english = Ui("en")
    assert [english.every(s) for s in (60, 300, 45, 1)] == [
        "1 minute",
        "5 minutes",
        "45 seconds",
        "1 second",
    ]
    assert Ui("th", thai_digits=True).every(300) == "๕ นาที"


def test_asked_again_an_answer_is_computed_now_and_kept() -> None:
    kept: KeptAnswers[int] = KeptAnswers(60)
    kept.get("k", T0, lambda: 1)
    later = T0 + timedelta(seconds=10)
    assert kept.get("k", later, lambda: 2, again=True).value == 2
    assert kept.get("k", later, _never).value == 2  # kept from then
    assert kept.get("k", T0, _never, again=True).value == 2  # already read for that instant


def test_in_the_background_every_caller_is_served_the_kept_answer_until_the_new_one_is_read() -> (
    None
):
    kept: KeptAnswers[int] = KeptAnswers(60, background=True)
    assert kept.get("k", T0, lambda: 1).value == 1  # none kept yet: its caller computes it
    release = threading.Event()

    def slow() -> int:
        assert release.wait(10)
        return 2

    later = T0 + timedelta(seconds=61)
    assert kept.get("k", later, slow).value == 1  # the caller that found it old is not held
    assert kept.get("k", later, _never).value == 1
    release.set()
    assert kept.refreshing is not None
    kept.refreshing.join(10)
    assert kept.get("k", later, _never).value == 2


def test_a_starting_server_reads_the_nations_summary_once_for_the_first_visitor(
    world: World, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from plancycle.workflow import area_summary as module

    reads: list[str] = []
    real = module.area_summary

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "area_summary", counted)
    world.clock.set(bkk(2025, 1, 10, 9))
    settings = WebSettings(
        world.db, CATALOG, world.clock, tmp_path / "evidence", secret_key="k", summary_seconds=60
    )
    web = create_app(settings).state.web
    web.warm()
    assert reads == [""]
    kids = [c.code for c in area_view(world.db, "").children]
    first = web.summaries.get(2568, "", kids, world.clock.now())
    assert reads == [""]  # the visitor is served what the start read
    assert first.as_of == world.clock.now() and first.kept_seconds == 60
    off = create_app(WebSettings(world.db, CATALOG, world.clock, tmp_path / "ev2", secret_key="k"))
    off.state.web.warm()
    assert reads == [""]  # nothing kept (0 s): nothing read ahead
