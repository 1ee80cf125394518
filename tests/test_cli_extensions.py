"""`plancycle extend` and `extensions list` (issue 14, item 2): an instance's step and a
district's, refusals with exit codes and nothing changed, history showing the extension."""

from __future__ import annotations

import json

from tests.test_cli import cli, ready  # noqa: F401 - the fixtures

A2 = "2568/activity2/240101"


def test_extend_from_the_cli(ready, freezer) -> None:  # noqa: F811
    freezer.move_to("2025-03-20T09:00:00+07:00")
    run = ready
    assert run("actors", "add", "pcd-24", "--role", "provincial_cd_office", "--area", "24")[0] == 0
    ask = ("--step", "coordinate", "--reason", "flooded tambon")
    code, _, err = run("extend", A2, *ask, "--until", "2568-04-30", "--by", "cd-2401")
    assert code == 4 and "may not extend" in err
    code, _, err = run("extend", A2, *ask, "--until", "2568-03-25", "--by", "pcd-24")
    assert code == 2 and "not after the current one" in err
    code, _, err = run(
        "extend", A2, "--step", "coordinate", "--until", "2568-04-30", "--by", "pcd-24"
    )
    assert code == 2 and "--reason" in err
    assert json.loads(run("extensions", "list", "--json")[1])["extensions"] == []

    code, out, err = run("extend", A2, *ask, "--until", "2568-04-30", "--by", "pcd-24")
    assert code == 0 and "30 Apr 2568" in out, err
    code, out, err = run(
        "extend", "--process", "activity2", "--step", "workshop", "--area", "2401",
        "--until", "30 เม.ย. 68", "--reason", "district workshops late", "--by", "pcd-24",
    )  # fmt: skip
    assert code == 0 and "activity2 in area 2401" in out, err
    code, out, _ = run("history", A2)
    assert code == 0 and all(w in out for w in ("deadline", "extended", "flooded", "pcd-24"))
    listed = json.loads(run("extensions", "list", "--area", "240101", "--json")[1])["extensions"]
    assert [(x["instance_key"], x["area_code"], x["until"]) for x in listed] == [
        (A2, None, "2025-04-30"),
        (None, "2401", "2025-04-30"),
    ]
    assert json.loads(run("extensions", "list", "--area", "2402", "--json")[1])["extensions"] == []
    code, out, _ = run("show", A2)
    assert code == 0 and "30 Apr" in out
    assert run("audit", "verify")[0] == 0
