"""What the OpenAPI document says of errors: every failure is a problem document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from plancycle.web.problems import PROBLEM_JSON

__all__ = ["ERRORS", "Problem", "errors"]


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
    401: "No token, or a token that is unknown, revoked or of an inactive actor",
    403: "The caller's role or area does not allow it",
    404: "No such instance, area or export",
    409: "The instance changed since the caller saw it (the problem names its state)",
    422: "Bad input: unknown trigger, missing data or evidence, a guard refused",
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
