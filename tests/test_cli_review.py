"""The review loop from the command line, in Thai and English: record on behalf
(refused without the signed order, exit 2; done with it), send back (refused to the
district, exit 4; without a comment, exit 2), correct, and the history that shows them."""

from __future__ import annotations

import json
from pathlib import Path

from plancycle.workflow.walk import MINIMAL_PDF
from tests.test_cli import cli, ready  # noqa: F401 - the fixtures

KEY = "2568/tambon_plan/240101"
A2 = "2568/activity2/240101"


def test_on_behalf_send_back_and_correct_from_the_cli(ready, tmp_path: Path) -> None:  # noqa: F811
    run = ready
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(MINIMAL_PDF)
    assert run("actors", "add", "pcd-24", "--role", "provincial_cd_office", "--area", "24")[0] == 0
    assert run("advance", KEY, "kbt_order_proposed", "--actor", "cd-2401")[0] == 0
    code, _, err = run("advance", KEY, "kbt_order_signed", "--actor", "cd-2401")
    assert code == 4 and "--on-behalf-of district_chief" in err
    on_behalf = ("--actor", "cd-2401", "--on-behalf-of", "district_chief")
    code, _, err = run("advance", KEY, "kbt_order_signed", *on_behalf)
    assert code == 2 and "kbt_order" in err
    code, _, err = run(
        "advance", KEY, "kbt_order_signed", *on_behalf, "--evidence", f"kbt_order={signed}"
    )
    assert code == 0, err
    code, out, _ = run("history", KEY)
    assert "cd-2401 (for District chief)" in " ".join(out.split())

    assert run("advance", A2, "meeting_set", "--actor", "cd-2401")[0] == 0
    code, _, err = run(
        "advance", A2, "workshop_held", "--actor", "cd-2401", "--data", "participants=25", "--data", "workshop_date=2025-02-03",
        "--evidence", f"attendance={signed}",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(
        "correct",
        A2,
        "--actor",
        "cd-2401",
        "--data",
        "participants=27",
        "--reason",
        "recount",
    )
    assert code == 0 and "corrected the data of" in out, err
    code, _, err = run("send-back", A2, "--actor", "cd-2401", "--comment", "x")
    assert code == 4, err
    code, _, err = run("send-back", A2, "--actor", "pcd-24")
    assert code == 2 and "--comment" in err
    code, out, err = run("send-back", A2, "--actor", "pcd-24", "--comment", "list incomplete")
    assert code == 0 and "sent back to" in out, err
    code, out, _ = run("history", A2, "--json")
    records = json.loads(out)["records"]
    assert [(r["trigger"], r["data"], r["note"]) for r in records[-2:]] == [
        ("correct", {"participants": 27}, "recount"),
        ("send_back", {"returned": "workshop_held"}, "list incomplete"),
    ]
    code, out, _ = run("audit", "verify")
    assert code == 0, out
    code, out, _ = run("audit", "replay")
    assert code == 0, out
