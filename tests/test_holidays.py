"""The working-day calendar in use: the store's holiday changes, working-day counts and
rolls in definitions, and the deadlines they move (issue #14 item 1)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from plancycle.definitions.deadlines import parse_deadline
from plancycle.definitions.errors import Problem
from plancycle.definitions.ladders import parse_ladders
from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Catalog, Deadline, DeadlineKind, LadderRung
from plancycle.definitions.nodes import Checker
from plancycle.kinds import DayCount, DayRoll, EscalationKind, HolidayAction
from plancycle.store.actors import add_actor
from plancycle.store.db import make_engine
from plancycle.store.models import DeadlineExtension, HolidayChange, Instance, TransitionRecord
from plancycle.thai.fiscal import BANGKOK, end_of_day, start_of_day
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.cycle import start_cycle
from plancycle.workflow.deadlines import deadline_day, due_day, moved_text, state_due_at
from plancycle.workflow.errors import NotAllowed, UnknownActor
from plancycle.workflow.holiday_calendar import load_calendar
from plancycle.workflow.holidays import BadHoliday, change_holiday
from plancycle.workflow.overdue import is_overdue
from plancycle.workflow.sweep import rung_day, rung_time
from plancycle.workflow.withdraw import AdminTrigger
from plancycle.workflow.workdays import DayOffKind, WorkCalendar

CATALOG = load_catalog()
CAL = WorkCalendar()
NOW = datetime(2025, 1, 10, 9, 0, tzinfo=BANGKOK)


def _deadline(tmp_path: Path, text: str) -> tuple[Deadline | None, list[Problem]]:
    path = tmp_path / "due.yaml"
    path.write_text(text, encoding="utf-8")
    problems: list[Problem] = []
    chk = Checker(str(path), problems)
    return parse_deadline(chk, chk.compose(path), "due", allow_after=True), problems


def test_a_deadline_may_count_working_days_and_roll(tmp_path: Path) -> None:
    spec, problems = _deadline(tmp_path, "{after: workshop, days: 7, count: working}\n")
    assert not problems and spec is not None and spec.count == DayCount.WORKING
    spec, problems = _deadline(tmp_path, '{fy_date: "12-27", roll: next_working_day}\n')
    assert not problems and spec is not None
    assert spec.roll == DayRoll.NEXT_WORKING_DAY and spec.source == "inferred"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{after: workshop, days: 7, count: weekdays}\n", "must be one of: calendar, working"),
        ('{fy_date: "12-27", roll: next_day}\n', "must be one of: next_working_day"),
        ('{fy_date: "12-27", roll: next_working_day, source: seed}\n', "source: inferred"),
        ('{fy_date: "12-27", count: working}\n', "'count' belongs only with 'after'"),
    ],
)
def test_bad_counts_and_rolls_are_problems(tmp_path: Path, text: str, says: str) -> None:
    spec, problems = _deadline(tmp_path, text)
    assert spec is None
    assert any(says in p.message for p in problems), problems


def test_a_ladder_rung_may_count_working_days(tmp_path: Path) -> None:
    path = tmp_path / "ladders.yaml"
    path.write_text(
        "ladders:\n  default:\n"
        "    - {level: 1, kind: overdue, offset_days: 0, notify: [lead]}\n"
        "    - {level: 2, kind: escalation, offset_days: 7, count: working, notify: [lead]}\n"
        "    - {level: 3, kind: escalation, offset_days: 14, count: hours, notify: [lead]}\n",
        encoding="utf-8",
    )
    problems: list[Problem] = []
    ladders = parse_ladders(path, CATALOG.roles, problems)
    assert [r.count for r in ladders["default"]] == [DayCount.CALENDAR, DayCount.WORKING]
    assert any("count 'hours' must be one of" in p.message for p in problems)


def test_shipped_ladders_count_calendar_days() -> None:
    """The letter's "N days" for escalation are calendar days (domain.md section 5)."""
    assert all(r.count == DayCount.CALENDAR for d in CATALOG.latest() for r in d.ladder)


# The four fixed deadlines of FY2568 and the escalation rungs that land on holidays
FIXED = {
    "orders": date(2024, 12, 25),
    "activity1": date(2024, 12, 27),
    "activity2": date(2025, 3, 31),
    "activity3": date(2025, 7, 31),
}


def test_fy2568_escalations_landing_on_holidays() -> None:
    on_holidays: dict[date, tuple[str, int, str]] = {}
    for process, day in FIXED.items():
        definition = CATALOG.get(process)
        days = {deadline_day(s, 2568, {}) for st in definition.states for s in st.due}
        assert day in days, process
        due = end_of_day(day)
        for rung in definition.ladder:
            if rung.kind != EscalationKind.ESCALATION:
                continue
            off = CAL.day_off(rung_day(rung, due))
            if off is not None and off.kind == DayOffKind.PUBLIC:
                on_holidays[rung_day(rung, due)] = (process, rung.level, off.name_th)
    assert sorted(on_holidays) == [date(2025, 1, 1), date(2025, 4, 7), date(2025, 4, 14)]
    assert on_holidays[date(2025, 1, 1)][:2] == ("orders", 2)  # 25 Dec + 7: New Year's Day
    assert on_holidays[date(2025, 4, 7)][:2] == ("activity2", 2)  # 31 Mar + 7: Chakri (in lieu)
    assert on_holidays[date(2025, 4, 14)][:2] == ("activity2", 3)  # 31 Mar + 14: Songkran
    assert "สงกรานต์" in on_holidays[date(2025, 4, 14)][2]


def _rolled(process: str, state: str) -> object:
    """A test-only definition: ``state``'s deadline rolls to the next working day."""
    definition = CATALOG.get(process)
    states = tuple(
        replace(s, due=tuple(replace(d, roll=DayRoll.NEXT_WORKING_DAY) for d in s.due))
        if s.id == state
        else s
        for s in definition.states
    )
    return replace(definition, states=states)


@pytest.mark.parametrize(
    ("process", "state", "written", "rolled", "weekday_th"),
    [
        ("activity1", "lesson_learned", date(2025, 12, 27), date(2025, 12, 29), "วันเสาร์"),
        ("village_plan", "forum", date(2026, 2, 28), date(2026, 3, 2), "วันเสาร์"),
    ],
)
def test_fy2569_saturdays_roll_to_monday(
    process: str, state: str, written: date, rolled: date, weekday_th: str
) -> None:
    plain = state_due_at(CATALOG.get(process), state, 2569, {})
    assert plain is not None and plain.astimezone(BANGKOK).date() == written
    definition = _rolled(process, state)
    due = state_due_at(definition, state, 2569, {})  # type: ignore[arg-type]
    assert due is not None and due.astimezone(BANGKOK).date() == rolled
    # frozen clock on both sides: not late on the Monday it rolled to, late after it
    assert not is_overdue(due, None, end_of_day(rolled))
    assert is_overdue(due, None, start_of_day(rolled + timedelta(days=1)))
    assert not is_overdue(due, None, start_of_day(written + timedelta(days=1)))
    overdue = definition.ladder[1]  # type: ignore[attr-defined]
    assert overdue.kind == EscalationKind.OVERDUE
    assert rung_time(overdue, due) == start_of_day(rolled + timedelta(days=1))
    spec = next(d for s in definition.states if s.id == state for d in s.due)  # type: ignore[attr-defined]
    day = due_day(spec, 2569, {})
    assert day is not None and day.moved_by is not None
    text = moved_text(day, "th")
    assert text.startswith(f"ครบกำหนด {written.day} ") and "→" in text
    assert f"(วันที่ {written.day} เป็น{weekday_th})" in text
    assert "Saturday" in moved_text(day, "en")


def test_the_letters_dates_stay_as_written_by_default() -> None:
    sunday = Deadline(kind=DeadlineKind.FY_DATE, month=3, day=30)  # 30 Mar 2568 is a Sunday
    day = due_day(sunday, 2568, {})
    assert day is not None and day.day == date(2025, 3, 30) and day.moved_by is None


def test_a_working_day_rung_waits_past_songkran() -> None:
    due = end_of_day(date(2025, 4, 11))  # Friday before Songkran (13-16 Apr 2568)
    calendar_rung = LadderRung(2, EscalationKind.ESCALATION, 1, ("lead",))
    working_rung = replace(calendar_rung, count=DayCount.WORKING)
    assert rung_time(calendar_rung, due) == start_of_day(date(2025, 4, 13))
    assert rung_day(working_rung, due) == date(2025, 4, 17)
    assert rung_time(working_rung, due) == start_of_day(date(2025, 4, 18))
    reminder = LadderRung(0, EscalationKind.REMINDER, -1, ("lead",), DayCount.WORKING)
    assert rung_time(reminder, end_of_day(date(2025, 4, 17))) == start_of_day(date(2025, 4, 11))


def test_after_deadlines_may_count_working_days() -> None:
    left = {"workshop": datetime(2025, 4, 10, 15, 0, tzinfo=BANGKOK)}  # Thu 10 Apr 2568
    spec = Deadline(kind=DeadlineKind.AFTER, after="workshop", days=3, count=DayCount.WORKING)
    # Fri 11, then Songkran and the weekend, then Thu 17 and Fri 18
    assert deadline_day(spec, 2568, left) == date(2025, 4, 18)
    assert deadline_day(replace(spec, count=DayCount.CALENDAR), 2568, left) == date(2025, 4, 13)


def _actors(db: sa.Engine) -> None:
    with Session(db) as session, session.begin():
        roles = set(CATALOG.roles) | {"admin"}
        add_actor(session, "boss", "admin", None, "ผู้ดูแล", roles, NOW)
        add_actor(session, "cdd-1", "cdd", None, "กรม", roles, NOW)


def _rows(db: sa.Engine) -> list[tuple[str, str, str | None, str]]:
    with Session(db) as session:
        rows = session.exec(select(HolidayChange).order_by(HolidayChange.id)).all()  # type: ignore[arg-type]
        return [(r.day, r.action, r.name_th, r.actor_id) for r in rows]


def test_holiday_changes_are_recorded_and_move_effective_dates(engine: sa.Engine) -> None:
    _actors(engine)
    rolled = Deadline(kind=DeadlineKind.FY_DATE, month=5, day=12, roll=DayRoll.NEXT_WORKING_DAY)
    with Session(engine) as session:
        assert due_day(rolled, 2568, {}, calendar=load_calendar(session)).day == date(2025, 5, 13)  # type: ignore[union-attr]
    done = change_holiday(
        engine, CATALOG, date(2025, 5, 13), HolidayAction.ADD, " วันหยุดพิเศษ ", "boss", NOW
    )
    assert done.day == date(2025, 5, 13) and done.moved == ()
    with Session(engine) as session:
        cal = load_calendar(session)
    assert cal.day_off(date(2025, 5, 13)).kind == DayOffKind.ADDED  # type: ignore[union-attr]
    moved = due_day(rolled, 2568, {}, calendar=cal)
    assert moved is not None and moved.day == date(2025, 5, 14)
    change_holiday(engine, CATALOG, date(2025, 5, 12), HolidayAction.REMOVE, None, "boss", NOW)
    with Session(engine) as session:
        cal = load_calendar(session)
    assert due_day(rolled, 2568, {}, calendar=cal).day == date(2025, 5, 12)  # type: ignore[union-attr]
    assert _rows(engine) == [
        ("2025-05-13", "add", "วันหยุดพิเศษ", "boss"),
        ("2025-05-12", "remove", None, "boss"),
    ]


@pytest.mark.parametrize(
    ("day", "action", "name", "actor", "error"),
    [
        (date(2025, 5, 13), HolidayAction.ADD, "วันหยุดพิเศษ", "cdd-1", NotAllowed),
        (date(2025, 5, 13), HolidayAction.ADD, "วันหยุดพิเศษ", "ghost", UnknownActor),
        (date(2025, 5, 13), HolidayAction.ADD, "  ", "boss", BadHoliday),
        (date(2025, 4, 14), HolidayAction.ADD, "ซ้ำ", "boss", BadHoliday),
        (date(2025, 5, 14), HolidayAction.REMOVE, None, "boss", BadHoliday),
        (date(2025, 5, 17), HolidayAction.REMOVE, None, "boss", BadHoliday),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(
    engine: sa.Engine,
    day: date,
    action: HolidayAction,
    name: str | None,
    actor: str,
    error: type[Exception],
) -> None:
    _actors(engine)
    with pytest.raises(error) as caught:
        change_holiday(engine, CATALOG, day, action, name, actor, NOW)
    assert caught.value.th != caught.value.en  # type: ignore[attr-defined]
    assert _rows(engine) == []


def test_a_holiday_change_moves_open_instances_and_keeps_their_extensions(
    chachoengsao_db: Path,
) -> None:
    """Orders (due 25 Dec) rolled in a test-only catalog: a holiday added on Thursday
    25 Dec 2568 moves every open district's deadline to Friday 26 Dec, with a chained
    ``recalendar`` record, but not the one the province extended; a later holiday moves
    nothing (a deadline before the day is not reached by it)."""
    db = make_engine(f"sqlite:///{chachoengsao_db}")
    catalog = Catalog(
        CATALOG.roles,
        tuple(
            _rolled("orders", "review") if d.id == "orders" else d  # type: ignore[misc]
            for d in CATALOG.definitions
        ),
    )
    _actors(db)
    start_cycle(db, catalog, 2569, "24", ManualClock(datetime(2025, 10, 1, 9, tzinfo=BANGKOK)))
    written = end_of_day(date(2025, 12, 25)).astimezone(UTC)
    with Session(db) as session, session.begin():
        kept = session.exec(select(Instance).where(Instance.key == "2569/orders/2401")).one()
        assert kept.due_at is not None and kept.due_at.replace(tzinfo=UTC) == written
        session.add(
            DeadlineExtension(
                at=datetime(2025, 11, 1, tzinfo=UTC),
                actor_id="boss",
                role="admin",
                fiscal_year=2569,
                definition_id="orders",
                state="review",
                instance_key=kept.key,
                until=end_of_day(date(2026, 1, 9)).astimezone(UTC),
                reason="ทดสอบ",
            )
        )
        kept.due_at = end_of_day(date(2026, 1, 9)).astimezone(UTC)  # as extend_deadline does
        session.add(kept)
    now = datetime(2025, 11, 3, 9, tzinfo=BANGKOK)
    done = change_holiday(db, catalog, date(2025, 12, 25), HolidayAction.ADD, "พิเศษ", "boss", now)
    assert len(done.moved) == 10 and "2569/orders/2401" not in done.moved
    with Session(db) as session:
        dues = {
            i.key: i.due_at.replace(tzinfo=UTC)  # type: ignore[union-attr]
            for i in session.exec(select(Instance).where(Instance.definition_id == "orders"))
        }
        triggers = session.exec(
            select(TransitionRecord.trigger)
            .join(Instance, col(Instance.id) == col(TransitionRecord.instance_id))
            .where(Instance.key == "2569/orders/2402")
        ).all()
    assert dues.pop("2569/orders/2401") == end_of_day(date(2026, 1, 9)).astimezone(UTC)
    assert set(dues.values()) == {end_of_day(date(2025, 12, 26)).astimezone(UTC)}
    assert AdminTrigger.RECALENDAR.value in triggers
    later = change_holiday(db, catalog, date(2026, 1, 5), HolidayAction.ADD, "พิเศษ", "boss", now)
    assert later.moved == ()
