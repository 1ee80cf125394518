"""The HTTP API through FastAPI's TestClient: every endpoint, and its 401, 403, 404,
409 and 422 answers as problem details. The round trip runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from sqlmodel import Session, select

from plancycle.store.models import Escalation, Instance, RefusedAttempt
from plancycle.store.tokens import revoke_token
from plancycle.workflow.walk import MINIMAL_PDF
from tests.webapp import CHIEF, DISTRICT, NATION, OTHER_DISTRICT, PROVINCE, Web, make_web
from tests.world import bkk

A2 = "/api/v1/instances/2568/activity2/240101"
PDF = ("attendance.pdf", MINIMAL_PDF, "application/pdf")


@pytest.fixture
def web(sqlite_engine: sa.Engine, tmp_path: Path) -> Web:
    return make_web(sqlite_engine, tmp_path)


def problem(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:plancycle:problem:")
    assert body["detail"] and body["detail_th"] and body["title_th"]
    return body


def advance(web: Web, actor: str, trigger: str, files=None, **fields):
    return web.client.post(
        f"{A2}/advance", headers=web.auth(actor), data={"trigger": trigger, **fields}, files=files
    )


def test_round_trip_on_each_store(engine: sa.Engine, tmp_path: Path) -> None:
    """Advance with a PDF, see it in the history, lose a race, see the status move."""
    web = make_web(engine, tmp_path)
    assert advance(web, DISTRICT, "meeting_set").json()["to"] == "workshop"
    done = advance(
        web,
        DISTRICT,
        "workshop_held",
        files={"evidence.attendance": PDF},
        **{"data.participants": "25", "data.workshop_date": "2025-02-03", "expected_version": "2"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["to"] == "evaluate" and len(done.json()["evidence"]) == 1
    records = web.client.get(f"{A2}/history", headers=web.auth(DISTRICT)).json()["records"]
    assert [r["trigger"] for r in records] == ["meeting_set", "workshop_held"]
    assert records[1]["evidence"][0]["file_name"] == "attendance.pdf"
    assert records[1]["data"] == {"participants": 25, "workshop_date": "2025-02-03"}
    stale = advance(web, DISTRICT, "evaluated", expected_version="2")
    assert problem(stale, 409)["state"] == "evaluate"
    status = web.client.get("/api/v1/status?area=240101", headers=web.auth(DISTRICT)).json()
    a2 = next(p for p in status["processes"] if p["process"] == "activity2")
    assert a2["by_state"] == {"evaluate": 1} and a2["kpi"]["target_percent"] == 85


def test_health_needs_no_token_and_me_needs_one(web: Web) -> None:
    assert web.client.get("/api/v1/health").json() == {"status": "ok"}
    missing = web.client.get("/api/v1/me")
    problem(missing, 401)
    assert missing.headers["www-authenticate"].startswith("Bearer")
    problem(web.client.get("/api/v1/me", headers={"Authorization": "Bearer pc_nonsense"}), 401)
    problem(web.client.get("/api/v1/me", headers={"Authorization": "Basic eDp5"}), 401)
    me = web.client.get("/api/v1/me", headers=web.auth(DISTRICT)).json()
    assert me == {"id": DISTRICT, "name": me["name"], "role": "district_cd_office", "area": "2401"}


def test_a_revoked_token_is_refused(web: Web) -> None:
    with Session(web.world.db) as session, session.begin():
        revoke_token(session, DISTRICT)
    problem(web.client.get("/api/v1/me", headers=web.auth(DISTRICT)), 401)


def test_areas_default_to_the_callers_own_and_stop_at_its_edge(web: Web) -> None:
    mine = web.client.get("/api/v1/areas", headers=web.auth(DISTRICT)).json()
    assert mine["code"] == "2401" and [p["code"] for p in mine["parents"]] == ["", "24"]
    assert mine["children"] and all(c["code"].startswith("2401") for c in mine["children"])
    tambon = web.client.get("/api/v1/areas/240101", headers=web.auth(DISTRICT)).json()
    assert tambon["level"] == "tambon" and tambon["children"][0]["level"] == "village"
    problem(web.client.get("/api/v1/areas/2402", headers=web.auth(DISTRICT)), 403)
    problem(web.client.get("/api/v1/areas/24", headers=web.auth(DISTRICT)), 403)
    problem(web.client.get("/api/v1/areas/99", headers=web.auth(NATION)), 404)
    problem(web.client.get("/api/v1/areas/abc", headers=web.auth(NATION)), 422)
    nation = web.client.get("/api/v1/areas", headers=web.auth(NATION)).json()
    assert [c["code"] for c in nation["children"]] == ["24"]


def test_instances_filter_by_process_state_area_and_lateness(web: Web) -> None:
    get = web.client.get
    mine = get("/api/v1/instances?process=activity2&limit=1000", headers=web.auth(DISTRICT)).json()
    assert mine["total"] == len(mine["instances"]) > 0
    assert all(i["area_code"].startswith("2401") for i in mine["instances"])
    province = get("/api/v1/instances?process=activity2", headers=web.auth(PROVINCE)).json()
    assert province["total"] > mine["total"]
    one = get("/api/v1/instances?area=240101&state=coordinate", headers=web.auth(DISTRICT)).json()
    assert {i["process"] for i in one["instances"]} >= {"activity2"}
    assert all(i["state"] == "coordinate" for i in one["instances"])
    assert (
        get("/api/v1/instances?process=activity2&overdue=true", headers=web.auth(DISTRICT)).json()[
            "total"
        ]
        == 0
    )
    web.world.clock.set(bkk(2025, 4, 1, 9))
    late = get("/api/v1/instances?process=activity2&overdue=true", headers=web.auth(DISTRICT))
    assert late.json()["total"] == mine["total"]
    assert all(i["overdue"] for i in late.json()["instances"])
    assert get("/api/v1/instances?fy=2569", headers=web.auth(DISTRICT)).json()["total"] == 0
    problem(get("/api/v1/instances?process=nope", headers=web.auth(DISTRICT)), 422)
    problem(get("/api/v1/instances?limit=0", headers=web.auth(DISTRICT)), 422)
    problem(get("/api/v1/instances?area=2402", headers=web.auth(DISTRICT)), 403)


def test_one_instance_has_steps_deadlines_next_steps_and_etag(web: Web) -> None:
    answer = web.client.get(A2, headers=web.auth(DISTRICT))
    body = answer.json()
    assert answer.headers["etag"] == '"1"' and body["version"] == 1
    assert body["state"] == "coordinate" and body["area"]["name"]["th"]
    steps = {s["id"]: s for s in body["steps"]}
    assert steps["coordinate"]["status"] == "current"
    assert steps["coordinate"]["due_at"].startswith("2025-03-31T16:59:59")
    # 7 days after the workshop day, on its own date: unknown until the workshop is held
    assert steps["bpm_record"]["due_at"] is None
    assert steps["report"]["due_at"].startswith("2025-03-31T16:59:59")
    assert body["next"][0]["trigger"] == "meeting_set" and body["next"][0]["allowed"] is True
    chief = web.client.get(A2, headers=web.auth(CHIEF)).json()
    assert chief["next"][0]["allowed"] is False
    problem(
        web.client.get("/api/v1/instances/2568/activity2/999999", headers=web.auth(NATION)), 404
    )
    problem(web.client.get(A2, headers=web.auth(OTHER_DISTRICT)), 404)  # scope first (#11.2)
    problem(web.client.get(f"{A2}/history", headers=web.auth(OTHER_DISTRICT)), 404)


def test_advance_refusals_carry_both_languages(web: Web) -> None:
    advance(web, DISTRICT, "meeting_set")
    # a file the letter asks for (the orders' PDFs) is refused when missing
    orders = "/api/v1/instances/2568/orders/2401"
    reviewed = web.client.post(
        f"{orders}/advance", headers=web.auth(DISTRICT), data={"trigger": "reviewed"}
    )
    assert reviewed.status_code == 200, reviewed.text
    no_file = problem(
        web.client.post(
            f"{orders}/advance", headers=web.auth(DISTRICT), data={"trigger": "sent_to_province"}
        ),
        422,
    )
    assert "order_3_1" in no_file["detail"] and "order_3_1" in no_file["detail_th"]
    few = problem(
        advance(
            web,
            DISTRICT,
            "workshop_held",
            files={"evidence.attendance": PDF},
            data='{"participants": 5, "workshop_date": "2025-02-03"}',
        ),
        422,
    )
    assert few["refusals"] and "20" in few["detail"]
    wrong = problem(advance(web, DISTRICT, "report_submitted"), 422)
    assert wrong["valid_triggers"] == ["workshop_held"]
    fake = ("scan.pdf", b"just text, not a PDF", "application/pdf")
    typed = problem(
        advance(
            web,
            DISTRICT,
            "workshop_held",
            files={"evidence.attendance": fake},
            **{"data.participants": "25", "data.workshop_date": "2025-02-03"},
        ),
        422,
    )
    assert "text/plain" in typed["detail"]
    problem(advance(web, DISTRICT, "workshop_held", data="[1, 2]"), 422)
    problem(web.client.post(f"{A2}/advance", headers=web.auth(DISTRICT), data={"note": "x"}), 422)


def test_advance_is_refused_outside_role_and_area_and_kept(web: Web) -> None:
    problem(advance(web, CHIEF, "meeting_set"), 403)
    problem(advance(web, OTHER_DISTRICT, "meeting_set"), 404)  # told as missing (#11.2)
    problem(web.client.post(f"{A2}/advance", data={"trigger": "meeting_set"}), 401)
    missing = web.client.post(
        "/api/v1/instances/2568/activity2/249999/advance",
        headers=web.auth(NATION),
        data={"trigger": "meeting_set"},
    )
    problem(missing, 404)
    with Session(web.world.db) as session:
        refused = session.exec(select(RefusedAttempt.actor_id, RefusedAttempt.error)).all()
    assert (CHIEF, "NotAllowed") in refused and (OTHER_DISTRICT, "OutOfScope") in refused


def test_if_match_guards_against_a_stale_view(web: Web) -> None:
    headers = {**web.auth(DISTRICT), "If-Match": '"7"'}
    stale = web.client.post(f"{A2}/advance", headers=headers, data={"trigger": "meeting_set"})
    problem(stale, 409)
    headers["If-Match"] = web.client.get(A2, headers=web.auth(DISTRICT)).headers["etag"]
    assert (
        web.client.post(
            f"{A2}/advance", headers=headers, data={"trigger": "meeting_set"}
        ).status_code
        == 200
    )


def a2(rollup: dict) -> dict:
    return next(p for p in rollup["processes"] if p["process"] == "activity2")


def test_status_rolls_up_per_child_with_the_kpi(web: Web) -> None:
    body = web.client.get("/api/v1/status", headers=web.auth(PROVINCE)).json()
    assert body["area"]["code"] == "24" and body["fiscal_year"] == 2568
    kids = {c["code"]: c for c in body["children"]}
    assert len(kids) == 11 and all(c["level"] == "district" for c in kids.values())
    assert sum(a2(c)["total"] for c in kids.values()) == a2(body)["total"]
    kpi = a2(body)["kpi"]
    assert {k: kpi[k] for k in ("target_percent", "actual_percent", "met", "measure")} == {
        "target_percent": 85,
        "actual_percent": 0.0,
        "met": False,
        "measure": "evaluated_usable",
    }
    # a province's store is not compared with the nation's count
    assert (kpi["instances"], kpi["letter_units"], kpi["count_differs"]) == (93, None, False)
    assert (kpi["counted"], kpi["achieved"]) == (a2(body)["total"], 0)
    assert kpi["label_th"].startswith("ร้อยละ ๘๕") and "ประเมิน" in kpi["basis_th"]
    assert sum(a2(c)["kpi"]["counted"] for c in kids.values()) == kpi["counted"]
    a1 = next(p for p in body["processes"] if p["process"] == "activity1")
    assert a1["kpi"]["target_percent"] == 100
    problem(web.client.get("/api/v1/status?area=2402", headers=web.auth(DISTRICT)), 403)


def _escalate(web: Web, key: str, level: int, step_seq: int) -> None:
    with Session(web.world.db) as session, session.begin():
        inst = session.exec(select(Instance).where(Instance.key == key)).one()
        session.add(
            Escalation(
                instance_id=inst.id,
                step_seq=step_seq,
                state=inst.state,
                level=level,
                kind="escalation" if level > 1 else "overdue",
                due_at=inst.due_at,
                at=web.world.clock.now(),
                recipients=["provincial_cd_office"],
            )
        )


def test_overdue_lists_days_late_and_the_escalation_reached(web: Web) -> None:
    web.world.clock.set(bkk(2025, 4, 10, 9))  # 10 days after 31 March
    key = "2568/activity2/240101"
    _escalate(web, key, 1, step_seq=1)
    _escalate(web, key, 2, step_seq=1)
    _escalate(web, key, 3, step_seq=0)  # an earlier step occurrence: not this step's
    body = web.client.get("/api/v1/overdue?process=activity2", headers=web.auth(DISTRICT)).json()
    rows = {r["key"]: r for r in body["instances"]}
    assert body["total"] == len(rows) > 1 and all(k.startswith("2568/activity2/2401") for k in rows)
    assert {r["days_late"] for r in rows.values()} == {10}
    assert rows[key]["escalation"]["level"] == 2
    assert rows[key]["escalation"]["recipients"] == ["provincial_cd_office"]
    assert rows["2568/activity2/240102"]["escalation"] is None
    everything = web.client.get(
        "/api/v1/overdue?sort=days_late&order=asc", headers=web.auth(DISTRICT)
    ).json()["instances"]
    lateness = [r["days_late"] for r in everything]
    assert lateness == sorted(lateness) and lateness[0] < lateness[-1]
    problem(web.client.get("/api/v1/overdue?area=2402", headers=web.auth(DISTRICT)), 403)
    problem(web.client.get("/api/v1/overdue?sort=nope", headers=web.auth(DISTRICT)), 422)


def test_exports_as_csv_and_xlsx(web: Web) -> None:
    csv = web.client.get("/api/v1/exports/activity2.csv", headers=web.auth(DISTRICT))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("ลำดับ,อำเภอ,ตำบล,รหัสตำบล")
    assert all(",2401" in line for line in lines[1:])
    xlsx = web.client.get("/api/v1/exports/activity3.xlsx?lang=en", headers=web.auth(PROVINCE))
    assert xlsx.headers["content-type"].endswith("spreadsheetml.sheet")
    assert "activity3-2568-24.xlsx" in xlsx.headers["content-disposition"]
    problem(
        web.client.get("/api/v1/exports/bpm.csv?process=tambon_plan", headers=web.auth(DISTRICT)),
        422,
    )
    problem(web.client.get("/api/v1/exports/nope.csv", headers=web.auth(DISTRICT)), 404)
    problem(web.client.get("/api/v1/exports/activity2.pdf", headers=web.auth(DISTRICT)), 422)
    problem(web.client.get("/api/v1/exports/activity2.csv"), 401)
    problem(
        web.client.get("/api/v1/exports/activity2.csv?area=2402", headers=web.auth(DISTRICT)), 403
    )


def test_openapi_is_served_and_valid(web: Web) -> None:
    spec = web.client.get("/api/openapi.json").json()
    validate(spec)
    assert "/api/v1/instances/{fy}/{process}/{area}/advance" in spec["paths"]
    post = spec["paths"]["/api/v1/instances/{fy}/{process}/{area}/advance"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert "application/problem+json" in post["responses"]["409"]["content"]
    assert not any(p.startswith(("/login", "/areas")) for p in spec["paths"])
    assert web.client.get("/docs").status_code == 404  # its assets would come from a CDN
    problem(web.client.get("/api/v1/nothing-here"), 404)


def test_an_unexpected_failure_is_a_problem_without_its_details(web: Web, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(web.client.app.state.web.engine, "advance", broken)
    client = TestClient(web.client.app, raise_server_exceptions=False)
    body = problem(advance(Web(web.world, client, web.tokens), DISTRICT, "meeting_set"), 500)
    assert "secret" not in body["detail"] and body["detail_th"]
