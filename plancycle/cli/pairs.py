"""``--data NAME=VALUE`` options read into a mapping."""

from __future__ import annotations

from collections.abc import Sequence

from plancycle.errors import PlancycleError

__all__ = ["BadPair", "parse_pairs"]


class BadPair(PlancycleError, ValueError):
    """A ``--data`` option that is not NAME=VALUE."""


def parse_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """``["participants=25", "spent=3900"]`` -> a dict; a pair without ``=`` is refused."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadPair(
                f"--data {pair!r} is not NAME=VALUE (e.g. --data participants=25)",
                f"--data {pair!r} ไม่อยู่ในรูป ชื่อ=ค่า (เช่น --data participants=25)",
            )
        out[name.strip()] = value.strip()
    return out
