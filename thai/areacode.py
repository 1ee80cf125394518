"""DOPA area codes (the Interior Ministry's codes of Thai areas): the one place that knows
what a code's length means.

Codes nest by prefix: province ``24`` (2 digits) ⊃ district ``2401`` (4) ⊃ tambon
``240101`` (6) ⊃ village ``24010101`` (8); the nation is the empty code. Everything
that asks "which level is this code", "what is its district", "what lies under it"
asks here. It lives with the other Thai primitives (standard library only) so that the
store, the engine and the shells can all use it without a package cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from plancycle.thai.digits import from_thai_digits
from plancycle.thai.errors import ThaiError

__all__ = [
    "NATION",
    "AreaCode",
    "AreaLevel",
    "BadAreaCode",
    "child_length",
    "code_at",
    "in_area",
    "length_at",
    "level_of",
]

NATION = ""


class AreaLevel(StrEnum):
    """The four levels of the DOPA hierarchy that hold instances."""

    PROVINCE = "province"
    DISTRICT = "district"
    TAMBON = "tambon"
    VILLAGE = "village"

    @property
    def length(self) -> int:
        return _LENGTH[self]

    def pick(self, lang: str) -> str:
        """The level's name in ``lang`` ("th": จังหวัด, อำเภอ, ตำบล, หมู่บ้าน)."""
        return _LEVEL_TH[self] if lang == "th" else self.value


_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.DISTRICT: 4,
    AreaLevel.TAMBON: 6,
    AreaLevel.VILLAGE: 8,
}
_BY_LENGTH = {n: level for level, n in _LENGTH.items()}
_LEVEL_TH = {
    AreaLevel.PROVINCE: "จังหวัด",
    AreaLevel.DISTRICT: "อำเภอ",
    AreaLevel.TAMBON: "ตำบล",
    AreaLevel.VILLAGE: "หมู่บ้าน",
}


class BadAreaCode(ThaiError):
    """Text that is not a DOPA code (of the level asked for)."""


def level_of(code: str) -> AreaLevel | None:
    """The level of a code of ASCII digits by its length; None for anything else."""
    if not (code.isascii() and code.isdigit()):
        return None
    return _BY_LENGTH.get(len(code))


def length_at(level: AreaLevel | str | None) -> int:
    """The length of a code at ``level``: 0 for the nation (``None`` or ``"nation"``)."""
    return 0 if level is None or level == "nation" else AreaLevel(level).length


def code_at(code: str, level: AreaLevel | str | None) -> str:
    """The code of the area at ``level`` that contains ``code`` (its first digits);
    the nation's empty code for ``None`` or ``"nation"``."""
    return code[: length_at(level)]


def child_length(code: str) -> int:
    """The code length of the level under ``code`` (2 under the nation, 8 under a tambon
    and under a village)."""
    return {0: 2, 2: 4, 4: 6}.get(len(code), 8)


def in_area(area: str | None, code: str) -> bool:
    """Whether ``code`` lies in ``area`` (None or "" is the nation, which holds all)."""
    return not area or code.startswith(area)


@dataclass(frozen=True, slots=True)
class AreaCode:
    """A checked DOPA code of one of the four levels."""

    code: str

    def __post_init__(self) -> None:
        if level_of(self.code) is None:
            raise BadAreaCode(
                f"{self.code!r} is not an area code: give 2 digits for a province (24), 4 for "
                f"a district (2401), 6 for a tambon (240101) or 8 for a village, in Arabic or "
                f"Thai digits",
                f"{self.code!r} ไม่ใช่รหัสพื้นที่: จังหวัด 2 หลัก (24) อำเภอ 4 หลัก (2401) "
                f"ตำบล 6 หลัก (240101) หมู่บ้าน 8 หลัก เป็นเลขอารบิกหรือเลขไทย",
            )

    @classmethod
    def parse(cls, text: str, *, level: AreaLevel | str | None = None) -> AreaCode:
        """A code from what a person typed (Thai digits and spaces allowed), checked
        against ``level`` when one is asked for."""
        found = cls(from_thai_digits(text).strip())
        if level is not None and found.level != level:
            wanted = AreaLevel(level)
            raise BadAreaCode(
                f"{text!r} is a {found.level} code, but a {wanted} code is needed here "
                f"({wanted.length} digits)",
                f"{text!r} เป็นรหัส{_LEVEL_TH[found.level]} แต่ที่นี่ต้องใช้รหัส"
                f"{_LEVEL_TH[wanted]} ({wanted.length} หลัก)",
            )
        return found

    @property
    def level(self) -> AreaLevel:
        return _BY_LENGTH[len(self.code)]

    @property
    def parent(self) -> AreaCode | None:
        """The area directly above (None for a province: the nation is above it)."""
        return AreaCode(self.code[:-2]) if len(self.code) > 2 else None

    def parents(self) -> tuple[AreaCode, ...]:
        """Every area above, from the province down (the nation not included)."""
        return tuple(AreaCode(self.code[:n]) for n in range(2, len(self.code), 2))

    @property
    def province(self) -> str:
        return self.code[:2]

    @property
    def district(self) -> str | None:
        return self.code[:4] if len(self.code) >= 4 else None

    @property
    def tambon(self) -> str | None:
        return self.code[:6] if len(self.code) >= 6 else None

    def contains(self, code: str) -> bool:
        return code.startswith(self.code)

    def __str__(self) -> str:
        return self.code
