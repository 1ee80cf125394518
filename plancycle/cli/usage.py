"""Command-line mistakes the parser finds (a missing argument, an unknown option), told in
Thai and English like every other refusal, instead of the parser's English box."""

from __future__ import annotations

import re

from typer._click.exceptions import UsageError  # typer's own copy of click raises these

from plancycle.errors import PlancycleError

__all__ = ["UsageError", "UsageRefused", "usage_refused"]

# click's messages, each with the Thai that says the same; {0} is what the pattern caught
_THAI = (
    (re.compile(r"Missing argument '([^']+)'\.?"), "ขาดค่า {0} ที่ต้องระบุ"),
    (re.compile(r"Missing option '([^']+)'\.?"), "ขาดตัวเลือก {0} ที่ต้องระบุ"),
    (re.compile(r"No such option: (\S+)"), "ไม่มีตัวเลือก {0}"),
    (re.compile(r"No such command '([^']+)'\.?"), "ไม่มีคำสั่ง '{0}'"),
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)"), "มีค่าเกินมา: {0}"),
    (
        re.compile(r"Option '([^']+)' requires (?:an argument|\d+ arguments)\.?"),
        "ตัวเลือก {0} ต้องมีค่า",
    ),
    (re.compile(r"Invalid value for '([^']+)'"), "ค่าของ {0} ไม่ถูกต้อง"),
)

_MEANT = re.compile(r"Did you mean '([^']+)'")


class UsageRefused(PlancycleError):
    """The command line itself is wrong: exit code 2, nothing done."""

    exit_code = 2


def usage_refused(exc: UsageError) -> UsageRefused:
    """The parser's complaint in both languages, with where to read how the command goes."""
    en = exc.format_message().strip().rstrip(".")
    th = next(
        (thai.format(*m.groups()) for pattern, thai in _THAI if (m := pattern.match(en))),
        "พิมพ์คำสั่งไม่ถูกต้อง",
    )
    if m := _MEANT.search(en):
        th += f" (หมายถึง '{m.group(1)}' หรือไม่)"
    words = exc.ctx.command_path.split()[1:] if exc.ctx is not None else []
    path = " ".join(["plancycle", *words])  # whatever name the program was started under
    return UsageRefused(
        f"{en}; see `{path} --help`",
        f"{th}; ดูวิธีใช้ด้วย `{path} --help`",
    )
