"""Reading and writing Thai dates and instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from plancycle.thai.dates import (
    ThaiDateError,
    format_date,
    format_datetime,
    parse_date,
    parse_instant,
)
from plancycle.thai.fiscal import BANGKOK, NaiveDatetimeError
from plancycle.thai.months import EN_MONTHS, TH_MONTHS, TH_MONTHS_ABBR

MARCH_31 = date(2025, 3, 31)


# --- parse_date: accepted forms ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "๓๑ มีนาคม ๒๕๖๘",
        "31 มีนาคม 2568",
        "31 มี.ค. 68",
        "๓๑ มี.ค. ๖๘",
        "31 มีนาคม พ.ศ. 2568",
        "31 มีนาคม พ.ศ.2568",
        "31 มี.ค. พ.ศ. 68",
        "วันที่ 31 มีนาคม 2568",
        "วันที่๓๑ มีนาคม ๒๕๖๘",
        "2025-03-31",
        "๒๐๒๕-๐๓-๓๑",
        "31/03/2568",
        "31/3/68",
        "๓๑/๓/๖๘",
        "31/03/2025",
        "31-03-2568",
        "31.3.2568",
        "31 March 2025",
        "31 march 2025",
        "31 Mar 2025",
        "31 Mar 2568",
        "31 March 2025 (BE 2568)",
        "31 มีนาคม ค.ศ. 2025",
        "  31 มีนาคม 2568 \n",
        "31  มี.ค.   68",
        "31มี.ค.68",
    ],
)
def test_accepted_forms(text: str) -> None:
    assert parse_date(text) == MARCH_31


@pytest.mark.parametrize("month_text", ["มีค", "มี.ค", "มี.ค.", "มี. ค.", "มี ค", "มีนาคม"])
def test_thai_month_with_and_without_dots(month_text: str) -> None:
    assert parse_date(f"31 {month_text} 68") == MARCH_31
    assert parse_date(f"31 {month_text} 2568") == MARCH_31


@pytest.mark.parametrize("month_text", ["MAR", "mar.", "March", "MARCH"])
def test_english_month_in_any_case(month_text: str) -> None:
    assert parse_date(f"31 {month_text} 2025") == MARCH_31
    assert parse_date(f"31 {month_text} 2568") == MARCH_31


@pytest.mark.parametrize("month", range(1, 13))
def test_every_thai_and_english_month_name(month: int) -> None:
    expected = date(2025, month, 1)
    assert parse_date(f"1 {TH_MONTHS[month - 1]} 2568") == expected
    abbr = TH_MONTHS_ABBR[month - 1]
    assert parse_date(f"1 {abbr} 68") == expected
    assert parse_date(f"1 {abbr.replace('.', '')} 68") == expected
    assert parse_date(f"1 {EN_MONTHS[month - 1]} 2025") == expected
    assert parse_date(f"1 {EN_MONTHS[month - 1][:3]} 2025") == expected


def test_leading_wan_thi_and_a_december_date() -> None:
    assert parse_date("วันที่ ๒๕ ธันวาคม ๒๕๖๗") == date(2024, 12, 25)


def test_year_rules() -> None:
    assert parse_date("1/1/00") == date(1957, 1, 1)  # 2-digit: BE 2500
    assert parse_date("1/1/2400") == date(1857, 1, 1)  # 2400 and up: BE
    assert parse_date("1/1/2399") == date(2399, 1, 1)  # below 2400: CE
    assert parse_date("29 ก.พ. 67") == date(2024, 2, 29)  # leap year in BE 2567


# --- parse_date: errors --------------------------------------------------------


def _date_error(text: object) -> str:
    with pytest.raises(ThaiDateError) as info:
        parse_date(text)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert f"cannot read {text!r} as a date" in message
    assert f"อ่าน {text!r} เป็นวันที่ไม่ได้" in message
    assert message.index("cannot read") < message.index("อ่าน")  # English first
    assert "Accepted forms: 31 มีนาคม 2568" in message and "31/3/68" in message
    assert "รูปแบบที่รับได้:" in message
    return message


def test_unknown_month() -> None:
    message = _date_error("31 มีนาคา 2568")
    assert "unknown month 'มีนาคา'" in message
    assert "ไม่รู้จักชื่อเดือน 'มีนาคา'" in message


@pytest.mark.parametrize(
    ("text", "en", "th"),
    [
        (
            "30 ก.พ. 68",
            "day 30 does not exist in February 2025 (BE 2568), which has 28 days",
            "ไม่มีวันที่ 30 ในเดือนกุมภาพันธ์ พ.ศ. 2568 (เดือนนี้มี 28 วัน)",
        ),
        ("29/2/2568", "day 29 does not exist in February 2025", "ไม่มีวันที่ 29"),
        ("2025-04-31", "day 31 does not exist in April 2025", "ไม่มีวันที่ 31 ในเดือนเมษายน"),
        ("0 มีนาคม 2568", "day 0 does not exist in March 2025", "ไม่มีวันที่ 0"),
    ],
)
def test_impossible_day(text: str, en: str, th: str) -> None:
    message = _date_error(text)
    assert en in message
    assert th in message


@pytest.mark.parametrize(
    ("text", "en", "th"),
    [
        ("hello", "it is not in any accepted form", "ไม่อยู่ในรูปแบบที่รับได้"),
        ("", "it is not in any accepted form", "ไม่อยู่ในรูปแบบที่รับได้"),
        ("31 มีนาคม 256", "it is not in any accepted form", "ไม่อยู่ในรูปแบบที่รับได้"),
        ("31/03", "it is not in any accepted form", "ไม่อยู่ในรูปแบบที่รับได้"),
        ("31 / 68", "it is not in any accepted form", "ไม่อยู่ในรูปแบบที่รับได้"),
        ("31/13/2568", "month 13 does not exist (give 1-12)", "ไม่มีเดือนที่ 13"),
        ("2025-00-10", "month 0 does not exist", "ไม่มีเดือนที่ 0"),
        ("31 Mar 25", "a 2-digit year is ambiguous here", "ปี 2 หลักกำกวม"),
        ("31 มีนาคม พ.ศ. 2025", "did you mean BE 2568?", "หมายถึง พ.ศ. 2568 หรือไม่"),
        ("31 มีนาคม ค.ศ. 2568", "did you mean CE 2025?", "หมายถึง ค.ศ. 2025 หรือไม่"),
        (
            "31 March 2025 (BE 2569)",
            "BE 2569 does not match CE 2025",
            "พ.ศ. 2569 ไม่ตรงกับ ค.ศ. 2025",
        ),
        (20250331, "expected text, got int", "ต้องเป็นข้อความ"),
    ],
)
def test_unparseable_input(text: object, en: str, th: str) -> None:
    message = _date_error(text)
    assert en in message
    assert th in message


# --- parse_instant ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-31T23:59:59+07:00", "2025-03-31T23:59:59+07:00"),
        ("2025-03-31T16:59:59Z", "2025-03-31T23:59:59+07:00"),
        ("2025-03-31T16:59:59+00:00", "2025-03-31T23:59:59+07:00"),
        ("2025-03-31T12:00:00-05:00", "2025-04-01T00:00:00+07:00"),
        ("2025-03-31T23:59:59", "2025-03-31T23:59:59+07:00"),
        ("2025-03-31 23:59", "2025-03-31T23:59:00+07:00"),
        ("๒๐๒๕-๐๓-๓๑T๒๓:๕๙:๕๙+๐๗:๐๐", "2025-03-31T23:59:59+07:00"),
        ("31 มี.ค. 68 23:59", "2025-03-31T23:59:00+07:00"),
        ("วันที่ 31 มีนาคม 2568 เวลา 09.30 น.", "2025-03-31T09:30:00+07:00"),
        ("31 มีนาคม 2568", "2025-03-31T00:00:00+07:00"),
        ("31/3/68", "2025-03-31T00:00:00+07:00"),
        ("2025-03-31", "2025-03-31T00:00:00+07:00"),
        ("31 March 2025", "2025-03-31T00:00:00+07:00"),
    ],
)
def test_parse_instant(text: str, expected: str) -> None:
    value = parse_instant(text)
    assert value.isoformat() == expected
    assert value.tzinfo is BANGKOK


def test_parse_instant_keeps_the_instant_of_an_offset() -> None:
    value = parse_instant("2025-03-31T16:59:59Z")
    assert value == datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "en", "th"),
    [
        ("2025-03-31T24:00", "not a valid ISO 8601 date and time", "ไม่ใช่วันเวลา ISO 8601"),
        ("31 มี.ค. 68 25:00", "25:00 is not a time of day", "25:00 ไม่ใช่เวลาที่มีจริง"),
        ("tomorrow", "it is not in any accepted form", "ไม่อยู่ในรูปแบบที่รับได้"),
        ("30 ก.พ. 68 10:00", "day 30 does not exist in February 2025", "ไม่มีวันที่ 30"),
    ],
)
def test_parse_instant_errors(text: str, en: str, th: str) -> None:
    with pytest.raises(ThaiDateError) as info:
        parse_instant(text)
    message = str(info.value)
    assert f"cannot read {text!r} as a date and time" in message
    assert f"อ่าน {text!r} เป็นวันเวลาไม่ได้" in message
    assert en in message and th in message
    assert "Accepted forms: 2025-03-31T23:59:59+07:00" in message
    assert "a time without an offset is Bangkok time" in message


# --- format_date / format_datetime ---------------------------------------------------


@pytest.mark.parametrize(
    ("style", "lang", "digits", "expected"),
    [
        ("full", "th", False, "31 มีนาคม 2568"),
        ("full", "th", True, "๓๑ มีนาคม ๒๕๖๘"),
        ("short", "th", False, "31 มี.ค. 68"),
        ("short", "th", True, "๓๑ มี.ค. ๖๘"),
        ("iso", "th", False, "2025-03-31"),
        ("iso", "th", True, "๒๐๒๕-๐๓-๓๑"),
        ("full", "en", False, "31 March 2025 (BE 2568)"),
        ("short", "en", False, "31 Mar 2568"),
        ("iso", "en", False, "2025-03-31"),
    ],
)
def test_format_date(style: str, lang: str, digits: bool, expected: str) -> None:
    assert format_date(MARCH_31, style, lang=lang, thai_digits=digits) == expected


def test_format_date_defaults_to_full_thai_without_leading_zero() -> None:
    assert format_date(date(2024, 10, 1)) == "1 ตุลาคม 2567"
    assert format_date(date(2025, 1, 5), "short") == "5 ม.ค. 68"
    assert format_date(date(2600, 1, 5), "short") == "5 ม.ค. 3143"  # BE 3143: no 2-digit year


def test_format_date_reads_an_aware_datetime_in_bangkok() -> None:
    assert format_date(datetime(2025, 3, 31, 17, 0, tzinfo=UTC)) == "1 เมษายน 2568"
    assert format_date(datetime(2025, 3, 31, 16, 59, tzinfo=UTC)) == "31 มีนาคม 2568"


def test_format_date_rejects_a_naive_datetime() -> None:
    with pytest.raises(NaiveDatetimeError, match="has no time zone"):
        format_date(datetime(2025, 3, 31, 12, 0))


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"style": "long"}, "unknown date style 'long'; use one of full, medium, short, iso"),
        ({"lang": "fr"}, "unknown language 'fr'; use one of th, en"),
    ],
)
def test_format_date_rejects_unknown_options(kwargs: dict, phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase) as info:
        format_date(MARCH_31, **kwargs)
    assert "ไม่รู้จัก" in str(info.value)


def test_format_datetime() -> None:
    instant = datetime(2025, 3, 31, 16, 59, 59, tzinfo=UTC)
    assert format_datetime(instant) == "31 มี.ค. 68 23:59"
    assert format_datetime(instant, thai_digits=True) == "๓๑ มี.ค. ๖๘ ๒๓:๕๙"
    assert format_datetime(instant, lang="en") == "31 Mar 2568 23:59"
    assert format_datetime(datetime(2025, 4, 1, 0, 5, tzinfo=BANGKOK)) == "1 เม.ย. 68 00:05"


def test_format_datetime_rejects_a_naive_datetime() -> None:
    with pytest.raises(NaiveDatetimeError):
        format_datetime(datetime(2025, 3, 31, 23, 59))


# --- round trips ------------------------------------------------------------------------


def _days(first_year: int, last_year: int) -> list[date]:
    start, end = date(first_year, 1, 1), date(last_year, 12, 31)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@pytest.mark.parametrize("thai_digits", [False, True])
@pytest.mark.parametrize("style", ["full", "short", "iso"])
def test_round_trip_every_day_2020_to_2030(style: str, thai_digits: bool) -> None:
    days = _days(2020, 2030)
    assert len(days) == 4018
    wrong = [d for d in days if parse_date(format_date(d, style, thai_digits=thai_digits)) != d]
    assert wrong == []


@pytest.mark.parametrize("style", ["full", "short", "iso"])
def test_round_trip_english(style: str) -> None:
    wrong = [d for d in _days(2020, 2030) if parse_date(format_date(d, style, lang="en")) != d]
    assert wrong == []


def test_round_trip_datetime_to_the_minute() -> None:
    start = datetime(2024, 12, 31, 16, 0, 30, tzinfo=UTC)
    for step in range(0, 48 * 60, 37):
        instant = start + timedelta(minutes=step)
        for digits in (False, True):
            back = parse_instant(format_datetime(instant, thai_digits=digits))
            assert back == instant.replace(second=0)
