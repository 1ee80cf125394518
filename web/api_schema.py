"""What the OpenAPI document says of errors: every failure is a problem document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from plancycle.web.problems import PROBLEM_JSON

__all__ = ["ERRORS", "PUBLIC_PATHS", "Problem", "errors", "truthful"]


class Problem(BaseModel):
    """RFC 9457 problem details, with the message in English and in Thai."""

    type: str = Field(examples=["urn:plancycle:problem:not-allowed"])
    title: str
    title_th: str
    status: int
    detail: str
    detail_th: str
    instance: str | None = None


_WHY = {
    400: "The body cannot be read as JSON",
    401: "No token, or a token that is unknown, revoked or of an inactive actor",
    403: "The caller's role or area does not allow it",
    404: "No such instance, area or export",
    409: "The instance changed since the caller saw it (the problem names its state)",
    413: "Too large a body, or more files than one request may carry (the upload limits)",
    415: "The body is not a form (multipart/form-data or application/x-www-form-urlencoded)",
    422: "Bad input: unknown trigger, missing data or evidence, a guard refused",
    503: "The store is busy or unavailable (retry after Retry-After seconds)",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {
            "description": _WHY[code],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


ERRORS = errors(401, 403, 422)


PUBLIC_PATHS = frozenset({"/api/v1/health"})  # the only operations without a token
_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_DOPA = r"^[0-9]{2}([0-9]{2}){0,3}$"  # province 2, district 4, tambon 6, village 8 digits
_DOPA_OR_EMPTY = r"^([0-9]{2}([0-9]{2}){0,3})?$"  # a query's area: empty is the caller's own
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def _parameter(param: dict[str, Any], processes: list[str]) -> dict[str, Any]:
    """A parameter with its real pattern or enum (DOPA codes, processes, years)."""
    name, schema = param["name"], param.setdefault("schema", {})
    options = schema.get("anyOf", [schema])
    for option in options:
        if option.get("type") == "string" and name in {"area", "code", "parent"}:
            option["pattern"] = _DOPA if param["in"] == "path" else _DOPA_OR_EMPTY
        if option.get("type") == "string" and name == "process":
            option["enum"] = processes
        if option.get("type") == "integer" and name == "fy":
            option.update(minimum=2500, maximum=2700)
    return param


_FORM_POSTS = ("/advance", "/send-back", "/correct")


def _operation(path: str, op: dict[str, Any], processes: list[str]) -> None:
    op["parameters"] = [
        _parameter(p, processes)
        for p in op.get("parameters", [])
        if not (p["in"] == "header" and p["name"].lower() == "authorization")
    ]
    responses = op.setdefault("responses", {})
    if path in PUBLIC_PATHS:
        op["security"] = []
    else:
        op["security"] = [{"bearer": []}]
        responses.setdefault("401", errors(401)[401])
    if path.endswith(_FORM_POSTS):  # a form: refused when it is none, or too large
        responses.setdefault("413", errors(413)[413])
        responses.setdefault("415", errors(415)[415])
    for code, answer in responses.items():
        if code[0] in "45":  # every failure is a problem document
            answer["content"] = dict(_PROBLEM)
            answer["description"] = _WHY.get(int(code), answer.get("description", ""))
    ok = responses.get("200", {}).get("content", {})
    if len(ok) > 1:  # a file download: the JSON FastAPI lists by default is never sent
        ok.pop("application/json", None)


def truthful(schema: dict[str, Any], processes: list[str]) -> dict[str, Any]:
    """The OpenAPI document as the server behaves: the Bearer scheme on every operation
    that needs a token, the problem document as the body of every 4xx/5xx (422
    included), only the media types really sent, and the parameters' real patterns."""
    for path, ops in schema.get("paths", {}).items():
        for op in ops.values():
            _operation(path, op, processes)
    return schema
