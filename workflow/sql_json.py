"""A JSON test the KPI queries need, written for each database: whether a JSON column's
member is the JSON value ``true`` (not the text "true", not 1), as Python's ``is True``
reads a recorded value."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

__all__ = ["json_true"]


class json_true(FunctionElement[bool]):  # noqa: N801 - used like a SQL function
    """``json_true(column, "name")``: the member ``name`` of ``column`` is JSON ``true``."""

    inherit_cache = True
    name = "json_true"
    type = sa.Boolean()


def _parts(element: json_true) -> tuple[Any, str]:
    column, name = list(element.clauses)
    return column, name.value


@compiles(json_true, "sqlite")
def _true_sqlite(element: json_true, compiler: SQLCompiler, **kw: Any) -> str:
    column, name = _parts(element)
    path = compiler.process(sa.literal("$." + json.dumps(name)), **kw)
    return f"(json_type({compiler.process(column, **kw)}, {path}) = 'true')"


@compiles(json_true, "postgresql")
def _true_postgresql(element: json_true, compiler: SQLCompiler, **kw: Any) -> str:
    column, name = _parts(element)
    key = compiler.process(sa.literal(name), **kw)
    return f"(CAST(({compiler.process(column, **kw)} -> CAST({key} AS TEXT)) AS TEXT) = 'true')"
