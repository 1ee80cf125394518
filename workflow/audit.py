"""Checking the audit trail: the hash chains, the evidence files, and a replay.

- :func:`verify` walks every instance's chain and names each record that was
  edited (its content no longer matches its hash), deleted (a gap in the sequence
  or a broken link) or inserted (a record that does not link to the one before),
  each instance whose newest records are gone (its head no longer matches), and
  each evidence file that is missing or was replaced. Given an anchor (a file of
  chain heads taken earlier and kept elsewhere), it also finds a history that was
  rewritten wholesale, hashes and all; the anchor file itself is checked first
  (:mod:`plancycle.workflow.anchors`: its digest, a digest kept elsewhere, a signature).
  It also compares the instances of each process with the number cycle start created
  (``cycle.instance_counts``): an instance deleted with all its records is found even
  without an anchor (named by its key only with one).
- :func:`replay` rebuilds every instance's state from its records through the
  definitions' state machines and lists the instances whose stored state disagrees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from plancycle.definitions.model import Catalog
from plancycle.store.audit_hash import genesis_hash, record_hash
from plancycle.store.evidence import stored_path
from plancycle.store.models import Cycle, Evidence, Instance, TransitionRecord, table_of
from plancycle.workflow.anchors import anchor_findings, heads_digest
from plancycle.workflow.findings import Finding, FindingKind
from plancycle.workflow.machines import MachineRegistry
from plancycle.workflow.withdraw import AdminTrigger

__all__ = [
    "CORRECT_TRIGGER",
    "MIGRATE_TRIGGER",
    "RESERVED_TRIGGERS",
    "RETURNED_KEY",
    "SEND_BACK_TRIGGER",
    "Finding",
    "FindingKind",
    "anchor",
    "replay",
    "verify",
    "verify_with_anchor",
]

_STATE_KEEPING = frozenset(t.value for t in AdminTrigger)
MIGRATE_TRIGGER = "migrate_definition"  # the record a definition-version migration leaves
SEND_BACK_TRIGGER = "send_back"  # a reviewer returned the instance to an earlier step
RETURNED_KEY = "returned"  # a send-back record's data: the trigger of the step it returned
CORRECT_TRIGGER = "correct"  # new values for the newest step's data (the state stays)
#: the triggers of records that are no step of a definition
RESERVED_TRIGGERS = frozenset({MIGRATE_TRIGGER, SEND_BACK_TRIGGER, CORRECT_TRIGGER})
_BATCH = 5_000


_INSTANCES = table_of(Instance)
_RECORDS = table_of(TransitionRecord)
# what the checks read of an instance and of a record (records by position: _fields)
_INSTANCE_COLUMNS = (
    "id",
    "key",
    "definition_id",
    "definition_version",
    "state",
    "version",
    "head_hash",
)
_RECORD_COLUMNS = tuple(column.name for column in _RECORDS.columns)


def _fields(*names: str) -> itemgetter[Any]:
    """A record row's fields by position (a row's attribute read by name costs ~15x more)."""
    return itemgetter(*(_RECORD_COLUMNS.index(name) for name in names))


_INSTANCE_ID = _fields("instance_id")
_LINK = _fields("id", "seq", "prev_hash", "hash")
_HASHED = _fields(
    "seq",
    "at",
    "actor_id",
    "role",
    "trigger",
    "from_state",
    "to_state",
    "data",
    "note",
    "evidence",
    "automatic",
    "prev_hash",
    "on_behalf_of",
)


def _chain_rows(db: sa.Engine) -> Iterator[tuple[sa.Row[Any], list[sa.Row[Any]]]]:
    """Every instance with its records in order, as SQLAlchemy Core rows (the columns'
    own types: JSON and ``UTCDateTime`` decoded; no ORM objects): the instances and the
    records are both streamed, ``_BATCH`` rows at a time, and merged on the instance id."""
    inst_query = sa.select(*(_INSTANCES.c[name] for name in _INSTANCE_COLUMNS)).order_by(
        _INSTANCES.c.id
    )
    rec_query = sa.select(*(_RECORDS.c[name] for name in _RECORD_COLUMNS)).order_by(
        _RECORDS.c.instance_id, _RECORDS.c.seq, _RECORDS.c.id
    )
    with db.connect() as conn:
        streamed = conn.execution_options(yield_per=_BATCH)
        instances = streamed.execute(inst_query)
        runs = groupby(streamed.execute(rec_query), key=_INSTANCE_ID)  # one run per instance
        run_id, run = next(runs, (None, ()))
        for inst in instances:
            while run_id is not None and run_id < inst.id:
                run_id, run = next(runs, (None, ()))  # records of a deleted instance
            if run_id == inst.id:
                yield inst, list(run)
                run_id, run = next(runs, (None, ()))
            else:
                yield inst, []


def _content_hash(key: str, rec: sa.Row[Any]) -> str:
    seq, at, actor, role, trigger, src, dest, data, note, evidence, auto, prev, behalf = _HASHED(
        rec
    )
    return record_hash(
        key=key,
        seq=seq,
        at=at,
        actor_id=actor,
        role=role,
        trigger=trigger,
        from_state=src,
        to_state=dest,
        data=data,
        note=note,
        evidence=evidence,
        automatic=auto,
        prev_hash=prev,
        on_behalf_of=behalf,
    )


def _check_chain(inst: sa.Row[Any], chain: list[sa.Row[Any]]) -> list[Finding]:
    found: list[Finding] = []
    key = inst.key
    prev, seq = genesis_hash(key), 1
    for rec in chain:
        rec_id, at_seq, linked, digest = _LINK(rec)
        if at_seq > seq:
            gap = {"first": seq, "last": at_seq - 1}
            found.append(Finding(key, FindingKind.RECORDS_DELETED, gap, rec_id, at_seq))
        elif at_seq < seq:
            found.append(Finding(key, FindingKind.SEQ_REPEATED, {}, rec_id, at_seq))
        elif linked != prev:
            found.append(Finding(key, FindingKind.RELINKED, {}, rec_id, at_seq))
        if _content_hash(key, rec) != digest:
            found.append(Finding(key, FindingKind.EDITED, {}, rec_id, at_seq))
        prev, seq = digest, max(seq, at_seq + 1)
    if (inst.head_hash or None) != (prev if chain else None):
        found.append(Finding(key, FindingKind.HEAD_GONE))
    elif inst.version != seq:
        counted = {"said": inst.version - 1, "held": seq - 1}
        found.append(Finding(key, FindingKind.RECORD_COUNT, counted))
    return found


def references_evidence(db: sa.Engine) -> bool:
    """Whether any record of the store attached a file."""
    with db.connect() as conn:
        return conn.execute(sa.select(table_of(Evidence).c.sha256).limit(1)).first() is not None


class _EvidenceCheck:
    """Each evidence file hashed once, however many records name it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen: dict[str, tuple[FindingKind, dict[str, Any]] | None] = {}

    def problem(self, sha256: str) -> tuple[FindingKind, dict[str, Any]] | None:
        """(kind, params) of what is wrong with the file, or None."""
        if sha256 not in self.seen:
            path = stored_path(self.folder, sha256)
            if not path.is_file():
                where = {"sha256": sha256, "folder": str(self.folder)}
                self.seen[sha256] = (FindingKind.EVIDENCE_MISSING, where)
            else:
                with path.open("rb") as stream:  # in chunks, however large the file
                    digest = hashlib.file_digest(stream, "sha256").hexdigest()
                replaced = {"sha256": sha256, "found": digest[:12]}
                self.seen[sha256] = (
                    None if digest == sha256 else (FindingKind.EVIDENCE_REPLACED, replaced)
                )
        return self.seen[sha256]


def verify(
    db: sa.Engine,
    evidence_folder: Path | None = None,
    anchor_heads: dict[str, list[Any]] | None = None,
) -> tuple[int, list[Finding]]:
    """(records checked, findings): an empty list means the trail is intact."""
    files = _EvidenceCheck(evidence_folder) if evidence_folder else None
    findings: list[Finding] = []
    checked = 0
    present: set[str] = set()
    for inst, chain in _chain_rows(db):
        checked += len(chain)
        present.add(inst.key)
        findings += _check_chain(inst, chain)
        if files:
            for rec in chain:
                findings += [
                    Finding(inst.key, *p, rec.id, rec.seq)
                    for h in rec.evidence
                    if (p := files.problem(h))
                ]
        if anchor_heads and inst.key in anchor_heads:
            findings += _check_anchor(inst, chain, anchor_heads[inst.key])
    if anchor_heads:
        findings += [
            Finding(k, FindingKind.DELETED_SINCE_ANCHOR) for k in anchor_heads if k not in present
        ]
    return checked, findings + _check_counts(db)


def verify_with_anchor(
    db: sa.Engine,
    evidence_folder: Path | None,
    anchor_doc: dict[str, Any],
    kept_digest: str | None = None,
    public_pem: bytes | None = None,
) -> tuple[int, list[Finding]]:
    """:func:`verify` against an anchor file, after checking the file itself: its own
    digest, the digest kept elsewhere, its signature (see ``anchors.anchor_findings``)."""
    problems = anchor_findings(anchor_doc, kept_digest, public_pem)
    checked, findings = verify(db, evidence_folder, anchor_doc["heads"])
    return checked, problems + findings


def _check_counts(db: sa.Engine) -> list[Finding]:
    """Each process whose instances are fewer (or more) than cycle start created."""
    inst = _INSTANCES.c
    held_query = sa.select(inst.cycle_id, inst.definition_id, sa.func.count()).group_by(
        inst.cycle_id, inst.definition_id
    )
    cycles = table_of(Cycle).c
    with db.connect() as conn:
        held = {(c, d): n for c, d, n in conn.execute(held_query)}
        counted = conn.execute(
            sa.select(cycles.id, cycles.fiscal_year, cycles.instance_counts)
        ).all()
    found: list[Finding] = []
    for cycle_id, fiscal_year, counts in counted:
        for process in sorted(set(counts or {}) | {d for c, d in held if c == cycle_id}):
            created, now = (counts or {}).get(process, 0), held.get((cycle_id, process), 0)
            if created != now:
                kind = (
                    FindingKind.INSTANCES_DELETED if now < created else FindingKind.INSTANCES_ADDED
                )
                counts_now = {"created": created, "now": now}
                found.append(Finding(f"{fiscal_year}/{process}", kind, counts_now))
    return found


def _check_anchor(inst: sa.Row[Any], chain: list[sa.Row[Any]], head: list[Any]) -> list[Finding]:
    seq, digest = head
    if seq == 0 or any(r.seq == seq and r.hash == digest for r in chain):
        return []
    return [Finding(inst.key, FindingKind.REWRITTEN, {"seq": seq})]


def anchor(db: sa.Engine, now: datetime) -> dict[str, Any]:
    """Every chain head now, and one digest over them: keep it somewhere else."""
    heads: dict[str, list[Any]] = {}
    for inst, chain in _chain_rows(db):
        heads[inst.key] = [chain[-1].seq, chain[-1].hash] if chain else [0, None]
    return {
        "taken_at": now.isoformat(),
        "instances": len(heads),
        "digest": heads_digest(heads),
        "heads": heads,
    }


def replay(db: sa.Engine, catalog: Catalog) -> tuple[int, list[Finding]]:
    """(instances replayed, instances whose stored state is not what their records give)."""
    machines = MachineRegistry(catalog)
    findings: list[Finding] = []
    count = 0
    for inst, chain in _chain_rows(db):
        count += 1
        problem = _replay_one(machines, catalog, inst, chain)
        if problem:
            findings.append(Finding(inst.key, *problem))
    return count, findings


def _first_version(inst: sa.Row[Any], chain: list[sa.Row[Any]]) -> int:
    for rec in chain:
        if rec.trigger == MIGRATE_TRIGGER:
            return int(rec.data.get("from_version", inst.definition_version))
    return int(inst.definition_version)


def _off_step_problem(
    catalog: Catalog, process: str, version: int, rec: sa.Row[Any], state: str
) -> tuple[FindingKind, dict[str, Any]] | None:
    """What is wrong with a record that is no step, replayed in ``state``: withdraw,
    retarget and correct keep the state (they "lead" where they start); a send-back returns
    to a state of the definition."""
    keeps = rec.trigger in _STATE_KEEPING or rec.trigger == CORRECT_TRIGGER
    if keeps and rec.to_state != state:
        named = {"seq": rec.seq, "trigger": rec.trigger, "state": state, "dest": state}
        return FindingKind.REPLAY_LEADS, {**named, "recorded": rec.to_state}
    if not catalog.get(process, version).has_state(rec.to_state):
        named = {"seq": rec.seq, "recorded": rec.to_state, "version": version}
        return FindingKind.REPLAY_NO_STATE, named
    return None


_OFF_STEP = _STATE_KEEPING | {SEND_BACK_TRIGGER, CORRECT_TRIGGER}


def _replay_one(
    machines: MachineRegistry, catalog: Catalog, inst: sa.Row[Any], chain: list[sa.Row[Any]]
) -> tuple[FindingKind, dict[str, Any]] | None:
    """(kind, params) of where the replay and the records part, or None; ``labels`` gives
    the Thai label of each state named (of the version it was named in)."""
    version = _first_version(inst, chain)
    state = catalog.get(inst.definition_id, version).initial_state.id

    def labelled(params: dict[str, Any], *states: tuple[str | None, int]) -> dict[str, Any]:
        params["labels"] = {
            s: catalog.state_label(inst.definition_id, s, v).th for s, v in states if s
        }
        return params

    for rec in chain:
        if rec.from_state != state:
            named = {"seq": rec.seq, "recorded": rec.from_state, "state": state}
            found = labelled(named, (rec.from_state, version), (state, version))
            return FindingKind.REPLAY_FROM, found
        if rec.trigger == MIGRATE_TRIGGER:
            version, state = int(rec.data.get("to_version", version)), rec.to_state
            continue
        if rec.trigger in _OFF_STEP:
            off = _off_step_problem(catalog, inst.definition_id, version, rec, state)
            if off:
                return off[0], labelled(off[1], (state, version), (rec.to_state, version))
            state = rec.to_state
            continue
        fired = machines.fire(inst.definition_id, version, state, rec.trigger)
        dest = fired.dest if fired is not None else None
        if dest is None or dest != rec.to_state:
            named = {
                "seq": rec.seq,
                "trigger": rec.trigger,
                "state": state,
                "dest": dest,
                "recorded": rec.to_state,
            }
            found = labelled(named, (state, version), (dest, version), (rec.to_state, version))
            return FindingKind.REPLAY_LEADS, found
        state = dest
    if (state, version) != (inst.state, inst.definition_version):
        named = {
            "stored": inst.state,
            "stored_version": inst.definition_version,
            "state": state,
            "version": version,
        }
        found = labelled(named, (inst.state, inst.definition_version), (state, version))
        return FindingKind.REPLAY_STATE, found
    return None
