"""Thai number words as budgets write them, and amounts in Thai or Arabic digits.

``words_to_int("ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อยบาทถ้วน") == 27_440_400``;
``int_to_words`` is the reverse (without บาท). ล้าน nests: หนึ่งล้านล้าน = 10**12.
A final 1 may be written เอ็ด or หนึ่ง (สิบเอ็ด, หนึ่งร้อยเอ็ด); ``int_to_words``
writes เอ็ด whenever something precedes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plancycle.thai.digits import from_thai_digits
from plancycle.thai.errors import ThaiError

__all__ = ["ThaiNumberError", "int_to_words", "parse_amount", "words_to_int"]

_DIGITS = {
    "ศูนย์": 0,
    "หนึ่ง": 1,
    "เอ็ด": 1,
    "สอง": 2,
    "ยี่": 2,
    "สาม": 3,
    "สี่": 4,
    "ห้า": 5,
    "หก": 6,
    "เจ็ด": 7,
    "แปด": 8,
    "เก้า": 9,
}
_UNITS = {"สิบ": 1, "ร้อย": 2, "พัน": 3, "หมื่น": 4, "แสน": 5}
_MILLION = "ล้าน"
_IGNORED = frozenset({"บาท", "ถ้วน", "ตัว"})
_VOCAB = sorted([*_DIGITS, *_UNITS, _MILLION, *_IGNORED], key=len, reverse=True)
_SPACES = frozenset("\u200b\u200c\u200d\ufeff")

_DIGIT_WORDS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_PLACE_WORDS = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")

_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.0{1,2}|\.-)?")
_AMOUNT_SUFFIX = re.compile(r"(?:บาท|ถ้วน|\s)+$")
_EXAMPLE = "ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อยบาทถ้วน"


class ThaiNumberError(ThaiError):
    """Text that is not a Thai number; ``fragment`` and ``position`` locate the problem."""

    def __init__(
        self, en: str, th: str, *, fragment: str | None = None, position: int | None = None
    ) -> None:
        super().__init__(en, th)
        self.fragment = fragment
        self.position = position


@dataclass(frozen=True)
class _Token:
    word: str
    pos: int


@dataclass
class _State:
    total: int = 0  # completed ล้าน groups, already scaled
    group: int = 0  # the group being read (below one million)
    place: int = 6  # place of the last unit read in this group
    pending: _Token | None = None  # a digit word waiting for its unit
    seen: bool = False  # whether any number word was read


# --- errors ------------------------------------------------------------------


def _error_at(text: str, token: _Token, problem_en: str, problem_th: str) -> ThaiNumberError:
    return ThaiNumberError(
        f"cannot read {text!r} as a Thai number: {problem_en} {token.word!r} at position "
        f"{token.pos} (counting from 0); write it like {_EXAMPLE!r}",
        f"อ่าน {text!r} เป็นจำนวนไม่ได้: {problem_th} {token.word!r} ที่ตำแหน่ง {token.pos} "
        f"(นับจาก 0); เขียนแบบ {_EXAMPLE!r}",
        fragment=token.word,
        position=token.pos,
    )


def _not_text(value: object) -> ThaiNumberError:
    kind = type(value).__name__
    return ThaiNumberError(
        f"expected text for a Thai number, got {kind} {value!r}",
        f"ต้องเป็นข้อความตัวเลขหรือคำอ่านจำนวน แต่ได้ {kind} {value!r}",
    )


# --- reading words -------------------------------------------------------------


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in _SPACES


def _word_at(text: str, i: int, end: int) -> str | None:
    """The longest known word starting at ``i``, if any."""
    return next((w for w in _VOCAB if text.startswith(w, i, end)), None)


def _core_span(text: str) -> tuple[int, int]:
    """Start and end of ``text`` without surrounding spaces and parentheses."""
    start, end = 0, len(text)
    while start < end and (_is_space(text[start]) or text[start] == "("):
        start += 1
    while end > start and (_is_space(text[end - 1]) or text[end - 1] == ")"):
        end -= 1
    return start, end


def _unknown_fragment(text: str, start: int, end: int) -> _Token:
    """The unknown run of characters from ``start`` up to the next known word or space."""
    stop = start + 1
    while stop < end and not (_is_space(text[stop]) or _word_at(text, stop, end)):
        stop += 1
    return _Token(text[start:stop], start)


def _tokens(text: str) -> list[_Token]:
    """The number words of ``text`` with their positions; บาท, ถ้วน, ตัว and spaces dropped."""
    start, end = _core_span(text)
    tokens: list[_Token] = []
    i = start
    while i < end:
        if _is_space(text[i]):
            i += 1
            continue
        word = _word_at(text, i, end)
        if word is None:
            raise _error_at(
                text, _unknown_fragment(text, i, end), "unknown fragment", "ไม่รู้จักข้อความ"
            )
        if word not in _IGNORED:
            tokens.append(_Token(word, i))
        i += len(word)
    return tokens


def _read_digit(state: _State, token: _Token, text: str) -> None:
    if state.pending is not None:
        raise _error_at(
            text, token, "a digit word cannot follow another digit word:", "คำเลขโดดต่อกันสองคำไม่ได้:"
        )
    if token.word == "ศูนย์":
        raise _error_at(
            text,
            token,
            "ศูนย์ can only stand alone, not inside a number:",
            "ใช้ ศูนย์ ได้เฉพาะเมื่ออยู่คำเดียว:",
        )
    state.pending = token


def _multiplier(state: _State, unit: _Token, text: str) -> int:
    """The digit in front of ``unit`` (a bare unit counts as 1 where Thai allows it)."""
    place, digit = _UNITS[unit.word], state.pending
    if digit is None:
        if place == 1 or not state.seen:
            return 1
        raise _error_at(text, unit, "a digit word is missing before", "ขาดคำเลขโดดหน้า")
    if digit.word == "เอ็ด":
        raise _error_at(
            text,
            digit,
            "เอ็ด only ends a number, it cannot come before a unit:",
            "ใช้ เอ็ด ได้เฉพาะท้ายจำนวน ไม่ใช่หน้าหลัก:",
        )
    if digit.word == "ยี่" and place != 1:
        raise _error_at(text, digit, "ยี่ only comes before สิบ:", "ใช้ ยี่ ได้เฉพาะหน้า สิบ:")
    if place == 1 and digit.word in ("หนึ่ง", "สอง"):
        raise _error_at(
            text, digit, "10 is สิบ and 20 is ยี่สิบ; unexpected", "10 คือ สิบ และ 20 คือ ยี่สิบ; ไม่ควรมี"
        )
    return _DIGITS[digit.word]


def _read_unit(state: _State, token: _Token, text: str) -> None:
    place = _UNITS[token.word]
    if place >= state.place:
        raise _error_at(text, token, "a unit is out of order:", "หลักเรียงลำดับไม่ถูกต้อง:")
    state.group += _multiplier(state, token, text) * 10**place
    state.place, state.pending, state.seen = place, None, True


def _close_group(state: _State, text: str) -> int:
    """The current group's value, with a trailing ones digit added; resets the group."""
    digit = state.pending
    if digit is not None:
        if digit.word == "ยี่":
            raise _error_at(text, digit, "ยี่ only comes before สิบ:", "ใช้ ยี่ ได้เฉพาะหน้า สิบ:")
        if digit.word == "เอ็ด" and state.group == 0 and state.total == 0:
            raise _error_at(text, digit, "เอ็ด needs a number before it:", "ต้องมีจำนวนนำหน้า เอ็ด:")
        state.group += _DIGITS[digit.word]
    value = state.group
    state.group, state.place, state.pending = 0, 6, None
    return value


def _read_million(state: _State, text: str) -> None:
    value = _close_group(state, text) if state.seen or state.pending else 1
    state.total = (state.total + value) * 10**6
    state.seen = True


def _value(tokens: list[_Token], text: str) -> int:
    state = _State()
    for token in tokens:
        if token.word == _MILLION:
            _read_million(state, text)
        elif token.word in _UNITS:
            _read_unit(state, token, text)
        else:
            _read_digit(state, token, text)
    return state.total + _close_group(state, text)


def words_to_int(text: str) -> int:
    """The integer written in Thai words (บาท, ถ้วน, ตัว, spaces, parentheses ignored)."""
    if not isinstance(text, str):
        raise _not_text(text)
    tokens = _tokens(text)
    if not tokens:
        raise ThaiNumberError(
            f"cannot read {text!r} as a Thai number: it has no number words; "
            f"write it like {_EXAMPLE!r}",
            f"อ่าน {text!r} เป็นจำนวนไม่ได้: ไม่มีคำอ่านจำนวน; เขียนแบบ {_EXAMPLE!r}",
        )
    if len(tokens) == 1 and tokens[0].word == "ศูนย์":
        return 0
    return _value(tokens, text)


# --- writing words -------------------------------------------------------------


def _digit_at(digit: int, place: int, ed: bool) -> str:
    """The words for ``digit`` at ``place`` (0 ones .. 5 แสน) in a group."""
    if place == 1:
        return {1: "สิบ", 2: "ยี่สิบ"}.get(digit, _DIGIT_WORDS[digit] + "สิบ")
    if place == 0:
        return "เอ็ด" if digit == 1 and ed else _DIGIT_WORDS[digit]
    return _DIGIT_WORDS[digit] + _PLACE_WORDS[place]


def _group_words(group: int, after_million: bool) -> str:
    """Words for 0 < group < 10**6; a final 1 is เอ็ด when anything precedes it."""
    ed = after_million or group >= 10
    digits = ((group // 10**place % 10, place) for place in range(5, -1, -1))
    return "".join(_digit_at(d, place, ed) for d, place in digits if d)


def _positive_words(n: int) -> str:
    high, low = divmod(n, 10**6)
    head = _positive_words(high) + _MILLION if high else ""
    return head + (_group_words(low, bool(high)) if low else "")


def int_to_words(n: int) -> str:
    """``n`` (0 or more) in Thai words without บาท.

    ``int_to_words(27440400) == "ยี่สิบเจ็ดล้านสี่แสนสี่หมื่นสี่ร้อย"``
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ThaiNumberError(
            f"int_to_words takes a whole number 0 or more, got {n!r}",
            f"int_to_words รับเฉพาะจำนวนเต็มตั้งแต่ 0 ขึ้นไป แต่ได้ {n!r}",
        )
    return "ศูนย์" if n == 0 else _positive_words(n)


# --- amounts -------------------------------------------------------------------


def parse_amount(text: str) -> int:
    """A whole amount in digits (Thai or Arabic, commas allowed: ๒๗,๔๕๐,๕๐๐) or in words."""
    if not isinstance(text, str):
        raise _not_text(text)
    arabic = from_thai_digits(text)
    if not any(ch.isascii() and ch.isdigit() for ch in arabic):
        return words_to_int(text)
    start, end = _core_span(arabic)
    core = _AMOUNT_SUFFIX.sub("", arabic[start:end])
    match = _AMOUNT.fullmatch(core)
    if match is None:
        raise ThaiNumberError(
            f"cannot read {text!r} as an amount: write whole baht in digits with or without "
            f"commas (27,450,500 or ๒๗,๔๕๐,๕๐๐) or in Thai words ({_EXAMPLE})",
            f"อ่าน {text!r} เป็นจำนวนเงินไม่ได้: เขียนจำนวนเต็มบาทเป็นตัวเลข "
            f"มีหรือไม่มีจุลภาคก็ได้ "
            f"(27,450,500 หรือ ๒๗,๔๕๐,๕๐๐) หรือเป็นคำอ่าน ({_EXAMPLE})",
        )
    return int(match[1].replace(",", ""))
