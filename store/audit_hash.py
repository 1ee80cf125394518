"""The audit chain's hash: SHA-256 over a canonical encoding of a transition record.

Each instance's records form a chain: record 1 links to a genesis value derived
from the instance key, every later record to the hash of the one before, and the
instance row keeps the hash of its newest record (``head_hash``). Editing a
record changes its hash; deleting or inserting one breaks a link or the head.

The encoding is part of the stored data's meaning, so it is versioned (``"v": 1``)
and must never change: UTF-8 JSON with sorted keys, no spaces, times as ISO 8601
UTC with microseconds.
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


def canonical_body(
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
) -> str:
    """The canonical encoding of a record: the definition of what its hash covers."""
    body = {
        "v": ENCODING_VERSION,
        "key": key,
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "role": role,
        "trigger": trigger,
        "from": from_state,
        "to": to_state,
        "data": dict(data),
        "note": note,
        "evidence": list(evidence),
        "automatic": bool(automatic),
        "prev": prev_hash,
    }
    return _ENCODE(body)


def _spliced_body(
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
) -> str:
    """:func:`canonical_body`, written out in its sorted key order with the JSON module's
    own string encoder (the same bytes, without building and sorting a dict per record);
    only for the usual types, which the caller checks."""
    when = (at if at.tzinfo is UTC else at.astimezone(UTC)).isoformat(timespec="microseconds")
    return (
        f'{{"actor":{_STR(actor_id)},"at":"{when}","automatic":{"true" if automatic else "false"}'
        f',"data":{_ENCODE(data)},"evidence":{_ENCODE(evidence)},"from":{_STR(from_state)}'
        f',"key":{_STR(key)},"note":{"null" if note is None else _STR(note)}'
        f',"prev":{_STR(prev_hash)},"role":{_STR(role)},"seq":{int.__repr__(seq)}'
        f',"to":{_STR(to_state)},"trigger":{_STR(trigger)},"v":{ENCODING_VERSION}}}'
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
) -> str:
    """SHA-256 (hex) of the record's canonical encoding."""
    args = (key, seq, at, actor_id, role, trigger, from_state, to_state, data, note)
    usual = (
        type(seq) is int
        and type(automatic) is bool
        and type(data) is dict
        and type(evidence) is list
        and all(type(t) is str for t in (key, actor_id, role, trigger, from_state, to_state))
        and type(prev_hash) is str
        and (note is None or type(note) is str)
    )
    text = (
        _spliced_body(*args, evidence, automatic, prev_hash)
        if usual
        else canonical_body(
            key=key,
            seq=seq,
            at=at,
            actor_id=actor_id,
            role=role,
            trigger=trigger,
            from_state=from_state,
            to_state=to_state,
            data=data,
            note=note,
            evidence=evidence,
            automatic=automatic,
            prev_hash=prev_hash,
        )
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
