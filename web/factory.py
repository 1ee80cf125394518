"""The app as each uvicorn worker process builds it (``plancycle serve --workers N``).

A worker is a fresh process: it reads its settings from the environment
(``PLANCYCLE_DB``, ``PLANCYCLE_SECRET_KEY``, ...), opens its own connection pool and
holds nothing another worker needs: sessions, failed sign-ins and the CSRF token live
in the store or in the cookie signed with the shared secret key, kept files are
referred to by a signed reference and stored on the shared evidence folder."""

from __future__ import annotations

import threading

from fastapi import FastAPI

from plancycle.definitions.loader import load_catalog
from plancycle.settings import load_settings
from plancycle.store.db import make_engine
from plancycle.web.app import create_app
from plancycle.web.settings import WebSettings
from plancycle.web.state import WebState

__all__ = ["app_from_environment", "warm_in_background"]


def app_from_environment() -> FastAPI:
    settings = load_settings()
    db = make_engine(settings.db, settings.busy_timeout_s)
    app = create_app(WebSettings.of(db, load_catalog(), settings, lang=settings.language))
    warm_in_background(app)
    return app


def warm_in_background(app: FastAPI) -> None:
    """A serving process reads the nation's summary in a thread of its own as it starts
    (:meth:`WebState.warm`), when summaries are kept at all."""
    web: WebState = app.state.web
    if web.settings.summary_seconds > 0:
        threading.Thread(target=web.warm, name="warm-nation", daemon=True).start()
