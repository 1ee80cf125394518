"""The coordinators' web app and HTTP API: FastAPI, server-rendered Jinja2 pages with
htmx, in Thai with an English switch. ``create_app(settings)`` builds it; the clock,
the store and the catalog come in through :class:`WebSettings`."""

from plancycle.web.app import create_app
from plancycle.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
