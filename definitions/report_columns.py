"""The columns of the reporting sheets that a definition fills from its records.

A data field declares ``report: <column>`` when the value entered for it is what the
column shows; a transition declares ``report: <column>`` when the time its record was
written is (a step done on that day). The sheets read columns by these ids, never by
trigger or field names, so a new version that renames a step or a field keeps its
columns filled as long as it keeps the declarations.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ReportColumn"]


class ReportColumn(StrEnum):
    """A column of the reporting sheets that is read from an instance's records."""

    WORKSHOP_DATE = "workshop_date"
    PARTICIPANTS = "participants"
    PROJECT = "project"
    BUDGET_LINES = "budget_lines"
    PARTICIPATION = "participation"
    PLAN_USABLE = "plan_usable"
    PROJECT_DATE = "project_date"
    SPENT = "spent"
    EVALUATED_AT = "evaluated_at"
    BPM_DATE = "bpm_date"
    REPORT_DATE = "report_date"
    FORUM_DATE = "forum_date"
    PLAN_APPROVED = "plan_approved"

    @property
    def data_type(self) -> str:
        """The type (of ``DATA_TYPES``) a data field must have to fill this column."""
        return _TYPES.get(self, "date")

    @property
    def is_date(self) -> bool:
        """A date column: a transition may fill it with the time of its record."""
        return self.data_type == "date"


_TYPES: dict[ReportColumn, str] = {
    ReportColumn.PARTICIPANTS: "int",
    ReportColumn.SPENT: "int",
    ReportColumn.PROJECT: "str",
    ReportColumn.BUDGET_LINES: "budget_lines",
    ReportColumn.PARTICIPATION: "str",
    ReportColumn.PLAN_USABLE: "bool",
}
