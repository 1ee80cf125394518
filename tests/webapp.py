"""The web app on a populated store, for the API and page tests: a TestClient, the
world's manual clock, and a token for each actor the tests act as."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from plancycle.store.tokens import issue_token
from plancycle.web import WebSettings, create_app
from tests.world import World, populate

# actors of tests/world.py: role-a works in district 2401 / province 24 / nation
DISTRICT = "district_cd_office-a"
OTHER_DISTRICT = "cd-2402"
CHIEF = "district_chief-a"
PROVINCE = "provincial_cd_office-a"
NATION = "cdd-a"


@dataclass
class Web:
    world: World
    client: TestClient
    tokens: dict[str, str]

    def auth(self, actor: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[actor]}"}

    def login_form(self, **fields: str):  # noqa: ANN201 - the httpx response
        """Post the login form as a browser does: with the CSRF token of the login page."""
        page = self.client.get("/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        return self.client.post(
            "/login", data={"csrf": csrf, "next": "/", **fields}, follow_redirects=False
        )

    def login(self, actor: str) -> None:
        answer = self.login_form(token=self.tokens[actor])
        assert answer.status_code == 303, answer.text


def make_web(
    db: sa.Engine, tmp_path: Path, busy_timeout_s: float = 5.0, **overrides: object
) -> Web:
    """``overrides``: WebSettings fields (the request limits, the sign-in throttle)."""
    world = populate(db, tmp_path)
    with Session(db) as session, session.begin():
        tokens = {
            a: issue_token(session, a) for a in (DISTRICT, OTHER_DISTRICT, CHIEF, PROVINCE, NATION)
        }
    settings = WebSettings(
        db,
        world.catalog,
        world.clock,
        tmp_path / "web-evidence",
        secret_key="test-secret-key",
        busy_timeout_s=busy_timeout_s,
        **overrides,
    )
    return Web(world, TestClient(create_app(settings)), tokens)
