"""Turning failures into answers: problem details under ``/api``, a page elsewhere,
and the login page for a browser without a session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar, cast
from urllib.parse import quote

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from loguru import logger
from starlette.exceptions import HTTPException

from plancycle.errors import PlancycleError
from plancycle.store.errors import StoreUnavailable
from plancycle.web.auth import NotLoggedIn
from plancycle.web.pages_common import error_page
from plancycle.web.problems import PROBLEM_JSON, headers_for, problem, problem_for, status_for
from plancycle.web.wording import message_for

__all__ = ["install_handlers"]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(body: dict, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_JSON, headers=headers)


def _page(request: Request, status: int, en: str, th: str, headers: dict | None = None) -> Response:
    page = error_page(request, status, en, th)
    page.headers.update(headers or {})
    return page


async def on_plancycle_error(request: Request, exc: PlancycleError) -> Response:
    status = status_for(exc)
    if not _is_api(request):
        return _page(request, status, *message_for(exc), headers_for(exc))
    return _problem(problem_for(exc, request.url.path), headers_for(exc))


async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
    shown = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
    where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in shown)
    en, th = f"invalid request: {where}", f"คำขอไม่ถูกต้อง: {where}"
    if not _is_api(request):
        return _page(request, 422, en, th)
    return _problem(problem(422, en, th, "RequestValidation", request.url.path, errors=shown))


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    th = {404: "ไม่พบหน้าที่ขอ", 405: "ไม่รองรับวิธีเรียกนี้"}.get(exc.status_code, str(exc.detail))
    en = str(exc.detail)
    if not _is_api(request):
        return _page(request, exc.status_code, en, th)
    return _problem(
        problem(exc.status_code, en, th, "Http", request.url.path), getattr(exc, "headers", None)
    )


async def on_not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/login?next=" + quote(back, safe="/")  # the page and its query (its year)
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def on_store_error(request: Request, exc: sqlalchemy.exc.SQLAlchemyError) -> Response:
    logger.exception("store unavailable on {path}", path=request.url.path)
    return await on_plancycle_error(request, StoreUnavailable())


async def on_unexpected(request: Request, exc: Exception) -> Response:
    """A bug, not a refusal: logged with its traceback, answered without its details."""
    logger.opt(exception=exc).error("unexpected error on {path}", path=request.url.path)
    en = "something went wrong on the server; it has been logged"
    th = "ระบบขัดข้อง ได้บันทึกไว้ให้ผู้ดูแลตรวจสอบแล้ว"
    if not _is_api(request):
        return _page(request, 500, en, th)
    return _problem(problem(500, en, th, "ServerError", request.url.path))


_E = TypeVar("_E", bound=Exception)
_Handler = Callable[[Request, Exception], Awaitable[Response]]


def _for(handler: Callable[[Request, _E], Awaitable[Response]]) -> _Handler:
    """A handler of one exception class, as Starlette's registry types it (for any
    exception): Starlette calls it only for the class it is registered under."""
    return cast(_Handler, handler)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PlancycleError, _for(on_plancycle_error))
    app.add_exception_handler(RequestValidationError, _for(on_validation_error))
    app.add_exception_handler(HTTPException, _for(on_http_error))
    app.add_exception_handler(NotLoggedIn, _for(on_not_logged_in))
    for lost in (
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.InterfaceError,
        sqlalchemy.exc.TimeoutError,
    ):
        app.add_exception_handler(lost, _for(on_store_error))
    app.add_exception_handler(Exception, on_unexpected)
