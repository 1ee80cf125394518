"""Thai mode is Thai: each command, run with `--lang th` at 80 columns on the demo's store,
prints no English word but the codes a person types (processes, states, triggers, roles,
data fields, evidence slots, actor ids, options and commands in backquotes), file names
and paths, and a few names that are Thai usage (PDF, BPM, E-mail).

COMMANDS lists what is scanned, in the order run (some change the store: a sweep fills
the outbox that `outbox list` then shows); REFUSED lists commands that must fail, whose
Thai line is scanned. Add a new command to either list and it is covered. The `--help`
of every command is scanned too (a command or option without a Thai help fails), and
`audit verify`/`audit replay` on a store tampered with so that every kind of finding
is printed.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.cells import cell_len
from sqlalchemy import text
from typer.testing import CliRunner

from plancycle.cli import help_th
from plancycle.cli.app import app
from plancycle.cli.help_lang import argument_help_th, commands_of, option_help_th
from plancycle.cli.render import Renderer
from plancycle.cli.simulate import print_months
from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Catalog
from plancycle.kinds import Delivery, OutboxStatus
from plancycle.store.db import make_engine
from plancycle.store.evidence import stored_path
from plancycle.workflow.audit_export import FORMATS
from plancycle.workflow.clock import SystemClock
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import Conflict, InvalidTrigger, NotAllowed
from plancycle.workflow.findings import FindingKind
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
    # the review loop and withdraw, as the province and the district office use them
    ("actors", "add", "pcd-24-b", "--role", "provincial_cd_office", "--area", "24"),
    ("correct", OPEN, "--actor", "cd-2401-b", "--data", "meeting_date=2025-03-21",
     "--reason", "เลื่อนวันประชุม"),
    ("send-back", WALKED, "--actor", "pcd-24-b", "--comment", "ยอดเบิกจ่ายไม่ตรงหลักฐาน"),
    ("history", WALKED),
    ("instances", "withdraw", "2568/village_plan/24010101", "--actor", "pcd-24-b",
     "--reason", "หมู่บ้านซ้ำ สร้างผิดพลาด"),
    ("history", OPEN),
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
    ("send-back", OPEN, "--actor", "cd-2401-b", "--comment", "แก้ไข"),
    ("send-back", OPEN, "--actor", "pcd-24-b"),
    ("correct", OPEN, "--actor", "cd-2401-b", "--data", "participants=5", "--reason", "แก้"),
    ("instances", "withdraw", OPEN, "--actor", "cd-2401-b", "--reason", "สร้างผิดพลาด"),
]

# Thai usage: a file type, the CDD's BPM system and "ทาง E-mail" (as the province's letter
# writes them), and the program's name; in the help, the names of formats, standards and
# programs that have no Thai word.
ALLOWED = {"PDF", "DOCX", "BPM", "E-mail", "plancycle"} | {
    *("CSV", "JSON", "SQL", "SQLite", "PostgreSQL", "API", "ISO", "UTF-8"),
    *("PEM", "Ed25519", "GeoThai", "Mermaid"),
}
_HASH = re.compile(r"[0-9a-f]{12,}…?")  # a hash (of a record, a file, an anchor) is no word
_TYPED = re.compile(  # commands and options to type
    r"`[^`]*`|--[a-z][a-z0-9-]*(=\S*)?|(?<![\w-])-[a-zA-Z](?![\w-])"
)
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
        _command_names(typer.main.get_command(app))
        | set(catalog.roles)
        | set(OutboxStatus)  # --status takes these
        | set(Delivery)  # and contacts set-delivery these
        | set(FORMATS)  # and --format these
    )
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
        if re.search(r"[/\\@]|\.db\b|\.[a-z]{2,4}$", token) or _HASH.fullmatch(token):
            continue  # a key, a path, a URL, an address, a file name, a hash
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
    typed: set[str] = set()  # what earlier commands typed (an actor id added) is a code too
    for args in COMMANDS:
        code, out, err = run(db, "th", *args)
        assert code == 0, (args, err)
        typed |= set(args)
        words = english_words(out + err, codes | typed)
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


def _help(*args: str, env: dict[str, str] | None = None) -> str:
    """`plancycle ARGS… --help` at 80 columns."""
    result = CliRunner().invoke(
        app, [*args, "--help"], prog_name="plancycle", env={"COLUMNS": "80", **(env or {})}
    )
    assert result.exit_code == 0, result.output
    return result.stdout


_PATHS = [path for path, _ in commands_of(typer.main.get_command(app))]


def test_every_command_option_and_argument_has_a_thai_help() -> None:
    """And the catalogue names nothing that is not there (a renamed option shows)."""
    root = typer.main.get_command(app)
    options, arguments = set(), set()
    for path, command in commands_of(root):
        assert path in help_th.COMMANDS, f"no Thai help for `plancycle {path}`"
        for param in command.get_params(typer.Context(command)):
            if param.param_type_name == "argument":
                arguments.add((path, param.name))
                argument_help_th(path, param)  # KeyError names what is missing
            else:
                name = next(o for o in param.opts if o.startswith("--"))
                options.add((path, name))
                assert option_help_th(path, param), (path, name)
    assert set(help_th.COMMANDS) == set(_PATHS)
    assert set(help_th.COMMAND_OPTIONS) <= options
    assert set(help_th.COMMAND_ARGUMENTS) <= arguments
    assert set(help_th.OPTIONS) <= {name for _, name in options}
    assert set(help_th.ARGUMENTS) <= {name for _, name in arguments}


@pytest.mark.parametrize("path", _PATHS, ids=lambda p: p or "plancycle")
def test_help_is_thai_at_80_columns(store, path: str) -> None:
    out = _help("--lang", "th", *path.split())
    assert "วิธีใช้: plancycle" in out and "ตัวเลือก" in out
    assert english_words(out, store[2]) == []
    assert max(cell_len(line) for line in out.splitlines()) <= 80


def test_help_follows_the_language_setting_and_lang() -> None:
    """PLANCYCLE_LANG alone, `--lang` over it, and English stays English."""
    thai = _help("audit", "verify", env={"PLANCYCLE_LANG": "th"})
    assert "วิธีใช้:" in thai and "ไฟล์จาก `audit anchor`" in thai and "Usage" not in thai
    english = _help("--lang", "en", "audit", "verify", env={"PLANCYCLE_LANG": "th"})
    assert "Usage:" in english and "A file from `audit anchor`." in english
    assert "วิธีใช้" not in english and "ตัวเลือก" not in english
    assert "Options" in _help(env={"PLANCYCLE_LANG": "en"})
    root = _help("--lang", "th")
    assert "คำสั่ง" in root and "ตรวจรอบหนึ่งครั้ง" in root and "Commands" not in root


def _sql(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as c:  # foreign keys off, as someone with the file would have it
        c.execute("DROP TRIGGER IF EXISTS transition_record_no_update")
        c.execute("DROP TRIGGER IF EXISTS transition_record_no_delete")
        for sql in statements:
            c.execute(sql)


def _record(key: str, seq: int) -> str:
    return f"instance_id = (SELECT id FROM instance WHERE key = '{key}') AND seq = {seq}"


@pytest.fixture
def tampered(store, tmp_path: Path) -> dict[str, Path]:
    """A copy of the demo's store, anchored (unsigned and signed), then tampered with so
    that every kind of finding shows; an evidence folder with the file missing, and
    another with it replaced."""
    demo = store[0]
    db = tmp_path / "t.db"
    with sqlite3.connect(demo) as source, sqlite3.connect(db) as copy:
        source.backup(copy)  # with what is still in its write-ahead log
    evidence = tmp_path / "t-evidence"
    shutil.copytree(demo.with_name(demo.stem + "-evidence"), evidence)
    f = {
        "db": db,
        "evidence": evidence,
        "anchor": tmp_path / "a.json",
        "signed": tmp_path / "s.json",
    }
    f["key"], f["other_key"] = tmp_path / "k", tmp_path / "k2"
    for args in (
        ("audit", "anchor", "-o", str(f["anchor"])),
        ("audit", "keygen", "-o", str(f["key"])),
        ("audit", "keygen", "-o", str(f["other_key"])),
        ("audit", "anchor", "-o", str(f["signed"]), "--sign-key", str(f["key"])),
    ):
        code, _, err = run(db, "th", *args)
        assert code == 0, (args, err)
    edited = json.loads(f["anchor"].read_text())
    f["edited"] = tmp_path / "e.json"
    f["edited"].write_text(json.dumps({**edited, "digest": "0" * 64}))
    village = "2568/village_plan/240101"
    _sql(
        db,
        f"UPDATE transition_record SET note = 'แก้' WHERE {_record(village + '01', 2)}",
        f"DELETE FROM transition_record WHERE {_record(village + '02', 3)}",
        f"DELETE FROM transition_record WHERE {_record(village + '03', 6)}",
        f"UPDATE transition_record SET seq = 0 WHERE {_record(village + '04', 1)}",
        f"UPDATE transition_record SET prev_hash = '{'f' * 64}' WHERE {_record(village + '05', 3)}",
        f"UPDATE instance SET version = version + 1 WHERE key = '{village}06'",
        f"UPDATE transition_record SET from_state = 'done' WHERE {_record(village + '07', 2)}",
        f"UPDATE transition_record SET to_state = 'done' WHERE {_record(village + '08', 2)}",
        # a send-back record returning to a step its process does not have
        f"UPDATE transition_record SET trigger = 'send_back', to_state = 'kickoff' "
        f"WHERE {_record(village + '09', 2)}",
        "UPDATE instance SET state = 'coordinate' WHERE key = '2568/activity2/240101'",
        "DELETE FROM instance WHERE key = '2568/village_plan/24010401'",
        "UPDATE cycle SET instance_counts = json_set(instance_counts, '$.orders', 10)",
    )
    [sha] = {row[0] for row in sqlite3.connect(db).execute("SELECT sha256 FROM evidence")}
    f["replaced"] = tmp_path / "replaced"
    shutil.copytree(evidence, f["replaced"])
    stored_path(f["replaced"], sha).write_bytes(b"%PDF-1.4 another file")
    stored_path(evidence, sha).unlink()
    return f


def test_every_audit_finding_is_told_in_thai(store, tampered: dict[str, Path]) -> None:
    f, codes = tampered, store[2]
    runs = [
        (
            "audit", "verify", "--anchor", str(f["edited"]), "--digest", "1" * 64,
            "--public-key", f"{f['key']}.pub", "--evidence", str(f["evidence"]),
        ),
        (
            "audit", "verify", "--anchor", str(f["signed"]), "--public-key",
            f"{f['other_key']}.pub", "--evidence", str(f["replaced"]),
        ),
        ("audit", "replay"),
    ]  # fmt: skip
    kinds: set[str] = set()
    for args in runs:
        code, out, err = run(f["db"], "th", *args, "--json")
        assert code == 7, err
        found = json.loads(out)["findings"]
        kinds |= {x["kind"] for x in found}
        assert all(x["problem"] and x["problem_th"] != x["problem"] for x in found)
        code, out, err = run(f["db"], "th", *args)
        assert code == 7 and len(err.strip().splitlines()) >= len(found), err
        assert english_words(err, codes | set(args)) == [], args
        assert f"พบปัญหา {len(found)} รายการ" in err
    assert kinds == set(FindingKind)
    code, _, err = run(f["db"], "en", *runs[2])
    assert code == 7 and "the records give" in err and "บันทึก" not in err


def test_a_group_named_alone_shows_its_thai_help_and_nothing_else() -> None:
    """`plancycle audit`: its help (exit 2, as the parser has it), no refusal line after it."""
    result = CliRunner().invoke(
        app, ["--lang", "th", "audit"], prog_name="plancycle", env={"COLUMNS": "80"}
    )
    assert result.exit_code == 2
    assert "วิธีใช้: plancycle audit" in result.stdout and "ตรวจทุกสายบันทึก" in result.stdout
    assert "ผิดพลาด" not in result.stderr and "error" not in result.stderr
