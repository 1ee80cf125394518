"""`plancycle audit`: verify the hash chains and evidence, replay, export, anchor (signed
with a key made by `audit keygen`)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from plancycle.cli.context import AppContext
from plancycle.cli.options import BadOption, area_code, cannot_write, open_output
from plancycle.cli.render import console, err_console, print_json
from plancycle.errors import PlancycleError
from plancycle.thai.dates import parse_instant
from plancycle.workflow.anchors import check_format, key_pair, parse_digest, sign
from plancycle.workflow.audit import (
    Finding,
    anchor,
    references_evidence,
    replay,
    verify,
    verify_with_anchor,
)
from plancycle.workflow.audit_export import FORMATS, export_records
from plancycle.workflow.evidence_folder import EvidenceFolder, FolderSource, evidence_folder_for

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True, help="The audit trail: verify, replay, export, anchor, keygen."
)
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
            err_console.print(f.line(app_ctx.thai), highlight=False, markup=False)
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


def _load_anchor(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadAnchor(
            f"cannot read the anchor file {str(path)!r}: {exc}",
            f"อ่านไฟล์หลักยึด {str(path)!r} ไม่ได้: {exc}",
        ) from None
    return check_format(doc)


def _read_key(path: Path, what_en: str, what_th: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadAnchor(
            f"cannot read the {what_en} {str(path)!r}: {exc.strerror or exc}",
            f"อ่าน{what_th} {str(path)!r} ไม่ได้: {exc.strerror or exc}",
        ) from None


class EvidenceFolderMissing(PlancycleError):
    exit_code = 3

    def __init__(self, folder: EvidenceFolder) -> None:
        where_en, where_th = {
            FolderSource.GIVEN: ("given with --evidence", "ที่ระบุด้วย --evidence"),
            FolderSource.RECORDED: (
                "where the store's files were written",
                "ที่ระบบบันทึกไฟล์หลักฐานไว้",
            ),
            FolderSource.CONFIGURED: ("PLANCYCLE_EVIDENCE_DIR", "PLANCYCLE_EVIDENCE_DIR"),
            FolderSource.DEFAULT: ("the default, ./evidence", "ค่าเริ่มต้น ./evidence"),
        }[folder.source]
        super().__init__(
            f"the evidence folder {str(folder.path)!r} ({where_en}) does not exist; give the "
            "folder that holds the evidence files with --evidence DIR",
            f"ไม่พบโฟลเดอร์หลักฐาน {str(folder.path)!r} ({where_th}); ระบุโฟลเดอร์ที่เก็บไฟล์หลักฐาน"
            "ด้วย --evidence โฟลเดอร์",
        )


def _evidence_folder(app_ctx: AppContext, given: Path | None) -> Path:
    """The folder whose files verify checks (see ``evidence_folder_for``); refused when
    it is missing and the store has files to check."""
    settings = app_ctx.settings
    folder = evidence_folder_for(
        app_ctx.db, given, settings.evidence_dir_set, settings.evidence_dir
    )
    if not folder.path.is_dir() and references_evidence(app_ctx.db):
        raise EvidenceFolderMissing(folder)
    return folder.path


def _needs_anchor() -> BadAnchor:
    return BadAnchor(
        "--digest and --public-key check an anchor file: give it with --anchor FILE",
        "--digest และ --public-key ใช้ตรวจไฟล์หลักยึด: ระบุไฟล์ด้วย --anchor FILE",
    )


@app.command("verify")
def verify_cmd(
    ctx: typer.Context,
    anchor_file: Annotated[
        Path | None, typer.Option("--anchor", help="A file from `audit anchor`.")
    ] = None,
    digest: Annotated[
        str | None,
        typer.Option("--digest", help="The anchor's digest as kept elsewhere (64 hex digits)."),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="The public key (PEM) the anchor must be signed with."),
    ] = None,
    evidence: Annotated[
        Path | None,
        typer.Option(
            "--evidence",
            help="The folder of the evidence files (default: the one the store recorded).",
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Walk every chain: name each record edited, deleted or inserted, each evidence
    file missing or replaced, each process with fewer instances than cycle start made.
    With --anchor, also every history rewritten since, after checking the anchor file
    against --digest and its signature against --public-key. Evidence files are looked
    for where the store wrote them, whatever the working directory (--evidence to
    choose another folder). Exit code 7 when anything is wrong."""
    app_ctx: AppContext = ctx.obj
    if anchor_file is None:
        if digest is not None or public_key is not None:
            raise _needs_anchor()
        count, findings = verify(app_ctx.db, _evidence_folder(app_ctx, evidence))
    else:
        kept = parse_digest(digest) if digest is not None else None
        pem = _read_key(public_key, "public key", "กุญแจสาธารณะ") if public_key else None
        count, findings = verify_with_anchor(
            app_ctx.db, _evidence_folder(app_ctx, evidence), _load_anchor(anchor_file), kept, pem
        )
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
        raise BadOption(
            f"--format takes {' or '.join(FORMATS)}, not {fmt!r}",
            f"--format {fmt!r} ไม่ใช่รูปแบบที่มี; ระบุ {' หรือ '.join(FORMATS)}",
        )
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
    sign_key: Annotated[
        Path | None,
        typer.Option("--sign-key", help="Sign it with this private key (from `audit keygen`)."),
    ] = None,
) -> None:
    """Write every chain head and one digest over them; keep the file (or just the digest)
    somewhere the store's administrators cannot change. `audit verify --anchor` then also
    catches a history rewritten with fresh hashes."""
    app_ctx: AppContext = ctx.obj
    private = _read_key(sign_key, "signing key", "กุญแจลงนาม") if sign_key else None
    taken = anchor(app_ctx.db, app_ctx.clock.now())
    if private is not None:
        taken = sign(taken, private)
    with open_output(output) as out:
        out.write(json.dumps(taken, ensure_ascii=False))
    signed = private is not None
    console.print(
        app_ctx.text(
            f"{taken['instances']:,} สายบันทึก, ค่าสรุป {taken['digest']}"
            + (" (ลงนามแล้ว)" if signed else ""),
            f"{taken['instances']:,} chains, digest {taken['digest']}"
            + (", signed" if signed else ""),
        ),
        highlight=False,
    )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)


@app.command("keygen")
def keygen_cmd(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The private key's file; the public key goes to FILE.pub."
        ),
    ],
) -> None:
    """Make an Ed25519 key pair for signing anchors. Keep the private key away from the
    store's administrators (whoever takes anchors holds it); give the public key to
    whoever checks them (`audit verify --anchor F --public-key FILE.pub`)."""
    app_ctx: AppContext = ctx.obj
    public_path = output.with_name(output.name + ".pub")
    for path in (output, public_path):
        if path.exists():
            raise BadAnchor(
                f"{str(path)!r} exists already; keygen never writes over a key: give another name",
                f"มีไฟล์ {str(path)!r} อยู่แล้ว; keygen ไม่เขียนทับกุญแจ: ระบุชื่ออื่น",
            )
    private_pem, public_pem = key_pair()
    _write_new(output, private_pem, 0o600)  # readable by its owner only
    _write_new(public_path, public_pem, 0o644)
    console.print(
        app_ctx.text(
            f"กุญแจลงนาม: {output}  กุญแจสาธารณะ: {public_path}",
            f"signing key: {output}  public key: {public_path}",
        ),
        highlight=False,
    )
