"""In Thai mode every word a user reads on a page is Thai: the visible text (and the
placeholders, button labels and titles) of the main pages is scanned for English words.
Left out, on purpose: codes and ids (``2568/village_plan/24010101``, ``pc_…``), file
names, numbers, the product's name, and the language switch, which names the other
language in that language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import DISTRICT, PROVINCE, Web, make_web

KEY = "2568/activity2/240101"
ALLOWED = frozenset({"plancycle", "Mermaid", "PDF", "DOCX", "CSV", "XLSX", "BPM", "KPI", "ID"})
_WORD = re.compile(r"[A-Za-z]{2,}")
# a code, an id, a file name, a key: letters joined to digits, _, /, . or -
_CODE = re.compile(r"\S*[0-9_/.\\@:#=-]\S*")
_SKIP = frozenset({"script", "style", "code", "title"})
_LANG_SWITCH = "lang-switch"  # "English": the other language, named in that language
_SHOWN_ATTRS = ("placeholder", "title", "aria-label", "alt")


class _Visible(HTMLParser):
    """The text a reader sees, without elements in another language or code."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: list[str] = []  # open tags whose text is not scanned
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("br", "input", "meta", "link", "img", "hr"):
            if found.get("type") != "hidden":
                self._take(" ".join(found.get(a) or "" for a in _SHOWN_ATTRS))
            return
        # translate="no": a name or code as written (an actor's name, the diagram's text)
        unread = found.get("translate") == "no" or found.get("id") == _LANG_SWITCH
        if tag in _SKIP or unread or self.hidden:
            self.hidden.append(tag)
        self._take(" ".join(found.get(a) or "" for a in _SHOWN_ATTRS))

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self._take(data)

    def _take(self, text: str) -> None:
        for word in _WORD.findall(_CODE.sub(" ", text)):
            if word not in ALLOWED:
                self.words.append(word)


def english_words(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.words


@pytest.fixture
def web(engine: sa.Engine, tmp_path: Path) -> Web:
    web = make_web(engine, tmp_path)
    web.world.engine.advance(KEY, "meeting_set", web.world.actors["district_cd_office"])
    answer = web.client.post(
        f"/api/v1/instances/{KEY}/advance",
        headers=web.auth(DISTRICT),
        data={
            "trigger": "workshop_held",
            "data.participants": "25",
            "data.workshop_date": "2025-02-03",
        },
        files={"evidence.attendance": ("sheet.pdf", MINIMAL_PDF, "application/pdf")},
    )
    assert answer.status_code == 200, answer.text
    return web


def test_the_scanner_finds_english_and_passes_codes() -> None:
    assert english_words("<p>Log in <code>plancycle x</code> 2568/village_plan/2401</p>") == [
        "Log",
        "in",
    ]
    shown = '<a id="lang-switch">English</a><p lang="en">Wrong</p><input placeholder="e.g. date">'
    assert english_words(shown) == ["Wrong", "date"]
    assert english_words("<p>ไฟล์ scan.pdf, pc_abc</p>") == []


def _bulk_query() -> str:
    keys = [f"2568/village_plan/240101{n:02d}" for n in (1, 2)]
    pairs = [("process", "village_plan"), ("trigger", "calendar_set")]
    return urlencode(pairs + [("key", k) for k in keys])


PAGES = [
    "/inbox",
    "/areas",
    "/areas/2401",
    f"/instances/{KEY}",
    "/instances/2568/village_plan/24010101",
    "/overdue",
    "/exports",
    "/definitions/activity2",
    f"/bulk?{_bulk_query()}",
    f"/bulk?process=activity2&trigger=workshop_held&key={KEY}",
    "/bulk/sheet",
    "/shares",  # the province's share links (a district: the refusal page)
    "/areas/2402",  # another district: the refusal page
    "/contacts",  # the province manages contacts; a district is refused
]


def test_the_login_page_in_thai_is_thai_only(web: Web) -> None:
    page = web.client.get("/login")
    assert page.status_code == 200
    assert english_words(page.text) == []
    refused = web.login_form(token="pc_wrong")  # the refusal, in Thai only
    assert refused.status_code == 401, refused.text
    assert english_words(refused.text) == []
    assert "โทเค็น" in refused.text


@pytest.mark.parametrize("actor", [DISTRICT, PROVINCE])
def test_the_main_pages_in_thai_show_no_english_word(web: Web, actor: str) -> None:
    web.login(actor)
    found: dict[str, list[str]] = {}
    for path in PAGES:
        page = web.client.get(path)
        assert page.status_code in (200, 403), (path, page.status_code)
        words = english_words(page.text)
        if words:
            found[path] = sorted(set(words))
    assert found == {}


def test_the_shared_pages_in_thai_show_no_english_word(web: Web) -> None:
    made = web.client.post(
        "/api/v1/shares/create", headers=web.auth(PROVINCE), json={"area": "24", "fy": 2568}
    )
    assert made.status_code == 200, made.text
    path = made.json()["path"]
    web.login(PROVINCE)
    shares = web.client.get("/shares")
    csrf = shares.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    fresh = web.client.post(
        "/shares", data={"csrf": csrf, "area": "2401", "fy": "2568", "days": "5"}
    )
    assert fresh.status_code == 201
    web.client.cookies.clear()  # the shared pages, as someone without a login sees them
    found: dict[str, list[str]] = {}
    pages = [("/shares (made)", fresh)]
    for shown in (path, path + "/areas/2401", path + "/areas/240101", "/s/pcs_unknown"):
        page = web.client.get(shown)
        assert page.status_code in (200, 404), (shown, page.status_code)
        pages.append((shown, page))
    for shown, page in pages:
        words = english_words(page.text)
        if words:
            found[shown] = sorted(set(words))
    assert found == {}
