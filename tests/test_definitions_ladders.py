"""Deadline ladders, windows, waiting states and automatic transitions in definitions."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from plancycle.definitions import DefinitionError, load_catalog
from plancycle.definitions.loader import DATA_DIR

WAITING = """\
id: waiting
version: 1
title: {th: "รอ", en: "Waiting"}
source: inferred
scope: tambon
targets: all
lead_role: district_cd_office
supervisor_role: district_chief
ladder: nosuch
states:
  - id: hold
    label: {th: "รอ", en: "Hold"}
    source: inferred
    initial: true
    wait: true
  - id: work
    label: {th: "ทำ", en: "Work"}
    source: seed
    opens: {after: hold, days: 3}
  - id: done
    label: {th: "เสร็จ", en: "Done"}
    source: seed
    final: true
    wait: true
transitions:
  - trigger: go
    label: {th: "ไป", en: "Go"}
    source: hold
    dest: work
    roles: [district_cd_office]
  - trigger: finish
    label: {th: "จบ", en: "Finish"}
    source: work
    dest: done
    roles: [district_cd_office]
"""


def copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def test_every_process_has_its_ladder() -> None:
    catalog = load_catalog()
    default = catalog.get("activity2").ladder
    assert [(r.level, r.kind, r.offset_days, r.notify) for r in default] == [
        (0, "reminder", -7, ("lead",)),
        (1, "overdue", 0, ("lead", "supervisor")),
        (2, "escalation", 7, ("provincial_cd_office",)),
        (3, "escalation", 14, ("cdd",)),
    ]
    moi = {d.id for d in catalog.latest() if d.ladder_name == "moi"}
    assert moi == {"orders", "village_plan", "tambon_plan", "district_plan"}
    assert catalog.get("orders").ladder[-1].notify == ("cdd", "governor")


def test_windows_and_automatic_steps_of_the_seed() -> None:
    catalog = load_catalog()
    assert catalog.get("activity2").state("coordinate").opens.describe() == "start of Q2"
    assert catalog.get("district_plan").state("district_plan").opens.describe() == "fy_date 05-01"
    collect = catalog.get("tambon_plan").transition("inputs_collected", "collect_inputs")
    assert (collect.auto.process, collect.auto.reached) == ("village_plan", "classify_adopt")
    a3 = catalog.get("activity3")
    assert a3.initial_state.wait and a3.initial_state.id == "await_tambon_plan"
    assert a3.transitions_from("await_tambon_plan")[0].auto.reached == "done"
    assert a3.step_number("kickoff") == 1 and a3.step_number("await_tambon_plan") is None


def test_waiting_and_automatic_mistakes_are_all_reported(tmp_path) -> None:
    data = copy_data(tmp_path)
    path = data / "waiting.yaml"
    path.write_text(WAITING, encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_catalog([data])
    got = {(p.line, p.message) for p in info.value.problems if p.file == str(path)}
    assert got == {
        (9, "unknown ladder 'nosuch' (ladders: default, moi)"),
        (11, "state 'hold' waits but no automatic transition leaves it"),
        (
            19,
            "state 'work' opens: unknown key 'after' (allowed: fy_date, quarter_end, "
            "quarter_start, month_end, source, roll)",
        ),
        (
            19,
            "state 'work' opens: unknown key 'days' (allowed: fy_date, quarter_end, "
            "quarter_start, month_end, source, roll)",
        ),
        (19, "state 'work' opens: give one of fy_date, quarter_end, quarter_start, month_end"),
        (20, "state 'done' is final: it cannot open later, wait or be once per area"),
    }


def test_automatic_transition_must_wait_on_a_real_state(tmp_path) -> None:
    data = copy_data(tmp_path)
    path = data / "tambon_plan.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("reached: classify_adopt", "reached: nowhere"), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_catalog([data])
    [problem] = info.value.problems
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "reached: classify_adopt" in t)
    assert (problem.file, problem.line) == (str(path), line)
    assert problem.message == (
        "transition 'inputs_collected' waits on state 'nowhere', which process "
        "'village_plan' does not have"
    )


def test_automatic_transition_needs_the_scheduler_role(tmp_path) -> None:
    data = copy_data(tmp_path)
    text = (data / "tambon_plan.yaml").read_text(encoding="utf-8")
    text = text.replace("cd_officer, admin, scheduler]", "cd_officer, admin]")
    (data / "tambon_plan.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError, match="automatic: its roles must include 'scheduler'"):
        load_catalog([data])


@pytest.mark.parametrize(
    ("rung", "message"),
    [
        ("{level: 1, kind: reminder, offset_days: 3, notify: [lead]}", "a reminder comes before"),
        ("{level: 1, kind: overdue, offset_days: 0, notify: [mayor]}", "unknown role 'mayor'"),
        ("{level: 0, kind: overdue, offset_days: 20, notify: [lead]}", "must rise in level"),
        ("{level: 1, kind: late, offset_days: 0, notify: [lead]}", "kind 'late' must be one of"),
    ],
)
def test_ladder_file_problems(tmp_path, rung: str, message: str) -> None:
    data = copy_data(tmp_path)
    ladders = textwrap.dedent(f"""\
        ladders:
          default:
            - {{level: 0, kind: reminder, offset_days: -7, notify: [lead]}}
            - {rung}
          moi:
            - {{level: 0, kind: reminder, offset_days: -7, notify: [lead]}}
        """)
    (data / "ladders.yaml").write_text(ladders, encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_catalog([data])
    [problem] = info.value.problems
    assert problem.file.endswith("ladders.yaml") and problem.line == 4
    assert message in problem.message
