"""Peers of plancycle's persisted advance, and the harness every contender runs in.

Every contender runs the same 6-step process (``village_plan``: calendar_set,
forum_held, plan_drafted, plan_adopted, plan_sent, evaluated, with the same step
data) on the same number of instances, in the same order (step by step across all
instances, as a year runs), and persists after every step: one transaction per
transition that reads the instance, advances it, writes its new state and one
audit row, and commits. SQLite with plancycle's own connection settings
(``plancycle.store.db.SQLITE_PRAGMAS``: WAL, ``synchronous=NORMAL``, checkpoints
every 10,000 log pages).

The peers (each in its own SQLite file holding the same instances):

- ``transitions`` (0.9.3), one Machine per instance, JSON: every advance loads the
  instance's state and data (JSON), builds that instance's Machine, fires the
  trigger, and writes the JSON back.
- ``transitions``, one Machine per instance, pickled: the instance's Machine (with
  its model) is kept as a pickle; every advance unpickles it, fires, pickles it back.
- SpiffWorkflow 3.2.0 running ``bench/village_plan.bpmn`` (six user tasks, parsed
  once by its ``BpmnParser``): every advance restores the workflow with its
  ``BpmnWorkflowSerializer`` (JSON), completes the ready user task with the step's
  data, runs the engine steps, and serialises it back.

They check nothing plancycle checks (who may act, where, guards, versions) and
chain nothing: their audit row is the transition alone.
Run alone: ``.venv/bin/python -m bench.peers [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from transitions import Machine

from bench.stores import PROCESS, Step, actor_of, process_steps
from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Catalog
from plancycle.store.db import SQLITE_PRAGMAS

__all__ = [
    "BPMN",
    "Contender",
    "Result",
    "SpiffPeer",
    "TransitionsJsonPeer",
    "TransitionsPicklePeer",
    "measure",
    "paired_ratio",
    "peers",
]

BPMN = Path(__file__).with_name("village_plan.bpmn")
ROLE = "district_cd_office"
DONE = "done"


class Contender(Protocol):
    name: str
    store: str

    def prepare(self, folder: Path, keys: list[str]) -> None:
        """Create the store holding ``keys`` in their initial state (not timed)."""

    def advance(self, index: int, step: Step) -> None:
        """One persisted transition of instance ``keys[index]``, its own transaction."""

    def check(self, indexes: range, steps: list[Step]) -> str | None:
        """None when every instance of ``indexes`` ended final with one audit row per
        step; else what is wrong."""

    def settle(self) -> None:
        """Fold the block's writes into the store file (SQLite: a PASSIVE checkpoint of
        the write-ahead log). Timed as part of the block: every contender pays for its own
        writes inside the block that made them, instead of whichever block happens to
        cross the automatic checkpoint (which made single blocks differ by half)."""

    def close(self) -> None: ...


@dataclass
class Result:
    name: str
    store: str
    transitions: int  # per run
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)  # this process's CPU time
    problem: str | None = None

    @property
    def rates(self) -> list[float]:
        return [self.transitions / s for s in self.seconds]

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def per_transition_us(self) -> float:
        return 1e6 / self.rate

    @property
    def cpu_us(self) -> float:
        """Median CPU time of this process per transition (robust to other load on the
        machine; SQLite runs in-process, so its work is counted, waiting is not)."""
        return 1e6 * statistics.median(self.cpu_seconds) / self.transitions


def paired_ratio(base: Result, other: Result, *, cpu: bool = False) -> float:
    """How many times ``base``'s throughput is ``other``'s: the median over the rounds of
    the ratio within each round (the two ran back to back there, under the same load), by
    wall time or, with ``cpu``, by this process's CPU time."""
    mine, theirs = (base.cpu_seconds, other.cpu_seconds) if cpu else (base.seconds, other.seconds)
    pairs = zip(mine, theirs, strict=True)
    per_round = [(t / other.transitions) / (m / base.transitions) for m, t in pairs]
    return statistics.median(per_round)


def drive(contender: Contender, indexes: range, steps: list[Step]) -> None:
    for step in steps:
        for index in indexes:
            contender.advance(index, step)


def measure(
    contenders: list[Contender],
    folder: Path,
    keys: list[str],
    steps: list[Step],
    instances: int,
    warm: int,
    runs: int,
) -> list[Result]:
    """Each contender warms up on ``warm`` instances; then ``runs`` rounds in which
    every contender in turn advances a block of ``instances`` fresh instances: the
    contenders are interleaved (A B C A B C ...), so that other load on the machine, and
    its drift, falls on all of them alike, and :func:`paired_ratio` compares them within
    each round. Wall and CPU (process) time are kept per block."""
    needed = warm + runs * instances
    results = [Result(c.name, c.store, instances * len(steps)) for c in contenders]
    try:
        for contender in contenders:
            contender.prepare(folder, keys[:needed])
            drive(contender, range(warm), steps)
            contender.settle()
        for run in range(runs):
            indexes = range(warm + run * instances, warm + (run + 1) * instances)
            for contender, result in zip(contenders, results, strict=True):
                gc.collect()
                c0, t0 = time.process_time(), time.perf_counter()
                drive(contender, indexes, steps)
                contender.settle()
                result.seconds.append(time.perf_counter() - t0)
                result.cpu_seconds.append(time.process_time() - c0)
                result.problem = result.problem or contender.check(indexes, steps)
    finally:
        for contender in contenders:
            contender.close()
    return results


# --- the peers' store -----------------------------------------------------------------

PEER_SCHEMA = (
    "CREATE TABLE workflow (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, "
    "state TEXT NOT NULL, version INTEGER NOT NULL, doc BLOB NOT NULL)",
    "CREATE TABLE audit (id INTEGER PRIMARY KEY, "
    "workflow_id INTEGER NOT NULL REFERENCES workflow(id), seq INTEGER NOT NULL, "
    "at TEXT NOT NULL, actor_id TEXT NOT NULL, role TEXT NOT NULL, trigger TEXT NOT NULL, "
    "from_state TEXT NOT NULL, to_state TEXT NOT NULL, data TEXT NOT NULL, "
    "UNIQUE (workflow_id, seq))",  # also the index for lookups by workflow, as in plancycle
)


def connect(path: Path) -> sqlite3.Connection:
    """Autocommit connection (transactions are explicit) with plancycle's pragmas."""
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:  # plancycle's own settings
        con.execute(pragma)
    return con


CHECKPOINT = "PRAGMA wal_checkpoint(PASSIVE)"


def checkpoint(con: sqlite3.Connection) -> None:
    """Fold the write-ahead log into the database file; raise if it could not be."""
    settled(*con.execute(CHECKPOINT).fetchone())


def settled(busy: int, log: int, folded: int) -> None:
    """Raise unless the checkpoint folded every frame of the log into the database."""
    if busy or log != folded:
        raise RuntimeError(f"checkpoint incomplete: busy={busy}, {folded} of {log} frames")


class PeerStore:
    """A workflow table (state + the library's own document) and an audit table."""

    name = "peer"
    store = "SQLite"
    file_name = "peer.db"

    def __init__(self, catalog: Catalog) -> None:
        definition = catalog.get(PROCESS)
        self.states = [s.id for s in definition.states]
        self.transitions = [
            {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
            for t in definition.transitions
        ]
        self.initial = definition.initial_state.id
        self.keys: list[str] = []
        self.con: sqlite3.Connection | None = None

    # the library's part ---------------------------------------------------------------
    def initial_doc(self) -> tuple[str, bytes | str]:
        raise NotImplementedError

    def fire(self, doc: bytes | str, trigger: str, data: dict) -> tuple[str, bytes | str]:
        """(new state, new document) after ``trigger`` with ``data``."""
        raise NotImplementedError

    # the store's part -----------------------------------------------------------------
    def prepare(self, folder: Path, keys: list[str]) -> None:
        path = folder / self.file_name
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.keys = keys
        self.con = connect(path)
        for statement in PEER_SCHEMA:
            self.con.execute(statement)
        self.con.execute("BEGIN")
        for key in keys:
            state, doc = self.initial_doc()
            self.con.execute(
                "INSERT INTO workflow (key, state, version, doc) VALUES (?, ?, 1, ?)",
                (key, state, doc),
            )
        self.con.execute("COMMIT")

    def advance(self, index: int, step: Step) -> None:
        trigger, _, _, data = step
        key = self.keys[index]
        con = self.con
        con.execute("BEGIN")
        try:
            wid, state, version, doc = con.execute(
                "SELECT id, state, version, doc FROM workflow WHERE key = ?", (key,)
            ).fetchone()
            new_state, new_doc = self.fire(doc, trigger, data)
            changed = con.execute(
                "UPDATE workflow SET state = ?, version = ?, doc = ? WHERE id = ? AND version = ?",
                (new_state, version + 1, new_doc, wid, version),
            ).rowcount
            if changed != 1:
                raise RuntimeError(f"{key} changed under us")
            con.execute(
                "INSERT INTO audit (workflow_id, seq, at, actor_id, role, trigger, from_state, "
                "to_state, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    wid,
                    version,
                    datetime.now(UTC).isoformat(),
                    actor_of(key),
                    ROLE,
                    trigger,
                    state,
                    new_state,
                    json.dumps(data),
                ),
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def check(self, indexes: range, steps: list[Step]) -> str | None:
        keys = [self.keys[i] for i in indexes]
        marks = ",".join("?" * len(keys))
        final = self.con.execute(
            f"SELECT count(*) FROM workflow WHERE key IN ({marks}) AND state = ?", (*keys, DONE)
        ).fetchone()[0]
        rows = self.con.execute(
            f"SELECT count(*) FROM audit JOIN workflow w ON w.id = workflow_id "
            f"WHERE w.key IN ({marks})",
            keys,
        ).fetchone()[0]
        if final != len(keys) or rows != len(keys) * len(steps):
            return f"{final}/{len(keys)} final, {rows} audit rows"
        return None

    def settle(self) -> None:
        checkpoint(self.con)

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


class _Plan:
    """The model a transitions Machine moves: its state and the data given so far."""

    def __init__(self, data: dict | None = None) -> None:
        self.data = data or {}


class TransitionsJsonPeer(PeerStore):
    name = "transitions 0.9.3: one Machine per instance, built on every advance, JSON"
    file_name = "transitions-json.db"

    def initial_doc(self) -> tuple[str, str]:
        return self.initial, json.dumps({"state": self.initial, "data": {}})

    def fire(self, doc: str, trigger: str, data: dict) -> tuple[str, str]:
        saved = json.loads(doc)
        plan = _Plan(saved["data"])
        Machine(
            model=plan,
            states=self.states,
            transitions=self.transitions,
            initial=saved["state"],
            auto_transitions=False,
        )
        plan.trigger(trigger)
        plan.data.update(data)
        return plan.state, json.dumps({"state": plan.state, "data": plan.data})


class TransitionsPicklePeer(PeerStore):
    name = "transitions 0.9.3: one Machine per instance, pickled"
    file_name = "transitions-pickle.db"

    def initial_doc(self) -> tuple[str, bytes]:
        machine = Machine(
            model=_Plan(),
            states=self.states,
            transitions=self.transitions,
            initial=self.initial,
            auto_transitions=False,
        )
        return self.initial, pickle.dumps(machine)

    def fire(self, doc: bytes, trigger: str, data: dict) -> tuple[str, bytes]:
        machine = pickle.loads(doc)
        plan = machine.models[0]
        plan.trigger(trigger)
        plan.data.update(data)
        return plan.state, pickle.dumps(machine)


class SpiffPeer(PeerStore):
    name = "SpiffWorkflow 3.2.0: BPMN, BpmnWorkflowSerializer JSON"
    file_name = "spiff.db"

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(catalog)
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        parser = BpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec(PROCESS)
        self.serializer = BpmnWorkflowSerializer()
        self.workflow_cls = BpmnWorkflow
        self.ready = TaskState.READY

    def _state(self, workflow) -> str:
        task = workflow.get_next_task(state=self.ready, manual=True)
        return task.task_spec.name if task is not None else DONE

    def initial_doc(self) -> tuple[str, str]:
        workflow = self.workflow_cls(self.spec)
        workflow.do_engine_steps()
        return self._state(workflow), self.serializer.serialize_json(workflow)

    def fire(self, doc: str, trigger: str, data: dict) -> tuple[str, str]:
        workflow = self.serializer.deserialize_json(doc)
        task = workflow.get_next_task(state=self.ready, manual=True)
        if task is None or task.task_spec.name != trigger:
            raise RuntimeError(f"{trigger} is not the ready task")
        task.data.update(data)
        task.run()
        workflow.do_engine_steps()
        return self._state(workflow), self.serializer.serialize_json(workflow)


def spiff_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("SpiffWorkflow")
    except PackageNotFoundError:
        return ""


def peers(catalog: Catalog) -> list[PeerStore]:
    """The peers to run; SpiffWorkflow only when it is installed (the ``bench`` extra)."""
    out: list[PeerStore] = [TransitionsJsonPeer(catalog), TransitionsPicklePeer(catalog)]
    if spiff_version():
        out.append(SpiffPeer(catalog))
    else:
        print(
            "SpiffWorkflow is not installed: `.venv/bin/pip install -e '.[bench]'`",
            file=sys.stderr,
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--instances", type=int)
    args = parser.parse_args(argv)
    instances = args.instances or (200 if args.quick else 1_000)
    runs, warm = (1, 20) if args.quick else (3, 50)
    catalog = load_catalog()
    steps = process_steps(catalog)
    keys = [f"2568/{PROCESS}/{i:08d}" for i in range(warm + runs * instances)]
    print(f"# Peers: {instances:,} instances x {len(steps)} steps, median of {runs}")
    print("| peer | transitions/s | µs per transition | CPU µs per transition |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        for res in measure(peers(catalog), Path(tmp), keys, steps, instances, warm, runs):
            flag = f" ({res.problem})" if res.problem else ""
            print(
                f"| {res.name}{flag} | {res.rate:,.0f} | {res.per_transition_us:,.0f} "
                f"| {res.cpu_us:,.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
