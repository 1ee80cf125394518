"""Enqueueing: one outbox row per contact address, a log row when there is none."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from sqlmodel import Session, select

from plancycle.notifier.contacts import ContactBook
from plancycle.notifier.messages import render
from plancycle.notifier.outbox import add_messages, enqueue, outbox_rows
from plancycle.store.models import Contact, OutboxMessage
from tests.test_notifier_messages import make_notice

NOW = datetime(2025, 4, 3, 2, tzinfo=UTC)


def add_contacts(session: Session) -> ContactBook:
    """District 2401's CD office told at once (an office's default is the digest)."""
    now = "immediate"
    session.add_all(
        [
            Contact(
                area_code="2401",
                role="district_cd_office",
                channel="email",
                address="a@x.th",
                delivery=now,
            ),
            Contact(
                area_code="2401",
                role="district_cd_office",
                channel="webhook",
                address="http://h/1",
                delivery=now,
            ),
            Contact(area_code="24", role="district_cd_office", channel="email", address="p@x.th"),
            Contact(area_code="2402", role="district_cd_office", channel="email", address="o@x.th"),
        ]
    )
    session.commit()
    return ContactBook.load(session)


def test_one_message_per_contact_address(session: Session) -> None:
    book = add_contacts(session)
    notice = make_notice()
    assert enqueue(session, None, notice, "2401", book, NOW) == 2
    session.commit()
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.channel)).all()
    assert [(m.channel, m.address) for m in rows] == [
        ("email", "a@x.th"),
        ("webhook", "http://h/1"),
    ]
    subject, body = render(notice)
    for m in rows:
        assert m.status == "pending" and m.attempts == 0
        assert m.next_attempt_at == NOW and m.created_at == NOW
        assert m.role == "district_cd_office" and m.area_code == "2401"
        assert (m.subject, m.body) == (subject, body)
        assert m.payload == json.loads(json.dumps(notice.payload()))  # as JSON keeps it
        assert m.payload["due_at"] == "2025-03-31T16:59:00+00:00"
        assert m.escalation_id is None
        assert m.claimed_by is None and m.delivered_at is None


def test_no_contact_falls_back_to_one_log_message(session: Session) -> None:
    book = add_contacts(session)
    notice = make_notice(role="district_chief", role_th="นายอำเภอ", role_en="District chief")
    assert enqueue(session, None, notice, "2401", book, NOW) == 1
    cdd = make_notice(role="cdd", role_th="กรมฯ", role_en="CDD")
    assert enqueue(session, None, cdd, "", book, NOW) == 1
    session.commit()
    rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.channel, m.address, m.area_code) for m in rows] == [
        ("log", "district_chief@2401", "2401"),
        ("log", "cdd@TH", ""),
    ]
    assert rows[0].subject.startswith("[plancycle] ")


def test_enqueue_does_not_commit(session: Session) -> None:
    book = add_contacts(session)
    assert enqueue(session, None, make_notice(), "2401", book, NOW) == 2
    session.flush()
    session.rollback()  # the caller's transaction failed: the messages go with it
    assert session.exec(select(OutboxMessage)).all() == []


def test_payload_is_the_notice_with_instants_as_iso_strings() -> None:
    notice = make_notice()
    expected = dataclasses.asdict(notice)  # what payload() gave before it skipped deep copies
    expected["due_at"] = notice.due_at.isoformat()
    expected["now"] = notice.now.isoformat()
    expected["next_rung"]["at"] = notice.next_rung.at.isoformat()
    assert notice.payload() == expected
    assert list(notice.payload()) == list(expected)  # same order of keys
    bare = dataclasses.replace(notice, due_at=None, next_rung=None)
    assert (bare.payload()["due_at"], bare.payload()["next_rung"]) == (None, None)


def test_messages_of_several_notices_go_in_one_statement(session: Session) -> None:
    book = add_contacts(session)
    rows = outbox_rows(None, make_notice(), "2401", book, NOW)
    rows += outbox_rows(None, make_notice(role="cdd", role_th="กรมฯ", role_en="CDD"), "", book, NOW)
    assert add_messages(session, rows) == 3
    assert add_messages(session, []) == 0
    session.commit()
    got = session.exec(select(OutboxMessage.channel, OutboxMessage.address)).all()
    assert sorted(got) == [("email", "a@x.th"), ("log", "cdd@TH"), ("webhook", "http://h/1")]
