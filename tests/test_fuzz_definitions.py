"""Random mutations of the real definition files, loaded with ``load_catalog``.

Property: a mutated folder either loads or raises ``DefinitionError`` (never another
exception), and every problem names a file of the folder and a line >= 1 (and not
past the end of that file).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plancycle.definitions.errors import DefinitionError
from plancycle.definitions.loader import DATA_DIR, load_catalog
from tests.strategies import junk_text, thai_text

FILES = sorted(p.name for p in DATA_DIR.glob("*.yaml"))
_KEY_VALUE = re.compile(r"^(\s*(?:- )?)([A-Za-z_][\w]*)(:\s*)(.*)$")
YAML_WORDS = [
    "id",
    "version",
    "states",
    "transitions",
    "source",
    "dest",
    "trigger",
    "roles",
    "due",
    "initial",
    "final",
    "opens",
    "auto",
    "guards",
    "evidence",
    "data",
    "ladder",
    "label",
]
YAML_VALUES = [
    "",
    "~",
    "null",
    "0",
    "-1",
    "99999999999999999999999",
    "3.5",
    "true",
    "[]",
    "{}",
    "[a, b]",
    "{a: 1}",
    '"text"',
    "'",
    '"',
    "&a x",
    "*a",
    "!!python/object:os.system",
    "|",
    ">",
    "- x",
    ": x",
    '"13-45"',
    '{fy_date: "02-30"}',
    "{after: nowhere, days: -5}",
    "{quarter_start: 9}",
    "2025-02-30",
    "2568-13-45",
    "0x_",
    "0o9",
    "!!int x",
    "!!bool x",
    "!foo x",
    "!!str 5",
    "!!binary x",
]


@st.composite
def mutations(draw, lines: list[str]):
    """A list of edits to ``lines`` (applied in order), as (kind, args) tuples."""
    n = max(len(lines), 1)
    line = st.integers(0, n - 1)
    value = st.one_of(st.sampled_from(YAML_VALUES), junk_text, thai_text)
    edit = st.one_of(
        st.tuples(st.just("delete"), line),
        st.tuples(st.just("duplicate"), line),
        st.tuples(st.just("swap_values"), line, line),
        st.tuples(st.just("swap_lines"), line, line),
        st.tuples(st.just("rename_key"), line, st.one_of(st.sampled_from(YAML_WORDS), junk_text)),
        st.tuples(st.just("set_value"), line, value),
        st.tuples(st.just("indent"), line, st.integers(-4, 4)),
        st.tuples(st.just("insert"), line, st.one_of(value, st.sampled_from(YAML_WORDS))),
        st.tuples(st.just("truncate"), line),
        st.tuples(st.just("bytes"), line, st.binary(min_size=1, max_size=8)),
    )
    return draw(st.lists(edit, min_size=1, max_size=3))


def _swap_values(lines: list[str], i: int, j: int) -> None:
    j %= len(lines)
    a, b = _KEY_VALUE.match(lines[i]), _KEY_VALUE.match(lines[j])
    if a and b:
        lines[i] = a.group(1) + a.group(2) + a.group(3) + b.group(4)
        lines[j] = b.group(1) + b.group(2) + b.group(3) + a.group(4)


def _rename_key(lines: list[str], i: int, key: str) -> None:
    if m := _KEY_VALUE.match(lines[i]):
        lines[i] = m.group(1) + key + m.group(3) + m.group(4)


def _set_value(lines: list[str], i: int, value: str) -> None:
    if m := _KEY_VALUE.match(lines[i]):
        lines[i] = m.group(1) + m.group(2) + ": " + value


def _swap_lines(lines: list[str], i: int, j: int) -> None:
    j %= len(lines)
    lines[i], lines[j] = lines[j], lines[i]


def _indent(lines: list[str], i: int, by: int) -> None:
    lines[i] = " " * by + lines[i] if by > 0 else lines[i][-by:]


EDITS = {
    "delete": lambda lines, i: lines.pop(i),
    "duplicate": lambda lines, i: lines.insert(i, lines[i]),
    "swap_values": _swap_values,
    "swap_lines": _swap_lines,
    "rename_key": _rename_key,
    "set_value": _set_value,
    "indent": _indent,
    "insert": lambda lines, i, text: lines.insert(i, text),
    "truncate": lambda lines, i: lines.__delitem__(slice(i, None)),
}


def _apply(lines: list[str], edits) -> bytes:
    """The file after ``edits``; a "bytes" edit puts raw bytes near a line's start."""
    lines = list(lines)
    raw: tuple[int, bytes] | None = None
    for kind, at, *args in edits:
        if not lines:
            lines = [""]
        i = at % len(lines)
        if kind == "bytes":
            raw = (i, args[0])
        else:
            EDITS[kind](lines, i, *args)
    data = "\n".join(lines).encode("utf-8") + b"\n"
    if raw is not None:
        at = min(len("\n".join(lines[: raw[0]]).encode("utf-8")), len(data))
        data = data[:at] + raw[1] + data[at:]
    return data


def test_mutated_definitions_load_or_say_where(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    originals = {name: (folder / name).read_text(encoding="utf-8") for name in FILES}
    outcomes = {"loaded": 0, "refused": 0}

    @settings(
        max_examples=100,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.sampled_from(FILES).flatmap(lambda f: st.tuples(st.just(f), _edits_of(originals[f]))))
    def one(choice) -> None:
        name, edits = choice
        target = folder / name
        target.write_bytes(_apply(originals[name].splitlines(), edits))
        try:
            load_catalog([folder])
        except DefinitionError as exc:  # any other exception fails the test
            outcomes["refused"] += 1
            _check_problems(exc, folder)
        else:
            outcomes["loaded"] += 1
        finally:
            target.write_text(originals[name], encoding="utf-8")

    one()
    assert outcomes["refused"], outcomes


def _edits_of(text: str):
    return mutations(text.splitlines())


def _check_problems(exc: DefinitionError, folder: Path) -> None:
    assert exc.problems, "a DefinitionError without problems"
    for problem in exc.problems:
        assert Path(problem.file).parent == folder, problem
        assert problem.line >= 1, problem
        lines = Path(problem.file).read_bytes().count(b"\n") + 1
        assert problem.line <= lines, (problem, lines)
        assert problem.message, problem


# --- bugs found by the random run, pinned ------------------------------------------------


@pytest.mark.parametrize(
    "value", ["2025-02-30", "2568-13-45", "0x_", "!!int x", "!!bool x", "!foo x", "!!timestamp x"]
)
def test_scalar_the_yaml_loader_cannot_build_is_a_problem(tmp_path: Path, value: str) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    path = folder / "activity2.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nversion: 1\n", f"\nversion: {value}\n", 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_catalog([folder])
    assert [(p.file, p.line) for p in caught.value.problems] == [(str(path), 6)]
