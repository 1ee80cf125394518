"""The one base class of every error plancycle reports to a person.

Each error carries a Thai and an English sentence that names the problem and the
fix; the CLI prints both and exits non-zero, the HTTP API turns them into problem
details. ``exit_code`` follows sysexits loosely: 2 bad input, 3 not found,
4 not allowed, 5 conflict.
"""

from __future__ import annotations

__all__ = ["PlancycleError"]


class PlancycleError(Exception):
    """A failure a user can act on, told in Thai and in English."""

    exit_code: int = 2

    def __init__(self, en: str, th: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.th = th or en

    def message(self, lang: str = "en") -> str:
        return self.th if lang == "th" else self.en
