"""Measure: messages per recipient per channel from the 1 March 2568 sweep in
Chachoengsao, one message per notice (before) and, after, one digest per office per
working day and one bundle per immediate contact per sweep.

The store is the sample province 24 started for FY2568 on 3 February 2568 09:00
(``plancycle.cli.sample.fresh_sample_store``, no contacts: every role is reached on the
log channel as ``role@area``). One sweep runs at 1 March 2568 00:05 (a Saturday), then
sweeps, builds and dispatches at 00:10, 08:30 and 15:00 on 1-4 March, counting what each
recipient is sent per Bangkok day. Before: one message per notice (the outbox's notice
rows per channel and address). After: every contact immediate (each recipient's notices
in one bundle); the defaults (offices: digest; nation-wide roles: immediate); the
nation-wide role switched to the digest too.

Run: ``.venv/bin/python -m bench.digest``.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path

from loguru import logger
from sqlmodel import Session, col, select

from plancycle.cli.sample import fresh_sample_store
from plancycle.definitions.loader import load_catalog
from plancycle.kinds import Delivery
from plancycle.notifier.channels import MemoryChannel
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.notifier.digest import build_digests
from plancycle.notifier.dispatch import dispatch_until_idle
from plancycle.store.models import Contact, OutboxMessage
from plancycle.thai.fiscal import BANGKOK, to_bangkok
from plancycle.workflow.sweep_apply import run_sweep

RULES = DeliveryRules(base_url="https://plan.example.go.th")


def bkk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BANGKOK)  # type: ignore[misc]


def run(
    folder: Path, *, everyone: Delivery | None, cdd: Delivery | None
) -> tuple[Counter[tuple], Counter[tuple]]:
    """Messages sent per (channel, address, Bangkok day) over 1-4 March, and the notices
    written per (channel, address, day they were due): one message each before."""
    store = fresh_sample_store(folder / "s.db", load_catalog(), "24", 2568, bkk(2025, 2, 3, 9))
    db = store.engine.db
    if everyone or cdd:
        # the log fallback's addresses, given their own delivery through a contact
        with Session(db) as s, s.begin():
            for role, area in _recipients():
                told = cdd if area == "" else everyone
                if told:
                    address = f"{role}@{area or 'TH'}"
                    s.add(
                        Contact(
                            area_code=area, role=role, channel="log", address=address, delivery=told
                        )
                    )
    run_sweep(store.engine, bkk(2025, 3, 1, 0, 5), rules=RULES)
    channel = MemoryChannel("log")
    sent: Counter[tuple] = Counter()
    for day in (1, 2, 3, 4):
        for hour, minute in ((0, 10), (8, 30), (15, 0)):
            now = bkk(2025, 3, day, hour, minute)
            run_sweep(store.engine, now, rules=RULES)  # later rungs, bundled as they come
            build_digests(db, now, RULES)
            before = len(channel.sent)
            dispatch_until_idle(db, {"log": channel}, now, worker="bench")
            for m in channel.sent[before:]:
                sent[(m.channel, m.address, now.date())] += 1
    notices: Counter[tuple] = Counter()
    with Session(db) as s:
        rows = s.exec(select(OutboxMessage).where(col(OutboxMessage.digest_key).is_(None)))
        for m in rows.all():
            notices[(m.channel, m.address, to_bangkok(m.next_attempt_at).date())] += 1
    db.dispose()
    return sent, notices


def _recipients() -> list[tuple[str, str]]:
    """Every (role, area) the 1 March sweep tells in province 24."""
    districts = [f"24{i:02d}" for i in range(1, 12)]
    return (
        [("district_cd_office", d) for d in districts]
        + [("district_chief", d) for d in districts]
        + [("governor", "24"), ("provincial_cd_office", "24"), ("cdd", "")]
    )


SHOWN = ("log:district_cd_office@2401", "log:governor@24", "log:cdd@TH")


def report(name: str, sent: Counter[tuple]) -> None:
    per: Counter[str] = Counter()
    for (channel, address, _day), n in sent.items():
        per[f"{channel}:{address}"] += n
    worst = max(sent.values(), default=0)
    days = sorted({day.isoformat() for _c, _a, day in sent})
    print(f"{name}: {sum(sent.values())} messages to {len(per)} recipients on {days}")
    print(f"  most to one recipient on one day: {worst}")
    print("  " + ", ".join(f"{who}: {per[who]}" for who in SHOWN))


def main() -> None:
    logger.remove()
    logger.add(sys.stderr, level="ERROR")
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, everyone, cdd) in enumerate(
            (
                (
                    "after (every contact immediate: bundles)",
                    Delivery.IMMEDIATE,
                    Delivery.IMMEDIATE,
                ),
                ("after (defaults: offices digest, CDD immediate)", None, None),
                ("after (CDD switched to digest too)", None, Delivery.DIGEST),
            )
        ):
            folder = Path(tmp) / str(i)
            folder.mkdir(parents=True)
            sent, notices = run(folder, everyone=everyone, cdd=cdd)
            if i == 0:
                report("before (one message per notice)", notices)
            report(name, sent)


if __name__ == "__main__":
    main()
