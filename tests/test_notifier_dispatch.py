"""The dispatcher: claims, retries with backoff, dead letters, leases, concurrency."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from loguru import logger
from sqlmodel import Session, func, select

from plancycle.notifier.channels import MemoryChannel
from plancycle.notifier.dispatch import DispatchReport, RetryPolicy, claim_due, dispatch_once
from plancycle.store.models import DeliveryAttempt, OutboxMessage

T0 = datetime(2025, 4, 3, 2, tzinfo=UTC)


def add_messages(
    db: sa.Engine, n: int = 1, *, channel: str = "memory", due: datetime = T0
) -> list[int]:
    with Session(db) as s:
        rows = [
            OutboxMessage(
                channel=channel,
                address=f"office-{i}@example.go.th",
                role="district_cd_office",
                area_code="2401",
                subject=f"[plancycle] เกินกำหนด / Overdue #{i}",
                body="ไทย\n\nEnglish",
                payload={"key": f"2568/activity2/2401{i:02d}", "kind": "overdue"},
                next_attempt_at=due,
                created_at=due,
            )
            for i in range(n)
        ]
        s.add_all(rows)
        s.commit()
        return [r.id for r in rows if r.id is not None]


def message(db: sa.Engine, message_id: int) -> OutboxMessage:
    with Session(db) as s:
        m = s.get(OutboxMessage, message_id)
        assert m is not None
        s.expunge(m)
        return m


def attempts(db: sa.Engine, message_id: int) -> list[DeliveryAttempt]:
    with Session(db) as s:
        q = select(DeliveryAttempt).where(DeliveryAttempt.message_id == message_id)
        return list(s.exec(q.order_by(DeliveryAttempt.id)).all())


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), format="{message}", level="INFO")
    yield lines
    logger.remove(sink)


def test_delivers_a_due_message(engine: sa.Engine, log_lines: list[str]) -> None:
    (mid,) = add_messages(engine)
    memory = MemoryChannel()
    report = dispatch_once(engine, {"memory": memory}, T0, worker="w1")
    assert report == DispatchReport(claimed=1, delivered=1)
    assert [m.id for m in memory.sent] == [mid]
    assert memory.sent[0].subject == "[plancycle] เกินกำหนด / Overdue #0"
    m = message(engine, mid)
    assert (m.status, m.attempts, m.delivered_at, m.last_error) == ("delivered", 1, T0, None)
    assert m.claimed_until is None
    [a] = attempts(engine, mid)
    assert (a.ok, a.worker, a.at, a.error) == (True, "w1", T0, None)
    [line] = [x for x in log_lines if "delivery" in x]
    assert "2568/activity2/240100" in line and "via memory" in line
    assert "office-0@example.go.th" in line and "ok=True" in line and "attempt 1" in line
    # delivered is final: a later pass claims nothing
    assert (
        dispatch_once(engine, {"memory": memory}, T0 + timedelta(days=1), worker="w1").claimed == 0
    )
    assert len(memory.sent) == 1


def test_message_not_yet_due_is_not_claimed(engine: sa.Engine) -> None:
    (mid,) = add_messages(engine, due=T0 + timedelta(minutes=5))
    memory = MemoryChannel()
    early = dispatch_once(
        engine, {"memory": memory}, T0 + timedelta(minutes=4, seconds=59), worker="w"
    )
    assert early == DispatchReport()
    assert memory.sent == [] and attempts(engine, mid) == []
    assert message(engine, mid).claimed_by is None
    on_time = dispatch_once(engine, {"memory": memory}, T0 + timedelta(minutes=5), worker="w")
    assert on_time.delivered == 1 and [m.id for m in memory.sent] == [mid]


def test_failures_back_off_exponentially_then_deliver(
    engine: sa.Engine, log_lines: list[str]
) -> None:
    (mid,) = add_messages(engine)
    memory = MemoryChannel(fail_times=3)
    channels = {"memory": memory}
    now = T0
    for n, wait in enumerate([60, 120, 240], start=1):
        report = dispatch_once(engine, channels, now, worker="w")
        assert report == DispatchReport(claimed=1, retried=1)
        m = message(engine, mid)
        assert m.status == "pending" and m.attempts == n
        assert m.next_attempt_at == now + timedelta(seconds=wait)
        assert m.claimed_by is None and m.claimed_until is None  # claim released
        assert "simulated failure" in (m.last_error or "")
        # one second early: not due, nothing happens
        assert (
            dispatch_once(
                engine, channels, m.next_attempt_at - timedelta(seconds=1), worker="w"
            ).claimed
            == 0
        )
        now = m.next_attempt_at
    report = dispatch_once(engine, channels, now, worker="w")
    assert report.delivered == 1
    assert [a.ok for a in attempts(engine, mid)] == [False, False, False, True]
    assert len(memory.sent) == 1 and memory.failures == 3
    failed = [x for x in log_lines if "ok=False" in x]
    assert len(failed) == 3 and "attempt 3" in failed[-1] and "retry at" in failed[-1]


def test_backoff_is_capped_at_max_delay(engine: sa.Engine) -> None:
    (mid,) = add_messages(engine)
    channels = {"memory": MemoryChannel(fail_times=10)}
    now, waits = T0, []
    for _ in range(4):
        dispatch_once(engine, channels, now, worker="w", base_delay=60, max_delay=200)
        nxt = message(engine, mid).next_attempt_at
        waits.append((nxt - now).total_seconds())
        now = nxt
    assert waits == [60, 120, 200, 200]


def test_retry_after_takes_the_place_of_the_backoff_within_a_day() -> None:
    policy = RetryPolicy()
    assert policy.wait(3) == policy.delay(3) == timedelta(seconds=240)
    assert policy.wait(3, 30) == timedelta(seconds=30)
    assert policy.wait(1, 0) == timedelta(seconds=1)  # never at once, never a busy loop
    assert policy.wait(1, 10**9) == timedelta(days=1)


def test_dead_after_max_attempts(engine: sa.Engine, log_lines: list[str]) -> None:
    (mid,) = add_messages(engine)
    channels = {"memory": MemoryChannel(fail_times=100)}
    now = T0
    reports = []
    for _ in range(3):
        reports.append(dispatch_once(engine, channels, now, worker="w", max_attempts=3))
        now = message(engine, mid).next_attempt_at
    assert [r.retried for r in reports] == [1, 1, 0] and reports[-1].dead == 1
    m = message(engine, mid)
    assert (m.status, m.attempts, m.claimed_by) == ("dead", 3, None)
    assert len(attempts(engine, mid)) == 3
    later = dispatch_once(engine, channels, now + timedelta(days=30), worker="w", max_attempts=3)
    assert later.claimed == 0 and len(attempts(engine, mid)) == 3
    assert any("dead after 3 attempts" in x for x in log_lines)


def test_channel_not_configured_is_a_failed_attempt(engine: sa.Engine) -> None:
    (mid,) = add_messages(engine, channel="email")
    report = dispatch_once(engine, {"memory": MemoryChannel()}, T0, worker="w")
    assert report == DispatchReport(claimed=1, retried=1)
    [a] = attempts(engine, mid)
    assert a.ok is False and a.error == "no channel 'email' configured"
    assert message(engine, mid).last_error == "no channel 'email' configured"


class Broken:
    name = "memory"

    def send(self, message: OutboxMessage) -> None:
        raise RuntimeError("bug in the channel")


def test_unexpected_channel_error_is_recorded_and_claim_released(engine: sa.Engine) -> None:
    first, second = add_messages(engine, 2)
    report = dispatch_once(engine, {"memory": Broken()}, T0, worker="w")
    assert report == DispatchReport(claimed=2, retried=2)
    for mid in (first, second):
        m = message(engine, mid)
        assert m.claimed_by is None and m.last_error == "RuntimeError: bug in the channel"


def test_a_claim_holds_until_its_lease_expires(engine: sa.Engine) -> None:
    ids = add_messages(engine, 3)
    claimed = claim_due(engine, T0, worker="crashed", batch=2, lease_seconds=300)
    assert [m.id for m in claimed] == ids[:2]
    assert all(m.claimed_by == "crashed" for m in claimed)
    assert message(engine, ids[0]).claimed_until == T0 + timedelta(seconds=300)
    memory = MemoryChannel()
    during = dispatch_once(engine, {"memory": memory}, T0 + timedelta(seconds=299), worker="w2")
    assert during.claimed == 1 and [m.id for m in memory.sent] == [ids[2]]
    after = dispatch_once(engine, {"memory": memory}, T0 + timedelta(seconds=300), worker="w2")
    assert after.delivered == 2 and sorted(m.id for m in memory.sent) == sorted(ids)


def test_batch_limits_the_claim_oldest_first(engine: sa.Engine) -> None:
    late = add_messages(engine, 2, due=T0)
    early = add_messages(engine, 2, due=T0 - timedelta(hours=1))
    memory = MemoryChannel()
    report = dispatch_once(engine, {"memory": memory}, T0, worker="w", batch=3)
    assert report.claimed == 3
    assert [m.id for m in memory.sent] == [*early, late[0]]


def test_nothing_is_deleted(engine: sa.Engine) -> None:
    add_messages(engine, 4)
    memory = MemoryChannel(fail_times=2)
    dispatch_once(engine, {"memory": memory}, T0, worker="w", max_attempts=1)
    with Session(engine) as s:
        statuses = Counter(s.exec(select(OutboxMessage.status)).all())
        tries = s.exec(select(func.count()).select_from(DeliveryAttempt)).one()
    assert statuses == Counter({"dead": 2, "delivered": 2}) and tries == 4


def test_bad_arguments_are_refused(engine: sa.Engine) -> None:
    with pytest.raises(ValueError, match="naive"):
        dispatch_once(engine, {}, datetime(2025, 4, 3), worker="w")
    with pytest.raises(ValueError, match="batch"):
        dispatch_once(engine, {}, T0, worker="w", batch=0)
    with pytest.raises(ValueError, match="base_delay"):
        RetryPolicy(max_attempts=3, base_delay=0)


class Rendezvous(MemoryChannel):
    """Holds each worker's first send until both workers have claimed work, so the
    two dispatchers really overlap."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier = threading.Barrier(2, timeout=20)
        self.met: set[str] = set()
        self.by_worker: Counter[str] = Counter()

    def send(self, message: OutboxMessage) -> None:
        worker = message.claimed_by or ""
        if worker not in self.met:
            self.met.add(worker)
            self.barrier.wait()
        super().send(message)
        with self._lock:
            self.by_worker[worker] += 1


def test_two_dispatchers_deliver_each_message_exactly_once(engine: sa.Engine) -> None:
    ids = add_messages(engine, 50)
    memory = Rendezvous()
    errors: list[BaseException] = []

    def run(worker: str) -> None:
        try:
            while dispatch_once(engine, {"memory": memory}, T0, worker=worker, batch=5).claimed:
                pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in ("w1", "w2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and not any(t.is_alive() for t in threads)
    sent = Counter(m.id for m in memory.sent)
    assert sorted(sent) == sorted(ids) and set(sent.values()) == {1}
    assert memory.by_worker["w1"] > 0 and memory.by_worker["w2"] > 0
    with Session(engine) as s:
        assert set(s.exec(select(OutboxMessage.status)).all()) == {"delivered"}
        rows = s.exec(select(DeliveryAttempt.message_id, DeliveryAttempt.worker)).all()
    assert len(rows) == 50 and len({mid for mid, _ in rows}) == 50
    assert Counter(w for _, w in rows) == memory.by_worker


@pytest.mark.postgres
@pytest.mark.parametrize("empty_engine", ["postgres"], indirect=True)
def test_postgres_claim_skips_rows_another_transaction_holds(engine: sa.Engine) -> None:
    ids = add_messages(engine, 6)
    memory = MemoryChannel()
    done: list[DispatchReport] = []
    with engine.connect() as holder:
        holder.begin()
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        locked = sa.select(table.c.id).where(table.c.id.in_(ids[:4])).with_for_update()
        assert len(holder.execute(locked).all()) == 4
        worker = threading.Thread(
            target=lambda: done.append(dispatch_once(engine, {"memory": memory}, T0, worker="w2"))
        )
        worker.start()
        worker.join(20)
        blocked = worker.is_alive()
        holder.rollback()
    worker.join(20)
    assert not blocked, "the claim waited for the locked rows instead of skipping them"
    assert done == [DispatchReport(claimed=2, delivered=2)]
    assert sorted(m.id for m in memory.sent) == ids[4:]
