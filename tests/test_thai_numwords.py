"""Thai number words and amounts as budgets write them."""

from __future__ import annotations

import random

import pytest

from plancycle.thai.numwords import ThaiNumberError, int_to_words, parse_amount, words_to_int

BUDGET_WORDS = "ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อยบาทถ้วน"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BUDGET_WORDS, 27_440_400),
        ("สองล้านเก้าแสนห้าหมื่นหกพันหกร้อยบาทถ้วน", 2_956_600),
        ("แปดล้านเจ็ดแสนแปดหมื่นบาทถ้วน", 8_780_000),
        ("หนึ่งร้อยสี่สิบเอ็ด", 141),
        ("สิบเอ็ด", 11),
        ("ยี่สิบ", 20),
        ("ยี่สิบเอ็ด", 21),
        ("สิบ", 10),
        ("หนึ่ง", 1),
        ("ศูนย์", 0),
        ("ศูนย์บาท", 0),
        ("หนึ่งร้อยเอ็ด", 101),
        ("หนึ่งร้อยหนึ่ง", 101),
        ("หนึ่งร้อยสิบ", 110),
        ("ร้อยเอ็ด", 101),
        ("หนึ่งพันเอ็ด", 1_001),
        ("หนึ่งล้านเอ็ด", 1_000_001),
        ("สิบเอ็ดล้าน", 11_000_000),
        ("หนึ่งล้าน", 1_000_000),
        ("ล้าน", 1_000_000),
        ("หนึ่งล้านล้าน", 10**12),
        ("หนึ่งล้านล้านสิบเอ็ด", 10**12 + 11),
        ("สองล้านสามแสนล้าน", 2_300_000 * 10**6),
        ("หนึ่งล้านสองล้าน", 1_000_002 * 10**6),
        ("หนึ่งล้านล้านล้าน", 10**18),
        ("เก้าแสนเก้าหมื่นเก้าพันเก้าร้อยเก้าสิบเก้า", 999_999),
    ],
)
def test_words_to_int(text: str, expected: int) -> None:
    assert words_to_int(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "(ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อยบาทถ้วน)",
        "  ( ยี่สิบเจ็ดล้าน สี่แสน สี่หมื่น สี่ร้อย บาท ถ้วน )  ",
        "ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อย",
        "ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อยบาท",
        "ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อยตัว",
        "ยี่สิบเจ็ดล้าน\u200bสี่แสนสี่หมื่นสี่ร้อย",
    ],
)
def test_baht_words_spaces_and_parentheses_are_ignored(text: str) -> None:
    assert words_to_int(text) == 27_440_400


@pytest.mark.parametrize(
    ("text", "fragment", "position", "en", "th"),
    [
        ("หนึ่งร้อยจุดห้า", "จุด", 9, "unknown fragment", "ไม่รู้จักข้อความ"),
        ("สิบx", "x", 3, "unknown fragment", "ไม่รู้จักข้อความ"),
        ("ห้าสิบ 5", "5", 7, "unknown fragment", "ไม่รู้จักข้อความ"),
        ("(ห้า) (หก)", ")", 4, "unknown fragment", "ไม่รู้จักข้อความ"),
        ("ห้าห้า", "ห้า", 3, "a digit word cannot follow another digit word", "คำเลขโดดต่อกัน"),
        ("เอ็ด", "เอ็ด", 0, "เอ็ด needs a number before it", "ต้องมีจำนวนนำหน้า เอ็ด"),
        ("เอ็ดสิบ", "เอ็ด", 0, "เอ็ด only ends a number", "ใช้ เอ็ด ได้เฉพาะท้ายจำนวน"),
        ("สองร้อยสามพัน", "พัน", 10, "a unit is out of order", "หลักเรียงลำดับไม่ถูกต้อง"),
        ("สิบสิบ", "สิบ", 3, "a unit is out of order", "หลักเรียงลำดับไม่ถูกต้อง"),
        ("ยี่ร้อย", "ยี่", 0, "ยี่ only comes before สิบ", "ใช้ ยี่ ได้เฉพาะหน้า สิบ"),
        ("สิบยี่", "ยี่", 3, "ยี่ only comes before สิบ", "ใช้ ยี่ ได้เฉพาะหน้า สิบ"),
        ("หนึ่งสิบ", "หนึ่ง", 0, "10 is สิบ and 20 is ยี่สิบ", "10 คือ สิบ"),
        ("สองสิบ", "สอง", 0, "10 is สิบ and 20 is ยี่สิบ", "10 คือ สิบ"),
        ("ศูนย์ห้า", "ศูนย์", 0, "ศูนย์ can only stand alone", "ใช้ ศูนย์ ได้เฉพาะเมื่ออยู่คำเดียว"),
        ("หนึ่งพันร้อย", "ร้อย", 8, "a digit word is missing before", "ขาดคำเลขโดดหน้า"),
    ],
)
def test_errors_name_the_fragment_and_position(
    text: str, fragment: str, position: int, en: str, th: str
) -> None:
    with pytest.raises(ThaiNumberError) as info:
        words_to_int(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert (error.fragment, error.position) == (fragment, position)
    message = str(error)
    assert f"cannot read {text!r} as a Thai number: {en}" in message
    assert f"{fragment!r} at position {position}" in message
    assert th in message and f"{fragment!r} ที่ตำแหน่ง {position}" in message
    assert message.index("cannot read") < message.index("อ่าน")


@pytest.mark.parametrize("text", ["", "   ", "บาทถ้วน", "()"])
def test_no_number_words(text: str) -> None:
    with pytest.raises(ThaiNumberError, match="it has no number words") as info:
        words_to_int(text)
    assert "ไม่มีคำอ่านจำนวน" in str(info.value)


def test_words_to_int_needs_text() -> None:
    with pytest.raises(ThaiNumberError, match="expected text for a Thai number, got int 5"):
        words_to_int(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "ศูนย์"),
        (1, "หนึ่ง"),
        (10, "สิบ"),
        (11, "สิบเอ็ด"),
        (20, "ยี่สิบ"),
        (21, "ยี่สิบเอ็ด"),
        (101, "หนึ่งร้อยเอ็ด"),
        (141, "หนึ่งร้อยสี่สิบเอ็ด"),
        (1_000_000, "หนึ่งล้าน"),
        (1_000_001, "หนึ่งล้านเอ็ด"),
        (11_000_000, "สิบเอ็ดล้าน"),
        (27_440_400, "ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อย"),
        (2_956_600, "สองล้านเก้าแสนห้าหมื่นหกพันหกร้อย"),
        (10**12, "หนึ่งล้านล้าน"),
        (10**12 + 11, "หนึ่งล้านล้านสิบเอ็ด"),
    ],
)
def test_int_to_words(n: int, words: str) -> None:
    assert int_to_words(n) == words


def _round_trip_numbers() -> list[int]:
    rng = random.Random(2568)
    fixed = [
        1,
        10,
        11,
        21,
        101,
        1_000_001,
        10**12 + 11,
        10**12,
        10**6 + 10,
        999_999_999,
        20_000_021,
        10**18 + 10**6 + 1,
        27_440_400,
        27_450_500,
    ]
    small = list(range(0, 3000))
    spread = [rng.randrange(10**k) for k in range(1, 19) for _ in range(300)]
    return fixed + small + spread


def test_round_trip_many_numbers() -> None:
    numbers = _round_trip_numbers()
    assert len(numbers) > 8000
    wrong = [n for n in numbers if words_to_int(int_to_words(n)) != n]
    assert wrong == []
    assert words_to_int(int_to_words(10**12 + 11) + "บาทถ้วน") == 10**12 + 11


@pytest.mark.parametrize("bad", [-1, True, 1.5, "12"])
def test_int_to_words_rejects_non_counts(bad: object) -> None:
    with pytest.raises(ThaiNumberError, match="takes a whole number 0 or more") as info:
        int_to_words(bad)  # type: ignore[arg-type]
    assert "จำนวนเต็มตั้งแต่ 0 ขึ้นไป" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๒๗,๔๕๐,๕๐๐", 27_450_500),
        ("27,450,500", 27_450_500),
        ("27450500", 27_450_500),
        ("๒๗๔๕๐๕๐๐", 27_450_500),
        ("27,450,500 บาท", 27_450_500),
        ("(27,450,500.- บาท)", 27_450_500),
        ("27,450,500.00", 27_450_500),
        ("0", 0),
        (BUDGET_WORDS, 27_440_400),
        ("(สองล้านเก้าแสนห้าหมื่นหกพันหกร้อยบาทถ้วน)", 2_956_600),
    ],
)
def test_parse_amount(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["27,45,0500", "2.5", "27 ล้าน", "-5", "1,000,00"])
def test_parse_amount_rejects_other_digit_forms(text: str) -> None:
    with pytest.raises(ThaiNumberError) as info:
        parse_amount(text)
    message = str(info.value)
    assert f"cannot read {text!r} as an amount" in message
    assert f"อ่าน {text!r} เป็นจำนวนเงินไม่ได้" in message
    assert "27,450,500 or ๒๗,๔๕๐,๕๐๐" in message


def test_parse_amount_reports_bad_words_with_their_position() -> None:
    with pytest.raises(ThaiNumberError) as info:
        parse_amount("สองล้านเก้าแสนห้าหมื่นหกพันหกร้อยบาทถ้วนครับ")
    assert (info.value.fragment, info.value.position) == ("ครับ", 40)


def test_seed_budget_check_digits_and_words_disagree() -> None:
    digits = parse_amount("๒๗,๔๕๐,๕๐๐")
    words = parse_amount(BUDGET_WORDS)
    assert digits == 27_450_500
    assert words == 27_440_400
    assert 7036 * 3900 == 27_440_400 == words
    assert digits - words == 10_100
