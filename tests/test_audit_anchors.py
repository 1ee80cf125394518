"""Anchors that mean something: a history rewritten with fresh hashes and an anchor
edited to match is caught by the digest kept elsewhere and by the signature of a key
the store's administrators do not hold; a signature by another key is refused."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from plancycle.store.audit_hash import record_hash
from plancycle.store.models import Instance, TransitionRecord
from plancycle.workflow.anchors import AnchorKeyError, heads_digest, key_pair, sign
from plancycle.workflow.audit import anchor, verify, verify_with_anchor
from plancycle.workflow.cycle import instance_key
from plancycle.workflow.reports import get_instance, history
from plancycle.workflow.walk import walk
from tests.test_audit import allow_tampering
from tests.test_cli import cli, ready  # noqa: F401  (fixtures)
from tests.world import World, bkk, populate

ORDERS = instance_key(2568, "orders", "2401")


@pytest.fixture
def world(engine, tmp_path) -> World:
    w = populate(engine, tmp_path)
    w.clock.set(bkk(2025, 2, 10, 9))
    walk(w.engine, ORDERS, w.actors, w.pdf)  # 2 records
    return w


def rewrite_history(db: sa.Engine, key: str) -> None:
    """A forger with full rights: a new actor on every record, every hash recomputed."""
    inst = get_instance(db, key)
    _, records = history(db, key)
    allow_tampering(db)
    prev = records[0].prev_hash
    with db.begin() as c:
        for rec in records:
            fields = {
                "seq": rec.seq,
                "at": rec.at,
                "role": rec.role,
                "trigger": rec.trigger,
                "from_state": rec.from_state,
                "to_state": rec.to_state,
                "data": rec.data,
                "note": rec.note,
                "evidence": rec.evidence,
                "automatic": rec.automatic,
            }
            digest = record_hash(key=key, actor_id="forger", prev_hash=prev, **fields)
            c.execute(
                sa.update(TransitionRecord)
                .where(TransitionRecord.id == rec.id)
                .values(actor_id="forger", prev_hash=prev, hash=digest)
            )
            prev = digest
        c.execute(sa.update(Instance).where(Instance.id == inst.id).values(head_hash=prev))


def forge_anchor(doc: dict, db: sa.Engine, key: str) -> dict:
    """The anchor edited to match the rewritten chain, its digest recomputed."""
    forged = copy.deepcopy(doc)
    forged.pop("signature", None)
    _, records = history(db, key)
    forged["heads"][key] = [records[-1].seq, records[-1].hash]
    forged["digest"] = heads_digest(forged["heads"])
    return forged


def test_a_rewrite_with_an_edited_anchor_is_caught_by_the_kept_digest(world: World) -> None:
    taken = anchor(world.db, world.clock.now())
    rewrite_history(world.db, ORDERS)
    forged = forge_anchor(taken, world.db, ORDERS)
    assert verify_with_anchor(world.db, None, forged)[1] == []  # the file alone cannot tell
    _, findings = verify_with_anchor(world.db, None, forged, kept_digest=taken["digest"])
    assert [f.key for f in findings] == ["anchor"]
    assert "not to the digest kept elsewhere" in findings[0].problem
    # a head edited without recomputing the digest is caught by the file's own digest
    forged["digest"] = taken["digest"]
    _, findings = verify_with_anchor(world.db, None, forged)
    assert [f.key for f in findings] == ["anchor"] and "was edited" in findings[0].problem


def test_a_rewrite_with_an_edited_anchor_is_caught_by_the_signature(world: World) -> None:
    private, public = key_pair()
    other_private, other_public = key_pair()
    taken = sign(anchor(world.db, world.clock.now()), private)
    assert verify_with_anchor(world.db, None, taken, public_pem=public)[1] == []
    rewrite_history(world.db, ORDERS)
    _, findings = verify_with_anchor(world.db, None, taken, public_pem=public)
    assert [f.key for f in findings] == [ORDERS] and "rewritten" in findings[0].problem
    forged = forge_anchor(taken, world.db, ORDERS)
    for doc, why in (
        (forged, "not signed"),
        (sign(forged, other_private), "does not verify"),  # the forger's own key
        ({**forged, "signature": taken["signature"]}, "does not verify"),  # the old one
    ):
        _, findings = verify_with_anchor(world.db, None, doc, public_pem=public)
        assert [f.key for f in findings] == ["anchor"] and why in findings[0].problem
    _, findings = verify_with_anchor(world.db, None, taken, public_pem=other_public)
    assert "does not verify with this public key" in findings[0].problem


def test_keys_that_are_not_ed25519_are_bad_input(world: World) -> None:
    taken = anchor(world.db, world.clock.now())
    with pytest.raises(AnchorKeyError, match="not an Ed25519 key"):
        sign(taken, b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    with pytest.raises(AnchorKeyError, match="not an Ed25519 key"):
        verify_with_anchor(world.db, None, taken, public_pem=b"not a key")
    assert verify(world.db)[1] == []


def _tamper_cli_store(tmp_path: Path) -> None:
    from plancycle.store.db import make_engine

    db = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        rewrite_history(db, instance_key(2568, "activity2", "240101"))
    finally:
        db.dispose()


def test_cli_keygen_sign_and_verify(ready, tmp_path: Path) -> None:  # noqa: F811
    code, out, err = ready("audit", "keygen", "-o", "anchor.key")
    assert code == 0, err
    assert (tmp_path / "anchor.key").stat().st_mode & 0o777 == 0o600
    assert b"PUBLIC KEY" in (tmp_path / "anchor.key.pub").read_bytes()
    before = (tmp_path / "anchor.key").read_bytes()
    code, _, err = ready("audit", "keygen", "-o", "anchor.key")  # never over a key
    assert code == 2 and "exists already" in err and "มีไฟล์" in err
    assert (tmp_path / "anchor.key").read_bytes() == before
    ready("audit", "keygen", "-o", "other.key")
    key = instance_key(2568, "activity2", "240101")
    code, _, err = ready("advance", key, "meeting_set", "--actor", "cd-2401")
    assert code == 0, err
    code, out, err = ready("audit", "anchor", "-o", "a.json", "--sign-key", "anchor.key")
    assert code == 0 and "signed" in out, err
    digest = json.loads((tmp_path / "a.json").read_text())["digest"]
    ok = ("audit", "verify", "--anchor", "a.json", "--digest", digest.upper())
    assert ready(*ok, "--public-key", "anchor.key.pub")[0] == 0
    code, _, err = ready(*ok, "--public-key", "other.key.pub")
    assert code == 7 and "does not verify with this public key" in err
    # the store's administrator rewrites a history and takes (and edits) a new anchor
    shutil.copy(tmp_path / "a.json", tmp_path / "kept.json")
    _tamper_cli_store(tmp_path)
    assert ready("audit", "verify")[0] == 0  # the chain alone cannot tell
    assert ready("audit", "anchor", "-o", "a.json")[0] == 0
    code, _, err = ready("audit", "verify", "--anchor", "a.json", "--digest", digest)
    assert code == 7 and "digest kept elsewhere" in err
    code, _, err = ready("audit", "verify", "--anchor", "a.json", "--public-key", "anchor.key.pub")
    assert code == 7 and "not signed" in err
    code, _, err = ready(
        "audit", "verify", "--anchor", "kept.json", "--public-key", "anchor.key.pub"
    )
    assert code == 7 and "rewritten" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--anchor", "a.json", "--digest", "xyz"), "64 hexadecimal digits"),
        (("--digest", "0" * 64), "give it with --anchor FILE"),
        (("--anchor", "a.json", "--public-key", "missing.pub"), "cannot read the public key"),
        (("--anchor", "a.json", "--public-key", "a.json"), "not an Ed25519 key"),
        (("--anchor", "bad-head.json"), "is not [seq, hash]"),
        (("--anchor", "no-heads.json"), "it has no heads"),
    ],
)
def test_cli_bad_anchor_options_are_bad_input(ready, tmp_path, args, message) -> None:  # noqa: F811
    assert ready("audit", "anchor", "-o", "a.json")[0] == 0
    (tmp_path / "bad-head.json").write_text('{"heads": {"2568/orders/2401": [1]}}')
    (tmp_path / "no-heads.json").write_text("[1, 2]")
    code, _, err = ready("audit", "verify", *args)
    assert code == 2 and message in err


def test_cli_app_role_needs_postgresql_and_a_plain_name(ready) -> None:  # noqa: F811
    code, _, err = ready("db", "app-role", "x; DROP TABLE area")
    assert code == 2 and "cannot name a role" in err and "ใช้เป็นชื่อบทบาทไม่ได้" in err
    code, _, err = ready("db", "app-role", "plancycle_app")
    assert code == 2 and "SQLite has no roles" in err
