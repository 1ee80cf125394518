"""Thai digits ๐-๙ to and from Arabic digits."""

from __future__ import annotations

import pytest

import plancycle.thai as thai
from plancycle.thai import digits
from plancycle.thai.digits import from_thai_digits, is_arabic_digits, to_thai_digits


def test_every_digit_maps_to_its_thai_digit() -> None:
    assert to_thai_digits("0123456789") == "๐๑๒๓๔๕๖๗๘๙"
    assert from_thai_digits("๐๑๒๓๔๕๖๗๘๙") == "0123456789"


def test_int_input_is_converted() -> None:
    assert to_thai_digits(27450500) == "๒๗๔๕๐๕๐๐"
    assert to_thai_digits(0) == "๐"


@pytest.mark.parametrize(
    ("arabic", "thai_text"),
    [
        ("31/03/2568", "๓๑/๐๓/๒๕๖๘"),
        ("27,450,500 บาท", "๒๗,๔๕๐,๕๐๐ บาท"),
        ("31 มี.ค. 68 23:59", "๓๑ มี.ค. ๖๘ ๒๓:๕๙"),
        ("FY2568 Q1", "FY๒๕๖๘ Q๑"),
        ("no digits here", "no digits here"),
        ("", ""),
    ],
)
def test_other_characters_are_unchanged(arabic: str, thai_text: str) -> None:
    assert to_thai_digits(arabic) == thai_text
    assert from_thai_digits(thai_text) == arabic


def test_conversion_only_goes_one_way() -> None:
    assert to_thai_digits("๑2") == "๑๒"
    assert from_thai_digits("๑2") == "12"


def test_package_reexports_the_digit_helpers() -> None:
    assert thai.to_thai_digits is digits.to_thai_digits
    assert thai.from_thai_digits is digits.from_thai_digits
    assert set(digits.__all__) >= {"to_thai_digits", "from_thai_digits"}
    assert all(hasattr(thai, name) for name in thai.__all__)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401", True),
        ("0", True),
        ("", False),
        ("๒๔", False),
        ("²⁴", False),
        ("٢٤", False),
        ("２４", False),
        ("-1", False),
        ("24 ", False),
    ],
)
def test_is_arabic_digits_takes_only_0_to_9(text: str, expected: bool) -> None:
    assert is_arabic_digits(text) is expected
    assert is_arabic_digits(from_thai_digits("๒๔")) is True  # Thai digits once converted
