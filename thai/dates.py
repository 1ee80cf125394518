"""Reading and writing dates the way Thai documents write them.

``parse_date`` reads Thai and English month names (full or abbreviated, with or
without dots), Thai or Arabic digits, BE or CE years, d/m/y and ISO forms.
``format_date`` and ``format_datetime`` write BE dates in Thai or English.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, time

from plancycle.thai.digits import from_thai_digits, to_thai_digits
from plancycle.thai.errors import ThaiError
from plancycle.thai.fiscal import (
    BANGKOK,
    bangkok_date,
    be_to_ce,
    ce_to_be,
    start_of_day,
    to_bangkok,
    to_utc,
)
from plancycle.thai.months import (
    EN_MONTHS,
    EN_MONTHS_ABBR,
    TH_MONTHS,
    TH_MONTHS_ABBR,
    is_english_month,
    month_number,
)

__all__ = [
    "BE_FROM",
    "DATE_FORMS",
    "INSTANT_FORMS",
    "ThaiDateError",
    "format_date",
    "format_datetime",
    "parse_date",
    "parse_instant",
]

DATE_FORMS: tuple[str, ...] = (
    "31 มีนาคม 2568",
    "๓๑ มีนาคม ๒๕๖๘",
    "31 มี.ค. 68",
    "31 มีนาคม พ.ศ. 2568",
    "วันที่ 31 มีนาคม 2568",
    "31/03/2568",
    "31-03-2568",
    "31/3/68",
    "2025-03-31",
    "2568-03-31",
    "31 March 2025",
)
INSTANT_FORMS: tuple[str, ...] = (
    "2025-03-31T23:59:59+07:00",
    "2025-03-31T16:59:59Z",
    "2025-03-31 23:59",
    "31 มี.ค. 68 23:59",
    "31 มีนาคม 2568",
)
_RULES_EN = (
    "Thai or Arabic digits; day first in d/m/y; a 2-digit year is BE 25xx; a 4-digit year "
    "from 2400 is BE in every form (2568-03-31 too), below 2400 CE"
)
_RULES_TH = (
    "ใช้เลขไทยหรือเลขอารบิกได้; แบบ วัน/เดือน/ปี ขึ้นต้นด้วยวัน; ปี 2 หลักคือ พ.ศ. 25xx; "
    "ปี 4 หลักตั้งแต่ 2400 คือ พ.ศ. ทุกรูปแบบ (รวมทั้ง 2568-03-31) ต่ำกว่านั้นคือ ค.ศ."
)
_INSTANT_RULES_EN = (
    "a time without an offset is Bangkok time; a date alone means 00:00 Bangkok; "
    "every date form is accepted"
)
_INSTANT_RULES_TH = (
    "เวลาที่ไม่ระบุเขตเวลาถือเป็นเวลากรุงเทพฯ; วันที่อย่างเดียวหมายถึง 00:00 น. เวลากรุงเทพฯ; รับวันที่ได้ทุกรูปแบบ"
)
_STYLES = ("full", "medium", "short", "iso")
BE_FROM = 2400  # a 4-digit year from here on is a Buddhist Era year, in every form
_LANGS = ("th", "en")

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})")
_WORDS = re.compile(r"(\d{1,2})\s*(\D+?)\s*(\d{2}|\d{4})")
_BE_NOTE = re.compile(r"\s*\(\s*(?:B\.?\s*E\.?|พ\.?\s*ศ\.?)\s*(\d{4})\s*\)", re.IGNORECASE)
_ERA = re.compile(
    r"(?:(?P<be>พ\.?\s*ศ\.?|(?<=\s)B\.?E\.?)|(?P<ce>ค\.?\s*ศ\.?|(?<=\s)(?:C\.?E\.?|A\.?D\.?)))$",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"^วันที่\s*")
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_TIME_SUFFIX = re.compile(
    r"(?P<day>.+?)\s+(?:เวลา\s*)?(?P<h>\d{1,2})[:.](?P<m>\d{2})(?::(?P<s>\d{2}))?(?:\s*น\.?)?"
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


class ThaiDateError(ThaiError):
    """Text that is not a date (or instant) in any accepted form."""

    def __init__(
        self, text: object, problem_en: str, problem_th: str, *, instant: bool = False
    ) -> None:
        self.text = text
        self.problem_en, self.problem_th = problem_en, problem_th
        if instant:
            what_en, what_th, forms = "a date and time", "วันเวลา", ", ".join(INSTANT_FORMS)
            rules_en, rules_th = _INSTANT_RULES_EN, _INSTANT_RULES_TH
        else:
            what_en, what_th, forms = "a date", "วันที่", ", ".join(DATE_FORMS)
            rules_en, rules_th = _RULES_EN, _RULES_TH
        super().__init__(
            f"cannot read {text!r} as {what_en}: {problem_en}. "
            f"Accepted forms: {forms} ({rules_en})",
            f"อ่าน {text!r} เป็น{what_th}ไม่ได้: {problem_th} รูปแบบที่รับได้: {forms} ({rules_th})",
        )


# --- parsing ---------------------------------------------------------------


def _clean(text: object, instant: bool) -> str:
    """Arabic digits, single spaces, no invisible characters and no leading วันที่."""
    if not isinstance(text, str):
        raise ThaiDateError(
            text,
            f"expected text, got {type(text).__name__}",
            f"ต้องเป็นข้อความ แต่ได้ {type(text).__name__}",
            instant=instant,
        )
    cleaned = " ".join(from_thai_digits(text).translate(_INVISIBLE).split())
    return _PREFIX.sub("", cleaned, count=1)


def _make_date(year_ce: int, month: int, day: int, text: str, instant: bool) -> date:
    """The date, or ThaiDateError naming the impossible month, day or year."""
    if not 1 <= month <= 12:
        raise ThaiDateError(
            text,
            f"month {month} does not exist (give 1-12)",
            f"ไม่มีเดือนที่ {month} (ระบุ 1-12)",
            instant=instant,
        )
    if not 1 <= year_ce <= 9999:
        raise ThaiDateError(
            text,
            f"year CE {year_ce} is out of range",
            f"ปี ค.ศ. {year_ce} อยู่นอกช่วงที่รับได้",
            instant=instant,
        )
    last = calendar.monthrange(year_ce, month)[1]
    if not 1 <= day <= last:
        be = ce_to_be(year_ce)
        raise ThaiDateError(
            text,
            f"day {day} does not exist in {EN_MONTHS[month - 1]} {year_ce} (BE {be}), "
            f"which has {last} days",
            f"ไม่มีวันที่ {day} ในเดือน{TH_MONTHS[month - 1]} พ.ศ. {be} (เดือนนี้มี {last} วัน)",
            instant=instant,
        )
    return date(year_ce, month, day)


def _four_digit_year(value: int) -> int:
    """CE year of a 4-digit year written in any form: BE from 2400, else CE."""
    return be_to_ce(value) if value >= BE_FROM else value


def _numeric_year(digits: str) -> int:
    """CE year of a d/m/y year: 2 digits BE 25xx, 4 digits BE from 2400, else CE."""
    value = int(digits)
    if len(digits) == 2:
        return be_to_ce(2500 + value)
    return _four_digit_year(value)


def _parse_iso(s: str, text: str, instant: bool) -> date | None:
    """yyyy-mm-dd: CE, or BE when the year is from 2400 (2568-01-20 is 20 January 2025)."""
    m = _ISO_DATE.fullmatch(s)
    if m is None:
        return None
    return _make_date(_four_digit_year(int(m[1])), int(m[2]), int(m[3]), text, instant)


def _parse_numeric(s: str, text: str, instant: bool) -> date | None:
    m = _NUMERIC.fullmatch(s)
    if m is None:
        return None
    return _make_date(_numeric_year(m[4]), int(m[3]), int(m[1]), text, instant)


def _split_era(middle: str) -> tuple[str, str | None]:
    """The month text and the era ("be", "ce" or None) written after it."""
    m = _ERA.search(middle)
    if m is None or m.start() == 0:
        return middle, None
    return middle[: m.start()].strip(), "be" if m["be"] else "ce"


def _split_be_note(s: str) -> tuple[str, int | None]:
    """``s`` without a trailing "(BE 2568)" note, and the note's year if there was one."""
    m = _BE_NOTE.search(s)
    if m is None or m.end() != len(s):
        return s, None
    return s[: m.start()], int(m[1])


def _words_year(digits: str, era: str | None, english: bool, text: str, instant: bool) -> int:
    """CE year of a year written after a month name, honouring an era marker."""
    value = int(digits)
    if len(digits) == 2:
        if era == "ce" or (english and era is None):
            raise ThaiDateError(
                text,
                "a 2-digit year is ambiguous here; write the year in full",
                "ปี 2 หลักกำกวมในรูปแบบนี้; เขียนปีให้ครบ 4 หลัก",
                instant=instant,
            )
        return be_to_ce(2500 + value)
    if era == "be" and value < BE_FROM:
        raise ThaiDateError(
            text,
            f"year {value} is marked BE (พ.ศ.) but looks like a CE year; "
            f"did you mean BE {ce_to_be(value)}?",
            f"ปี {value} ระบุว่าเป็น พ.ศ. แต่ดูเหมือนปี ค.ศ.; หมายถึง พ.ศ. {ce_to_be(value)} หรือไม่",
            instant=instant,
        )
    if era == "ce" and value >= BE_FROM:
        raise ThaiDateError(
            text,
            f"year {value} is marked CE (ค.ศ.) but looks like a BE year; "
            f"did you mean CE {be_to_ce(value)}?",
            f"ปี {value} ระบุว่าเป็น ค.ศ. แต่ดูเหมือนปี พ.ศ.; หมายถึง ค.ศ. {be_to_ce(value)} หรือไม่",
            instant=instant,
        )
    return _four_digit_year(value)


def _parse_words(s: str, text: str, instant: bool) -> date | None:
    s, note_be = _split_be_note(s)
    m = _WORDS.fullmatch(s)
    if m is None or not any(ch.isalpha() for ch in m[2]):
        return None
    month_text, era = _split_era(m[2].strip())
    month = month_number(month_text)
    if month is None:
        raise ThaiDateError(
            text, f"unknown month {month_text!r}", f"ไม่รู้จักชื่อเดือน {month_text!r}", instant=instant
        )
    year = _words_year(m[3], era, is_english_month(month_text), text, instant)
    result = _make_date(year, month, int(m[1]), text, instant)
    if note_be is not None and ce_to_be(year) != note_be:
        raise ThaiDateError(
            text,
            f"BE {note_be} does not match CE {year}",
            f"พ.ศ. {note_be} ไม่ตรงกับ ค.ศ. {year}",
            instant=instant,
        )
    return result


_PARSERS: tuple[Callable[[str, str, bool], date | None], ...] = (
    _parse_iso,
    _parse_numeric,
    _parse_words,
)


def _parse_day(s: str, text: str, instant: bool) -> date:
    for parser in _PARSERS:
        result = parser(s, text, instant)
        if result is not None:
            return result
    raise ThaiDateError(text, "it is not in any accepted form", "ไม่อยู่ในรูปแบบที่รับได้", instant=instant)


def parse_date(text: str) -> date:
    """The date written in ``text`` (Thai or English, BE or CE); ThaiDateError if none."""
    return _parse_day(_clean(text, instant=False), text, instant=False)


def _iso_instant(s: str, text: str) -> datetime:
    """ISO 8601 date and time; a year from 2400 is BE, as in every form."""
    year = int(s[:4])
    if year >= BE_FROM:
        s = f"{_four_digit_year(year):04d}{s[4:]}"
    try:
        value = datetime.fromisoformat(s.upper())
    except ValueError as exc:
        raise ThaiDateError(
            text,
            f"not a valid ISO 8601 date and time ({exc})",
            "ไม่ใช่วันเวลา ISO 8601 ที่ถูกต้อง",
            instant=True,
        ) from None
    if value.tzinfo is None:
        return value.replace(tzinfo=BANGKOK)
    return value


def _clock_time(m: re.Match[str], text: str) -> time:
    hour, minute, second = int(m["h"]), int(m["m"]), int(m["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ThaiDateError(
            text,
            f"{m['h']}:{m['m']} is not a time of day",
            f"{m['h']}:{m['m']} ไม่ใช่เวลาที่มีจริง",
            instant=True,
        )
    return time(hour, minute, second)


def parse_instant(text: str) -> datetime:
    """An aware datetime in Asia/Bangkok read from ``text``.

    ISO 8601 with an offset keeps its instant; naive ISO is Bangkok time; a date
    followed by HH:MM[:SS] is Bangkok time; a bare date is 00:00:00 Bangkok.
    """
    s = _clean(text, instant=True)
    if _ISO_DATETIME.fullmatch(s):
        return _in_range(_iso_instant(s, text), text)
    m = _TIME_SUFFIX.fullmatch(s)
    if m is not None:
        day = _parse_day(m["day"], text, instant=True)
        return _in_range(datetime.combine(day, _clock_time(m, text), tzinfo=BANGKOK), text)
    return _in_range(start_of_day(_parse_day(s, text, instant=True)), text)


def _in_range(value: datetime, text: str) -> datetime:
    """``value`` in Bangkok; ThaiDateError when its Bangkok or UTC time would fall outside
    the years 1-9999 that a date can hold (e.g. 0001-01-01T00:00:00+14:00)."""
    try:
        to_utc(value)
        return to_bangkok(value)
    except OverflowError:
        raise ThaiDateError(
            text,
            "it is too close to year 1 or 9999: its time in Bangkok or in UTC falls outside "
            "the years 1-9999; give a later or earlier date",
            "ใกล้ปี ค.ศ. 1 หรือ 9999 เกินไป: เวลาในกรุงเทพฯ หรือเวลา UTC อยู่นอกช่วงปี ค.ศ. 1-9999; ระบุวันที่อื่น",
            instant=True,
        ) from None


# --- formatting ------------------------------------------------------------


def _th_full(d: date) -> str:
    return f"{d.day} {TH_MONTHS[d.month - 1]} {ce_to_be(d.year)}"


def _th_short(d: date) -> str:
    """A 2-digit year only within BE 2500-2599, which parse_date reads it as; the BE year
    in full outside (BE 2600 as 00 would read back as BE 2500)."""
    be = ce_to_be(d.year)
    year = f"{be % 100:02d}" if 2500 <= be <= 2599 else str(be)
    return f"{d.day} {TH_MONTHS_ABBR[d.month - 1]} {year}"


def _th_medium(d: date) -> str:
    return f"{d.day} {TH_MONTHS_ABBR[d.month - 1]} {ce_to_be(d.year)}"


def _en_full(d: date) -> str:
    return f"{d.day} {EN_MONTHS[d.month - 1]} {d.year} (BE {ce_to_be(d.year)})"


def _en_short(d: date) -> str:
    return f"{d.day} {EN_MONTHS_ABBR[d.month - 1]} {ce_to_be(d.year)}"


_FORMATTERS: dict[tuple[str, str], Callable[[date], str]] = {
    ("full", "th"): _th_full,
    ("medium", "th"): _th_medium,
    ("short", "th"): _th_short,
    ("full", "en"): _en_full,
    ("medium", "en"): _en_short,  # English short already writes the BE year in full
    ("short", "en"): _en_short,
    ("iso", "th"): date.isoformat,
    ("iso", "en"): date.isoformat,
}


def _check_choice(value: str, allowed: tuple[str, ...], what_en: str, what_th: str) -> None:
    if value not in allowed:
        choices = ", ".join(allowed)
        raise ValueError(
            f"unknown {what_en} {value!r}; use one of {choices} | "
            f"ไม่รู้จัก{what_th} {value!r}; ใช้ {choices}"
        )


def format_date(
    d: date | datetime, style: str = "full", *, lang: str = "th", thai_digits: bool = False
) -> str:
    """``d`` as text: "full" 31 มีนาคม 2568, "medium" 31 มี.ค. 2568, "short" 31 มี.ค. 68,
    "iso" 2025-03-31.

    A short Thai year has 2 digits only within BE 2500-2599 (what a 2-digit year is read
    as); outside, the BE year is written in full: "5 ม.ค. 2600".

    English: full "31 March 2025 (BE 2568)", medium and short "31 Mar 2568". An aware datetime
    is read in Bangkok; a naive one raises NaiveDatetimeError.
    """
    _check_choice(style, _STYLES, "date style", "รูปแบบวันที่")
    _check_choice(lang, _LANGS, "language", "ภาษา")
    text = _FORMATTERS[(style, lang)](bangkok_date(d))
    return to_thai_digits(text) if thai_digits else text


def format_datetime(dt: datetime, *, lang: str = "th", thai_digits: bool = False) -> str:
    """``dt`` in Bangkok as short date and HH:MM: "31 มี.ค. 68 23:59", "31 Mar 2568 23:59"."""
    local = to_bangkok(dt)
    text = f"{format_date(local.date(), 'short', lang=lang)} {local:%H:%M}"
    return to_thai_digits(text) if thai_digits else text
