"""The pages' one way to build a link, so that the fiscal year a person chose follows
every click: breadcrumbs, drill-down, pagers, sorts, filters, exports, the language and
digit switches, the instance page's back links.

The year travels in the URL as ``?fy=``: a page reads it (``page_year``), and every link
it draws with ``link(path, **params)`` carries it on while it was chosen explicitly (a
``?fy=`` in the address, or the year in an instance's own address). A page reached
without one shows the store's default year (``workflow/years``), and so do its links.
Forms that stay on GET carry it with ``link.hidden()``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from markupsafe import Markup, escape

from plancycle.thai.fiscal import FY_MAX_BE, FY_MIN_BE
from plancycle.web.state import WebState
from plancycle.workflow.years import YearChoice

__all__ = ["FY_PARAM", "Fy", "Links", "PageYear", "page_year", "set_page_year"]

FY_PARAM = "fy"
Fy = Annotated[
    int | None,
    Query(
        ge=FY_MIN_BE,
        le=FY_MAX_BE,
        description="Fiscal year, BE (default: the newest cycle with work left, else the "
        "newest cycle, else the current year)",
    ),
]


def set_page_year(request: Request, asked: int | None) -> YearChoice:
    """The year this request's page shows, kept on the request for ``render``."""
    web: WebState = request.app.state.web
    choice = web.choose(asked)
    request.state.year = choice
    return choice


def page_year(request: Request, fy: Fy = None) -> YearChoice:
    return set_page_year(request, fy)


PageYear = Annotated[YearChoice, Depends(page_year)]


class Links:
    """``link("/areas/2401")``, ``link("/overdue", sort="key")``: the path with its query,
    the chosen year included when it was asked for. ``None`` and ``""`` values are left out.
    """

    def __init__(self, request: Request, choice: YearChoice) -> None:
        self.request = request
        self.choice = choice

    def _carried(self) -> dict[str, Any]:
        return {FY_PARAM: self.choice.year} if self.choice.explicit else {}

    def __call__(self, path: str, **params: Any) -> str:
        merged = {**self._carried(), **params}
        query = urlencode({k: v for k, v in merged.items() if v is not None and v != ""})
        return f"{path}?{query}" if query else path

    def hidden(self) -> Markup:
        """The year as a hidden field of a GET form (nothing when it is the default)."""
        if not self.choice.explicit:
            return Markup("")
        return Markup('<input type="hidden" name="{}" value="{}">').format(
            FY_PARAM, escape(self.choice.year)
        )

    def here(self) -> str:
        """This page with its query and the year: where a switch sends a person back."""
        params = dict(self.request.query_params)
        return self(self.request.url.path, **params)

    def year(self, fy: int, path: str | None = None) -> str:
        """This page (or ``path``) in the fiscal year ``fy``, its filters kept."""
        return self(path or self.request.url.path, **{**self.kept(), FY_PARAM: fy})

    def kept(self) -> dict[str, str]:
        """This page's query without the year and the page number: what a year selector
        keeps when it moves to another year."""
        return {k: v for k, v in self.request.query_params.items() if k not in (FY_PARAM, "page")}
