"""Anchors: what an anchor file holds, its digest, its signature, and checking it.

An anchor (taken by :func:`plancycle.workflow.audit.anchor`) is every chain head at
one moment and one SHA-256 digest over them. It is only as good as the copy it is
checked against, so an anchor file is checked three ways before its heads are used:

- its ``digest`` must be the digest of its ``heads`` (an edited head shows);
- given the digest kept elsewhere (e-mailed to the province, printed in a report),
  the two must be equal (a whole new anchor file shows);
- given the public key of whoever signs anchors (an Ed25519 key pair the store's
  administrators do not hold: ``plancycle audit keygen``), its signature must
  verify over its digest, time and count.

What an anchor does not prove is written in the README ("What an anchor proves").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from plancycle.errors import PlancycleError
from plancycle.workflow.findings import ANCHOR_FINDING_KEY, Finding, FindingKind

__all__ = [
    "ANCHOR_FINDING_KEY",
    "SIGNATURE_ALGORITHM",
    "AnchorKeyError",
    "anchor_findings",
    "check_format",
    "heads_digest",
    "key_pair",
    "parse_digest",
    "sign",
]

SIGNATURE_ALGORITHM = "ed25519"
_HEX64 = re.compile(r"[0-9a-f]{64}")


class AnchorKeyError(PlancycleError):
    """A key file or a digest that cannot be used (bad input, not a broken trail)."""


def _is_head(head: Any) -> bool:
    """``[seq, hash]``: ``[0, None]`` for an instance with no records yet."""
    if not isinstance(head, list) or len(head) != 2 or isinstance(head[0], bool):
        return False
    seq, digest = head
    if not isinstance(seq, int) or seq < 0:
        return False
    return (seq == 0 and digest is None) or (
        isinstance(digest, str) and bool(_HEX64.fullmatch(digest))
    )


def check_format(doc: Any) -> dict[str, Any]:
    """``doc`` if it has the shape of an anchor (a mapping of instance keys to heads);
    else AnchorKeyError naming the first thing wrong."""
    heads = doc.get("heads") if isinstance(doc, dict) else None
    if not isinstance(heads, dict):
        why_en, why_th = "it has no heads", "ไม่มีหัวสาย"
    else:
        bad = next((k for k, h in heads.items() if not _is_head(h)), None)
        if bad is None:
            checked: dict[str, Any] = doc
            return checked
        why_en, why_th = (
            f"the head of {bad!r} is not [seq, hash]",
            f"หัวสายของ {bad!r} ไม่ใช่ [seq, hash]",
        )
    raise AnchorKeyError(
        f"this is not an anchor from `plancycle audit anchor`: {why_en}",
        f"ไม่ใช่ไฟล์หลักยึดจาก `plancycle audit anchor`: {why_th}",
    )


def heads_digest(heads: dict[str, list[Any]]) -> str:
    """The one digest over every chain head (SHA-256 of their canonical JSON)."""
    text = json.dumps(heads, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _signed_bytes(doc: dict[str, Any]) -> bytes:
    """What a signature covers: the digest (and through it every head), when, how many."""
    signed = {k: doc.get(k) for k in ("digest", "instances", "taken_at")}
    return json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()


def key_pair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as PEM: (private key, PKCS#8 unencrypted; public key)."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def _bad_key(what_en: str, what_th: str, why: str) -> AnchorKeyError:
    return AnchorKeyError(
        f"the {what_en} is not an Ed25519 key in PEM ({why}); make one with "
        f"`plancycle audit keygen`",
        f"{what_th}ไม่ใช่กุญแจ Ed25519 แบบ PEM ({why}); สร้างด้วย `plancycle audit keygen`",
    )


def sign(doc: dict[str, Any], private_pem: bytes) -> dict[str, Any]:
    """The anchor with its signature (``signature``: algorithm, public key, value)."""
    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise _bad_key("signing key", "กุญแจลงนาม", str(exc)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise _bad_key("signing key", "กุญแจลงนาม", type(key).__name__)
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return {
        **doc,
        "signature": {
            "algorithm": SIGNATURE_ALGORITHM,
            "public_key": base64.b64encode(public).decode(),
            "value": base64.b64encode(key.sign(_signed_bytes(doc))).decode(),
        },
    }


def _public_key(public_pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(public_pem)
    except (ValueError, TypeError) as exc:
        raise _bad_key("public key", "กุญแจสาธารณะ", str(exc)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise _bad_key("public key", "กุญแจสาธารณะ", type(key).__name__)
    return key


def parse_digest(text: str) -> str:
    """A digest typed or pasted by a person: 64 hexadecimal digits, any case."""
    digest = text.strip().lower()
    if not _HEX64.fullmatch(digest):
        raise AnchorKeyError(
            f"--digest takes the anchor's SHA-256 digest, 64 hexadecimal digits, not {text!r}",
            f"--digest ต้องเป็นค่าย่อย SHA-256 ของหลักยึด เลขฐานสิบหก 64 ตัว ไม่ใช่ {text!r}",
        )
    return digest


def anchor_findings(
    doc: dict[str, Any], kept_digest: str | None = None, public_pem: bytes | None = None
) -> list[Finding]:
    """What is wrong with the anchor file itself, each under the key ``anchor`` (empty:
    it can be trusted as far as the checks asked for go). ``public_pem`` is read before
    anything is checked."""
    key = _public_key(public_pem) if public_pem is not None else None
    kinds: list[tuple[FindingKind, dict[str, Any]]] = []
    computed = heads_digest(doc["heads"])
    if doc.get("digest") != computed:
        kinds.append((FindingKind.ANCHOR_EDITED, {"computed": computed, "said": doc.get("digest")}))
    if kept_digest is not None and kept_digest != computed:
        kinds.append((FindingKind.ANCHOR_NOT_KEPT, {"computed": computed, "kept": kept_digest}))
    if key is not None:
        kinds += [(kind, {}) for kind in _signature_problems(doc, key)]
    return [Finding(ANCHOR_FINDING_KEY, kind, params) for kind, params in kinds]


def _signature_problems(doc: dict[str, Any], key: Ed25519PublicKey) -> list[FindingKind]:
    signature = doc.get("signature")
    if not isinstance(signature, dict) or signature.get("algorithm") != SIGNATURE_ALGORITHM:
        return [FindingKind.ANCHOR_UNSIGNED]
    try:
        key.verify(base64.b64decode(signature.get("value", ""), validate=True), _signed_bytes(doc))
    except (InvalidSignature, binascii.Error, TypeError, ValueError):
        return [FindingKind.ANCHOR_SIGNATURE]
    return []
