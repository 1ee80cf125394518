"""BE years, Thai fiscal years and quarters, Bangkok day boundaries and deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from plancycle.errors import PlancycleError
from plancycle.thai.fiscal import (
    BANGKOK,
    FiscalDateError,
    FiscalYearError,
    NaiveDatetimeError,
    bangkok_date,
    be_to_ce,
    ce_to_be,
    end_of_day,
    fiscal_year_of,
    fy_date,
    fy_range,
    is_past,
    month_end,
    quarter_of,
    quarter_range,
    start_of_day,
    to_bangkok,
    to_utc,
)

SEVEN_HOURS = timedelta(hours=7)


def test_be_and_ce_differ_by_543() -> None:
    assert be_to_ce(2568) == 2025
    assert ce_to_be(2025) == 2568
    assert be_to_ce(ce_to_be(1999)) == 1999


def test_bangkok_zone_is_utc_plus_seven() -> None:
    assert str(BANGKOK) == "Asia/Bangkok"
    assert datetime(2025, 1, 1, tzinfo=BANGKOK).utcoffset() == SEVEN_HOURS
    assert datetime(2025, 7, 1, tzinfo=BANGKOK).utcoffset() == SEVEN_HOURS


@pytest.mark.parametrize(
    ("day", "fy", "quarter"),
    [
        (date(2024, 9, 30), 2567, 4),
        (date(2024, 10, 1), 2568, 1),
        (date(2024, 12, 31), 2568, 1),
        (date(2025, 1, 1), 2568, 2),
        (date(2025, 3, 31), 2568, 2),
        (date(2025, 4, 1), 2568, 3),
        (date(2025, 6, 30), 2568, 3),
        (date(2025, 7, 1), 2568, 4),
        (date(2025, 9, 30), 2568, 4),
        (date(2025, 10, 1), 2569, 1),
    ],
)
def test_fiscal_year_and_quarter_boundaries(day: date, fy: int, quarter: int) -> None:
    assert fiscal_year_of(day) == fy
    assert quarter_of(day) == quarter


def test_aware_datetimes_are_read_in_bangkok() -> None:
    before = datetime(2024, 9, 30, 16, 59, 59, tzinfo=UTC)  # 23:59:59 Bangkok, 30 Sep
    after = datetime(2024, 9, 30, 17, 0, 0, tzinfo=UTC)  # 00:00:00 Bangkok, 1 Oct
    assert (fiscal_year_of(before), quarter_of(before)) == (2567, 4)
    assert (fiscal_year_of(after), quarter_of(after)) == (2568, 1)
    assert bangkok_date(after) == date(2024, 10, 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda dt: fiscal_year_of(dt),
        lambda dt: quarter_of(dt),
        lambda dt: to_utc(dt),
        lambda dt: to_bangkok(dt),
        lambda dt: end_of_day(dt),
        lambda dt: start_of_day(dt),
        lambda dt: is_past(dt, datetime(2025, 1, 1, tzinfo=UTC)),
        lambda dt: is_past(datetime(2025, 1, 1, tzinfo=UTC), dt),
    ],
)
def test_naive_datetimes_are_rejected(call) -> None:
    with pytest.raises(ValueError) as info:
        call(datetime(2025, 3, 31, 12, 0))
    assert isinstance(info.value, NaiveDatetimeError)
    message = str(info.value)
    assert "2025-03-31T12:00:00 has no time zone" in message
    assert "ไม่มีเขตเวลา" in message
    assert message.index("has no time zone") < message.index("ไม่มีเขตเวลา")


def test_fy_range() -> None:
    assert fy_range(2568) == (date(2024, 10, 1), date(2025, 9, 30))
    start, end = fy_range(2567)
    assert (start, end) == (date(2023, 10, 1), date(2024, 9, 30))
    assert (end - start).days + 1 == 366  # contains 29 Feb 2024


def test_quarter_ranges_tile_the_fiscal_year() -> None:
    assert quarter_range(2568, 1) == (date(2024, 10, 1), date(2024, 12, 31))
    assert quarter_range(2568, 2) == (date(2025, 1, 1), date(2025, 3, 31))
    assert quarter_range(2568, 3) == (date(2025, 4, 1), date(2025, 6, 30))
    assert quarter_range(2568, 4) == (date(2025, 7, 1), date(2025, 9, 30))
    ranges = [quarter_range(2568, q) for q in (1, 2, 3, 4)]
    assert ranges[0][0] == fy_range(2568)[0] and ranges[-1][1] == fy_range(2568)[1]
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        assert start - end == timedelta(days=1)


@pytest.mark.parametrize("q", [0, 5, -1])
def test_quarter_out_of_range_is_rejected(q: int) -> None:
    with pytest.raises(FiscalDateError, match=rf"quarter {q} does not exist; give 1-4") as info:
        quarter_range(2568, q)
    assert f"ไม่มีไตรมาสที่ {q}" in str(info.value)


@pytest.mark.parametrize(
    ("month", "day", "expected"),
    [
        (12, 25, date(2024, 12, 25)),
        (10, 1, date(2024, 10, 1)),
        (1, 15, date(2025, 1, 15)),
        (9, 30, date(2025, 9, 30)),
    ],
)
def test_fy_date_places_months_in_the_right_ce_year(month: int, day: int, expected: date) -> None:
    assert fy_date(2568, month, day) == expected


def test_fy_date_handles_leap_days() -> None:
    assert fy_date(2567, 2, 29) == date(2024, 2, 29)
    assert fy_date(2571, 2, 29) == date(2028, 2, 29)
    with pytest.raises(FiscalDateError) as info:
        fy_date(2568, 2, 29)
    message = str(info.value)
    assert "day 29 does not exist in February 2025 (fiscal year 2568)" in message
    assert "that month has 28 days" in message
    assert "ไม่มีวันที่ 29 ในเดือนกุมภาพันธ์ พ.ศ. 2568" in message


@pytest.mark.parametrize(
    ("month", "day", "phrase"),
    [
        (13, 1, "month 13 does not exist; give 1-12"),
        (0, 1, "month 0 does not exist; give 1-12"),
        (4, 31, "day 31 does not exist in April 2025"),
        (11, 0, "day 0 does not exist in November 2024"),
        (1, "5", "day '5' is not a whole number; give 1-31"),
    ],
)
def test_fy_date_rejects_impossible_month_or_day(month, day, phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase) as info:
        fy_date(2568, month, day)
    assert isinstance(info.value, FiscalDateError)
    assert " | " in str(info.value)  # English, then Thai


@pytest.mark.parametrize(
    ("fy", "month", "expected"),
    [
        (2568, 2, date(2025, 2, 28)),
        (2571, 2, date(2028, 2, 29)),
        (2567, 2, date(2024, 2, 29)),
        (2543, 2, date(2000, 2, 29)),  # divisible by 400: leap
        (2643, 2, date(2100, 2, 28)),  # divisible by 100 only: not leap
        (2568, 12, date(2024, 12, 31)),
        (2568, 11, date(2024, 11, 30)),
        (2568, 4, date(2025, 4, 30)),
        (2568, 9, date(2025, 9, 30)),
    ],
)
def test_month_end(fy: int, month: int, expected: date) -> None:
    assert month_end(fy, month) == expected


def test_end_of_day_is_the_last_second_in_bangkok() -> None:
    end = end_of_day(date(2025, 3, 31))
    assert end == datetime(2025, 3, 31, 23, 59, 59, tzinfo=BANGKOK)
    assert end == datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC)
    assert end.isoformat() == "2025-03-31T23:59:59+07:00"
    assert to_utc(end).isoformat() == "2025-03-31T16:59:59+00:00"
    assert end.utcoffset() == SEVEN_HOURS


def test_start_of_day_is_midnight_in_bangkok() -> None:
    start = start_of_day(date(2025, 4, 1))
    assert start.isoformat() == "2025-04-01T00:00:00+07:00"
    assert start - end_of_day(date(2025, 3, 31)) == timedelta(seconds=1)


def test_day_bounds_of_an_aware_datetime_use_its_bangkok_day() -> None:
    late_utc = datetime(2025, 3, 31, 18, 0, tzinfo=UTC)  # 01:00 on 1 April in Bangkok
    assert end_of_day(late_utc).isoformat() == "2025-04-01T23:59:59+07:00"
    assert start_of_day(late_utc).isoformat() == "2025-04-01T00:00:00+07:00"


def test_to_bangkok_and_to_utc_keep_the_instant() -> None:
    instant = datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC)
    local = to_bangkok(instant)
    assert local.tzinfo is BANGKOK
    assert (local.hour, local.minute) == (23, 59)
    assert local == instant
    back = to_utc(local)
    assert back.tzinfo is UTC and back.hour == 16 and back == instant


def test_by_31_march_means_until_the_end_of_that_day() -> None:
    deadline = end_of_day(date(2025, 3, 31))
    assert not is_past(deadline, datetime(2025, 3, 31, 23, 59, 59, tzinfo=BANGKOK))
    assert not is_past(deadline, datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC))
    assert not is_past(deadline, datetime(2025, 3, 31, 9, 0, tzinfo=BANGKOK))
    assert is_past(deadline, datetime(2025, 4, 1, 0, 0, 0, tzinfo=BANGKOK))
    assert is_past(deadline, datetime(2025, 3, 31, 17, 0, 0, tzinfo=UTC))


@pytest.mark.parametrize("fy", [2499, 2701, 0, -2568])
def test_fiscal_year_out_of_range(fy: int) -> None:
    with pytest.raises(FiscalYearError) as info:
        fy_range(fy)
    message = str(info.value)
    assert f"fiscal year {fy} is outside the accepted range BE 2500-2700" in message
    assert f"ปีงบประมาณ {fy} อยู่นอกช่วงที่รับได้ (พ.ศ. 2500-2700)" in message
    assert info.value.value == fy


def test_fiscal_year_error_is_a_value_error_the_cli_can_report() -> None:
    with pytest.raises(ValueError) as info:
        fy_range(2701)
    error = info.value
    assert isinstance(error, FiscalYearError)
    assert isinstance(error, PlancycleError)
    assert error.en.startswith("fiscal year 2701")
    assert error.th.startswith("ปีงบประมาณ 2701")


def test_a_ce_year_gets_a_hint() -> None:
    with pytest.raises(FiscalYearError, match=r"2025 looks like a CE year; BE 2568\?"):
        fy_range(2025)


def test_range_edges_are_accepted() -> None:
    assert fy_range(2500)[0] == date(1956, 10, 1)
    assert fy_range(2700)[1] == date(2157, 9, 30)


@pytest.mark.parametrize(
    "call",
    [
        lambda: month_end(3000, 1),
        lambda: quarter_range(1, 1),
        lambda: fy_date(2025, 1, 1),
        lambda: fy_range("2568"),
        lambda: fy_range(True),
        lambda: fiscal_year_of(date(1900, 1, 1)),
    ],
)
def test_every_fiscal_helper_checks_the_year(call) -> None:
    with pytest.raises(FiscalYearError, match="BE 2500-2700"):
        call()


def test_non_integer_year_says_so() -> None:
    with pytest.raises(FiscalYearError, match=r"'2568' is not a whole number"):
        fy_range("2568")
