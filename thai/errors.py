"""The base class of every error raised by ``plancycle.thai``.

Each error is a ``ValueError`` (bad input) and a ``PlancycleError`` (so the CLI
prints it in both languages). ``str(error)`` gives the English sentence followed
by the Thai one.
"""

from __future__ import annotations

from plancycle.errors import PlancycleError

__all__ = ["ThaiError"]


class ThaiError(PlancycleError, ValueError):
    """Bad input to a Thai calendar or number helper, told in English and Thai."""

    def __init__(self, en: str, th: str) -> None:
        super().__init__(en, th)
        self.args = (f"{en} | {th}",)
