"""What an instance's records say for each reporting-sheet column.

A definition declares which data field fills a column (``report:`` on the field: the value
entered) and which step does (``report:`` on the transition: the time its record was
written). Each record is read under the definition version it was made under (a
``migrate_definition`` record names the version before it), so a step or a field renamed
by a later version still fills its column. The latest record that set a column wins; a
value entered wins over a step's time (a workshop's entered date over the day it was
recorded as held). A ``correct`` record's values supersede those of the step it corrects
(the newest step before it); a ``send_back`` record fills nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from plancycle.definitions.model import Catalog, DataField, ReportColumn
from plancycle.thai.dateinput import stored_date
from plancycle.workflow.audit import CORRECT_TRIGGER, MIGRATE_TRIGGER, RESERVED_TRIGGERS

__all__ = ["ColumnValue", "RecordLike", "report_values"]


class RecordLike(Protocol):
    """The fields of a transition record this module reads (an ORM object or a Core row)."""

    @property
    def trigger(self) -> str: ...

    @property
    def from_state(self) -> str: ...

    @property
    def at(self) -> datetime: ...

    @property
    def data(self) -> Mapping[str, Any] | None: ...


@dataclass(frozen=True, slots=True)
class ColumnValue:
    """A column's value: as entered (``entered``; a date field gives a :class:`date`, or
    the text stored when it names no day) or the time a step's record was written (a UTC
    :class:`datetime`)."""

    value: Any
    entered: bool


def _versions(records: Sequence[RecordLike], current: int) -> list[int]:
    """The definition version each record was made under, oldest record first."""
    out: list[int] = []
    version = current
    for rec in reversed(records):
        if rec.trigger == MIGRATE_TRIGGER:
            version = int((rec.data or {}).get("from_version", version))
        out.append(version)
    return out[::-1]


def _entered(data_field: DataField, value: Any) -> Any:
    if data_field.type == "date":
        day = stored_date(value)
        return value if day is None else day
    return value


def report_values(
    catalog: Catalog, definition_id: str, version: int, records: Sequence[RecordLike]
) -> dict[ReportColumn, ColumnValue]:
    """The value of each column the records fill, for an instance of ``definition_id``
    now on ``version``; ``records`` in order (seq)."""
    entered: dict[ReportColumn, ColumnValue] = {}
    stepped: dict[ReportColumn, ColumnValue] = {}
    fields: tuple[DataField, ...] = ()  # the data of the newest step, which corrections change
    for rec, made_under in zip(records, _versions(records, version), strict=True):
        if rec.trigger == CORRECT_TRIGGER:
            _fill(entered, fields, rec.data or {})
            continue
        fields = ()
        if rec.trigger in RESERVED_TRIGGERS:
            continue
        step = catalog.get(definition_id, made_under).transition(rec.trigger, rec.from_state)
        if step is None:
            continue
        if step.report is not None:
            stepped[step.report] = ColumnValue(rec.at, entered=False)
        fields = step.data
        _fill(entered, fields, rec.data or {})
    return {**stepped, **entered}


def _fill(
    entered: dict[ReportColumn, ColumnValue],
    fields: Sequence[DataField],
    data: Mapping[str, Any],
) -> None:
    """The columns ``fields`` fill with the values ``data`` holds."""
    for f in fields:
        if f.report is not None and data.get(f.name) not in (None, ""):
            entered[f.report] = ColumnValue(_entered(f, data[f.name]), entered=True)
