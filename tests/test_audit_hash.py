"""The record hash covers exactly the canonical encoding, whichever way it is written."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from plancycle.store.audit_hash import _spliced_body, _usual, canonical_body, record_hash

_text = st.text(max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
_at = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=7))]),
)


@given(
    key=_text,
    seq=st.integers(min_value=1, max_value=10**9),
    at=_at,
    actor_id=_text,
    role=_text,
    trigger=_text,
    from_state=_text,
    to_state=_text,
    data=st.dictionaries(_text, _json, max_size=4),
    note=st.none() | _text,
    evidence=st.lists(_text, max_size=3),
    automatic=st.booleans(),
    prev_hash=_text,
)
def test_hash_is_sha256_of_the_canonical_body(**fields: object) -> None:
    expected = hashlib.sha256(canonical_body(fields).encode("utf-8")).hexdigest()  # type: ignore[arg-type]
    assert record_hash(**fields) == expected  # type: ignore[arg-type]


def test_canonical_body_is_sorted_compact_utf8() -> None:
    body = canonical_body(
        dict(
            key="2568/activity2/240101",
            seq=1,
            at=datetime(2025, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=7))),
            actor_id="cd-2401",
            role="district_cd_office",
            trigger="meeting_set",
            from_state="meeting",
            to_state="workshop",
            data={"z": 1, "สถานที่": "วัด"},
            note=None,
            evidence=[],
            automatic=False,
            prev_hash="0" * 64,
        )
    )
    assert body.startswith('{"actor":"cd-2401","at":"2025-03-01T02:30:00.000000+00:00",')
    assert '"data":{"z":1,"สถานที่":"วัด"}' in body and body.endswith(',"v":1}')


# One fixed record and its hash, written out: stored chains depend on these bytes, so
# neither encoder may change them (and both may not drift together unnoticed).
GOLDEN_FIELDS: dict[str, object] = {
    "key": "2568/activity2/240101",
    "seq": 3,
    "at": datetime(2025, 1, 6, 10, 4, 5, 123456, tzinfo=timezone(timedelta(hours=7))),
    "actor_id": "cd-2401",
    "role": "district_cd_office",
    "trigger": "hold_workshop",
    "from_state": "planned",
    "to_state": "workshop_held",
    "data": {"participants": 25, "ชื่อ": "ตำบลหน้าเมือง", "spent": 3900.5, "ok": True, "n": None},
    "note": 'ตามแผน "1"\n',
    "evidence": ["ab" * 32],
    "automatic": False,
    "prev_hash": "0" * 64,
}
GOLDEN_HASH = "a1dfb23650b841eb05d73de6b02dbb21622dc2b97555becba7606269a1faf21c"


def test_golden_record_hash_by_the_fast_encoder() -> None:
    assert _usual(GOLDEN_FIELDS)  # the fast path is the one taken
    assert hashlib.sha256(_spliced_body(GOLDEN_FIELDS).encode()).hexdigest() == GOLDEN_HASH
    assert record_hash(**GOLDEN_FIELDS) == GOLDEN_HASH  # type: ignore[arg-type]


def test_golden_record_hash_by_the_canonical_encoder() -> None:
    body = canonical_body(GOLDEN_FIELDS)
    assert body.startswith('{"actor":"cd-2401","at":"2025-01-06T03:04:05.123456+00:00"')
    assert hashlib.sha256(body.encode("utf-8")).hexdigest() == GOLDEN_HASH
