"""Checking the audit trail: the hash chains, the evidence files, and a replay.

- :func:`verify` walks every instance's chain and names each record that was
  edited (its content no longer matches its hash), deleted (a gap in the sequence
  or a broken link) or inserted (a record that does not link to the one before),
  each instance whose newest records are gone (its head no longer matches), and
  each evidence file that is missing or was replaced. Given an anchor (a file of
  chain heads taken earlier and kept elsewhere), it also finds a history that was
  rewritten wholesale, hashes and all.
- :func:`replay` rebuilds every instance's state from its records through the
  definitions' state machines and lists the instances whose stored state disagrees.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from plancycle.definitions.model import Catalog
from plancycle.store.audit_hash import genesis_hash, record_hash
from plancycle.store.models import Instance, TransitionRecord
from plancycle.workflow.machines import MachineRegistry

__all__ = [
    "MIGRATE_TRIGGER",
    "Finding",
    "anchor",
    "iter_chains",
    "replay",
    "verify",
]

MIGRATE_TRIGGER = "migrate_definition"  # the record a definition-version migration leaves
_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class Finding:
    key: str
    problem: str
    record_id: int | None = None
    seq: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = f" record #{self.record_id} (seq {self.seq})" if self.record_id else ""
        return f"{self.key}{where}: {self.problem}"


def iter_chains(db: sa.Engine) -> Iterator[tuple[Instance, list[TransitionRecord]]]:
    """Every instance with its records in order, streamed."""
    with Session(db) as session:
        instances = session.exec(select(Instance).order_by(Instance.id)).all()
        records = iter(
            session.exec(
                select(TransitionRecord)
                .order_by(TransitionRecord.instance_id, TransitionRecord.seq, TransitionRecord.id)
                .execution_options(yield_per=_BATCH)
            )
        )
        pending = next(records, None)
        for inst in instances:
            chain: list[TransitionRecord] = []
            while pending is not None and pending.instance_id < inst.id:
                pending = next(records, None)  # records of a deleted instance
            while pending is not None and pending.instance_id == inst.id:
                chain.append(pending)
                pending = next(records, None)
            yield inst, chain


def _content_hash(inst: Instance, rec: TransitionRecord) -> str:
    return record_hash(
        key=inst.key,
        seq=rec.seq,
        at=rec.at,
        actor_id=rec.actor_id,
        role=rec.role,
        trigger=rec.trigger,
        from_state=rec.from_state,
        to_state=rec.to_state,
        data=rec.data,
        note=rec.note,
        evidence=rec.evidence,
        automatic=rec.automatic,
        prev_hash=rec.prev_hash,
    )


def _check_chain(inst: Instance, chain: list[TransitionRecord]) -> list[Finding]:
    found: list[Finding] = []
    prev, seq = genesis_hash(inst.key), 1
    for rec in chain:
        if rec.seq > seq:
            found.append(
                Finding(
                    inst.key,
                    f"record(s) with seq {seq}-{rec.seq - 1} were deleted before this one",
                    rec.id,
                    rec.seq,
                )
            )
        elif rec.seq < seq:
            found.append(
                Finding(inst.key, "inserted: a second record with this seq", rec.id, rec.seq)
            )
        elif rec.prev_hash != prev:
            found.append(
                Finding(
                    inst.key,
                    "inserted or re-linked: it does not link to the record before it",
                    rec.id,
                    rec.seq,
                )
            )
        if _content_hash(inst, rec) != rec.hash:
            found.append(
                Finding(inst.key, "edited: its content no longer matches its hash", rec.id, rec.seq)
            )
        prev, seq = rec.hash, max(seq, rec.seq + 1)
    if (inst.head_hash or None) != (prev if chain else None):
        found.append(
            Finding(inst.key, "the newest record(s) were deleted, or the chain head was edited")
        )
    elif inst.version != seq:
        found.append(
            Finding(
                inst.key,
                f"the instance says {inst.version - 1} record(s), the chain holds {seq - 1}",
            )
        )
    return found


class _EvidenceCheck:
    """Each evidence file hashed once, however many records name it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen: dict[str, str | None] = {}

    def problem(self, sha256: str) -> str | None:
        if sha256 not in self.seen:
            path = self.folder / sha256[:2] / sha256
            if not path.is_file():
                self.seen[sha256] = f"evidence file {sha256} is missing from {self.folder}"
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                self.seen[sha256] = (
                    None
                    if digest == sha256
                    else (
                        f"evidence file {sha256} was replaced (its content hashes to {digest[:12]}…)"
                    )
                )
        return self.seen[sha256]


def verify(
    db: sa.Engine, evidence_folder: Path | None = None, anchor_heads: dict[str, list] | None = None
) -> tuple[int, list[Finding]]:
    """(records checked, findings): an empty list means the trail is intact."""
    files = _EvidenceCheck(evidence_folder) if evidence_folder else None
    findings: list[Finding] = []
    checked = 0
    present: set[str] = set()
    for inst, chain in iter_chains(db):
        checked += len(chain)
        present.add(inst.key)
        findings += _check_chain(inst, chain)
        if files:
            for rec in chain:
                findings += [
                    Finding(inst.key, p, rec.id, rec.seq)
                    for h in rec.evidence
                    if (p := files.problem(h))
                ]
        if anchor_heads and inst.key in anchor_heads:
            findings += _check_anchor(inst, chain, anchor_heads[inst.key])
    if anchor_heads:
        findings += [
            Finding(k, "the instance was deleted after the anchor was taken")
            for k in anchor_heads
            if k not in present
        ]
    return checked, findings


def _check_anchor(inst: Instance, chain: list[TransitionRecord], head: list) -> list[Finding]:
    seq, digest = head
    if seq == 0 or any(r.seq == seq and r.hash == digest for r in chain):
        return []
    return [
        Finding(
            inst.key,
            f"the history up to seq {seq} differs from the anchor: it was "
            f"rewritten after the anchor was taken",
        )
    ]


def anchor(db: sa.Engine, now: datetime) -> dict:
    """Every chain head now, and one digest over them: keep it somewhere else."""
    heads: dict[str, list] = {}
    for inst, chain in iter_chains(db):
        heads[inst.key] = [chain[-1].seq, chain[-1].hash] if chain else [0, None]
    text = json.dumps(heads, sort_keys=True, separators=(",", ":"))
    return {
        "taken_at": now.isoformat(),
        "instances": len(heads),
        "digest": hashlib.sha256(text.encode()).hexdigest(),
        "heads": heads,
    }


def replay(db: sa.Engine, catalog: Catalog) -> tuple[int, list[Finding]]:
    """(instances replayed, instances whose stored state is not what their records give)."""
    machines = MachineRegistry(catalog)
    findings: list[Finding] = []
    count = 0
    for inst, chain in iter_chains(db):
        count += 1
        problem = _replay_one(machines, catalog, inst, chain)
        if problem:
            findings.append(Finding(inst.key, problem))
    return count, findings


def _first_version(inst: Instance, chain: list[TransitionRecord]) -> int:
    for rec in chain:
        if rec.trigger == MIGRATE_TRIGGER:
            return int(rec.data.get("from_version", inst.definition_version))
    return inst.definition_version


def _replay_one(
    machines: MachineRegistry, catalog: Catalog, inst: Instance, chain: list[TransitionRecord]
) -> str | None:
    version = _first_version(inst, chain)
    state = catalog.get(inst.definition_id, version).initial_state.id
    for rec in chain:
        if rec.from_state != state:
            return (
                f"record seq {rec.seq} starts from {rec.from_state!r}, the replay is at {state!r}"
            )
        if rec.trigger == MIGRATE_TRIGGER:
            version, state = int(rec.data.get("to_version", version)), rec.to_state
            continue
        dest = machines.fire(inst.definition_id, version, state, rec.trigger)
        if dest != rec.to_state:
            return (
                f"record seq {rec.seq}: {rec.trigger!r} from {state!r} leads to {dest!r}, "
                f"the record says {rec.to_state!r}"
            )
        state = dest
    if (state, version) != (inst.state, inst.definition_version):
        return (
            f"stored state {inst.state!r} (v{inst.definition_version}) but the records give "
            f"{state!r} (v{version})"
        )
    return None
