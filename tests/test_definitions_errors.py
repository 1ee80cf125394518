"""Broken definitions: every problem of every file is reported at once, with its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from plancycle.definitions import (
    DefinitionError,
    Problem,
    load_catalog,
    load_definition_file,
)
from plancycle.definitions.loader import DATA_DIR

BROKEN = """\
id: broken
version: 1
title: {th: "เสีย", en: "Broken"}
source: seed
scope: tambon
targets: all
lead_role: district_cd_office
supervisor_role: district_chief
states:
  - id: start
    label: {th: "เริ่ม", en: "Start"}
    source: seed
    initial: true
    due: [{fy_date: "02-30"}]                      # MARK bad-fy-date
  - id: middle
    label: {th: "กลาง", en: "Middle"}
    source: seed
    due: [{month_end: 13}]                         # MARK bad-month
  - id: orphan                                     # MARK unreachable
    label: {th: "กำพร้า", en: "Orphan"}
    source: inferred
  - id: stuck                                      # MARK dead-end
    label: {th: "ติด", en: "Stuck"}
    source: seed
  - id: done
    label: {th: "เสร็จ", en: "Done"}
    source: seed
    final: true
transitions:
  - trigger: go
    label: {th: "ไป", en: "Go"}
    source: start
    dest: middle
    roles: [district_cd_office]
  - trigger: go                                    # MARK duplicate-trigger
    label: {th: "ไปอีก", en: "Go again"}
    source: start
    dest: stuck
    roles: [district_cd_office]
  - trigger: finish
    label: {th: "จบ", en: "Finish"}
    source: middle
    dest: done
    roles: [district_cheif]                        # MARK unknown-role
    guards:
      - {name: min_participantz, min: 20}          # MARK unknown-guard
  - trigger: wander
    label: {th: "เดิน", en: "Wander"}
    source: orphan
    dest: done
    roles: [admin]
"""


def line_of(text: str, marker: str) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), 1) if f"MARK {marker}" in line]
    assert len(hits) == 1, marker
    return hits[0]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(paths) -> list[Problem]:
    with pytest.raises(DefinitionError) as info:
        load_catalog(paths)
    assert isinstance(info.value, ValueError)
    return info.value.problems


def find(problems: list[Problem], fragment: str) -> Problem:
    hits = [p for p in problems if fragment in p.message]
    assert len(hits) == 1, (fragment, [str(p) for p in problems])
    return hits[0]


def test_broken_definition_reports_every_problem_with_its_line(tmp_path):
    path = write(tmp_path, "broken.yaml", BROKEN)
    problems = problems_of([path])
    assert {p.file for p in problems} == {str(path)}

    expected = {
        "bad-fy-date": "fy_date '02-30' is outside the fiscal year",
        "bad-month": "month_end 13 is outside the fiscal year",
        "unreachable": "state 'orphan' is unreachable from the initial state 'start'",
        "dead-end": "state 'stuck' is a dead end",
        "duplicate-trigger": "trigger 'go' from state 'start' is already declared at line 30",
        "unknown-role": "transition 'finish' names unknown role 'district_cheif'",
        "unknown-guard": "names unknown guard 'min_participantz'",
    }
    for marker, fragment in expected.items():
        assert find(problems, fragment).line == line_of(BROKEN, marker), marker
    assert len(problems) == len(expected), [str(p) for p in problems]
    # Concrete numbers, as an editor would show them.
    assert line_of(BROKEN, "duplicate-trigger") == 35
    assert find(problems, "unknown role").line == 44
    assert "did you mean 'min_participants'" in find(problems, "unknown guard").message


def test_error_text_lists_problems_one_per_line(tmp_path):
    path = write(tmp_path, "broken.yaml", BROKEN)
    with pytest.raises(DefinitionError) as info:
        load_catalog([path])
    lines = str(info.value).splitlines()
    assert lines == [f"{p.file}:{p.line}: {p.message}" for p in info.value.problems]
    assert f"{path}:44: transition 'finish' names unknown role 'district_cheif'" in lines
    assert [p.line for p in info.value.problems] == sorted(p.line for p in info.value.problems)
    assert "พบปัญหา" in info.value.th


def test_load_definition_file_raises_for_its_own_problems(
    tmp_path,
):
    path = write(tmp_path, "broken.yaml", BROKEN)
    roles = load_catalog([DATA_DIR / "roles.yaml"]).roles
    with pytest.raises(DefinitionError) as info:
        load_definition_file(path, roles)
    assert len(info.value.problems) == 7
    good = load_definition_file(DATA_DIR / "orders.yaml", roles)
    assert good.id == "orders"


MISC = """\
id: Misc-Process                                   # MARK bad-id
version: 1
title: {th: "ต่าง ๆ", en: "Misc"}
source: guess                                      # MARK bad-source
scope: county                                      # MARK bad-scope
targets: all
lead_role: district_cd_office
supervisor_role: distict_chief                     # MARK bad-supervisor
budget: {total: 100, per_unit: 10, units: 10, extra: 1}   # MARK budget-key
states:
  - id: a
    label: {th: "ก", en: "A"}
    source: seed
    initial: true
    due:
      - {fy_date: "02-29"}                         # MARK leap-day
      - {quarter_end: 5}                           # MARK bad-quarter
      - {after: nowhere, days: 3}                  # MARK after-unknown
      - {after: b, days: 3}                        # MARK after-cannot-precede
      - {after: a, days: 400}                      # MARK too-many-days
  - id: b
    label: {th: "ข", en: "B"}
    source: seed
    initial: true                                  # MARK second-initial
  - id: b                                          # MARK duplicate-state
    label: {th: "ข", en: "B"}
    source: seed
  - id: z
    label: {th: "จบ", en: "End"}
    source: seed
    final: true
transitions:
  - trigers: go                                    # MARK typo-key
    label: {th: "ไป", en: "Go"}
    source: a
    dest: b
    roles: [admin]
  - trigger: next
    label: {th: "ต่อ", en: "Next"}
    source: [a, ghost]                             # MARK unknown-source
    dest: b
    roles: [admin]
    data:
      - {name: when, type: datetime, label: {th: "เมื่อ", en: "When"}}  # MARK data-type
    evidence:
      - {id: scan, label: {th: "สแกน", en: "Scan"}, media_types: [pdf]}  # MARK media-type
  - trigger: end
    label: {th: "จบ", en: "End"}
    source: b
    dest: z
    roles: [admin]
    guards:
      - {name: min_participants}                  # MARK guard-missing-param
      - {name: within_allocation, limit: 5}       # MARK guard-unknown-param
      - {name: min_participants, min: twenty}     # MARK guard-param-type
  - trigger: again
    label: {th: "อีก", en: "Again"}
    source: z                                      # MARK final-outgoing
    dest: b
    roles: [admin]
"""


def test_each_kind_of_problem_is_named(tmp_path):
    path = write(tmp_path, "misc.yaml", MISC)
    problems = problems_of([path])
    expected = {
        "bad-id": "id 'Misc-Process' is not a valid id",
        "bad-source": "source 'guess' must be one of: seed, inferred, public",
        "bad-scope": "scope 'county' must be one of",
        "bad-supervisor": "supervisor_role names unknown role 'distict_chief'",
        "budget-key": "budget: unknown key 'extra'",
        "leap-day": "29 February does not exist in every year",
        "bad-quarter": "quarter_end 5 is outside the fiscal year",
        "after-unknown": "names unknown state 'nowhere' in 'after'",
        "after-cannot-precede": "counts from state 'b', which cannot precede it",
        "too-many-days": "days 400 must be 0-365",
        "second-initial": "state 'b' is also marked initial",
        "duplicate-state": "state 'b' is declared twice",
        "typo-key": "unknown key 'trigers' (did you mean 'trigger'?)",
        "unknown-source": "names unknown state 'ghost' as source",
        "data-type": "has unknown type 'datetime'",
        "media-type": "media type 'pdf' is not of the form type/subtype",
        "guard-missing-param": "guard 'min_participants' needs parameter 'min'",
        "guard-unknown-param": "guard 'within_allocation' takes no parameter 'limit'",
        "guard-param-type": "guard 'min_participants' parameter 'min' must be int, got 'twenty'",
        "final-outgoing": "leaves final state 'z'",
    }
    for marker, fragment in expected.items():
        assert find(problems, fragment).line == line_of(MISC, marker), marker
    # The misspelt key is reported once, not again as a missing 'trigger'.
    assert not [p for p in problems if "missing key 'trigger'" in p.message]


def test_problems_of_all_files_come_in_one_error(tmp_path):
    first = write(tmp_path, "one.yaml", (DATA_DIR / "orders.yaml").read_text(encoding="utf-8"))
    second = write(tmp_path, "two.yaml", (DATA_DIR / "orders.yaml").read_text(encoding="utf-8"))
    syntax = write(tmp_path, "syntax.yaml", "id: x\nstates: [\n  - oops: {\n")
    broken = write(tmp_path, "broken.yaml", BROKEN)
    problems = problems_of([first, second, syntax, broken])
    files = {p.file for p in problems}
    assert files == {str(second), str(syntax), str(broken)}
    dup = [p for p in problems if p.file == str(second)]
    assert len(dup) == 1 and dup[0].line == 3
    assert f"definition 'orders' version 1 is already defined in {first}:3" in dup[0].message
    bad = [p for p in problems if p.file == str(syntax)]
    assert len(bad) == 1 and bad[0].message.startswith("YAML syntax error")
    assert len([p for p in problems if p.file == str(broken)]) == 7


def test_roles_file_problems_and_unknown_roles(tmp_path):
    roles = write(
        tmp_path,
        "roles.yaml",
        """\
        roles:
          - code: admin
            th: "ผู้ดูแลระบบ"
            en: "Admin"
            level: nation
          - code: district_cd_office
            th: "สนง.พช.อำเภอ"
            en: "District CD office"
            level: amphoe
          - code: admin
            th: "ซ้ำ"
            en: "Twice"
            level: nation
        """,
    )
    orders = write(tmp_path, "orders.yaml", (DATA_DIR / "orders.yaml").read_text(encoding="utf-8"))
    problems = problems_of([roles, orders])
    assert [(p.line, p.message) for p in problems if p.file == str(roles)] == [
        (
            9,
            "role 'district_cd_office': level 'amphoe' must be one of: village, tambon, "
            "district, province, nation",
        ),
        (10, "role 'admin' is declared twice (first at line 2)"),
    ]
    unknown = {p.message for p in problems if p.file == str(orders)}
    assert "lead_role names unknown role 'district_cd_office'" in unknown
    assert "transition 'reviewed' names unknown role 'district_chief'" in unknown


def test_wrong_shapes_do_not_crash(tmp_path):
    cases = {
        "empty.yaml": ("", "file is empty"),
        "list.yaml": ("- 1\n- 2\n", "the definition must be a mapping"),
        "dupkey.yaml": (
            (DATA_DIR / "orders.yaml").read_text(encoding="utf-8") + "version: 2\n",
            "key 'version' is given twice",
        ),
    }
    for name, (text, fragment) in cases.items():
        problems = problems_of([write(tmp_path, name, text)])
        assert any(fragment in p.message for p in problems), (name, [str(p) for p in problems])


def test_absolute_dates_are_refused(tmp_path):
    text = (
        (DATA_DIR / "orders.yaml")
        .read_text(encoding="utf-8")
        .replace('due: [{fy_date: "12-25", source: seed}]', "due: [{fy_date: 2024-12-25}]", 1)
    )
    problems = problems_of([write(tmp_path, "orders.yaml", text)])
    assert len(problems) == 1
    assert "not an absolute date (2024-12-25)" in problems[0].message


def test_missing_keys_and_non_final_without_exit(tmp_path):
    text = """\
    id: tiny
    version: 0
    title: {th: "เล็ก"}
    source: seed
    scope: tambon
    targets: strong_tambon
    lead_role: admin
    supervisor_role: admin
    states:
      - id: only
        label: {th: "เดียว", en: "Only"}
        source: seed
    transitions: []
    """
    problems = problems_of([write(tmp_path, "tiny.yaml", text)])
    messages = {(p.line, p.message) for p in problems}
    assert (2, "version must be at least 1, got 0") in messages
    assert (3, "title: missing key 'en'") in messages
    assert (13, "transitions must not be empty") in messages
    assert (10, "no initial state: mark exactly one state with 'initial: true'") in messages
    assert (10, "no final state: mark at least one state with 'final: true'") in messages
