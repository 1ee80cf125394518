"""A small populated world for engine tests: Chachoengsao, FY2568, one actor per role."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Catalog
from plancycle.store import geothai_import as store_geothai
from plancycle.store import targets as store_targets
from plancycle.store import villages as store_villages
from plancycle.store.actors import add_actor
from plancycle.store.evidence import EvidenceInput
from plancycle.thai.fiscal import BANGKOK
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.cycle import start_cycle
from plancycle.workflow.engine import Engine
from plancycle.workflow.walk import MINIMAL_PDF

CATALOG: Catalog = load_catalog()


def evidence_of(pairs: Sequence[tuple[str | None, Path]]) -> list[EvidenceInput]:
    """Files on disk as the engine takes them: (slot, name, stream), read into memory."""
    return [EvidenceInput(slot, path.name, io.BytesIO(path.read_bytes())) for slot, path in pairs]


def bkk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BANGKOK)


@dataclass
class World:
    db: sa.Engine
    engine: Engine
    clock: ManualClock
    actors: dict[str, str]  # role -> actor id, working in district 2401 / province 24
    pdf: Path

    @property
    def catalog(self) -> Catalog:
        return self.engine.catalog


def populate(db: sa.Engine, tmp_path: Path, *, areas: bool = True) -> World:
    """Province 24 with sample villages, placeholder strong tambons, actors, FY2568 started."""
    clock = ManualClock(bkk(2024, 11, 27, 9))
    levels = {
        "village": "2401",
        "tambon": "2401",
        "district": "2401",
        "province": "24",
        "nation": None,
    }
    actors: dict[str, str] = {}
    with Session(db) as session, session.begin():
        if areas:
            store_geothai.import_geothai(session, ["24"])
            store_villages.generate_sample_villages(session, "24")
        store_targets.default_strong_tambons(session, 2568, "24")
        for role in CATALOG.roles.values():
            actors[role.code] = f"{role.code}-a"
            add_actor(
                session,
                actors[role.code],
                role.code,
                levels[role.level],
                role.label.en,
                set(CATALOG.roles),
                clock.now(),
            )
        # an office of the neighbouring district, to test area scope
        add_actor(
            session,
            "cd-2402",
            "district_cd_office",
            "2402",
            "CD office 2402",
            set(CATALOG.roles),
            clock.now(),
        )
    start_cycle(db, CATALOG, 2568, "24", clock)
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    engine = Engine(CATALOG, db, clock, evidence_folder=tmp_path / "evidence")
    return World(db, engine, clock, actors, pdf)
