"""The CLI's --token is honoured by every command that changes actors, tokens or areas
(issue #11, item 10): only an actor of role admin, inside its own area, may make them;
without a token the CLI is the store's local administrator."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from plancycle.store.db import make_engine
from plancycle.store.models import Actor
from tests.test_cli import cli  # noqa: F401  (fixture)
from tests.test_tokens import office, token_for  # noqa: F401  (fixture)


def actor_ids(tmp_path) -> set[str]:
    with Session(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) as session:
        return set(session.exec(select(Actor.id)).all())


@pytest.fixture
def admins(office):  # noqa: F811
    """A district admin of 2401 and its token, and a district office's token."""
    assert office("actors", "add", "admin-2401", "--role", "admin", "--area", "2401")[0] == 0
    return office, token_for(office, "admin-2401"), token_for(office, "cd-2401")


@pytest.mark.parametrize(
    "args",
    [
        ("actors", "add", "cdd-2", "--role", "cdd"),  # a nation-wide (CDD) actor
        ("actors", "add", "cd-2402b", "--role", "district_cd_office", "--area", "2402"),
        ("actors", "token", "pcd-24"),  # an actor of the province, above the district
        ("actors", "revoke", "pcd-24"),
        ("areas", "strong", "set", "240201", "--fy", "2568"),
        ("areas", "sample-villages", "--province", "24"),
        ("areas", "strong", "default", "--fy", "2568"),
    ],
)
def test_a_district_admin_manages_only_its_district(admins, tmp_path, args) -> None:
    run, admin, _ = admins
    before = actor_ids(tmp_path)
    code, out, err = run("--token", admin, *args)
    assert code == 4, out + err
    assert "may not manage" in err and "ไม่มีสิทธิ์จัดการ" in err
    assert "pc_" not in out  # no token was shown
    assert actor_ids(tmp_path) == before


def test_a_district_admin_manages_its_own_district(admins, tmp_path) -> None:
    run, admin, _ = admins
    code, _, err = run(
        "--token", admin, "actors", "add", "cd-2401b", "--role", "district_cd_office",
        "--area", "240101",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run("--token", admin, "actors", "token", "cd-2401b")
    assert code == 0 and out.strip().startswith("pc_"), err
    assert run("--token", admin, "areas", "strong", "set", "240102", "--fy", "2568")[0] == 0


def test_a_token_without_the_admin_role_manages_nothing(admins, tmp_path) -> None:
    run, _, office_token = admins
    for args in (
        ("actors", "add", "x-2401", "--role", "district_cd_office", "--area", "2401"),
        ("actors", "token", "cd-2401"),
        ("areas", "strong", "set", "240101", "--fy", "2568"),
    ):
        code, _, err = run("--token", office_token, *args)
        assert code == 4 and "only role 'admin'" in err, args
    assert "x-2401" not in actor_ids(tmp_path)
