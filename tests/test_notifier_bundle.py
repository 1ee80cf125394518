"""One message per recipient per channel per sweep for immediate contacts too: a sweep's
bundle (a single notice stays as it is), two builders on one PostgreSQL making one
bundle, a send-back timed like any notice (a digest contact's joins the digest), retries
that never land on a day off, and the "waits for" notes in the digest's lines."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plancycle.kinds import Delivery, EscalationKind, Folded, OutboxStatus
from plancycle.notifier.channels import MemoryChannel
from plancycle.notifier.contacts import ContactBook
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.notifier.digest import build_bundles, build_digests
from plancycle.notifier.dispatch import dispatch_once, dispatch_until_idle
from plancycle.notifier.messages import render, render_digest
from plancycle.notifier.outbox import BUNDLE_MARK, add_messages, outbox_rows
from plancycle.store.models import Contact, OutboxMessage
from plancycle.workflow.audit import SEND_BACK_TRIGGER
from plancycle.workflow.review import send_back
from tests.test_notifier_messages import make_notice
from tests.test_review import ACTIVITY2, _workshop_held
from tests.world import World, bkk, populate

BASE = "https://plan.example.go.th"
RULES = DeliveryRules(base_url=BASE)
TUESDAY = bkk(2025, 3, 4, 0, 5)  # a working day: an escalation goes at once
CDD = "cdd@example.go.th"


def _outbox(db: sa.Engine) -> list[OutboxMessage]:
    with Session(db) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def _cdd(db: sa.Engine) -> None:
    with Session(db) as s:
        s.add(Contact(area_code="", role="cdd", channel="email", address=CDD))
        s.commit()


def _escalations(db: sa.Engine, now: datetime, count: int) -> None:
    """``count`` escalations to CDD (immediate by default), written as a sweep does."""
    with Session(db) as s:
        book = ContactBook.load(s)
        rows = []
        for i in range(count):
            notice = make_notice(
                key=f"2568/activity2/2401{i:02d}",
                area_code=f"2401{i:02d}",
                kind=EscalationKind.ESCALATION,
                level=3,
                now=now,
                role="cdd",
                role_th="กรมการพัฒนาชุมชน",
                role_en="CDD",
            )
            rows += outbox_rows(None, notice, "", book, now, RULES, bundle=True)
        add_messages(s, rows)
        s.commit()


def test_a_sweeps_escalations_to_cdd_go_as_one_bundle_at_once(engine: sa.Engine) -> None:
    _cdd(engine)
    _escalations(engine, TUESDAY, 3)
    held = _outbox(engine)
    assert {m.status for m in held} == {OutboxStatus.HELD}
    assert all(m.payload[BUNDLE_MARK] == Folded.BUNDLE for m in held)
    report = build_bundles(engine, TUESDAY, RULES)
    assert (report.bundles, report.bundled, report.single) == (1, 3, 0)
    channel = MemoryChannel("email")
    assert dispatch_once(engine, {"email": channel}, TUESDAY, worker="w").delivered == 1
    (bundle,) = channel.sent
    assert bundle.payload["kind"] == Folded.BUNDLE and bundle.payload["count"] == 3
    assert bundle.subject.startswith("[plancycle] แจ้งทันที") and "ยกระดับแล้ว 3" in bundle.subject
    assert "เรื่องที่ต้องแจ้งท่านทันที" in bundle.body and "To tell you at once" in bundle.body
    for i in range(3):
        assert f"{BASE}/instances/2568/activity2/2401{i:02d}" in bundle.body
    items = [m for m in _outbox(engine) if m.id != bundle.id]
    assert {(m.status, m.digest_id) for m in items} == {(OutboxStatus.DIGESTED, bundle.id)}
    assert build_bundles(engine, TUESDAY, RULES).bundles == 0  # nothing left, nothing twice


def test_a_single_escalation_stays_one_plain_message(engine: sa.Engine) -> None:
    _cdd(engine)
    _escalations(engine, TUESDAY, 1)
    (row,) = _outbox(engine)
    report = build_bundles(engine, TUESDAY, RULES)
    assert (report.bundles, report.single) == (0, 1)
    (sent,) = _outbox(engine)
    assert (sent.status, sent.digest_key, sent.digest_id) == (OutboxStatus.PENDING, None, None)
    assert (sent.subject, sent.body) == (row.subject, row.body)
    assert sent.subject == render(make_notice(**_notice_fields(row)), None)[0]


def _notice_fields(row: OutboxMessage) -> dict:
    from plancycle.notifier.notice import Notice

    n = Notice.from_payload(row.payload)
    return {f: getattr(n, f) for f in ("key", "area_code", "kind", "level", "now", "role")} | {
        "role_th": n.role_th,
        "role_en": n.role_en,
    }


def test_the_dispatcher_bundles_what_a_sweep_left_only_after_the_grace(engine: sa.Engine) -> None:
    _cdd(engine)
    _escalations(engine, TUESDAY, 2)
    # a sweep still writing: the dispatcher a minute later leaves its rows alone
    assert build_digests(engine, bkk(2025, 3, 4, 0, 6), RULES).bundles == 0
    report = build_digests(engine, bkk(2025, 3, 4, 8, 30), RULES)
    assert (report.digests, report.bundles, report.bundled) == (0, 1, 2)  # no digest contact


def test_mondays_first_bundle_carries_the_weekends_notices(engine: sa.Engine) -> None:
    _cdd(engine)
    _escalations(engine, bkk(2025, 3, 1, 0, 5), 2)  # Saturday: due Monday 08:30
    monday = bkk(2025, 3, 3, 0, 5)
    _escalations(engine, monday, 1)  # a rung reached on Monday goes at once
    report = build_bundles(engine, monday, RULES)
    assert (report.bundles, report.bundled) == (1, 3)
    assert build_digests(engine, bkk(2025, 3, 3, 8, 30), RULES).bundles == 0  # no second


def test_two_builders_on_postgresql_make_one_bundle(pg_engine: sa.Engine) -> None:
    _cdd(pg_engine)
    _escalations(pg_engine, TUESDAY, 40)
    channel = MemoryChannel("email")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    later = bkk(2025, 3, 4, 0, 20)

    def scheduler(name: str, now: datetime) -> None:
        try:
            barrier.wait()
            build_bundles(pg_engine, now, RULES)
            dispatch_until_idle(pg_engine, {"email": channel}, later, worker=name)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=scheduler, args=(f"s{i}", now))
        for i, now in enumerate((TUESDAY, later))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(channel.sent) == 1 and channel.sent[0].payload["count"] == 40
    rows = _outbox(pg_engine)
    assert Counter(m.status for m in rows) == {OutboxStatus.DIGESTED: 40, OutboxStatus.DELIVERED: 1}


@pytest.fixture
def world(engine: sa.Engine, tmp_path) -> World:
    return populate(engine, tmp_path)


def test_a_send_back_to_a_digest_contact_is_held_for_the_digest(world: World) -> None:
    _workshop_held(world)
    with Session(world.db) as s:  # the district's CD office reads a daily digest
        s.add(
            Contact(
                area_code="2401",
                role="district_cd_office",
                channel="email",
                address="cd2401@example.go.th",
                delivery=Delivery.DIGEST,
            )
        )
        s.commit()
    world.clock.set(bkk(2025, 3, 25, 10))  # a Tuesday
    send_back(world.engine, ACTIVITY2, world.actors["provincial_cd_office"], "รายชื่อไม่ครบ")
    (told,) = [m for m in _outbox(world.db) if m.payload.get("kind") == SEND_BACK_TRIGGER]
    wednesday = bkk(2025, 3, 26, 8, 30)
    assert (told.status, told.next_attempt_at) == (OutboxStatus.HELD, wednesday)
    channel = MemoryChannel("email")
    assert (
        dispatch_once(world.db, {"email": channel}, bkk(2025, 3, 25, 10), worker="w").claimed == 0
    )
    assert build_digests(world.db, wednesday, RULES).digests == 1
    dispatch_once(world.db, {"email": channel}, wednesday, worker="w")
    (digest,) = channel.sent
    assert "ส่งกลับแก้ไข 1 รายการ" in digest.body and "Sent back (1)" in digest.body
    assert "ความเห็น: รายชื่อไม่ครบ" in digest.body and f"{BASE}/instances/{ACTIVITY2}" in digest.body


def test_a_send_back_to_an_immediate_contact_on_a_sunday_waits_for_monday(world: World) -> None:
    _workshop_held(world)
    with Session(world.db) as s:
        s.add(
            Contact(
                area_code="2401",
                role="district_cd_office",
                channel="email",
                address="cd2401@example.go.th",
                delivery=Delivery.IMMEDIATE,
            )
        )
        s.commit()
    world.clock.set(bkk(2025, 3, 23, 10))  # a Sunday
    send_back(world.engine, ACTIVITY2, world.actors["provincial_cd_office"], "แก้ไข")
    (told,) = [m for m in _outbox(world.db) if m.payload.get("kind") == SEND_BACK_TRIGGER]
    assert (told.status, told.next_attempt_at) == (OutboxStatus.PENDING, bkk(2025, 3, 24, 8, 30))


FRIDAY_NIGHT = bkk(2025, 2, 28, 23, 30)
SUNDAY = bkk(2025, 3, 2, 10)  # the backoff after a failure on Friday night ends here


@pytest.mark.parametrize(
    ("kind", "retry_at"),
    [
        (EscalationKind.REMINDER, bkk(2025, 3, 3, 8, 30)),  # waits for Monday morning
        (Folded.DIGEST, bkk(2025, 3, 3, 8, 30)),
        (EscalationKind.ESCALATION, SUNDAY),  # retried at its backoff, whatever the day
    ],
)
def test_a_retry_landing_on_sunday(engine: sa.Engine, kind: str, retry_at: datetime) -> None:
    with Session(engine) as s:
        s.add(Contact(area_code="2401", role="district_cd_office", channel="email", address="a@x"))
        s.commit()
        rows = outbox_rows(None, make_notice(), "2401", ContactBook.load(s), FRIDAY_NIGHT, RULES)
        for row in rows:
            payload = {**row["payload"], "kind": kind}
            row.update(status=OutboxStatus.PENDING, next_attempt_at=FRIDAY_NIGHT, payload=payload)
        add_messages(s, rows)
        s.commit()
    channel = MemoryChannel("email", fail_times=1)
    wait = (SUNDAY - FRIDAY_NIGHT).total_seconds()
    report = dispatch_once(
        engine, {"email": channel}, FRIDAY_NIGHT, worker="w", base_delay=wait, max_delay=wait
    )
    assert report.retried == 1
    (row,) = _outbox(engine)
    assert (row.status, row.next_attempt_at) == (OutboxStatus.PENDING, retry_at)


def test_digest_lines_carry_what_a_step_waits_for() -> None:
    waiting = make_notice(
        kind=EscalationKind.REMINDER,
        note_th="รอกิจกรรมที่ ๑ ถึงขั้น “ส่งแผน”: 2568/activity1/24010101",
        note_en="Waiting for Activity 1 to reach “Plan sent”: 2568/activity1/24010101.",
    )
    _, body = render_digest([waiting, make_notice(key="2568/activity2/240102")], waiting.now)
    assert "รอกิจกรรมที่ ๑ ถึงขั้น “ส่งแผน”" in body and "Waiting for Activity 1" in body
    assert body.count("รอกิจกรรม") == 1  # only the waiting item carries the note
