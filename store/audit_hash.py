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

__all__ = ["ENCODING_VERSION", "genesis_hash", "record_hash"]

ENCODING_VERSION = 1


def genesis_hash(instance_key: str) -> str:
    """What an instance's first record links to."""
    return hashlib.sha256(f"plancycle:{instance_key}".encode()).hexdigest()


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
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
