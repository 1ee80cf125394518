"""Text bound for a spreadsheet cell, made safe from formula injection.

A spreadsheet program runs a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (and some treat a leading tab or carriage return the same way): text a district
typed, such as ``=HYPERLINK(...)``, would become a live link in the province's sheet. Every
text cell of every export (CSV, XLSX, the audit export) goes through :func:`safe_cell`,
which follows OWASP's rule: such text gets a leading ``'``. Numbers, dates and ``None``
pass unchanged, so they stay numbers and dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["FORMULA_STARTS", "safe_cell", "safe_row"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as written to a cell: text that a spreadsheet would run is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
