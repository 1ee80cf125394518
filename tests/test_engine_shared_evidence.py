"""Many advances attaching the same file at the same moment (one blank form scanned once
and used by every district): each succeeds, and the file is kept once. The second writer
used to fail: on PostgreSQL with a duplicate key on the evidence row, and on either store
when another writer renamed the shared partial file from under it."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, func, select

from plancycle.store.models import Evidence, Instance
from tests.world import evidence_of, populate


def test_one_file_attached_by_many_at_once(engine: sa.Engine, tmp_path: Path) -> None:
    world = populate(engine, tmp_path)
    office = world.actors["district_cd_office"]
    with Session(engine) as session:
        keys = session.exec(
            select(Instance.key).where(
                Instance.definition_id == "activity2", Instance.district_code == "2401"
            )
        ).all()
    for key in keys:
        world.engine.advance(key, "meeting_set", office)
    start = threading.Barrier(len(keys))
    failures: list[BaseException] = []

    def attach(key: str) -> None:
        start.wait()
        try:
            world.engine.advance(
                key,
                "workshop_held",
                office,
                evidence_of([("attendance", world.pdf)]),
                data={"participants": 25, "workshop_date": "2025-02-03"},
            )
        except BaseException as exc:  # noqa: BLE001 - every failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=attach, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Evidence)).one() == 1
        moved = session.exec(
            select(func.count()).where(Instance.key.in_(keys), Instance.state == "evaluate")
        ).one()
    assert moved == len(keys) > 10
