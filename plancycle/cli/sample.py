"""A fresh sample store for one province: the demo's and the simulation's starting point.

GeoThai areas of the province, generated sample villages, placeholder strong
tambons, one sample actor per role and area, and the fiscal year started, all on
a new SQLite file, with an engine on a manual clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from plancycle.definitions.model import Catalog
from plancycle.store import geothai_import, targets, villages
from plancycle.store.actors import add_sample_actors
from plancycle.store.db import make_engine, migrate
from plancycle.thai.areacode import AreaCode
from plancycle.workflow.clock import ManualClock
from plancycle.workflow.cycle import StartResult, start_cycle
from plancycle.workflow.engine import Engine
from plancycle.workflow.walk import MINIMAL_PDF

__all__ = ["SampleStore", "fill_sample", "fresh_sample_store"]


@dataclass
class SampleStore:
    engine: Engine
    clock: ManualClock
    actors: dict[str, dict[str, str]]  # area code ("" = nation) -> role -> actor id
    started: StartResult
    pdf: Path  # a small PDF to attach as evidence

    def actors_in(self, district: str) -> dict[str, str]:
        """role -> actor id for work in ``district`` (and its province, and the nation)."""
        return {
            **self.actors.get("", {}),
            **self.actors.get(AreaCode(district).province, {}),
            **self.actors.get(district, {}),
        }


def fill_sample(
    db: sa.Engine, catalog: Catalog, province: str, fiscal_year: int, clock: ManualClock
) -> tuple[dict[str, dict[str, str]], StartResult]:
    """Into a migrated, empty store: the province's areas, sample villages, placeholder
    strong tambons, one sample actor per role and area, and the fiscal year started."""
    with Session(db) as session, session.begin():
        geothai_import.import_geothai(session, [province])
        villages.generate_sample_villages(session, province)
        targets.default_strong_tambons(session, fiscal_year, province)
        actors = add_sample_actors(session, catalog.roles, province, clock.now())
    started = start_cycle(db, catalog, fiscal_year, province, clock)
    return actors, started


def fresh_sample_store(
    path: Path, catalog: Catalog, province: str, fiscal_year: int, start: datetime
) -> SampleStore:
    """(Re)create the SQLite file ``path`` holding a started sample province."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = make_engine(f"sqlite:///{path}")
    migrate(db)
    clock = ManualClock(start)
    folder = path.with_name(path.stem + "-evidence")
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "scan.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    actors, started = fill_sample(db, catalog, province, fiscal_year, clock)
    engine = Engine(catalog, db, clock, evidence_folder=folder)
    return SampleStore(engine, clock, actors, started, pdf)
