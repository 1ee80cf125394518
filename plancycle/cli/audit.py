"""`plancycle audit`: verify the hash chains and evidence, replay, export, anchor."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.options import area_code, open_output
from plancycle.cli.render import console, err_console, print_json
from plancycle.errors import PlancycleError
from plancycle.thai.dates import parse_instant
from plancycle.workflow.audit import Finding, anchor, replay, verify
from plancycle.workflow.audit_export import FORMATS, export_records

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="The audit trail: verify, replay, export, anchor.")
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TAMPERED = 7  # exit code when the trail does not check out


class BadAnchor(PlancycleError):
    pass


def _report(
    app_ctx: AppContext,
    what_th: str,
    what_en: str,
    count: int,
    findings: list[Finding],
    as_json: bool,
) -> None:
    if as_json:
        print_json(
            {"checked": count, "ok": not findings, "findings": [f.as_dict() for f in findings]}
        )
    elif findings:
        for f in findings:
            err_console.print(str(f), highlight=False, markup=False)
        err_console.print(
            app_ctx.text(
                f"พบปัญหา {len(findings)} รายการ ใน{what_th} {count:,}",
                f"{len(findings)} problem(s) in {count:,} {what_en}",
            )
        )
    else:
        console.print(app_ctx.text(f"ถูกต้อง: {what_th} {count:,}", f"intact: {count:,} {what_en}"))
    if findings:
        raise typer.Exit(TAMPERED)


def _load_anchor(path: Path) -> dict[str, list]:
    try:
        heads = json.loads(path.read_text(encoding="utf-8"))["heads"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadAnchor(
            f"cannot read the anchor file {str(path)!r}: {exc}",
            f"อ่านไฟล์หลักยึด {str(path)!r} ไม่ได้: {exc}",
        ) from None
    return heads


@app.command("verify")
def verify_cmd(
    ctx: typer.Context,
    anchor_file: Annotated[
        Path | None, typer.Option("--anchor", help="A file from `audit anchor`.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Walk every chain: name each record edited, deleted or inserted, and each evidence
    file missing or replaced. Exit code 7 when anything is wrong."""
    app_ctx: AppContext = ctx.obj
    heads = _load_anchor(anchor_file) if anchor_file else None
    count, findings = verify(app_ctx.db, app_ctx.settings.evidence_dir, heads)
    _report(app_ctx, "บันทึก", "records", count, findings, as_json)


@app.command("replay")
def replay_cmd(ctx: typer.Context, as_json: Json = False) -> None:
    """Rebuild each instance's state from its records; list those whose stored state differs."""
    app_ctx: AppContext = ctx.obj
    count, findings = replay(app_ctx.db, app_ctx.catalog)
    _report(app_ctx, "รายการ", "instances replayed", count, findings, as_json)


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    since: Annotated[
        str | None, typer.Option("--since", help="Date or time (ISO or Thai).")
    ] = None,
    area: Annotated[str | None, typer.Option("--area", help="Area code prefix, e.g. 2401.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout).")
    ] = None,
) -> None:
    """Every transition record with its hashes, oldest first."""
    app_ctx: AppContext = ctx.obj
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format takes {' or '.join(FORMATS)}, not {fmt!r}")
    start = parse_instant(since) if since else None
    prefix = area_code(area)
    if output is None:
        count = export_records(app_ctx.db, sys.stdout, fmt, start, prefix)
    else:
        with open_output(output) as out:
            count = export_records(app_ctx.db, out, fmt, start, prefix)
    err_console.print(app_ctx.text(f"ส่งออก {count:,} บันทึก", f"{count:,} records exported"))


@app.command("anchor")
def anchor_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the anchor.")],
) -> None:
    """Write every chain head and one digest over them; keep the file (or just the digest)
    somewhere the store's administrators cannot change. `audit verify --anchor` then also
    catches a history rewritten with fresh hashes."""
    app_ctx: AppContext = ctx.obj
    taken = anchor(app_ctx.db, app_ctx.clock.now())
    with open_output(output) as out:
        out.write(json.dumps(taken, ensure_ascii=False))
    console.print(f"{taken['instances']:,} chains, digest {taken['digest']}", highlight=False)
