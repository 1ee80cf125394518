"""The state diagram drawn (Graphviz SVG) on the definition page and on the instance page,
the current step highlighted, labels in the page's language; the Mermaid text kept."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from plancycle.definitions.dot import CURRENT_CLASS, node_id, to_dot
from plancycle.definitions.loader import load_catalog
from tests.webapp import DISTRICT, Web, make_web

PAGE = "/instances/2568/activity2/240101"

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    web = make_web(sqlite_engine, tmp_path)
    web.login(DISTRICT)
    return web


def node_classes(html: str) -> dict[str, str]:
    """SVG node id -> its class, from the page (Graphviz writes '-' as &#45;)."""
    found = re.findall(r'<g id="(state_[^"]+)" class="node ([^"]+)">', html)
    return dict(found)


def test_the_instance_page_draws_the_diagram_with_the_current_step_highlighted(web: Web) -> None:
    page = web.client.get(PAGE).text
    svg = page[page.index('<figure class="state-diagram"') : page.index("</figure>")]
    assert "<svg" in svg
    classes = node_classes(svg)
    assert classes[node_id("coordinate")] == f"state {CURRENT_CLASS}"
    assert classes[node_id("workshop")] == "state"
    assert [k for k, v in classes.items() if CURRENT_CLASS in v.split()] == [node_id("coordinate")]
    assert "ประสาน ศอช.ต." in svg and "Coordinate" not in svg  # Thai labels in Thai mode
    assert "<title>" not in svg  # no state ids as tooltips
    assert "stateDiagram-v2" in page  # the Mermaid text is still there
    assert re.search(r'href="/definitions/activity2\.mmd\?(fy=\d+&amp;)?version=1"', page)

    web.world.engine.advance(
        "2568/activity2/240101", "meeting_set", web.world.actors["district_cd_office"]
    )
    moved = node_classes(web.client.get(PAGE).text)
    assert moved[node_id("workshop")] == f"state {CURRENT_CLASS}"
    assert moved[node_id("coordinate")] == "state"


def test_the_definition_page_draws_every_state_and_links_the_mermaid_text(web: Web) -> None:
    defn = load_catalog().get("activity3")
    page = web.client.get("/definitions/activity3")
    assert page.status_code == 200
    classes = node_classes(page.text)
    assert set(classes) == {node_id(s.id) for s in defn.states} | {"state__start"}
    assert "final" in classes[node_id(defn.final_states[0].id)]
    assert "waiting" in classes[node_id("await_tambon_plan")]
    mermaid = web.client.get("/definitions/activity3.mmd")
    assert mermaid.status_code == 200 and mermaid.text.startswith("stateDiagram-v2")
    assert web.client.get("/definitions/nothing").status_code == 404


def test_english_mode_draws_english_labels(web: Web) -> None:
    web.client.get("/lang/en")
    page = web.client.get("/definitions/activity2").text
    assert ">Coordinate the tambon centre<" in page  # its first line
    assert "ประสาน ศอช.ต." not in page.split("<svg", 1)[1].split("</svg>")[0]


def test_the_dot_text_quotes_what_it_cannot_read_and_wraps_at_spaces() -> None:
    defn = load_catalog().get("activity2")
    dot = to_dot(defn, "th", "evaluate")
    assert f'id="{node_id("evaluate")}"' in dot and 'class="state current"' in dot
    assert dot.count('class="state current"') == 1
    with pytest.raises(KeyError):
        to_dot(defn, "th", "no_such_state")
    with pytest.raises(ValueError):
        to_dot(defn, "fr")


def test_the_area_page_serves_the_report_documents(web: Web) -> None:
    page = web.client.get("/areas/2401").text
    assert 'href="/areas/2401/report/activity2.pdf' in page
    pdf = web.client.get("/areas/2401/report/activity2.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = web.client.get("/areas/2401/report/activity3.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert web.client.get("/areas/2401/report/activity9.pdf").status_code == 422
