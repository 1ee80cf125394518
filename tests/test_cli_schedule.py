"""`plancycle sweep`, `dispatch`, `contacts`, `outbox` and the scheduler's two jobs."""

from __future__ import annotations

import json
import shutil

import pytest
from loguru import logger

from plancycle.definitions.loader import load_catalog
from plancycle.notifier.channels import MemoryChannel
from plancycle.store.db import make_engine
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.engine import Engine
from plancycle.workflow.scheduler import SchedulerSettings, build_scheduler, dispatch_job, sweep_job
from tests.test_cli import cli  # noqa: F401  (fixture)
from tests.world import bkk


@pytest.fixture
def started(cli, chachoengsao_db, tmp_path):  # noqa: F811
    shutil.copy(chachoengsao_db, tmp_path / "cli.db")
    assert cli("areas", "strong", "default", "--province", "24", "--fy", "2568")[0] == 0
    assert cli("cycle", "start", "2568", "--province", "24", "--quiet")[0] == 0
    return cli


def outbox_totals(run) -> dict:
    code, out, _ = run("outbox", "list", "--json")
    assert code == 0
    return json.loads(out)["totals"]


def test_dry_run_sweep_says_what_it_would_do_and_writes_nothing(started) -> None:
    code, out, _ = started("sweep", "--as-of", "2025-04-01", "--dry-run", "--json")
    report = json.loads(out)
    assert code == 0 and report["dry_run"] is True
    assert report["escalations"]["overdue"] > 0
    assert any(
        a["key"] == "2568/activity2/240101" and a["kind"] == "overdue" for a in report["actions"]
    )
    assert outbox_totals(started) == {}


def test_sweep_with_a_thai_date_then_again_sends_nothing_new(started) -> None:
    code, out, _ = started("sweep", "--as-of", "๑ เม.ย. ๖๘", "--json")
    first = json.loads(out)
    assert code == 0 and first["messages"] > 0
    code, out, _ = started("sweep", "--as-of", "๑ เม.ย. ๖๘", "--json")
    again = json.loads(out)
    assert again["escalations"] == {} and again["messages"] == 0
    # offices' notices wait for their digest; CDD's (a working day) went into one bundle
    totals = outbox_totals(started)
    assert set(totals) == {"pending", "held", "digested"} and first["bundles"] == 1
    assert sum(totals.values()) == first["messages"] + first["bundles"]


def test_sweep_refuses_a_date_it_cannot_read(started) -> None:
    code, _, err = started("sweep", "--as-of", "31 Smarch 2025")
    assert code == 2 and "Accepted forms" in err


def test_contacts_then_dispatch_delivers_to_the_log(started, tmp_path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "area_code,role,channel,address,name,delivery\n"
        "2401,district_cd_office,log,cd-2401,สนง.พช.อำเภอเมือง,immediate\n",
        encoding="utf-8",
    )
    code, out, err = started("contacts", "import", str(contacts))
    assert code == 0, err
    assert started("sweep", "--as-of", "2025-04-01")[0] == 0
    code, out, _ = started("dispatch", "--json")
    sent = json.loads(out)
    assert code == 0 and sent["delivered"] > 0 and sent["dead"] == 0
    # the rest waits for a working morning's digest (the wall clock decides whether this
    # run was one); nothing due is left pending, nothing died
    totals = outbox_totals(started)
    assert totals["delivered"] == sent["delivered"]
    assert set(totals) <= {"delivered", "held", "digested"}
    code, out, _ = started("outbox", "list", "--json", "--limit", "10000")
    addresses = {m["address"] for m in json.loads(out)["messages"]}
    assert "cd-2401" in addresses  # the contact, not the role@area fallback


def test_bad_contacts_file_changes_nothing(started, tmp_path) -> None:
    bad = tmp_path / "contacts.csv"
    bad.write_text("area_code,role,channel,address\n2401,wizard,email,not-an-address\n")
    code, _, err = started("contacts", "import", str(bad))
    assert code == 2 and "line 2" in err and "wizard" in err


def test_outbox_status_filter_is_checked(started) -> None:
    code, _, err = started("outbox", "list", "--status", "lost")
    assert code == 2 and "pending, delivered, dead, held, digested" in err


def test_scheduler_has_two_coalescing_jobs(sqlite_engine) -> None:
    engine = Engine(load_catalog(), sqlite_engine, ManualClock(bkk(2025, 4, 1, 9)))
    scheduler = build_scheduler(engine, {"log": MemoryChannel("log")}, SchedulerSettings(15, 60))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"sweep", "dispatch"}
    assert jobs["sweep"].trigger.interval.total_seconds() == 900
    assert jobs["dispatch"].trigger.interval.total_seconds() == 60
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
    assert jobs["sweep"].misfire_grace_time == 900
    with pytest.raises(ValueError, match="must be positive"):
        SchedulerSettings(0, 60)


def test_jobs_do_their_work_and_survive_failures(sqlite_engine, tmp_path) -> None:
    from tests.world import populate

    world = populate(sqlite_engine, tmp_path)
    engine = Engine(world.catalog, world.db, ManualClock(bkk(2025, 4, 1, 9)))
    channel = MemoryChannel("log")
    sweep_job(engine)
    dispatch_job(engine, {"log": channel}, "test-worker", 30)
    assert len(channel.sent) > 0
    broken = Engine(
        world.catalog, make_engine(f"sqlite:///{tmp_path / 'nothing.db'}"), engine.clock
    )
    lines: list[str] = []
    sink = logger.add(lines.append, level="ERROR")
    try:
        sweep_job(broken)  # no tables there: logged, not raised
    finally:
        logger.remove(sink)
    assert any("sweep failed" in line for line in lines)


def test_sweep_as_of_records_its_automatic_steps_at_that_instant(cli, chachoengsao_db, tmp_path):  # noqa: F811
    from sqlmodel import Session, select

    from plancycle.store.models import Escalation
    from plancycle.store.targets import strong_tambons
    from plancycle.workflow.cycle import instance_key
    from plancycle.workflow.reports import get_instance, history
    from plancycle.workflow.walk import walk
    from tests.world import populate

    shutil.copy(chachoengsao_db, tmp_path / "cli.db")
    db = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    world = populate(db, tmp_path, areas=False)
    with Session(db) as session:
        strong = next(c for c in strong_tambons(session, 2568, "24") if c.startswith("2401"))
    a3 = instance_key(2568, "activity3", strong)
    world.clock.set(bkk(2025, 2, 10, 9))
    walk(world.engine, instance_key(2568, "tambon_plan", strong), world.actors, world.pdf)
    assert get_instance(db, a3).state == "await_tambon_plan"
    code, out, err = cli("sweep", "--as-of", "2025-03-02", "--json")
    assert code == 0, err
    assert json.loads(out)["advanced"] >= 1
    inst, records = history(db, a3)
    as_of = bkk(2025, 3, 2, 0, 0)
    assert inst.state == "kickoff" and records[-1].automatic
    assert records[-1].at == as_of and inst.updated_at == as_of
    with Session(db) as session:
        assert set(session.exec(select(Escalation.at)).all()) == {as_of}
    db.dispose()
