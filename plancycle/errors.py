"""The one base class of every error plancycle reports to a person, and how a shell
words the inputs such an error points at.

Each error carries a Thai and an English sentence that names the problem and the
fix; the CLI prints both and exits non-zero, the HTTP API turns them into problem
details. ``exit_code`` follows sysexits loosely: 2 bad input, 3 not found,
4 not allowed, 5 conflict.

An error about something a person gives (a step's data field, an evidence slot) holds
that input as an :class:`InputRef` and words its sentences through a :class:`Wording`:
each shell names the input in its own terms (the CLI ``--data participants=N``, the web
form the field's label, the API ``data.participants``). ``en`` and ``th`` are the plain
wording, with the bare names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = ["PLAIN", "InputKind", "InputRef", "PlainWording", "PlancycleError", "Wording"]


class InputKind(StrEnum):
    DATA = "data"
    EVIDENCE = "evidence"


@dataclass(frozen=True, slots=True)
class InputRef:
    """One input of a step: a data field (with its type) or an evidence slot, and its
    label from the definition when it has one."""

    kind: InputKind
    name: str
    type: str = "str"  # a data field's type; "file" for a slot
    label_en: str | None = None
    label_th: str | None = None


class Wording(Protocol):
    """How a shell names an input a person gives: (English, Thai)."""

    def name(self, ref: InputRef) -> tuple[str, str]: ...


class PlainWording:
    """The bare names: ``participants``, ``attendance``."""

    def name(self, ref: InputRef) -> tuple[str, str]:
        return ref.name, ref.name


PLAIN = PlainWording()


class PlancycleError(Exception):
    """A failure a user can act on, told in Thai and in English."""

    exit_code: int = 2

    def __init__(self, en: str, th: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.th = th or en

    def message(self, lang: str = "en") -> str:
        return self.th if lang == "th" else self.en

    def worded(self, wording: Wording) -> tuple[str, str]:
        """(English, Thai) with the inputs named as ``wording`` names them; errors that
        point at no input say the same in every shell."""
        return self.en, self.th
