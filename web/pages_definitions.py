"""A process definition's page: its state diagram drawn (SVG, Graphviz) and its Mermaid
text, for any signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from plancycle.definitions.diagram import to_mermaid
from plancycle.web.diagram_svg import state_svg
from plancycle.web.pages_common import PageUser, render, ui_for
from plancycle.web.state import WebState

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Version = Annotated[int | None, Query(ge=1, le=10_000)]


@router.get("/definitions/{process}.mmd")
def definition_mermaid(
    request: Request, who: PageUser, process: str, version: Version = None
) -> Response:
    """The diagram's Mermaid text, for mermaid.live or any Mermaid viewer."""
    web: WebState = request.app.state.web
    defn = web.catalog.get(process, version)
    return PlainTextResponse(to_mermaid(defn, ui_for(request).lang))


@router.get("/definitions/{process}")
def definition_page(
    request: Request, who: PageUser, process: str, version: Version = None
) -> Response:
    web: WebState = request.app.state.web
    defn = web.catalog.get(process, version)
    lang = ui_for(request).lang
    return render(
        request,
        "definition.html",
        {
            "defn": defn,
            "svg": state_svg(defn, lang),
        },
        who=who,
    )
