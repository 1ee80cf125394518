"""Evidence files as the API and the pages hand them out: the stored bytes, streamed from
the evidence folder, with their media type and the name they were attached under.
Who may open a file is decided in :mod:`plancycle.workflow.evidence_files`; a file the
caller may not open is a 404, the same as one that does not exist."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse, Response

from plancycle.store.evidence import MEDIA_TYPES
from plancycle.web.api_schema import errors
from plancycle.web.auth import Principal
from plancycle.web.deps import ApiUser, State
from plancycle.web.state import WebState
from plancycle.workflow.evidence_files import StoredFile, evidence_for

__all__ = ["SHA256", "evidence_response", "open_evidence", "router"]

router = APIRouter(prefix="/api/v1", tags=["api"])

SHA256 = Annotated[
    str, Path(pattern="^[0-9a-f]{64}$", description="the file's SHA-256, 64 lowercase hex digits")
]
# shown in the browser (a PDF viewer, an image); any other type is downloaded
INLINE = frozenset({"application/pdf", "image/png", "image/jpeg"})
# a file is a document of its own, in a sandbox: no script, no frame, nothing loaded from
# elsewhere (Chromium's PDF viewer shows a PDF in it as it does elsewhere)
SANDBOX = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
)
_BINARY = {"schema": {"type": "string", "format": "binary"}}
EVIDENCE_OK: dict[int | str, dict] = {
    200: {
        "description": "The file as it was attached: its media type (told by its content) "
        "and, in Content-Disposition, the name it was attached under",
        "content": dict.fromkeys(MEDIA_TYPES, _BINARY),
    }
}


def _disposition(kind: str, name: str) -> str:
    """``inline`` or ``attachment`` with the name in UTF-8 (RFC 6266) and an ASCII
    stand-in for clients that do not read ``filename*``."""
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name
    )
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def evidence_response(stored: StoredFile) -> Response:
    """The file, streamed in chunks (never read whole into memory)."""
    inline = stored.media_type in INLINE
    headers = {
        "Content-Disposition": _disposition("inline" if inline else "attachment", stored.file_name),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=0, must-revalidate",
        "Content-Security-Policy": SANDBOX,
    }
    return FileResponse(stored.path, media_type=stored.media_type, headers=headers)


def open_evidence(web: WebState, who: Principal, sha256: str) -> Response:
    stored = evidence_for(
        web.db, web.engine.evidence_folder, sha256, who.id, who.area, web.engine.refusals, web.now()
    )
    return evidence_response(stored)


@router.get(
    "/evidence/{sha256}",
    summary="An evidence file, to an actor whose area has an instance that attached it",
    response_class=Response,
    responses={**EVIDENCE_OK, **errors(401, 404, 422)},
)
def evidence(web: State, who: ApiUser, sha256: SHA256) -> Response:
    return open_evidence(web, who, sha256)
