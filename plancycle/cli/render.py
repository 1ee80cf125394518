"""Showing things to people: BE dates, Thai digits, tables, errors, progress bars."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from plancycle.cli.wording import CLI_WORDING
from plancycle.errors import PlancycleError
from plancycle.thai.dates import format_datetime
from plancycle.thai.digits import to_thai_digits

__all__ = ["Renderer", "console", "err_console"]

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
