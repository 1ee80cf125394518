"""Two time expressions the charts' queries need, written for each database: the Bangkok
calendar day of a stored UTC instant, and the days (fractional) between two instants.

SQLite keeps instants as naive UTC text (``store/types.py``); Bangkok has no daylight
saving, so its day is the UTC instant moved by seven hours. PostgreSQL converts with
the zone's name."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

__all__ = ["bangkok_day", "day_value", "days_between"]


class bangkok_day(FunctionElement[Any]):  # noqa: N801 - used like a SQL function
    """The Bangkok calendar day of a UTC instant column."""

    inherit_cache = True
    name = "bangkok_day"


class days_between(FunctionElement[Any]):  # noqa: N801 - used like a SQL function
    """``end - start`` in days, with fractions."""

    inherit_cache = True
    name = "days_between"
    type = sa.Float()


@compiles(bangkok_day, "sqlite")
def _day_sqlite(element: bangkok_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(bangkok_day, "postgresql")
def _day_pg(element: bangkok_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Bangkok')"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 86400.0)"
    )


def day_value(value: object) -> date:
    """A ``bangkok_day`` as read back: SQLite answers text, PostgreSQL a date."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
