"""The shipped definitions: they load, match the seed letter and can be walked to the end."""

from __future__ import annotations

from collections import deque

import pytest
from transitions import Machine

from plancycle.definitions import Deadline, Definition, load_catalog
from plancycle.definitions.loader import DATA_DIR

PROCESSES = (
    "activity1",
    "activity2",
    "activity3",
    "district_plan",
    "orders",
    "tambon_plan",
    "village_plan",
)

DOMAIN_ROLES = {
    "village_committee": "village",
    "lao": "tambon",
    "kbt": "tambon",
    "socho_t": "tambon",
    "cd_officer": "tambon",
    "district_cd_office": "district",
    "district_chief": "district",
    "district_admin_office": "district",
    "kbo": "district",
    "socho_a": "district",
    "local_plan_committee": "district",
    "provincial_cd_office": "province",
    "governor": "province",
    "kbj": "province",
    "plan_screening_group": "province",
    "provincial_admin_office": "province",
    "cdd": "nation",
    "dopa": "nation",
    # other bodies the letter names (tests/test_definitions_letter.py)
    "tambon_plan_working_group": "tambon",
    "strong_tambon_committee": "tambon",
    "socho_promotion_group_district": "district",
    "socho_promotion_group_tambon": "tambon",
    "district_cd_head": "district",
    "community_networks": "tambon",
    "development_partners": "province",
    "scheduler": "nation",
    "admin": "nation",
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def fy(month_day: str) -> Deadline:
    month, day = (int(x) for x in month_day.split("-"))
    return Deadline(kind="fy_date", month=month, day=day)


def walk(defn: Definition) -> list[str] | None:
    """Triggers of a shortest path from the initial state to a final state (BFS)."""
    start = defn.initial_state.id
    queue = deque([(start, [])])
    seen = {start}
    while queue:
        state, path = queue.popleft()
        if defn.state(state).final:
            return path
        for t in defn.transitions_from(state):
            if t.dest not in seen:
                seen.add(t.dest)
                queue.append((t.dest, path + [t.trigger]))
    return None


def test_every_shipped_file_loads(catalog):
    assert {p.stem for p in DATA_DIR.glob("*.yaml")} == set(PROCESSES) | {"roles", "ladders"}
    assert tuple(d.id for d in catalog.latest()) == PROCESSES
    for defn in catalog.latest():
        assert defn.version == 1
        assert defn.path is not None and defn.path.name == f"{defn.id}.yaml"


def test_roles_are_the_domain_roles(catalog):
    assert {code: r.level for code, r in catalog.roles.items()} == DOMAIN_ROLES
    for role in catalog.roles.values():
        assert role.label.th.strip() and role.label.en.strip()
    assert "ก.บ.ต." in catalog.roles["kbt"].label.th


@pytest.mark.parametrize(
    ("process", "steps"),
    [
        ("village_plan", 6),
        ("tambon_plan", 2 + 6),
        ("district_plan", 2 + 5),
        ("orders", 2),
        ("activity1", 3),
        ("activity2", 5),
        ("activity3", 8),
    ],
)
def test_step_counts(catalog, process, steps):
    defn = catalog.get(process)
    assert len(defn.steps) == steps
    assert [defn.step_number(s.id) for s in defn.steps] == list(range(1, steps + 1))
    assert len(defn.final_states) == 1


@pytest.mark.parametrize("process", PROCESSES)
def test_each_process_is_walkable_to_the_end(catalog, process):
    defn = catalog.get(process)
    path = walk(defn)
    assert path, f"{process}: no path from the initial state to a final state"
    # Replay the path on a real transitions Machine, as the engine will.
    machine = Machine(
        model=None,
        states=[s.id for s in defn.states],
        transitions=[
            {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
            for t in defn.transitions
        ],
        initial=defn.initial_state.id,
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )

    class Token:
        state = defn.initial_state.id

    token = Token()
    for trigger in path:
        assert machine.events[trigger].trigger(token)
    assert defn.state(token.state).final
    # The processes are linear: the walk passes every step (and waiting state) once.
    waits = [s for s in defn.states if s.wait]
    assert len(path) == len(defn.steps) + len(waits)


@pytest.mark.parametrize("process", PROCESSES)
def test_labels_roles_and_tags(catalog, process):
    defn = catalog.get(process)
    assert defn.title.th and defn.title.en
    for state in defn.states:
        assert state.label.th.strip() and state.label.en.strip(), state.id
        assert state.source in ("seed", "inferred", "public")
    for t in defn.transitions:
        assert t.label.th.strip() and t.label.en.strip(), t.trigger
        assert "admin" in t.roles, t.trigger
        assert set(t.roles) <= set(catalog.roles)
        # only automatic transitions are the scheduler's, and they must be
        assert ("scheduler" in t.roles) == (t.auto is not None), t.trigger
        for f in t.data:
            assert f.label is not None and f.label.th and f.label.en
        for slot in t.evidence:
            assert slot.label.th and slot.label.en and slot.media_types


def test_source_tags_follow_domain(catalog):
    tags = {s.id: s.source for s in catalog.get("village_plan").steps}
    assert tags == {
        "forum_calendar": "seed",
        "forum": "inferred",
        "draft_plan": "seed",
        "classify_adopt": "inferred",
        "send_plan": "inferred",
        "evaluate": "seed",
    }
    tambon = catalog.get("tambon_plan")
    assert [s.source for s in tambon.steps] == ["seed"] * 2 + ["inferred"] * 6
    for process in ("orders", "district_plan", "activity1", "activity2", "activity3"):
        assert {s.source for s in catalog.get(process).steps} == {"seed"}, process
    # waiting on other processes is a reconstruction: the letter only implies it
    waits = [s for d in catalog.latest() for s in d.states if s.wait]
    assert {s.id for s in waits} == {"await_tambon_plans", "await_tambon_plan"}
    assert {s.source for s in waits} == {"inferred"}


def test_orders(catalog):
    defn = catalog.get("orders")
    assert (defn.scope, defn.targets, defn.lead_role) == ("district", "all", "district_cd_office")
    assert all(s.due == (fy("12-25"),) for s in defn.steps)
    send = defn.transition("sent_to_province", "send_copies")
    assert send is not None and send.dest == "done"
    assert [e.id for e in send.evidence] == [f"order_3_{i}" for i in range(1, 6)]
    assert all(e.required and e.media_types == ("application/pdf",) for e in send.evidence)
    assert "ก.บ.ต." in send.evidence[0].label.th


def test_village_plan(catalog):
    defn = catalog.get("village_plan")
    assert (defn.scope, defn.lead_role, defn.supervisor_role) == (
        "village",
        "village_committee",
        "district_chief",
    )
    assert defn.window.opens == Deadline(kind="quarter_start", quarter=2)
    assert defn.window.closes == Deadline(kind="month_end", month=2)
    for state in defn.steps[:5]:
        assert state.due == (Deadline(kind="month_end", month=2),), state.id
    first = defn.transitions_from("forum_calendar")[0]
    assert "district_chief" in first.roles


def test_tambon_plan(catalog):
    defn = catalog.get("tambon_plan")
    assert defn.scope == "tambon" and defn.lead_role == "kbt"
    assert [s.id for s in defn.steps[:2]] == ["draft_kbt_order", "sign_kbt_order"]
    assert defn.transitions_from("draft_kbt_order")[0].roles[0] == "district_cd_office"
    assert defn.transitions_from("sign_kbt_order")[0].roles == ("district_chief", "admin")
    for state in defn.steps[2:]:
        assert state.due == (fy("03-31"),)


def test_district_plan(catalog):
    defn = catalog.get("district_plan")
    assert defn.lead_role == "kbo" and defn.scope == "district"
    assert "district_chief" in defn.transitions_from("propose_kbo_order")[0].roles
    assert "governor" in defn.transitions_from("sign_kbo_order")[0].roles
    assert [s.due for s in defn.steps[2:5]] == [(fy("04-30"),)] * 3
    assert defn.state("district_plan").due == (Deadline(kind="month_end", month=6),)
    assert defn.state("review_evaluate").due == (Deadline(kind="quarter_end", quarter=4),)
    assert "provincial_admin_office" in defn.transitions_from("review_evaluate")[0].roles


def test_activity1(catalog):
    defn = catalog.get("activity1")
    assert (defn.scope, defn.targets, defn.lead_role) == ("province", "all", "provincial_cd_office")
    assert defn.kpi.target_percent == 100
    assert defn.budget.total == 2_956_600 and defn.budget.per_unit is None
    assert defn.budget.units == 76
    assert defn.budget.seed_words == "สองล้านเก้าแสนห้าหมื่นหกพันหกร้อยบาทถ้วน"
    assert defn.state("workshop").due == (Deadline(kind="quarter_end", quarter=1),)
    assert defn.state("lesson_learned").due == (fy("12-27"),)
    held = defn.transition("workshop_held", "workshop")
    assert [(g.name, dict(g.params)) for g in held.guards] == [
        ("participants_per_district", {"socho_t_chair": 1, "socho_a_member": 3, "cd_officer": 1})
    ]
    assert [(f.name, f.type, f.required) for f in held.data] == [
        ("attendance", "district_attendance", True)
    ]
    assert (defn.kpi.measure, defn.kpi.step, defn.kpi.field) == (
        "districts_complete",
        "workshop_held",
        "attendance",
    )
    assert defn.steps[-1].id == "bpm_record"


def test_activity2(catalog):
    defn = catalog.get("activity2")
    assert (defn.scope, defn.targets, defn.lead_role, defn.supervisor_role) == (
        "tambon",
        "activity2",
        "district_cd_office",
        "district_chief",
    )
    assert (
        defn.budget.per_unit,
        defn.budget.units,
        defn.budget.total,
        defn.budget.seed_digits,
    ) == (3900, 7036, 27_440_400, 27_450_500)
    assert defn.allocation == 3900
    assert (defn.participants.per_unit_min, defn.participants.total) == (20, 140_720)
    assert defn.kpi.target_percent == 85
    assert defn.window.opens == Deadline(kind="quarter_start", quarter=2)
    assert defn.window.closes == Deadline(kind="quarter_end", quarter=2)
    assert [s.id for s in defn.steps] == [
        "coordinate",
        "workshop",
        "evaluate",
        "bpm_record",
        "report",
    ]
    held = defn.transition("workshop_held", "workshop")
    assert [(g.name, dict(g.params)) for g in held.guards] == [("min_participants", {"min": 20})]
    assert [(f.name, f.type, f.required) for f in held.data] == [
        ("workshop_date", "date", True),
        ("participants", "int", True),
    ]
    assert [e.id for e in held.evidence if e.required] == ["attendance"]
    # expected but not insisted on: the letter asks for no attendance upload (#13 item 8)
    assert [e.id for e in held.evidence if e.insisted] == []
    # 7 days after the workshop day entered, on its own date (not capped by 31 March)
    assert defn.state("bpm_record").due == (
        Deadline(kind="after", after="workshop", days=7, date_field="workshop_date"),
    )
    report = defn.transition("report_submitted", "report")
    assert [g.name for g in report.guards] == ["within_allocation"]
    # the day the report was sent, if entered, is the sheet's date (else the record's)
    assert [(f.name, f.type, f.required) for f in report.data] == [
        ("report_date", "date", False),
        ("spent", "int", True),
    ]
    assert defn.state("report").due == (fy("03-31"),)


def test_activity3(catalog):
    defn = catalog.get("activity3")
    assert (defn.scope, defn.targets) == ("tambon", "strong_tambon")
    assert (defn.budget.per_unit, defn.budget.units, defn.budget.total) == (10_000, 878, 8_780_000)
    assert defn.budget.seed_words == "แปดล้านเจ็ดแสนแปดหมื่นบาทถ้วน"
    assert defn.kpi.target_percent == 100
    guarded = {t.trigger: [g.name for g in t.guards] for t in defn.transitions if t.guards}
    assert guarded == {
        "project_written": ["allowed_budget_lines", "within_allocation"],
        "bpm_recorded": ["within_allocation"],
    }
    written = next(t for t in defn.transitions if t.trigger == "project_written")
    assert {(f.name, f.type, f.required) for f in written.data} == {
        ("budget_lines", "budget_lines", True),
        ("project_description", "str", True),
    }
    run = next(t for t in defn.transitions if t.trigger == "project_run")
    assert [(f.name, f.type, f.required) for f in run.data] == [
        ("project_date", "date", False),
        ("participants", "int", True),
        ("participation", "str", True),
    ]
    assert (defn.kpi.measure, defn.kpi.process, defn.kpi.field) == (
        "evaluated_usable",
        "activity2",
        "plan_usable",
    )
    assert defn.state("report").due == (fy("07-31"),)
    assert all(s.due == (Deadline(kind="month_end", month=6),) for s in defn.steps[:5])
    assert defn.transitions_from("follow_up")[0].roles == ("provincial_cd_office", "admin")


def test_deadlines_resolve_in_any_fiscal_year(catalog):
    """Relative specs give FY2568 and FY2569 dates without editing the definitions."""
    deadlines = pytest.importorskip("plancycle.workflow.deadlines")
    from datetime import UTC, date, datetime

    defn = catalog.get("activity2")
    bpm = defn.state("bpm_record").due
    report = defn.state("report").due
    assert deadlines.deadline_day(report[0], 2568, {}).isoformat() == "2025-03-31"
    assert deadlines.deadline_day(report[0], 2569, {}).isoformat() == "2026-03-31"
    left = {"workshop": datetime(2025, 2, 10, 3, 0, tzinfo=UTC)}
    assert deadlines.deadline_day(bpm[0], 2568, left).isoformat() == "2025-02-17"
    entered = {"workshop_date": date(2025, 2, 3)}  # the day entered wins over the day left
    assert deadlines.deadline_day(bpm[0], 2568, left, entered).isoformat() == "2025-02-10"
    orders = catalog.get("orders").state("review").due[0]
    assert deadlines.deadline_day(orders, 2568, {}).isoformat() == "2024-12-25"
