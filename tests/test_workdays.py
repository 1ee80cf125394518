"""The working-day calendar's core: weekends, Thai public holidays, the store's changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from plancycle.thai.fiscal import BANGKOK
from plancycle.workflow.workdays import DayOffKind, WorkCalendar


def test_fy2568_holidays_named_in_the_letter_year_are_days_off() -> None:
    cal = WorkCalendar()
    for day in (date(2025, 1, 1), date(2025, 4, 7), date(2025, 4, 14)):
        off = cal.day_off(day)
        assert off is not None and off.kind == DayOffKind.PUBLIC, day
    assert "สงกรานต์" in cal.day_off(date(2025, 4, 14)).name_th  # type: ignore[union-attr]
    assert "ปีใหม่" in cal.day_off(date(2025, 1, 1)).name_th  # type: ignore[union-attr]
    assert cal.is_working_day(date(2025, 4, 17))


def test_fy2569_saturdays_roll_to_the_next_working_day() -> None:
    cal = WorkCalendar()
    assert cal.day_off(date(2025, 12, 27)).kind == DayOffKind.WEEKEND  # type: ignore[union-attr]
    assert cal.next_working_day(date(2025, 12, 27)) == date(2025, 12, 29)
    assert cal.next_working_day(date(2026, 2, 28)) == date(2026, 3, 2)
    assert cal.next_working_day(date(2026, 3, 2)) == date(2026, 3, 2)


def test_working_days_skip_songkran() -> None:
    cal = WorkCalendar()
    # Fri 11 Apr 2568 + 1 working day: 12-13 weekend, 14-16 Songkran (16 in lieu) -> Thu 17
    assert cal.add_working_days(date(2025, 4, 11), 1) == date(2025, 4, 17)
    assert cal.add_working_days(date(2025, 4, 17), -1) == date(2025, 4, 11)
    assert cal.add_working_days(date(2025, 4, 11), 0) == date(2025, 4, 11)


def test_store_added_and_removed_days() -> None:
    special = date(2025, 5, 13)
    cal = WorkCalendar(added={special: "วันหยุดพิเศษ"}, removed=frozenset({date(2025, 5, 12)}))
    off = cal.day_off(special)
    assert off is not None and off.kind == DayOffKind.ADDED and off.name_th == "วันหยุดพิเศษ"
    assert cal.is_working_day(date(2025, 5, 12))
    assert not WorkCalendar().is_working_day(date(2025, 5, 12))
    assert [d.day for d in cal.days_off(date(2025, 5, 10), date(2025, 5, 13))] == [
        date(2025, 5, 10),
        date(2025, 5, 11),
        special,
    ]


def test_next_send_at_waits_for_a_working_morning() -> None:
    cal = WorkCalendar()
    # Sunday 2 March 2568, 10:00 Bangkok -> Monday 3 March 08:30
    sunday = datetime(2025, 3, 2, 10, 0, tzinfo=BANGKOK)
    assert cal.next_send_at(sunday) == datetime(2025, 3, 3, 8, 30, tzinfo=BANGKOK)
    # Monday before 08:30 -> that morning; after -> Tuesday
    assert cal.next_send_at(datetime(2025, 3, 3, 0, 0, tzinfo=UTC)) == datetime(
        2025, 3, 3, 8, 30, tzinfo=BANGKOK
    )
    assert cal.next_send_at(datetime(2025, 3, 3, 9, 0, tzinfo=BANGKOK)) == datetime(
        2025, 3, 4, 8, 30, tzinfo=BANGKOK
    )
    # Saturday 12 April 2568 -> Thursday 17 April (Songkran and its day in lieu)
    assert cal.next_send_at(datetime(2025, 4, 12, 8, 0, tzinfo=BANGKOK), time(9, 0)) == datetime(
        2025, 4, 17, 9, 0, tzinfo=BANGKOK
    )
