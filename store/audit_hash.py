"""The audit chain's hash: SHA-256 over a canonical encoding of a transition record.

Each instance's records form a chain: record 1 links to a genesis value derived
from the instance key, every later record to the hash of the one before, and the
instance row keeps the hash of its newest record (``head_hash``). Editing a
record changes its hash; deleting or inserting one breaks a link or the head.

The encoding is part of the stored data's meaning, so it is versioned (``"v": 1``)
and must never change: UTF-8 JSON with sorted keys, no spaces, times as ISO 8601
UTC with microseconds. A record made on behalf of another role adds ``"on_behalf"``
(records without it keep the encoding, and the hash, they always had).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = ["ENCODING_VERSION", "canonical_body", "genesis_hash", "record_hash"]

ENCODING_VERSION = 1
# one encoder for every record (``json.dumps`` with options builds a new one per call)
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
_STR = json.encoder.encode_basestring  # a str as JSON, as the encoder above writes it


def genesis_hash(instance_key: str) -> str:
    """What an instance's first record links to."""
    return hashlib.sha256(f"plancycle:{instance_key}".encode()).hexdigest()


def canonical_body(fields: Mapping[str, Any]) -> str:
    """The canonical encoding of a record (``fields`` as :func:`record_hash` takes them):
    the definition of what its hash covers."""
    body = {
        "v": ENCODING_VERSION,
        "key": fields["key"],
        "seq": fields["seq"],
        "at": fields["at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": fields["actor_id"],
        "role": fields["role"],
        "trigger": fields["trigger"],
        "from": fields["from_state"],
        "to": fields["to_state"],
        "data": dict(fields["data"]),
        "note": fields["note"],
        "evidence": list(fields["evidence"]),
        "automatic": bool(fields["automatic"]),
        "prev": fields["prev_hash"],
    }
    if fields.get("on_behalf_of") is not None:
        body["on_behalf"] = fields["on_behalf_of"]
    return _ENCODE(body)


_TEXTS = ("key", "actor_id", "role", "trigger", "from_state", "to_state", "prev_hash")


def _usual(f: Mapping[str, Any]) -> bool:
    """Whether every field has the type the engine gives it (what _spliced_body handles)."""
    return (
        type(f["seq"]) is int
        and type(f["automatic"]) is bool
        and type(f["data"]) is dict
        and type(f["evidence"]) is list
        and (f["note"] is None or type(f["note"]) is str)
        and all(type(f[name]) is str for name in _TEXTS)
        and f.get("on_behalf_of") is None
    )


def _spliced_body(f: Mapping[str, Any]) -> str:
    """:func:`canonical_body`, written out in its sorted key order with the JSON module's
    own string encoder (the same bytes, without building and sorting a dict per record)."""
    at = f["at"]
    when = (at if at.tzinfo is UTC else at.astimezone(UTC)).isoformat(timespec="microseconds")
    note = f["note"]
    return (
        f'{{"actor":{_STR(f["actor_id"])},"at":"{when}"'
        f',"automatic":{"true" if f["automatic"] else "false"}'
        f',"data":{_ENCODE(f["data"])},"evidence":{_ENCODE(f["evidence"])}'
        f',"from":{_STR(f["from_state"])},"key":{_STR(f["key"])}'
        f',"note":{"null" if note is None else _STR(note)},"prev":{_STR(f["prev_hash"])}'
        f',"role":{_STR(f["role"])},"seq":{int.__repr__(f["seq"])},"to":{_STR(f["to_state"])}'
        f',"trigger":{_STR(f["trigger"])},"v":{ENCODING_VERSION}}}'
    )


def record_hash(
    *,
    key: str,
    seq: int,
    at: datetime,
    actor_id: str,
    role: str,
    trigger: str,
    from_state: str,
    to_state: str,
    data: Mapping[str, Any],
    note: str | None,
    evidence: Sequence[str],
    automatic: bool,
    prev_hash: str,
    on_behalf_of: str | None = None,
) -> str:
    """SHA-256 (hex) of the record's canonical encoding."""
    fields = {
        "key": key,
        "seq": seq,
        "at": at,
        "actor_id": actor_id,
        "role": role,
        "trigger": trigger,
        "from_state": from_state,
        "to_state": to_state,
        "data": data,
        "note": note,
        "evidence": evidence,
        "automatic": automatic,
        "prev_hash": prev_hash,
        "on_behalf_of": on_behalf_of,
    }
    text = _spliced_body(fields) if _usual(fields) else canonical_body(fields)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
