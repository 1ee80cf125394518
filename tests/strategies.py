"""Hypothesis strategies shared by the fuzz tests (``tests/test_fuzz_*.py``).

Random input the way people (and broken scripts) type it: Thai text, Thai digits,
other Unicode digits, control characters, numbers far out of range.
"""

from __future__ import annotations

from hypothesis import strategies as st

from plancycle.thai.digits import to_thai_digits

__all__ = [
    "BE_YEARS",
    "CONTROL",
    "area_codes",
    "be_years",
    "date_texts",
    "int_like",
    "junk_text",
    "thai_text",
]

THAI_LETTERS = "กขคฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮะาำิีึืุูเแโใไๆ่้๊๋์"
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
# characters that are "digits" to str.isdigit() but not 0-9 / ๐-๙
OTHER_DIGITS = "²³¹⁰⁴⁵⁶⁷⁸⁹٠١٢٣٤٥٦٧٨٩०१२३४५६७८९０１２３４５６７８９"
CONTROL = "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x7f\x85\u200b\u200c\u200d\u2028\ufeff"
PUNCT = " ./-_:,;=()[]{}'\"\\%*?|<>"

thai_text = st.text(alphabet=THAI_LETTERS + THAI_DIGITS + " ", max_size=20)

#: short text mixing ASCII, Thai, other digits, control characters and anything else
junk_text = st.one_of(
    st.text(max_size=20),
    thai_text,
    st.text(
        alphabet=st.sampled_from(
            "abcz0129AZ" + THAI_LETTERS[:10] + THAI_DIGITS + OTHER_DIGITS + CONTROL + PUNCT
        ),
        max_size=20,
    ),
)

#: values given for an int field: ints of any size and sign, and text that looks like one
int_like = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-100, max_value=10_000).map(str),
    st.integers(min_value=0, max_value=10_000).map(lambda n: to_thai_digits(str(n))),
    st.integers(min_value=0, max_value=10_000).map(lambda n: f"{n:,}"),
    st.sampled_from(
        ["", " ", "-", "--5", "+5", "1e3", "3.5", "²⁵", "٢٥", "２５", "25 ", " ๒๕", "1_000", "0x19"]
    ),
    st.integers(min_value=4000, max_value=5000).map(lambda n: "9" * n),  # past int()'s limit
    junk_text,
)

BE_YEARS = ("2568", "๒๕๖๘", "2567", "2569", "2500", "2700")


def be_years() -> st.SearchStrategy[str]:
    """Fiscal years as typed: good BE years, CE years, out of range, other digits, junk."""
    return st.one_of(
        st.sampled_from(BE_YEARS),
        st.integers(min_value=-10_000, max_value=100_000).map(str),
        st.integers(min_value=2400, max_value=2800).map(lambda n: to_thai_digits(str(n))),
        st.sampled_from(
            ["2025", "0", "", " 2568 ", "2568.0", "²⁵⁶⁸", "٢٥٦٨", "２５６８", "9" * 30, "พ.ศ.2568"]
        ),
        junk_text,
    )


def area_codes() -> st.SearchStrategy[str]:
    """Area codes as typed: real ones of province 24, Thai digits, wrong lengths, junk."""
    real = ["24", "2401", "240101", "24010101", "2402", "240201", "10", "99", "9999"]
    return st.one_of(
        st.sampled_from(real),
        st.sampled_from(real).map(to_thai_digits),
        st.text(alphabet="0123456789", max_size=10),
        st.sampled_from(["", " ", "-24", "24 ", "2 4", "²⁴", "٢٤", "２４", "24\x00", "0024"]),
        junk_text,
    )


def date_texts() -> st.SearchStrategy[str]:
    """Dates and times as typed, good and bad."""
    good = [
        "1 เม.ย. 68",
        "31 มีนาคม 2568",
        "๓๑ มีนาคม ๒๕๖๘",
        "31/3/68",
        "2025-04-01",
        "2025-03-31T23:59:59+07:00",
        "2025-03-31 23:59",
        "31 March 2025",
    ]
    bad = [
        "2025-02-30",
        "31/13/68",
        "0001-01-01",
        "9999-12-31",
        "9999-12-31T23:59",
        "0001-01-01T00:00:00+14:00",
        "31 Foo 2568",
        "25:61",
        "",
    ]
    return st.one_of(st.sampled_from(good + bad), junk_text)
