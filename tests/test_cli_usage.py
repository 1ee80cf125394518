"""Mistakes on the command line itself are refused in Thai and English, exit code 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from plancycle.cli.app import app


@pytest.mark.parametrize(
    ("args", "thai", "english"),
    [
        (["advance"], "ขาดค่า key ที่ต้องระบุ", "Missing argument 'key'"),
        (["status", "--nope"], "ไม่มีตัวเลือก --nope", "No such option: --nope"),
        (["instances", "list", "--limit", "abc"], "ค่าของ --limit ไม่ถูกต้อง", "'--limit'"),
        (["actors", "lst"], "ไม่มีคำสั่ง 'lst' (หมายถึง 'list' หรือไม่)", "No such command 'lst'"),
        (["show", "a", "b"], "มีค่าเกินมา: b", "unexpected extra argument"),
        (["inbox", "--fy"], "ตัวเลือก --fy ต้องมีค่า", "'--fy' requires an argument"),
    ],
)
def test_usage_mistakes_are_told_in_both_languages(
    args: list[str], thai: str, english: str, tmp_path
) -> None:
    db = f"sqlite:///{tmp_path / 'none.db'}"
    result = CliRunner().invoke(app, ["--db", db, "--lang", "th", *args])
    assert result.exit_code == 2
    err = " ".join(result.stderr.split())
    assert f"ผิดพลาด: {thai}" in err and "ดูวิธีใช้ด้วย `plancycle" in err
    assert "error:" in err and english in err
    assert "╭" not in result.stderr and "Usage:" not in result.stderr  # not the parser's box
    assert not (tmp_path / "none.db").exists()  # nothing was created
