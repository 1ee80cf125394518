"""Checking a definition's ``report:`` declarations together: a sheet column reads one
data field (the value entered) and at most one step (the day it was done, used when no
value was entered). Two fields, or two steps, claiming one column would leave the sheet
to guess, so the loader refuses them."""

from __future__ import annotations

from plancycle.definitions.nodes import Checker
from plancycle.definitions.report_columns import ReportColumn
from plancycle.definitions.transitions import TransitionDraft

__all__ = ["check_report_claims"]


def _claim(
    chk: Checker,
    seen: dict[ReportColumn, tuple[str, int]],
    column: ReportColumn,
    claimant: tuple[str, int],
    what: str,
) -> None:
    first = seen.setdefault(column, claimant)
    if first[0] != claimant[0]:
        chk.add(
            claimant[1],
            f"{what} '{claimant[0]}' declares report '{column}', which {what} "
            f"'{first[0]}' (line {first[1]}) already fills: one {what} per column",
        )


def check_report_claims(chk: Checker, transitions: list[TransitionDraft]) -> None:
    """Each report column is filled by at most one data field name and one trigger."""
    fields: dict[ReportColumn, tuple[str, int]] = {}
    steps: dict[ReportColumn, tuple[str, int]] = {}
    for t in transitions:
        if t.report is not None and t.trigger is not None:
            _claim(chk, steps, t.report, (t.trigger, t.report_line), "step")
        for f in t.data:
            if f.report is not None:
                _claim(chk, fields, f.report, (f.name, f.line), "data field")
