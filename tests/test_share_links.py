"""Read-only share links: a province office makes one (API, page, CLI); anyone holding it
sees the area's pages without a login and without a form; every use is counted and
logged; revoked, expired and altered links are a 404 page in Thai and English; a
district office may not share, nor a province another province's areas."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session, select

from plancycle.store.actors import add_actor
from plancycle.store.geothai_import import import_geothai
from plancycle.store.models import ShareLink
from plancycle.store.tokens import issue_token
from plancycle.workflow.share_links import UnknownShare, create_share, open_share
from tests.test_cli import cli, ready  # noqa: F401 - the fixtures
from tests.webapp import DISTRICT, PROVINCE, Web, make_web
from tests.world import CATALOG


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(engine, tmp_path)


def _make(web: Web, area: str = "24", days: int = 30, actor: str = PROVINCE):  # noqa: ANN202
    return web.client.post(
        "/api/v1/shares/create",
        headers=web.auth(actor),
        json={"area": area, "fy": 2568, "days": days},
    )


def test_a_link_shows_the_area_without_login_and_without_a_form(web: Web) -> None:
    made = _make(web)
    assert made.status_code == 200, made.text
    path = made.json()["path"]
    assert re.fullmatch(r"/s/pcs_[A-Za-z0-9_-]{43}", path)
    seen: list[str] = []
    sink = logger.add(lambda m: seen.append(str(m)), level="INFO")
    try:
        page = web.client.get(path)
        district = web.client.get(path + "/areas/2401")
    finally:
        logger.remove(sink)
    assert page.status_code == 200 and district.status_code == 200
    for html in (page.text, district.text):
        assert "<form" not in html and "<button" not in html
        assert 'role="img"' in html  # the charts
        # no link into the signed-in pages: only this link's own sub-pages and the assets
        hrefs = re.findall(r'href="([^"]+)"', html)
        assert hrefs and all(h.startswith((path, "/static/")) for h in hrefs), hrefs
    assert "ฉะเชิงเทรา" in page.text and 'data-area="2401"' in page.text
    with Session(web.world.db) as session:
        link = session.exec(select(ShareLink)).one()
    assert link.uses == 2 and link.last_used_at == web.world.clock.now()
    assert sum("share link" in line and "used" in line for line in seen) == 2
    # outside the link's area: refused, yet the link was used
    assert web.client.get(path + "/areas/2501").status_code == 404
    listed = web.client.get("/api/v1/shares", headers=web.auth(PROVINCE)).json()["shares"]
    assert [(s["area_code"], s["uses"]) for s in listed] == [("24", 3)]
    assert "token" not in str(listed)


def test_revoked_expired_and_altered_links_are_404_in_thai_and_english(web: Web) -> None:
    first = _make(web).json()
    second = _make(web, "2401", days=3).json()
    revoked = web.client.post(f"/api/v1/shares/{first['id']}/revoke", headers=web.auth(PROVINCE))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    gone = web.client.get(first["path"])
    assert gone.status_code == 404
    assert "ไม่พบลิงก์แบ่งปันนี้" in gone.text and "does not exist" in gone.text
    assert "<form" not in gone.text
    token = second["path"].removeprefix("/s/")
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert web.client.get(f"/s/{altered}").status_code == 404
    assert web.client.get("/s/pc_notashare").status_code == 404
    assert web.client.get(second["path"]).status_code == 200
    web.world.clock.set(web.world.clock.now() + timedelta(days=3))
    assert web.client.get(second["path"]).status_code == 404  # expired at the third day's end
    with Session(web.world.db) as session:
        uses = {s.area_code: s.uses for s in session.exec(select(ShareLink)).all()}
    assert uses == {"24": 0, "2401": 1}  # refused uses are not counted


def test_who_may_share(web: Web) -> None:
    refused = _make(web, "2401", actor=DISTRICT)
    assert refused.status_code == 403
    assert "province office" in refused.json()["detail"]
    with Session(web.world.db) as session, session.begin():
        import_geothai(session, ["20"])
        add_actor(
            session,
            "pcd-20",
            "provincial_cd_office",
            "20",
            "",
            set(CATALOG.roles),
            web.world.clock.now(),
        )
        token = issue_token(session, "pcd-20")
    other = web.client.post(
        "/api/v1/shares/create",
        headers={"Authorization": f"Bearer {token}"},
        json={"area": "24", "fy": 2568, "days": 30},
    )
    assert other.status_code == 403, other.text
    first = _make(web).json()
    not_theirs = web.client.post(
        f"/api/v1/shares/{first['id']}/revoke", headers={"Authorization": f"Bearer {token}"}
    )
    assert not_theirs.status_code == 404
    assert web.client.get("/api/v1/shares", headers=web.auth(DISTRICT)).status_code == 403
    bad = _make(web, days=0)
    assert bad.status_code == 422
    assert _make(web, "2599").status_code == 404  # no such area
    with Session(web.world.db) as session:
        assert len(session.exec(select(ShareLink)).all()) == 1  # nothing made by a refusal


def test_the_province_page_makes_lists_and_revokes(web: Web) -> None:
    web.login(PROVINCE)
    page = web.client.get("/shares")
    assert page.status_code == 200
    assert 'id="nav-shares"' in page.text  # the navigation offers it to a province office
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    made = web.client.post(
        "/shares", data={"csrf": csrf, "area": "2401", "fy": "2568", "days": "7"}
    )
    assert made.status_code == 201
    url = re.search(r'<code id="share-url">([^<]+)</code>', made.text).group(1)
    path = "/s/" + url.split("/s/", 1)[1]
    assert web.client.get(path).status_code == 200
    share_id = re.search(r'data-share="(\d+)"', made.text).group(1)
    forged = web.client.post(f"/shares/{share_id}/revoke", data={"csrf": "wrong"})
    assert forged.status_code == 403
    done = web.client.post(
        f"/shares/{share_id}/revoke", data={"csrf": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    assert web.client.get(path).status_code == 404
    web.login(DISTRICT)
    assert web.client.get("/shares").status_code == 403
    assert 'id="nav-shares"' not in web.client.get("/inbox").text  # not to a district


def test_open_share_refuses_an_expired_link_on_the_store(engine: sa.Engine, tmp_path) -> None:
    web = make_web(engine, tmp_path)
    now = web.world.clock.now()
    made = create_share(engine, PROVINCE, "24", 2568, 1, now)
    assert open_share(engine, made.token, now).uses == 1
    with pytest.raises(UnknownShare):
        open_share(engine, made.token, now + timedelta(days=1))


def test_the_cli_makes_lists_and_revokes(ready) -> None:  # noqa: F811
    code, _, err = ready(
        "actors", "add", "pcd-24", "--role", "provincial_cd_office", "--area", "24"
    )
    assert code == 0, err
    code, out, err = ready("share", "create", "--area", "24", "--fy", "2568", "--by", "pcd-24")
    assert code == 0, err
    assert re.fullmatch(r"/s/pcs_\S+\n", out) and "link 1" in err
    code, _, err = ready("share", "create", "--area", "2401", "--by", "cd-2401")
    assert code == 4 and "province office" in err
    code, out, _ = ready("share", "list", "--by", "pcd-24")
    assert code == 0 and "live" in out
    code, out, _ = ready("share", "revoke", "1", "--by", "pcd-24")
    assert code == 0 and "revoked share link 1" in out
    code, out, _ = ready("share", "list", "--by", "pcd-24")
    assert "revoked" in out
    code, _, err = ready("share", "revoke", "9", "--by", "pcd-24")
    assert code == 3 and "no share link 9" in err
