"""Showing things to people: BE dates, Thai digits, tables, errors, progress bars.

Every table of the command line is built by :func:`fitted_table`, which sizes its columns
for the console's width by one set of rules, so that at 80 columns every figure and every
id is still there, whole:

- a column says what it holds (:class:`Fit`); an id one types next (an instance key, an
  actor id, a process, a trigger) and a figure are never cut, wrapped or folded: their
  column is as wide as their widest cell;
- headers are short; when room is short a figure's header folds before a figure does;
- words (labels, names) wrap, and a word longer than its column folds;
- a title column (a name beside an id that already says it) is dropped first;
- when that is not enough the table loses its box and padding (one space between
  columns), so a dozen figures fit in 80 columns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from plancycle.cli.wording import CLI_WORDING
from plancycle.errors import PlancycleError
from plancycle.thai.dates import format_datetime
from plancycle.thai.digits import to_thai_digits

__all__ = ["Col", "Fit", "Renderer", "console", "err_console", "fitted_table"]

console = Console()
err_console = Console(stderr=True, soft_wrap=True)


class Renderer:
    """Formats values for one run's language and digit choice."""

    def __init__(self, lang: str = "th", thai_digits: bool = False) -> None:
        self.lang = lang
        self.thai_digits = thai_digits

    def when(self, value: datetime | None) -> str:
        if value is None:
            return "-"
        return format_datetime(value, lang=self.lang, thai_digits=self.thai_digits)

    def num(self, value: int | float | str) -> str:
        text = f"{value:,}" if isinstance(value, int) else str(value)
        return to_thai_digits(text) if self.thai_digits else text

    def pick(self, th: str, en: str) -> str:
        return th if self.lang == "th" else en


def print_json(data: Any) -> None:
    """JSON for scripts: UTF-8 as is, dates ISO 8601."""
    console.file.write(json.dumps(data, ensure_ascii=False, indent=2, default=_iso) + "\n")


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


def report_error(exc: PlancycleError) -> None:
    """Both languages, so the message reaches whoever reads it; inputs named as options."""
    en, th = exc.worded(CLI_WORDING)
    err_console.print(f"[bold red]ผิดพลาด:[/] {escape(th)}", highlight=False, markup=True)
    err_console.print(f"[bold red]error:[/] {escape(en)}", highlight=False, markup=True)


@contextmanager
def progress_bar(label: str, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """A progress callback ``(done, total)`` drawing a bar on stderr."""
    if quiet:
        yield lambda done, total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=False) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


class Fit(StrEnum):
    """What a table column holds, and so how it may be narrowed (see :func:`fitted_table`)."""

    ID = "id"  # typed next (a key, an actor id, a process, a trigger): one line, whole
    NUMBER = "number"  # a figure: one line, whole, right-aligned
    TEXT = "text"  # words: wrapped; a word longer than the column is folded
    TITLE = "title"  # a name the row's id already says: wrapped, the first to go


@dataclass(frozen=True, slots=True)
class Col:
    """One column: its (short) header, what it holds, and its share of spare room."""

    header: str
    fit: Fit = Fit.TEXT
    ratio: int = 1


_MIN_TEXT = 10  # the narrowest a column of words gets before titles are dropped
_WHOLE = (Fit.ID, Fit.NUMBER)


@dataclass(frozen=True, slots=True)
class _Style:
    boxed: bool

    def overhead(self, columns: int) -> int:
        """Cells a table of ``columns`` takes beyond its content."""
        if self.boxed:  # edges and separators, one cell of padding each side
            return columns + 1 + 2 * columns
        return columns - 1  # one space between columns


_BOXED, _COMPACT = _Style(True), _Style(False)


def _cell_width(cell: str) -> int:
    """The widest line of a cell (rich markup read, Thai marks of no width)."""
    return max((Text.from_markup(line).cell_len for line in cell.split("\n")), default=0)


def _layout(cols: list[Col], rows: list[list[str]], width: int) -> tuple[_Style, list[int | None]]:
    """The style and each column's content width (None: the column is dropped)."""
    cells = [max((_cell_width(row[i]) for row in rows), default=0) for i in range(len(cols))]
    natural = [max(c, _cell_width(col.header), 1) for c, col in zip(cells, cols, strict=True)]
    stages = (
        (_BOXED, True, True),  # (style, keep titles, headers whole)
        (_BOXED, False, True),
        (_BOXED, False, False),
        (_COMPACT, False, True),
        (_COMPACT, False, False),
    )
    for style, titles, headers in stages:
        keep = [titles or col.fit is not Fit.TITLE for col in cols]
        least = [
            (natural[i] if headers else max(cells[i], 1))
            if col.fit in _WHOLE
            else min(natural[i], _MIN_TEXT)
            for i, col in enumerate(cols)
        ]
        room = width - style.overhead(sum(keep))
        if sum(w for w, k in zip(least, keep, strict=True) if k) <= room:
            return style, _spread(cols, keep, least, natural, room)
    keep = [col.fit is not Fit.TITLE for col in cols]  # too narrow for any: whole ids and figures
    least = [max(cells[i], 1) if col.fit in _WHOLE else 1 for i, col in enumerate(cols)]
    return _COMPACT, [w if k else None for w, k in zip(least, keep, strict=True)]


def _spread(
    cols: list[Col], keep: list[bool], least: list[int], natural: list[int], room: int
) -> list[int | None]:
    """Room beyond the least widths: to figures' headers first, then to words by ratio."""
    widths = list(least)
    spare = room - sum(w for w, k in zip(least, keep, strict=True) if k)
    for i, col in enumerate(cols):
        if keep[i] and col.fit in _WHOLE:
            grow = min(spare, natural[i] - widths[i])
            widths[i] += grow
            spare -= grow
    while spare > 0:
        wanting = [i for i, c in enumerate(cols) if keep[i] and widths[i] < natural[i]]
        if not wanting:
            break
        total = sum(cols[i].ratio for i in wanting)
        given = 0
        for i in wanting:
            share = max(1, spare * cols[i].ratio // total)
            grow = min(share, natural[i] - widths[i], spare - given)
            widths[i] += grow
            given += grow
        spare -= given
        if given == 0:
            break
    return [w if k else None for w, k in zip(widths, keep, strict=True)]


def fitted_table(
    cols: list[Col], rows: list[list[str]], title: str | None = None, width: int | None = None
) -> Table:
    """A table of ``rows`` (cells as rich markup) sized for ``width`` (the console's)."""
    style, widths = _layout(cols, rows, width or console.width)
    table = Table(
        title=title,
        box=box.HEAVY_HEAD if style.boxed else box.SIMPLE_HEAD,
        padding=(0, 1) if style.boxed else 0,
        show_edge=style.boxed,
        header_style="bold",
    )
    shown = [i for i, w in enumerate(widths) if w is not None]
    for i in shown:
        col = cols[i]
        whole = col.fit in _WHOLE
        table.add_column(
            col.header,
            width=widths[i],
            no_wrap=whole,
            overflow="fold",
            justify="right" if col.fit is Fit.NUMBER else "left",
        )
    for row in rows:
        table.add_row(*(row[i] for i in shown))
    return table
