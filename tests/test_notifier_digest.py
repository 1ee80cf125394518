"""One digest per recipient per working day: the 1 March 2568 sweep in Chachoengsao, a
contact switched to the digest, nothing sent on a day off, and two schedulers on one
PostgreSQL building each digest once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plancycle.kinds import Delivery, Folded, OutboxStatus
from plancycle.notifier.channels import MemoryChannel
from plancycle.notifier.contacts import ContactBook, default_delivery, set_delivery
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.notifier.digest import build_digests, reword_digest
from plancycle.notifier.dispatch import dispatch_once, dispatch_until_idle
from plancycle.notifier.outbox import BUNDLE_MARK, enqueue
from plancycle.store.models import Contact, OutboxMessage
from plancycle.workflow.sweep_apply import run_sweep
from plancycle.workflow.workdays import WorkCalendar
from tests.test_notifier_messages import make_notice
from tests.world import World, bkk, populate

BASE = "https://plan.example.go.th"
RULES = DeliveryRules(base_url=BASE)
FIRST_OF_MARCH = bkk(2025, 3, 1, 0, 5)  # a Saturday
MONDAY_MORNING = bkk(2025, 3, 3, 8, 30)
SUNDAY = bkk(2025, 3, 2, 10)


@pytest.fixture
def world(engine: sa.Engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def _channels() -> dict[str, MemoryChannel]:
    return {name: MemoryChannel(name) for name in ("log", "email", "webhook")}


def _outbox(db: sa.Engine) -> list[OutboxMessage]:
    with Session(db) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_first_of_march_sends_one_digest_per_office_with_every_item(world: World) -> None:
    report = run_sweep(world.engine, FIRST_OF_MARCH, rules=RULES)
    queued = _outbox(world.db)
    assert len(queued) == report.messages > 0
    before = Counter((m.channel, m.address) for m in queued)
    assert before[("log", "district_cd_office@2401")] > 1  # one message per notice
    held = [m for m in queued if m.status == OutboxStatus.HELD]
    assert held and all(m.next_attempt_at == MONDAY_MORNING for m in held)
    # Saturday and Sunday: nothing goes
    channels = _channels()
    for now in (FIRST_OF_MARCH, bkk(2025, 3, 1, 9), SUNDAY, bkk(2025, 3, 3, 8, 29)):
        assert build_digests(world.db, now, RULES).digests == 0
        assert dispatch_until_idle(world.db, channels, now, worker="w").claimed == 0
    # Monday 08:30: one digest per office; CDD (immediate by default) one bundle of all
    # its escalations, said to be sent at once
    built = build_digests(world.db, MONDAY_MORNING, RULES)
    dispatch_until_idle(world.db, channels, MONDAY_MORNING, worker="w")
    sent = [m for ch in channels.values() for m in ch.sent]
    after = Counter((m.channel, m.address) for m in sent)
    assert set(after.values()) == {1}  # one message per recipient per channel
    digests = [m for m in sent if m.payload["kind"] == Folded.DIGEST]
    daily = [m for m in held if BUNDLE_MARK not in m.payload]
    assert built.digests == len(digests) == len({(m.channel, m.address) for m in daily})
    assert built.items == len(daily)
    for m in digests:
        assert m.body.count(f"{BASE}/instances/") >= 1 and f"{BASE}/inbox" in m.body
    (bundle,) = [m for m in sent if m.payload["kind"] == Folded.BUNDLE]
    escalations = [m for m in queued if m.address == "cdd@TH"]
    assert bundle.address == "cdd@TH" and default_delivery("") == Delivery.IMMEDIATE
    assert bundle.payload["count"] == len(escalations) == built.bundled > 1
    assert bundle.body.count(f"{BASE}/instances/") == len(escalations)
    assert "แจ้งทันที" in bundle.subject and "Sent at once" in bundle.subject
    assert f"ยกระดับแล้ว {len(escalations)}" in bundle.subject
    assert sorted(bundle.payload["message_ids"]) == sorted(m.id for m in escalations)
    # every held item is in its recipient's digest, by key and link
    by_recipient = {(m.channel, m.address): m for m in [*digests, bundle]}
    for item in held:
        digest = by_recipient[(item.channel, item.address)]
        assert f"{BASE}/instances/{item.payload['key']}" in digest.body
    final = _outbox(world.db)
    assert {m.status for m in final} == {OutboxStatus.DELIVERED, OutboxStatus.DIGESTED}
    assert all(m.digest_id for m in final if m.status == OutboxStatus.DIGESTED)
    # later the same day and the next day: nothing more
    for now in (bkk(2025, 3, 3, 15), bkk(2025, 3, 4, 8, 30)):
        assert build_digests(world.db, now, RULES).digests == 0


def test_a_digest_cut_for_line_keeps_the_most_urgent_and_the_inbox(world: World) -> None:
    run_sweep(world.engine, FIRST_OF_MARCH, rules=RULES)
    build_digests(world.db, MONDAY_MORNING, RULES)
    digest = max((m for m in _outbox(world.db) if m.digest_key), key=lambda m: len(m.body))
    count = digest.payload["count"]
    _, whole = reword_digest(digest, RULES)
    _, cut = reword_digest(digest, RULES, max_chars=1500)
    assert len(whole) > 1500 >= len(cut)
    assert "และอีก" in cut and "more" in cut and f"{BASE}/inbox" in cut
    assert f"{count} รายการ" in cut  # the counts are of everything, not of what fits


def _contact(db: sa.Engine, delivery: str | None) -> int:
    with Session(db) as s:
        c = Contact(
            area_code="2401",
            role="district_cd_office",
            channel="email",
            address="cd2401@example.go.th",
            delivery=delivery,
        )
        s.add(c)
        s.commit()
        assert c.id is not None
        return c.id


def _enqueue(db: sa.Engine, now: datetime, rules: DeliveryRules = RULES, **changes) -> None:
    with Session(db) as s:
        enqueue(s, None, make_notice(now=now, **changes), "2401", ContactBook.load(s), now, rules)
        s.commit()


def test_a_contact_switched_from_immediate_to_digest(engine: sa.Engine) -> None:
    cid = _contact(engine, Delivery.IMMEDIATE)
    thursday = bkk(2025, 4, 3, 9)
    _enqueue(engine, thursday)
    (first,) = _outbox(engine)
    assert (first.status, first.next_attempt_at) == (OutboxStatus.PENDING, thursday)
    assert f"{BASE}/instances/2568/activity2/240101" in first.body  # immediate carries it too
    with Session(engine) as s, s.begin():
        set_delivery(s, cid, Delivery.DIGEST)
    _enqueue(engine, thursday)
    _enqueue(engine, thursday, key="2568/activity2/240102", area_code="240102")
    second = _outbox(engine)[1:]
    assert {m.status for m in second} == {OutboxStatus.HELD}
    friday = bkk(2025, 4, 4, 8, 30)
    assert {m.next_attempt_at for m in second} == {friday}
    channels = _channels()
    dispatch_until_idle(engine, channels, thursday, worker="w")
    assert len(channels["email"].sent) == 1  # the one sent before the switch
    assert build_digests(engine, friday, RULES).digests == 1
    dispatch_until_idle(engine, channels, friday, worker="w")
    digest = channels["email"].sent[-1]
    assert len(channels["email"].sent) == 2 and digest.payload["count"] == 2
    assert "240101" in digest.body and "240102" in digest.body


def test_an_unknown_contact_cannot_be_switched(engine: sa.Engine) -> None:
    from plancycle.notifier.contacts import NoSuchContact

    with Session(engine) as s, pytest.raises(NoSuchContact, match="contacts list") as caught:
        set_delivery(s, 999, Delivery.DIGEST)
    assert "ไม่มีผู้ติดต่อหมายเลข 999" in caught.value.th


@pytest.mark.parametrize(
    ("calendar", "sent_at"),
    [
        (WorkCalendar(), bkk(2025, 3, 3, 8, 30)),  # Monday
        (WorkCalendar(added={datetime(2025, 3, 3).date(): "วันหยุดพิเศษ"}), bkk(2025, 3, 4, 8, 30)),
    ],
    ids=["monday", "tuesday-after-a-monday-holiday"],
)
def test_nothing_goes_on_a_sunday(engine: sa.Engine, calendar: WorkCalendar, sent_at) -> None:
    rules = DeliveryRules(calendar=calendar, base_url=BASE)
    _contact(engine, Delivery.IMMEDIATE)
    # an overdue notice to an immediate contact, and one to the digest-by-default log
    _enqueue(engine, SUNDAY, rules)
    _enqueue(engine, SUNDAY, rules, role="district_chief", role_th="นายอำเภอ", role_en="Chief")
    assert {m.next_attempt_at for m in _outbox(engine)} == {sent_at}
    channels = _channels()
    for now in (SUNDAY, bkk(2025, 3, 2, 23, 59), sent_at.replace(minute=29)):
        assert build_digests(engine, now, rules).digests == 0
        assert dispatch_once(engine, channels, now, worker="w").claimed == 0
    assert build_digests(engine, sent_at, rules).digests == 1
    assert dispatch_once(engine, channels, sent_at, worker="w").delivered == 2
    assert [m.address for m in channels["log"].sent] == ["district_chief@2401"]
    assert "เกินกำหนด" in channels["log"].sent[0].body  # days late counted to the digest


def test_an_item_written_after_the_days_digest_waits_for_the_next_morning(
    engine: sa.Engine,
) -> None:
    _contact(engine, Delivery.DIGEST)
    monday = bkk(2025, 3, 3, 8, 30)
    _enqueue(engine, bkk(2025, 3, 2, 10))
    assert build_digests(engine, monday, RULES).digests == 1
    # a late item due this very morning (written at 08:30 sharp) misses the digest
    _enqueue(engine, monday, key="2568/activity2/240102", area_code="240102")
    report = build_digests(engine, bkk(2025, 3, 3, 9), RULES)
    assert (report.digests, report.moved) == (0, 1)
    late = _outbox(engine)[-1]
    assert (late.status, late.next_attempt_at) == (OutboxStatus.HELD, bkk(2025, 3, 4, 8, 30))
    assert build_digests(engine, bkk(2025, 3, 4, 8, 30), RULES).digests == 1


def test_two_dispatchers_on_postgresql_build_each_digest_once(pg_engine: sa.Engine) -> None:
    with Session(pg_engine) as s:
        s.add_all(
            Contact(area_code="2401", role="district_cd_office", channel="email", address=a)
            for a in (f"cd{i}@example.go.th" for i in range(8))
        )
        s.commit()
    for i in range(6):
        _enqueue(pg_engine, bkk(2025, 3, 2, 10), key=f"2568/activity2/24010{i}")
    monday = bkk(2025, 3, 3, 8, 30)
    channels = _channels()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def scheduler(name: str) -> None:
        try:
            barrier.wait()
            build_digests(pg_engine, monday, RULES)
            dispatch_until_idle(pg_engine, channels, monday, worker=name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler, args=(f"s{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sent = Counter(m.address for m in channels["email"].sent)
    assert sent == {f"cd{i}@example.go.th": 1 for i in range(8)}
    digests = [m for m in _outbox(pg_engine) if m.digest_key]
    assert len(digests) == 8 and all(m.payload["count"] == 6 for m in digests)
    assert build_digests(pg_engine, monday, RULES).digests == 0


def test_without_a_base_url_messages_carry_no_link(engine: sa.Engine) -> None:
    rules = DeliveryRules()
    _contact(engine, Delivery.IMMEDIATE)
    _enqueue(engine, datetime(2025, 4, 3, 2, tzinfo=UTC), rules)
    (message,) = _outbox(engine)
    assert "http" not in message.body and "/instances/" not in message.body
