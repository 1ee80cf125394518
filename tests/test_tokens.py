"""API tokens (kept only as hashes) and what each actor may see and do."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from sqlmodel import Session, select

from plancycle.store.db import make_engine
from plancycle.store.models import Actor, RefusedAttempt
from tests.test_cli import cli  # noqa: F401  (fixture)


@pytest.fixture
def office(cli, chachoengsao_db, tmp_path):  # noqa: F811
    """Province 24 started, with a district office, a provincial office and CDD."""
    shutil.copy(chachoengsao_db, tmp_path / "cli.db")
    assert cli("areas", "strong", "default", "--fy", "2568")[0] == 0
    assert cli("cycle", "start", "2568", "--province", "24", "--quiet")[0] == 0
    for actor, role, area in (
        ("cd-2401", "district_cd_office", "2401"),
        ("pcd-24", "provincial_cd_office", "24"),
        ("cdd", "cdd", None),
    ):
        args = ["actors", "add", actor, "--role", role] + (["--area", area] if area else [])
        assert cli(*args)[0] == 0
    return cli


def token_for(run, actor: str) -> str:
    code, out, _ = run("actors", "token", actor)
    assert code == 0
    return out.strip()


def stored_actor(tmp_path, actor_id: str) -> Actor:
    with Session(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) as session:
        return session.get(Actor, actor_id)


def test_a_token_is_shown_once_and_kept_only_as_its_hash(office, tmp_path) -> None:
    token = token_for(office, "cd-2401")
    assert token.startswith("pc_") and len(token) > 40
    actor = stored_actor(tmp_path, "cd-2401")
    assert actor.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (tmp_path / "cli.db").read_bytes().decode("latin-1")


def test_advance_with_a_token_acts_as_its_actor(office) -> None:
    token = token_for(office, "cd-2401")
    code, _, err = office("--token", token, "advance", "2568/activity2/240101", "meeting_set")
    assert code == 0, err
    _, out, _ = office("history", "2568/activity2/240101", "--json")
    assert json.loads(out)["records"][0]["actor"] == "cd-2401"


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (("--token", "pc_forged"), 4, "token is not valid"),
        (("--token", "TOKEN", "--actor", "cd-2401"), 2, "not both"),
        ((), 2, "who is acting?"),
    ],
)
def test_who_is_acting_must_be_clear(office, args, code, needle) -> None:
    real = token_for(office, "cd-2401")
    args = tuple(real if a == "TOKEN" else a for a in args)
    root = [a for a in args if a != "--actor" and a != "cd-2401"]
    tail = ["--actor", "cd-2401"] if "--actor" in args else []
    got, _, err = office(*root, "advance", "2568/activity2/240101", "meeting_set", *tail)
    assert got == code and needle in err
    _, out, _ = office("history", "2568/activity2/240101", "--json")
    assert json.loads(out)["records"] == []


def test_district_office_of_2401_cannot_advance_2402(office, tmp_path) -> None:
    token = token_for(office, "cd-2401")
    key = "2568/activity2/240201"
    code, _, err = office("--token", token, "advance", key, "meeting_set")
    assert code == 3 and "No instance by the key" in err  # scope first (#11.2)
    _, out, _ = office("history", key, "--json")
    assert json.loads(out)["records"] == []
    with Session(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) as session:
        refused = session.exec(select(RefusedAttempt)).all()
    assert [(r.actor_id, r.key, r.error) for r in refused] == [("cd-2401", key, "OutOfScope")]


def totals(run, *args: str) -> dict[str, int]:
    code, out, err = run(*args, "status", "--fy", "2568", "--json")
    assert code == 0, err
    return {p["process"]: p["total"] for p in json.loads(out)["processes"]}


def test_each_actor_sees_its_own_area(office) -> None:
    everything = totals(office)
    district = totals(office, "--token", token_for(office, "cd-2401"))
    province = totals(office, "--token", token_for(office, "pcd-24"))
    nation = totals(office, "--token", token_for(office, "cdd"))
    assert district["orders"] == 1 and district["activity2"] < everything["activity2"]
    assert province == everything == nation  # the store holds province 24 only
    token = token_for(office, "cd-2401")
    code, _, err = office("--token", token, "status", "--province", "25")
    assert code == 4 and "may not see area 25" in err
    code, _, err = office("--token", token, "show", "2568/orders/2402")
    assert code == 4
    code, out, _ = office(
        "--token", token, "instances", "list", "--process", "orders", "--fy", "2568", "--json"
    )
    assert [i["key"] for i in json.loads(out)["instances"]] == ["2568/orders/2401"]


def test_a_revoked_or_replaced_token_stops_working(office) -> None:
    old = token_for(office, "cd-2401")
    new = token_for(office, "cd-2401")
    assert office("--token", old, "status")[0] == 4
    assert office("--token", new, "status")[0] == 0
    assert office("actors", "revoke", "cd-2401")[0] == 0
    assert office("--token", new, "status")[0] == 4
