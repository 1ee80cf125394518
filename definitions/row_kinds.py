"""The data types whose value is a list of rows (see :mod:`plancycle.definitions.rows`)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RowKind"]


class RowKind(StrEnum):
    """A data type whose value is a list of rows (a member of ``DATA_TYPES``)."""

    BUDGET_LINES = "budget_lines"
    DISTRICT_ATTENDANCE = "district_attendance"
