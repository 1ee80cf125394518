"""Problems found while loading definitions: all of them, reported at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from plancycle.errors import PlancycleError

__all__ = ["DefinitionError", "Problem", "UnknownDefinition"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one file, at one line (1-based)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DefinitionError(PlancycleError, ValueError):
    """The definitions have problems; ``problems`` lists every one of them.

    ``str()`` gives one ``file:line: message`` per line, like a compiler.
    """

    exit_code = 2

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        count = len(self.problems)
        super().__init__(
            lines,
            f"พบปัญหาในไฟล์นิยามกระบวนการ {count} รายการ (แก้ไฟล์ YAML ตามบรรทัดที่ระบุ):\n{lines}",
        )

    def __reduce__(self) -> tuple[type[DefinitionError], tuple[list[Problem]]]:
        # keep pickling (e.g. across processes) working
        return (type(self), (self.problems,))


class UnknownDefinition(PlancycleError, KeyError):
    """No process definition by that id, or no such version of it (a KeyError too, for
    the callers that look one up and carry on without it)."""

    exit_code = 3

    def __str__(self) -> str:  # the sentence, not KeyError's quoted repr of it
        return self.en

    def __reduce__(self) -> tuple[type[UnknownDefinition], tuple[str, str]]:
        return (type(self), (self.en, self.th))
