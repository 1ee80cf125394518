"""What every request handler reaches through ``request.app.state.web``: the settings,
the one engine, the templates."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.resources import files

import sqlalchemy as sa
from fastapi.templating import Jinja2Templates
from loguru import logger

from plancycle.definitions.describe import SOURCE_LABELS
from plancycle.definitions.model import Catalog
from plancycle.definitions.rows import EXAMPLES, ROW_COLUMNS, BudgetClass
from plancycle.store.evidence import remove_stale_partials
from plancycle.store.sign_in import Throttle
from plancycle.thai.areacode import NATION
from plancycle.web.areas_view import area_view
from plancycle.web.settings import WebSettings
from plancycle.workflow.area_summary import Summaries
from plancycle.workflow.engine import Engine
from plancycle.workflow.evidence_folder import evidence_folder_for
from plancycle.workflow.years import YearChoice, choose_year

__all__ = ["WebState", "package_dir"]


def package_dir(name: str) -> str:
    return str(files("plancycle.web") / name)


@dataclass
class WebState:
    settings: WebSettings
    engine: Engine
    templates: Jinja2Templates
    summaries: Summaries

    @classmethod
    def build(cls, settings: WebSettings) -> WebState:
        """The state; partial evidence files a killed server left behind are removed.
        The evidence folder is the one rule's (:func:`evidence_folder_for`): refused when
        the setting names a folder other than the one the store recorded."""
        folder = evidence_folder_for(settings.db, None, settings.evidence_folder).path
        remove_stale_partials(folder, time.time())
        engine = Engine(
            settings.catalog,
            settings.db,
            settings.clock,
            folder,
            settings.upload_max_bytes,
            busy_timeout_s=settings.busy_timeout_s,
        )
        templates = Jinja2Templates(directory=package_dir("templates"))
        templates.env.globals["source_labels"] = SOURCE_LABELS
        # what a form's table of rows shows: the columns of each kind, the budget classes
        templates.env.globals["row_columns"] = ROW_COLUMNS
        templates.env.globals["budget_classes"] = tuple(BudgetClass)
        templates.env.globals["row_examples"] = EXAMPLES
        summaries = Summaries(settings.db, settings.catalog, settings.summary_seconds)
        return cls(settings, engine, templates, summaries)

    @property
    def db(self) -> sa.Engine:
        return self.settings.db

    @property
    def catalog(self) -> Catalog:
        return self.settings.catalog

    @property
    def throttle(self) -> Throttle:
        """How many failed sign-ins a client may make within how long."""
        return Throttle(
            self.settings.signin_max_failures, timedelta(seconds=self.settings.signin_window_s)
        )

    def now(self) -> datetime:
        return self.settings.clock.now()

    def choose(self, fy: int | None) -> YearChoice:
        """The fiscal year asked for, or the store's default (``workflow/years``), with
        the years that exist."""
        return choose_year(self.db, fy, self.now())

    def year(self, fy: int | None) -> int:
        """The fiscal year asked for, or the store's default."""
        return self.choose(fy).year

    def warm(self) -> None:
        """Read and keep the nation's summary of the default year (a server starting: the
        first person to open the nation's page then does not wait for it)."""
        try:
            view = area_view(self.db, NATION)
            self.summaries.warm(self.year(None), [c.code for c in view.children], self.now())
        except Exception:  # noqa: BLE001 - a page read later reports what is wrong
            logger.exception("could not read the nation's summary ahead of the first request")
