"""The demo's store and a runner that shows the `plancycle` command at a given width: what
the width and Thai-mode tests look at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from typer.testing import CliRunner

from plancycle.cli import render
from plancycle.cli.app import app

WIDTH = 80


@contextmanager
def console_width(width: int) -> Iterator[None]:
    """Both consoles laid out for ``width`` columns, as `COLUMNS=80` does."""
    before = render.console.width, render.err_console.width
    render.console.width = render.err_console.width = width
    try:
        yield
    finally:
        render.console.width, render.err_console.width = before


def run(db: Path, lang: str, *args: str, width: int = WIDTH) -> tuple[int, str, str]:
    """`plancycle --db DB --lang LANG ARGS…` at ``width`` columns, with the evidence folder
    the demo keeps beside its store: (exit code, out, err)."""
    evidence = {"PLANCYCLE_EVIDENCE_DIR": str(db.with_name(db.stem + "-evidence"))}
    with console_width(width):
        result = CliRunner().invoke(
            app, ["--db", f"sqlite:///{db}", "--lang", lang, *args], env=evidence
        )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def build_demo(folder: Path, lang: str) -> tuple[Path, str]:
    """`plancycle demo --no-year` into ``folder`` at 80 columns: (its store, its output)."""
    db = folder / "demo.db"
    code, out, err = run(db, lang, "demo", "--no-year", "--file", str(db))
    assert code == 0, err
    return db, out
