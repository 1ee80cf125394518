"""A notice as LINE text messages: within LINE's limits, Thai kept whole.

A LINE text message holds at most 5,000 characters (counted as UTF-16 code units, so
an emoji counts two) and a push at most 5 messages. :func:`line_messages` splits the
text at line boundaries into as few messages as fit; a line longer than a message is
cut at a space, else between two characters that are not a base and its marks (a
Thai vowel or tone mark stays on its consonant; a leading vowel เ แ โ ใ ไ stays with
the consonant after it). Text that needs more than 5 messages is summarised: the
first messages, then "… ดูทั้งหมดที่ <link>" when the text holds a link, else
"… (ตัดส่วนที่เหลือ)".

>>> line_messages("สวัสดี\\nครับ")
['สวัสดี\\nครับ']
>>> [len(m) for m in line_messages("ก" * 6000)]
[5000, 1000]
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_CHARS", "MAX_MESSAGES", "line_length", "line_messages"]

MAX_CHARS = 5000  # one text message
MAX_MESSAGES = 5  # one push
_LINK = re.compile(r"https?://[^\s<>\"']+")
_LEADING_VOWELS = frozenset("เแโใไ")
_CUT_TAIL = "… (ตัดส่วนที่เหลือ)"


def line_length(text: str) -> int:
    """The length LINE counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def line_messages(text: str, limit: int = MAX_CHARS, most: int = MAX_MESSAGES) -> list[str]:
    """``text`` as at most ``most`` messages of at most ``limit`` characters each."""
    text = text.strip("\n") or "-"
    parts = _split(text, limit)
    if len(parts) <= most:
        return parts
    link = _LINK.search(text)
    tail = f"… ดูทั้งหมดที่ {link.group(0)}" if link else _CUT_TAIL
    kept = parts[: most - 1]
    room = limit - line_length(tail) - 1
    last = _split(parts[most - 1], room)[0] if room > 0 else ""
    return [*kept, f"{last}\n{tail}" if last else tail]


def _split(text: str, limit: int) -> list[str]:
    """Whole lines packed into parts of at most ``limit``; a longer line cut safely."""
    parts: list[str] = []
    current: str | None = None
    for line in text.split("\n"):
        for piece in _cut_line(line, limit) if line_length(line) > limit else [line]:
            if current is None:
                current = piece
            elif line_length(current) + 1 + line_length(piece) <= limit:
                current = f"{current}\n{piece}"
            else:
                parts.append(current)
                current = piece
    if current is not None:
        parts.append(current)
    return [p for p in (part.strip("\n") for part in parts) if p.strip()] or ["-"]


def _cut_line(line: str, limit: int) -> list[str]:
    """A line longer than ``limit`` in pieces of at most ``limit``, cut at the last space
    that fits, else at the last safe place between two characters."""
    pieces: list[str] = []
    rest = line
    while line_length(rest) > limit:
        end = _fit(rest, limit)
        space = rest.rfind(" ", 0, end + 1)
        cut = max(space if space > 0 else _safe(rest, end), 1)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip(" ")
    if rest:
        pieces.append(rest)
    return pieces


def _fit(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 units."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return i
    return len(text)


def _safe(text: str, end: int) -> int:
    """The last index at or before ``end`` where ``text`` may be cut: not before a
    combining mark (a Thai vowel above or below, a tone mark) and not after a leading
    vowel; ``end`` itself if no such place exists."""
    for i in range(end, 0, -1):
        if unicodedata.category(text[i]).startswith("M"):
            continue
        if text[i - 1] in _LEADING_VOWELS:
            continue
        return i
    return end
