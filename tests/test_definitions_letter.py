"""The letter in the definitions, as #13 item 8 and 10 ask: its own contradictions are
reported, every deadline says where it comes from, a derived rule may warn instead of
refuse, the definitions cite their regulations, and every role the letter names either
does a step or is declared informed only."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plancycle.cli.app import app
from plancycle.definitions.errors import DefinitionError
from plancycle.definitions.findings import deadline_findings, role_findings
from plancycle.definitions.loader import DATA_DIR, load_catalog
from plancycle.definitions.model import GuardSeverity
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import MissingEvidence
from plancycle.workflow.views import instance_view
from plancycle.workflow.walk import walk
from tests.world import World, bkk, populate

CATALOG = load_catalog()

# Every body the letter (../shared/seed/) names, by the words it uses.
LETTER_ROLES = {
    "คณะกรรมการหมู่บ้าน": "village_committee",
    "องค์กรปกครองส่วนท้องถิ่น": "lao",
    "คณะกรรมการบริหารงานตำบลแบบบูรณาการ": "kbt",
    "คณะกรรมการศูนย์ประสานงานองค์การชุมชนระดับตำบล": "socho_t",
    "เจ้าหน้าที่พัฒนาชุมชน": "cd_officer",
    "สำนักงานพัฒนาชุมชนอำเภอ": "district_cd_office",
    "นายอำเภอ": "district_chief",
    "ที่ทำการปกครองอำเภอ": "district_admin_office",
    "คณะกรรมการบริหารงานอำเภอแบบบูรณาการ": "kbo",
    "คณะกรรมการศูนย์ประสานงานองค์การชุมชนระดับอำเภอ": "socho_a",
    "คณะกรรมการประสานแผนพัฒนาท้องถิ่นระดับอำเภอ": "local_plan_committee",
    "สำนักงานพัฒนาชุมชนจังหวัด": "provincial_cd_office",
    "ผู้ว่าราชการจังหวัด": "governor",
    "คณะกรรมการบริหารงานจังหวัดแบบบูรณาการ": "kbj",
    "คณะทำงานกลั่นกรองแผน": "plan_screening_group",
    "ที่ทำการปกครองจังหวัด": "provincial_admin_office",
    "กรมการพัฒนาชุมชน": "cdd",
    "กรมการปกครอง": "dopa",
    "คณะทำงานขับเคลื่อนกิจกรรมตามแผนพัฒนาตำบล": "tambon_plan_working_group",
    "คณะขับเคลื่อนตำบลเข้มแข็งตามหลักปรัชญาของเศรษฐกิจพอเพียง": "strong_tambon_committee",
    "คณะทำงานส่งเสริมศูนย์ประสานงานองค์การชุมชนระดับอำเภอ": "socho_promotion_group_district",
    "คณะทำงานส่งเสริมศูนย์ประสานงานองค์การชุมชนระดับตำบล": "socho_promotion_group_tambon",
    "พัฒนาการอำเภอ": "district_cd_head",
    "ผู้นำ กลุ่ม องค์กร": "community_networks",
    "ภาคีเพื่อการพัฒนา": "development_partners",
}


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    flat = " ".join(result.stdout.split())  # tables fold long lines at the terminal's width
    return result.exit_code, flat, result.stderr


def test_check_reports_activity1_lesson_due_before_its_workshop_may_end() -> None:
    code, out, err = _cli("--lang", "en", "definitions", "check")
    assert code == 0 and "7 processes" in out
    [line] = [x for x in err.splitlines() if x.startswith("finding: activity1")]
    assert "due 27 Dec 2567 (seed)" in line and "end of Q1, 31 Dec 2567 (seed)" in line
    assert "contradicts itself" in line
    assert "27,450,500" in err  # beside the Activity 2 budget finding
    code, _, err = _cli("--lang", "th", "definitions", "check")
    assert code == 0 and "27 ธ.ค. 2567 (หนังสือจังหวัด)" in err and "31 ธ.ค. 2567" in err


def test_deadline_findings_name_only_real_contradictions() -> None:
    found = {d.id: deadline_findings(d) for d in CATALOG.latest()}
    assert {k for k, v in found.items() if v} == {"activity1"}
    # The same check finds it in any fiscal year: FY2569's lesson is due 27 Dec 2568.
    [line] = deadline_findings(CATALOG.get("activity1"), "en", 2569)
    assert "27 Dec 2568" in line and "31 Dec 2568" in line


def test_every_deadline_of_every_definition_has_a_source_tag() -> None:
    untagged = [
        f"{d.id} v{d.version} {s.id}: {spec.describe()}"
        for d in CATALOG.definitions
        for s in d.states
        for spec in (*s.due, *([s.opens] if s.opens else []))
        if spec.source not in ("seed", "inferred", "public")
    ]
    assert untagged == []
    a2 = CATALOG.get("activity2")
    # the BPM step: "7 days after the workshop" is the letter's (not bound by 31 Mar)
    assert [(x.kind, x.source) for x in a2.state("bpm_record").due] == [
        ("after", "seed"),
    ]


def test_show_tells_each_deadline_with_its_source_and_each_rule() -> None:
    code, out, _ = _cli("--lang", "en", "definitions", "show", "activity2")
    assert code == 0
    assert "31 Mar (inferred)" in out and "31 Mar (seed)" in out
    assert "spending within the allocation (inferred; recorded and reported, not refused)" in out
    assert "at least 20 participants (seed; refused when not met)" in out
    code, out, _ = _cli("--lang", "th", "definitions", "show", "activity1")
    assert code == 0 and "27 ธ.ค. (หนังสือจังหวัด)" in out and "สิ้นไตรมาส 1 (อนุมาน)" in out


def test_definitions_cite_their_regulations() -> None:
    for d in CATALOG.latest():
        assert d.basis, d.id
    a1 = " ".join(b.th for b in CATALOG.get("activity1").basis)
    assert "ศูนย์ประสานงานองค์การชุมชน พ.ศ. ๒๕๕๑" in a1
    for pid in ("village_plan", "tambon_plan", "district_plan", "activity2", "activity3"):
        text = " ".join(b.th for b in CATALOG.get(pid).basis)
        assert "ในระดับอำเภอและตำบล พ.ศ. ๒๕๖๒" in text and "๒๕๖๗" in text, pid
    code, out, _ = _cli("--lang", "en", "definitions", "show", "activity1")
    assert code == 0 and "basis: MOI regulation on community-organisation" in out


# Facts the letter states only in words, carried by a step's label or a KPI's text
# or a role's name (docs/domain-coverage.md rows 20, 67, 77, 80, 89, 100, 101, 111, 120):
# (process or "roles", state, "kpi" or role code, the letter's words that must be there).
LETTER_WORDS = [
    ("roles", "governor", ["ผู้ว่าราชการจังหวัด", "ปฏิบัติราชการแทน"]),
    ("activity1", "workshop", ["บทบาท", "แลกเปลี่ยนประสบการณ์", "แผนปฏิบัติการ", "ติดตามประเมินผล"]),
    ("activity1", "workshop", ["กรอบการขับเคลื่อนตำบลเข้มแข็ง", "๑ วัน"]),
    ("activity1", "lesson_learned", ["จังหวัดละ ๑", "subdistrictplan@gmail.com"]),
    ("activity1", "kpi", ["ร้อยละ ๑๐๐", "ศอช.อ. ได้รับการพัฒนา"]),
    ("activity2", "workshop", ["จัดทำ/ทบทวนแผนพัฒนาตำบล", "รูปเล่ม", "ก.บ.ต. ก.บ.อ. อปท."]),
    ("activity2", "kpi", ["ร้อยละ ๘๕", "บริหารจัดการชุมชน"]),
    ("activity3", "select_activities", ["แก้จน", "พัฒนาคนทุกช่วงวัย"]),
    ("district_plan", "district_plan", ["คณะทำงานกลั่นกรองแผน", "ประกาศใช้", "อปท."]),
]


@pytest.mark.parametrize(("process", "where", "words"), LETTER_WORDS)
def test_the_letters_words_are_in_the_labels(process: str, where: str, words: list[str]) -> None:
    if process == "roles":
        text = CATALOG.roles[where].label.th
    elif where == "kpi":
        kpi = CATALOG.get(process).kpi
        assert kpi is not None
        text = kpi.label.th
    else:
        text = CATALOG.get(process).state(where).label.th
    for word in words:
        assert word in text, (process, where, word)


def test_each_plan_names_the_lead_and_the_supervisor_the_letter_names() -> None:
    # attachment 1: who leads each plan and that the district chief supervises it; cover
    # letter items 3 and 5: the district CD office does the orders and Activities 2-3
    # under the district chief
    named = {
        "village_plan": ("village_committee", "district_chief"),
        "tambon_plan": ("kbt", "district_chief"),
        "district_plan": ("kbo", "district_chief"),
        "orders": ("district_cd_office", "district_chief"),
        "activity2": ("district_cd_office", "district_chief"),
        "activity3": ("district_cd_office", "district_chief"),
    }
    got = {p: (CATALOG.get(p).lead_role, CATALOG.get(p).supervisor_role) for p in named}
    assert got == named


def test_derived_caps_warn_and_letter_rules_refuse() -> None:
    guards = [(d.id, g) for d in CATALOG.latest() for t in d.transitions for g in t.guards]
    caps = [(pid, g.source, g.severity) for pid, g in guards if g.name == "within_allocation"]
    assert sorted(caps) == [
        ("activity2", "inferred", GuardSeverity.WARN),
        ("activity3", "inferred", GuardSeverity.WARN),  # the planned budget lines
        ("activity3", "inferred", GuardSeverity.WARN),  # the amount spent
    ]
    [(_, minimum)] = [(p, g) for p, g in guards if g.name == "min_participants"]
    assert (minimum.source, minimum.severity) == ("seed", GuardSeverity.REFUSE)


def _with_guard(tmp_path: Path, guard: str) -> Path:
    text = (DATA_DIR / "activity2.yaml").read_text(encoding="utf-8")
    text = text.replace("- {name: min_participants, min: 20}", guard)
    path = tmp_path / "activity2.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_only_a_derived_rule_may_warn(tmp_path: Path) -> None:
    path = _with_guard(tmp_path, "- {name: min_participants, min: 20, severity: warn}")
    with pytest.raises(DefinitionError, match="only a rule derived from the letter"):
        load_catalog([path, *_others()])
    path = _with_guard(tmp_path, "- {name: min_participants, min: 20, severity: maybe}")
    with pytest.raises(DefinitionError, match="severity 'maybe' must be one of: refuse, warn"):
        load_catalog([path, *_others()])
    path = _with_guard(
        tmp_path, "- {name: min_participants, min: 20, severity: warn, source: inferred}"
    )
    catalog = load_catalog([path, *_others()])
    step = catalog.get("activity2").transition("workshop_held", "workshop")
    assert step is not None and step.guards[0].severity == GuardSeverity.WARN


def _others() -> list[Path]:
    return [p for p in DATA_DIR.glob("*.yaml") if p.name != "activity2.yaml"]


def test_every_role_the_letter_names_acts_or_is_informed_only() -> None:
    seed = Path(__file__).resolve().parents[3] / "shared" / "seed"
    letter = "".join(p.read_text(encoding="utf-8") for p in seed.glob("*.txt"))
    acting = {code for d in CATALOG.latest() for t in d.transitions for code in t.roles}
    for words, code in LETTER_ROLES.items():
        if letter:  # the words are the letter's own
            assert words in letter, words
        role = CATALOG.roles[code]
        assert words.split(" ")[0] in role.label.th, code
        assert (code in acting) != role.informed_only, code  # one or the other, never both
        if role.informed_only:
            assert role.note is not None and role.note.th and role.note.en
    assert role_findings(CATALOG) == []
    # Activity 3's working groups do its steps with the district CD office and the ศอช.ต.
    a3 = CATALOG.get("activity3")
    chosen = a3.transition("activities_selected", "select_activities")
    assert chosen is not None
    assert {"strong_tambon_committee", "tambon_plan_working_group"} <= set(chosen.roles)


def test_a_step_may_not_name_an_informed_only_role(tmp_path: Path) -> None:
    roles = (DATA_DIR / "roles.yaml").read_text(encoding="utf-8")
    path = tmp_path / "roles.yaml"
    path.write_text(roles, encoding="utf-8")
    a3 = (DATA_DIR / "activity3.yaml").read_text(encoding="utf-8")
    a3 = a3.replace(
        "roles: [provincial_cd_office, admin]", "roles: [provincial_cd_office, cdd, admin]"
    )
    (tmp_path / "activity3.yaml").write_text(a3, encoding="utf-8")
    others = [p for p in DATA_DIR.glob("*.yaml") if p.name not in ("activity3.yaml", "roles.yaml")]
    with pytest.raises(DefinitionError, match="names role 'cdd', which roles.yaml declares"):
        load_catalog([path, tmp_path / "activity3.yaml", *others])
    # a role that neither acts nor is informed only is a finding of `definitions check`
    path.write_text(
        roles
        + textwrap.indent("- code: nobody\n  th: ไม่มีใคร\n  en: Nobody\n  level: district\n", "  "),
        encoding="utf-8",
    )
    catalog = load_catalog([path, *DATA_DIR.glob("[!r]*.yaml")])
    assert [f for f in role_findings(catalog) if "[nobody]" in f]


@pytest.fixture
def world(engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def test_instance_view_tells_where_each_deadline_comes_from(world: World) -> None:
    key = "2568/activity2/240101"
    world.clock.set(bkk(2025, 1, 10, 9))
    walk(world.engine, key, world.actors, world.pdf, max_steps=2)  # to evaluate
    view = instance_view(world.db, world.catalog, key, world.clock.now())
    steps = {s.id: s.as_dict() for s in view.steps}
    assert steps["evaluate"]["due_source"] == "inferred"  # the current step: 31 Mar
    assert steps["report"]["due_source"] == "seed"  # report no. 1, 31 Mar
    # the BPM step: 7 days after the workshop (seed) comes before the 31 Mar bound
    assert steps["bpm_record"]["due_source"] == "seed"
    assert steps["done"]["due_source"] is None


def test_the_instance_page_tells_deadline_sources_and_recorded_findings(engine, tmp_path) -> None:
    from tests.webapp import DISTRICT, make_web

    web = make_web(engine, tmp_path)
    key = "2568/activity2/240101"
    web.world.clock.set(bkk(2025, 1, 10, 9))
    walk(web.world.engine, key, web.world.actors, web.world.pdf, max_steps=4)  # to the report
    web.login(DISTRICT)
    page = web.client.get(f"/instances/{key}").text
    start = page.index('id="timeline"')
    timeline = page[start : page.index("</ol>", start)]
    assert timeline.count("(อนุมาน)") == 2 and timeline.count("(หนังสือจังหวัด)") == 3
    assert "seed" not in timeline and "inferred" not in timeline  # labels, not codes
    result = web.world.engine.advance(
        key, "report_submitted", web.world.actors["district_cd_office"], data={"spent": 4500}
    )
    assert result.completed and result.warnings  # done, with the finding
    page = web.client.get(f"/instances/{key}").text
    assert "ข้อสังเกต (บันทึกไว้ ไม่ปฏิเสธ)" in page
    assert "ยอดเบิกจ่าย 4,500 บาท เกินงบที่ได้รับจัดสรร 3,900 บาท" in page
    web.client.get("/lang/en")
    english = web.client.get(f"/instances/{key}").text
    assert "(inferred)" in english and "4,500 baht is more than the allocation of 3,900" in english


def test_an_expected_file_declared_warn_is_recorded_when_missing(engine, tmp_path) -> None:
    world = populate(engine, tmp_path)
    text = (DATA_DIR / "activity2.yaml").read_text(encoding="utf-8")
    path = tmp_path / "activity2.yaml"  # a province that insists declares the upload refuse
    declared = text.replace("source: inferred\n        severity: warn", "severity: refuse")
    assert declared != text
    path.write_text(declared, encoding="utf-8")
    catalog = load_catalog([path, *_others()])
    refusing = Engine(catalog, world.db, world.clock, evidence_folder=tmp_path / "evidence")
    key = "2568/activity2/240101"
    world.clock.set(bkk(2025, 1, 10, 9))
    walk(world.engine, key, world.actors, world.pdf, max_steps=1)  # to the workshop
    held = {"participants": 25, "workshop_date": "2025-01-10"}
    actor = world.actors["district_cd_office"]
    with pytest.raises(MissingEvidence):  # declared refuse, the attendance list is insisted on
        refusing.advance(key, "workshop_held", actor, data=held)
    assert instance_view(world.db, CATALOG, key, world.clock.now()).inst.state == "workshop"
    result = world.engine.advance(key, "workshop_held", actor, data=held)  # as shipped: warn
    assert result.to_state == "evaluate"
    [warning] = result.warnings
    assert warning.guard == "evidence:attendance" and "Attendance list" in warning.en
    view = instance_view(world.db, CATALOG, key, world.clock.now())
    assert view.records[-1].data["_warnings"][0]["guard"] == "evidence:attendance"
    slot = CATALOG.get("activity2").transitions_from("workshop")[0].evidence[0]
    assert (slot.id, slot.source, slot.insisted) == ("attendance", "inferred", False)


def test_only_an_inferred_file_may_warn(tmp_path: Path) -> None:
    text = (DATA_DIR / "activity2.yaml").read_text(encoding="utf-8")
    path = tmp_path / "activity2.yaml"
    path.write_text(text.replace("source: inferred\n        severity: warn", "severity: warn"))
    with pytest.raises(DefinitionError, match="only a file the letter does not ask for"):
        load_catalog([path, *_others()])
