"""Building the app: the API and page routers, signed session cookies, the assets
served from the package (no CDN), and problem details for every failure."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plancycle import __version__
from plancycle.web import (
    api_batch,
    api_contacts,
    api_evidence,
    api_read,
    api_review,
    api_share,
    api_signin,
    api_write,
    health,
    line_webhook,
    pages_areas,
    pages_auth,
    pages_bulk,
    pages_contacts,
    pages_definitions,
    pages_evidence,
    pages_inbox,
    pages_instance,
    pages_review,
    pages_share,
    pages_sheet,
)
from plancycle.web.api_schema import Problem, truthful
from plancycle.web.errors_http import install_handlers
from plancycle.web.limits import BodyLimit, limit_for
from plancycle.web.settings import WebSettings
from plancycle.web.state import WebState, package_dir

__all__ = ["create_app"]

DESCRIPTION = """The yearly area development planning cycle of Thailand, as an HTTP API.

Authenticate with an actor's API token: `Authorization: Bearer pc_...`. Every error is
an RFC 9457 problem document (`application/problem+json`) with `detail` in English and
`detail_th` in Thai. Times are ISO 8601; instance keys are `FY/PROCESS/AREA`."""


def create_app(settings: WebSettings) -> FastAPI:
    app = FastAPI(
        title="plancycle",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive pages load their assets from a CDN
        redoc_url=None,
    )
    app.state.web = WebState.build(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="plancycle_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(BodyLimit, limit=lambda path: limit_for(path, settings.advance_max_bytes))
    app.mount("/static", StaticFiles(directory=package_dir("static")), name="static")
    for module in (
        health,
        api_read,
        api_write,
        api_review,
        api_share,
        api_batch,
        api_evidence,
        api_contacts,
        api_signin,
        pages_auth,
        pages_areas,
        pages_inbox,
        pages_instance,
        pages_sheet,
        pages_review,
        pages_bulk,
        pages_evidence,
        pages_definitions,
        line_webhook,
        pages_contacts,
        pages_share,
    ):
        app.include_router(module.router)
    install_handlers(app)
    _add_problem_schema(app)
    app.add_middleware(SecurityHeaders)
    return app


# Everything comes from this server: scripts only from /static (htmx), no inline script;
# inline style attributes stay allowed for the progress bars' widths.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response that does not set its own (a
    pure ASGI middleware: no task or stream per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _add_problem_schema(app: FastAPI) -> None:
    """Put the Problem schema into the OpenAPI components the error responses refer to."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = build()
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            schema["components"]["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"}
            }
            processes = [d.id for d in app.state.web.catalog.latest()]
            app.openapi_schema = truthful(schema, processes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
