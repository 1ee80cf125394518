"""At 80 columns every table command shows every figure and every id whole, in Thai and in
English: `demo` (and the status it prints), `status`, `simulate`'s table, `actors list`,
`instances list`, `history`, `definitions list`, and the table rules themselves."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from plancycle.cli import render
from plancycle.cli.render import Col, Fit, Renderer, fitted_table
from plancycle.cli.simulate import print_months
from plancycle.definitions.loader import load_catalog
from plancycle.kinds import EscalationKind
from plancycle.store.db import make_engine
from plancycle.thai.fiscal import BANGKOK
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.rollup import ProcessStatus, status
from plancycle.workflow.simulate import MonthRow, SimSettings
from tests.cli_demo import WIDTH, build_demo, console_width, run

LANGS = ("th", "en")
_BOX = re.compile(r"[│┃]")
DEMO_NOW = datetime(2025, 4, 1, 9, tzinfo=BANGKOK)  # when the demo prints its status


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """The demo run at 80 columns in each language: its store and what it printed."""
    return {lang: build_demo(tmp_path_factory.mktemp(f"demo-{lang}"), lang) for lang in LANGS}


def cells(line: str) -> list[str]:
    """A table line's words, box lines removed."""
    return _BOX.sub(" ", line).split()


def fits(text: str) -> None:
    """No line is wider than the terminal (a wider one would wrap and break the table);
    a command to copy is printed on one line of its own, whatever its length."""
    for line in text.splitlines():
        assert cell_len(line) <= WIDTH or line.startswith("  plancycle "), line


def row_of(out: str, first: str) -> list[str]:
    """The first line of the row whose first cell is ``first``."""
    for line in out.splitlines():
        words = cells(line)
        if words and words[0] == first:
            return words
    raise AssertionError(f"no row {first!r} in:\n{out}")


def status_figures(row: dict) -> list[str]:
    """The figures of one process as ``status --json`` gives them (the KPI: actual/target)."""
    k = row["kpi"]
    kpi = f"{k['actual_percent']:g}/{k['target_percent']:g}" if k is not None else "-"
    figures = [f"{row['total']:,}", f"{row['done']:,}", f"{row['percent_done']:.1f}"]
    return [*figures, f"{row['overdue']:,}", kpi]


def check_status(out: str, rows: list[dict]) -> None:
    """Each process's row ends with its figures, and each state's count is shown."""
    assert rows
    for row in rows:
        assert row_of(out, row["process"])[-5:] == status_figures(row), row["process"]
    shown = Counter(w[-1] for w in map(cells, out.splitlines()) if w and w[-1].isdigit())
    wanted = Counter(f"{n:,}" for row in rows for n in row["by_state"].values())
    assert not wanted - shown, wanted - shown


@pytest.mark.parametrize("lang", LANGS)
def test_demo_prints_every_status_figure_at_80_columns(demo, lang) -> None:
    db, out = demo[lang]
    catalog = load_catalog()
    rows = status(
        make_engine(f"sqlite:///{db}"), catalog, 2568, AreaFilter(province="24"), DEMO_NOW
    )
    check_status(out, [row.as_dict() for row in rows])
    fits(out)


@pytest.mark.parametrize("lang", LANGS)
def test_status_shows_every_figure_of_its_json(demo, lang) -> None:
    db = demo["th"][0]
    code, raw, _ = run(db, lang, "status", "--fy", "2568", "--json")
    assert code == 0
    rows = json.loads(raw)["processes"]
    code, out, _ = run(db, lang, "status", "--fy", "2568")
    assert code == 0
    check_status(out, rows)
    fits(out)


@pytest.mark.parametrize("lang", LANGS)
def test_actors_list_shows_every_id_and_area_whole(demo, lang) -> None:
    db = demo["th"][0]
    code, out, _ = run(db, lang, "actors", "list")
    assert code == 0
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        actors = c.exec_driver_sql("SELECT id, area_code FROM actor").all()
    assert len(actors) > 20
    for actor_id, area in actors:
        words = row_of(out, actor_id)
        assert (area or ("ทั่วประเทศ" if lang == "th" else "nation")) in words, actor_id
    fits(out)


@pytest.mark.parametrize("lang", LANGS)
def test_instances_list_shows_every_key_whole(demo, lang) -> None:
    db = demo["th"][0]
    args = ("instances", "list", "--fy", "2568", "--process", "village_plan", "--limit", "30")
    code, raw, _ = run(db, lang, *args, "--json")
    listed = json.loads(raw)
    code, out, _ = run(db, lang, *args)
    assert code == 0
    for row in listed["instances"]:
        row_of(out, row["key"])
    assert f"{listed['total']:,}" in out
    fits(out)


@pytest.mark.parametrize("lang", LANGS)
def test_history_shows_every_record_number_and_actor(demo, lang) -> None:
    db = demo["th"][0]
    key = "2568/activity2/240101"
    code, raw, _ = run(db, lang, "history", key, "--json")
    records = json.loads(raw)["records"]
    code, out, _ = run(db, lang, "history", key)
    assert code == 0 and records
    for record in records:
        assert record["actor"] in row_of(out, str(record["seq"]))
    fits(out)


@pytest.mark.parametrize("lang", LANGS)
def test_definitions_list_shows_versions_and_step_counts(demo, lang) -> None:
    code, out, _ = run(demo["th"][0], lang, "definitions", "list")
    assert code == 0
    for d in load_catalog().latest():
        steps = sum(1 for s in d.states if not s.final)
        words = row_of(out, d.id)
        assert words[1] == str(d.version) and words[-1] == str(steps), d.id
    fits(out)


def _months() -> list[MonthRow]:
    """A year whose figures are as wide as a nation's: five digits, 100 %."""
    catalog = load_catalog()
    out = []
    for i in range(12):
        first = date(2024 + (i + 9) // 12, (i + 9) % 12 + 1, 1)
        done = [
            ProcessStatus(d.id, d.title.th, d.title.en, total=7036, done=min(7036, 700 * i + n))
            for n, d in enumerate(catalog.latest())
        ]
        sent = Counter(
            {
                EscalationKind.REMINDER: 10_000 + i,
                EscalationKind.OVERDUE: 20_000 + i,
                EscalationKind.ESCALATION: 30_000 + i,
            }
        )
        out.append(MonthRow(first, done, overdue=40_000 + i, sent=sent, automatic=90 + i))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_simulation_table_shows_every_figure(lang, capsys) -> None:
    months = _months()
    catalog = load_catalog()
    with console_width(WIDTH):
        print_months(months, catalog, SimSettings(2568, "24"), Renderer(lang))
    out = capsys.readouterr().out
    fits(out)
    lines = [cells(line) for line in out.splitlines()]
    for m in months:
        percents = [f"{p.percent_done:.0f}" for p in m.processes]
        sent = [m.sent[k] for k in list(EscalationKind)[1:]]
        tail = [*percents, *(f"{n:,}" for n in (m.overdue, *sent, m.automatic))]
        assert any(words[-len(tail) :] == tail for words in lines), (m.month, tail)


def test_rules_drop_titles_before_figures_and_keep_ids_whole() -> None:
    cols = [
        Col("key", Fit.ID),
        Col("title", Fit.TITLE),
        *(Col(f"n{i}", Fit.NUMBER) for i in range(6)),
        Col("words"),
    ]
    key = "2568/village_plan/24010101"
    row = [key, "a title " * 8, *(f"{10**i:,}" for i in range(6)), "some words " * 5]
    console = Console(width=WIDTH, record=True)
    console.print(fitted_table(cols, [row], width=WIDTH))
    out = console.export_text()
    assert "title" not in out  # dropped: the key already names the row
    assert row_of(out, key)[1:7] == row[2:8]
    fits(out)
    wide = Console(width=200, record=True)
    wide.print(fitted_table(cols, [row], width=200))
    assert "a title a title" in wide.export_text()  # kept when there is room


def test_rules_go_compact_before_a_figure_is_cut() -> None:
    cols = [Col("m", Fit.ID), *(Col(f"c{i}", Fit.NUMBER) for i in range(12))]
    row = ["ก.ย. 68", *("9,999" for _ in range(12))]  # 79 cells with one space between
    console = Console(width=WIDTH, record=True)
    console.print(fitted_table(cols, [row], width=WIDTH))
    out = console.export_text()
    assert row_of(out, "ก.ย.")[2:] == row[1:]
    assert "┃" not in out  # no box: its lines and padding would not leave room
    fits(out)


def test_render_console_width_is_what_the_tables_use(monkeypatch) -> None:
    """The tables size themselves for the console's width (COLUMNS), not a fixed 80."""
    cols = [Col("key", Fit.ID), Col("words")]
    monkeypatch.setattr(render.console, "width", 40)
    table = fitted_table(cols, [["k", "word " * 30]])
    assert sum(c.width or 0 for c in table.columns) <= 40
