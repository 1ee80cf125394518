"""The OpenAPI document tells the truth about the API (issue #11, item 11): the Bearer
scheme on every operation that needs it, the problem document as every error's body,
only the media types really sent, the parameters' real patterns; a body that is no form
is 415, and an unreadable form a problem in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from plancycle.workflow.reports import history
from tests.webapp import DISTRICT, Web, make_web

ADVANCE = "/api/v1/instances/2568/activity2/240101/advance"
PROBLEM = "application/problem+json"


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(sqlite_engine, tmp_path)


@pytest.fixture
def doc(web: Web) -> dict:
    schema = web.client.get("/api/openapi.json").json()
    validate(schema)
    return schema


def operations(doc: dict):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_operation_but_health_declares_the_bearer_scheme(doc: dict) -> None:
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, method, op in operations(doc):
        names = [p["name"].lower() for p in op.get("parameters", [])]
        assert "authorization" not in names, (method, path)
        wanted = [] if path == "/api/v1/health" else [{"bearer": []}]
        assert op["security"] == wanted, (method, path)
        if wanted:
            assert "401" in op["responses"], (method, path)


def test_every_error_is_documented_as_a_problem_document(doc: dict) -> None:
    seen = 0
    for path, method, op in operations(doc):
        for code, answer in op["responses"].items():
            if code[0] in "45":
                seen += 1
                assert list(answer["content"]) == [PROBLEM], (method, path, code)
    assert seen > 30
    export = doc["paths"]["/api/v1/exports/{kind}.{fmt}"]["get"]["responses"]["200"]
    assert "application/json" not in export["content"]
    assert (
        "415"
        in doc["paths"]["/api/v1/instances/{fy}/{process}/{area}/advance"]["post"]["responses"]
    )


def test_parameters_carry_their_real_patterns(doc: dict) -> None:
    one = doc["paths"]["/api/v1/instances/{fy}/{process}/{area}"]["get"]["parameters"]
    by_name = {p["name"]: p["schema"] for p in one}
    assert re.fullmatch(by_name["area"]["pattern"], "240101")
    assert not re.fullmatch(by_name["area"]["pattern"], "24010")
    assert "activity2" in by_name["process"]["enum"]
    assert by_name["fy"]["minimum"] == 2500


def test_json_posted_to_advance_is_415(web: Web) -> None:
    answer = web.client.post(ADVANCE, headers=web.auth(DISTRICT), json={"trigger": "meeting_set"})
    assert answer.status_code == 415, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert "application/json" in body["detail"] and "ไม่รับ" in body["detail_th"]
    assert len(history(web.world.db, "2568/activity2/240101")[1]) == 0


def test_multipart_without_a_boundary_is_a_problem_in_both_languages(web: Web) -> None:
    headers = {**web.auth(DISTRICT), "Content-Type": "multipart/form-data"}
    answer = web.client.post(ADVANCE, headers=headers, content=b"trigger=meeting_set")
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert answer.headers["content-type"] == PROBLEM
    assert "boundary" in body["detail"] and "อ่านแบบฟอร์มไม่ได้" in body["detail_th"]


def test_a_sheet_asked_for_another_process_says_what_to_do(web: Web) -> None:
    answer = web.client.get(
        "/api/v1/exports/activity3.csv?process=activity2&area=2401", headers=web.auth(DISTRICT)
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert "leave out process=activity2" in body["detail"] and "BPM" not in body["detail"]
    assert "ไม่ต้องระบุ process=activity2" in body["detail_th"]
