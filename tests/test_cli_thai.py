"""Thai mode is Thai: each command, run with `--lang th` at 80 columns on the demo's store,
prints no English word but the codes a person types (processes, states, triggers, roles,
data fields, evidence slots, actor ids, options and commands in backquotes), file names
and paths, and a few names that are Thai usage (PDF, BPM, E-mail).

COMMANDS lists what is scanned, in the order run (some change the store: a sweep fills
the outbox that `outbox list` then shows); REFUSED lists commands that must fail, whose
Thai line is scanned. Add a new command to either list and it is covered.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import text

from plancycle.cli.app import app
from plancycle.cli.render import Renderer
from plancycle.cli.simulate import print_months
from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Catalog
from plancycle.kinds import OutboxStatus
from plancycle.store.db import make_engine
from plancycle.workflow.clock import SystemClock
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import Conflict, InvalidTrigger, NotAllowed
from plancycle.workflow.simulate import SimSettings
from tests.cli_demo import build_demo, console_width, run
from tests.test_cli_width import _months

OPEN = "2568/activity2/240104"  # not walked by the demo: its first step is open
WALKED = "2568/activity2/240101"

COMMANDS: list[tuple[str, ...]] = [
    ("init",),
    ("status", "--fy", "2568"),
    ("status", "--fy", "2568", "--district", "2401"),
    ("instances", "list", "--fy", "2568", "--limit", "15"),
    ("instances", "list", "--fy", "2568", "--overdue", "--process", "activity2"),
    ("show", OPEN),
    ("show", WALKED),
    ("history", WALKED),
    ("actors", "list"),
    ("actors", "add", "cd-2401-b", "--role", "district_cd_office", "--area", "2401"),
    ("definitions", "list"),
    ("definitions", "check"),
    *(("definitions", "show", p) for p in ("activity1", "activity2", "activity3")),
    *(("definitions", "show", p) for p in ("district_plan", "orders", "tambon_plan")),
    ("definitions", "show", "village_plan"),
    ("areas", "counts"),
    ("areas", "strong", "list", "--fy", "2568"),
    ("cycle", "start", "2568", "--province", "24", "--quiet"),
    ("sweep", "--as-of", "2025-04-02", "--dry-run"),
    ("sweep", "--as-of", "2025-04-02"),
    ("outbox", "list", "--limit", "10"),
    ("dispatch",),
    ("outbox", "list", "--limit", "5", "--status", "delivered"),
    (
        "advance", OPEN, "meeting_set", "--actor", "cd-2401-b",
        "--data", "meeting_date=2025-03-20",
    ),
    ("audit", "verify"),
    ("audit", "replay"),
    ("inbox", "--actor", "cd-2401-b", "--fy", "2568"),
    ("inbox", "--actor", "village-committee-2401", "--fy", "2568", "--limit", "3"),
]  # fmt: skip

REFUSED: list[tuple[str, ...]] = [
    ("advance", OPEN, "no_such_step", "--actor", "admin-th"),
    ("advance", OPEN, "workshop_held", "--actor", "cd-2401-b"),
    ("advance", "2568/tambon_plan/240104", "kbt_ordered", "--actor", "village-committee-2401"),
    ("show", "2568/activity2/249999"),
    ("instances", "list", "--process", "activity9"),
    ("status", "--fy", "2025"),
    ("sweep", "--as-of", "1 ม.ค. 2900"),
    ("outbox", "list", "--status", "lost"),
    ("actors", "add", "x-1", "--role", "mayor", "--area", "2401"),
    ("definitions", "show", "activity9"),
    ("definitions", "migrate", "activity2", "--from", "1", "--to", "2", "--dry-run"),
    ("inbox", "--actor", "cd-2401-b", "--state", "no_such_step"),
    ("template", "activity2", "no_such_step", "--area", "2401", "-o", "sheet.xlsx"),
    ("advance-many", "no_such_file.csv", "--actor", "cd-2401-b"),
]

# Thai usage: a file type, the CDD's BPM system and "ทาง E-mail" (as the province's letter
# writes them), and the program's name.
ALLOWED = {"PDF", "BPM", "E-mail", "plancycle"}
_TYPED = re.compile(r"`[^`]*`|--[a-z][a-z0-9-]*(=\S*)?")  # commands and options to type
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")


def _command_names(group: Any) -> set[str]:
    """The names of a command group's commands, at every depth."""
    names = set(group.commands)
    for command in group.commands.values():
        if hasattr(command, "commands"):
            names |= _command_names(command)
    return names


def _codes(catalog: Catalog, db: Path) -> set[str]:
    """Every code a person may have to type, from the definitions, the store and the
    command's own names (`history`, `list`)."""
    codes = (
        _command_names(typer.main.get_command(app)) | set(catalog.roles) | set(OutboxStatus)
    )  # --status takes these
    for d in catalog.all():
        codes |= {d.id, *(s.id for s in d.states)}
        for t in d.transitions:
            codes |= {t.trigger, *(f.name for f in t.data), *(e.id for e in t.evidence)}
    with make_engine(f"sqlite:///{db}").connect() as c:
        codes |= {row[0] for row in c.execute(text("SELECT id FROM actor"))}
    return codes


def english_words(output: str, codes: set[str]) -> list[str]:
    """The English words of ``output`` that are not codes, file names or allowed names."""
    found = []
    for token in _TYPED.sub(" ", output).split():
        token = token.strip("'\"“”‘’()[],:;")  # a quoted name is still a name
        if re.search(r"[/\\@]|\.db\b|\.[a-z]{2,4}$", token):
            continue  # a key, a path, a URL, an address, a file name
        found += [w for w in _WORD.findall(token) if w not in codes | ALLOWED]
    return found


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, set[str]]:
    db, printed = build_demo(tmp_path_factory.mktemp("thai"), "th")
    return db, printed, _codes(load_catalog(), db)


def test_demo_is_thai(store) -> None:
    _, printed, codes = store
    assert "ความก้าวหน้า" in printed
    assert english_words(printed, codes) == []


def test_every_command_is_thai(store) -> None:
    """Run in order (a sweep fills the outbox the next commands read)."""
    db, _, codes = store
    said: dict[str, list[str]] = {}
    for args in COMMANDS:
        code, out, err = run(db, "th", *args)
        assert code == 0, (args, err)
        words = english_words(out + err, codes | set(args))
        if words:
            said[" ".join(args)] = words
    assert said == {}


@pytest.mark.parametrize("args", REFUSED, ids=lambda a: " ".join(a[:2]))
def test_refusals_are_thai(store, args) -> None:
    db, _, codes = store
    code, out, err = run(db, "th", *args)
    assert code != 0, out
    thai = [line for line in err.splitlines() if line.startswith("ผิดพลาด:")]
    assert thai, err
    assert english_words("\n".join(thai), codes | set(args)) == []  # it may quote what was typed


def test_simulation_table_is_thai(store, capsys) -> None:
    _, _, codes = store
    with console_width(80):
        print_months(_months(), load_catalog(), SimSettings(2568, "24"), Renderer("th"))
    out = capsys.readouterr().out
    assert "จำลองปีงบประมาณ" in out
    assert english_words(out, codes) == []


def test_the_scan_finds_english() -> None:
    """The scan itself: English words are found, codes, paths and typed commands are not."""
    codes = {"activity2", "meeting_set", "participants"}
    line = "ทำ meeting_set ที่ 2568/activity2/240101 ไฟล์ a.pdf `plancycle cycle start` done"
    assert english_words(line, codes) == ["done"]
    assert english_words("ขั้น 'coordinate' (ใส่ --data participants=จำนวน)", codes) == ["coordinate"]


def test_engine_refusals_name_states_and_roles_by_their_thai_labels(store) -> None:
    """What the shells word: a conflict, a trigger the state does not take, a role the step
    does not name. The trigger one types stays, in brackets."""
    db = store[0]
    catalog = load_catalog()
    engine = Engine(catalog, make_engine(f"sqlite:///{db}"), SystemClock(), db.parent / "ev")
    key, state = "2568/activity2/240105", "coordinate"
    label = catalog.get("activity2").state(state).label.th
    with pytest.raises(Conflict) as conflict:
        engine.advance(key, "meeting_set", "admin-th", expected_version=999)
    assert f"“{label}”" in conflict.value.th and state not in conflict.value.th
    with pytest.raises(InvalidTrigger) as invalid:
        engine.advance(key, "workshop_held", "admin-th")
    assert f"“{label}”" in invalid.value.th and "[meeting_set]" in invalid.value.th
    with pytest.raises(NotAllowed) as refused:
        engine.advance(key, "meeting_set", "village-committee-2401")
    role = catalog.roles["village_committee"].label.th
    assert role in refused.value.th and "'village_committee'" not in refused.value.th
    assert english_words(refused.value.th, store[2]) == []
