"""Thai digits (๐-๙) to and from Arabic digits (0-9)."""

from __future__ import annotations

__all__ = ["ARABIC_DIGITS", "THAI_DIGITS", "from_thai_digits", "is_arabic_digits", "to_thai_digits"]

ARABIC_DIGITS = "0123456789"
THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"

_TO_THAI = str.maketrans(ARABIC_DIGITS, THAI_DIGITS)
_FROM_THAI = str.maketrans(THAI_DIGITS, ARABIC_DIGITS)


def to_thai_digits(value: str | int) -> str:
    """``value`` as text with every 0-9 replaced by ๐-๙; other characters unchanged."""
    return str(value).translate(_TO_THAI)


def from_thai_digits(text: str) -> str:
    """``text`` with every ๐-๙ replaced by 0-9; other characters unchanged."""
    return text.translate(_FROM_THAI)


def is_arabic_digits(text: str) -> bool:
    """Whether ``text`` is one or more of 0-9 and nothing else. ``str.isdigit()`` alone
    also takes ² ٢ ２ and other digits, which ``int()`` or the store do not read as such;
    convert Thai digits first (:func:`from_thai_digits`) to accept them too."""
    return text.isascii() and text.isdigit()
