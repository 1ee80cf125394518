"""Month names: Thai full and abbreviated, English full and abbreviated."""

from __future__ import annotations

__all__ = [
    "EN_MONTHS",
    "EN_MONTHS_ABBR",
    "TH_MONTHS",
    "TH_MONTHS_ABBR",
    "is_english_month",
    "month_name",
    "month_number",
]

TH_MONTHS: tuple[str, ...] = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
TH_MONTHS_ABBR: tuple[str, ...] = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
EN_MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_MONTHS_ABBR: tuple[str, ...] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def _key(name: str) -> str:
    """A month name with dots and whitespace removed, case-folded."""
    return "".join(ch for ch in name if ch != "." and not ch.isspace()).casefold()


def _build_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for table in (TH_MONTHS, TH_MONTHS_ABBR, EN_MONTHS, EN_MONTHS_ABBR):
        for number, name in enumerate(table, start=1):
            lookup[_key(name)] = number
    lookup["sept"] = 9
    return lookup


_LOOKUP = _build_lookup()
_ENGLISH_KEYS = frozenset(_key(n) for n in (*EN_MONTHS, *EN_MONTHS_ABBR, "Sept"))


def month_number(name: str) -> int | None:
    """1-12 for a Thai or English month name (dots and spaces optional), else None."""
    return _LOOKUP.get(_key(name))


def is_english_month(name: str) -> bool:
    """True when ``name`` is an English month name or abbreviation."""
    return _key(name) in _ENGLISH_KEYS


def month_name(month: int, *, lang: str = "th", short: bool = False) -> str:
    """The name of month 1-12 in ``lang`` ("th" or "en"), abbreviated when ``short``."""
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError(
            f"month {month!r} does not exist; give 1-12 | ไม่มีเดือนที่ {month!r}; ระบุ 1-12"
        )
    if lang == "th":
        table = TH_MONTHS_ABBR if short else TH_MONTHS
    elif lang == "en":
        table = EN_MONTHS_ABBR if short else EN_MONTHS
    else:
        raise ValueError(
            f"unknown language {lang!r}; use 'th' or 'en' | ไม่รู้จักภาษา {lang!r}; ใช้ 'th' หรือ 'en'"
        )
    return table[month - 1]
