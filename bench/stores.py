"""The stores the advance, peer and memory benchmarks run on.

The national data set is ``bench.cycle_start.national_store``'s: GeoThai's 76
provinces, 878 districts and 7,256 tambons, 75,000 synthetic villages (seed 2568),
placeholder strong tambons; then FY2568 started (92,222 instances) and one district
CD office actor per district (``cd-DDDD``, role ``district_cd_office``, area the
district), who may take every step of a village plan in its district.

SQLite: built once per run into a template file, copied for each measurement.
PostgreSQL: built into a database of its own (``PLANCYCLE_BENCH_ADVANCE_PG``, default
``plancycle_bench_advance`` on 127.0.0.1:5432), dropped and re-created on every
build; the test database and ``bench/web.py``'s ``plancycle_bench`` are never touched.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from bench.cycle_start import national_store
from plancycle.definitions.model import Catalog, Definition
from plancycle.store import geothai_import as store_geothai
from plancycle.store import targets as store_targets
from plancycle.store import villages as store_villages
from plancycle.store.db import make_engine, migrate
from plancycle.store.models import Actor, Area, Instance
from plancycle.workflow.cycle import start_cycle
from plancycle.workflow.walk import sample_step_data

__all__ = [
    "FISCAL_YEAR",
    "PG_ENV",
    "PROCESS",
    "VILLAGES",
    "Step",
    "build_postgres",
    "build_sqlite",
    "fresh_copy",
    "pg_url",
    "process_steps",
    "sample_keys",
]

FISCAL_YEAR = 2568
VILLAGES = 75_000
PROCESS = "village_plan"
# A database of its own: bench/web.py re-creates the schema of ``plancycle_bench``.
PG_ENV = "PLANCYCLE_BENCH_ADVANCE_PG"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/plancycle_bench_advance"
ACTOR_ROLE = "district_cd_office"

# (trigger, from state, to state, data) of one step of the benchmarked process
Step = tuple[str, str, str, dict]


def process_steps(catalog: Catalog, process: str = PROCESS) -> list[Step]:
    """The process's first declared path from its initial state to a final one, each
    step with the data ``workflow.walk`` would give it (valid: it passes every guard)."""
    definition: Definition = catalog.get(process)
    steps: list[Step] = []
    state = definition.initial_state.id
    while (out := definition.transitions_from(state)) and len(steps) < 50:
        step = out[0]
        data = sample_step_data(step, definition, 1, fiscal_year=FISCAL_YEAR)
        steps.append((step.trigger, state, step.dest, data))
        state = step.dest
    return steps


def actor_of(key: str) -> str:
    """The district CD office of a village instance ``FY/process/VVVVVVVV``."""
    return f"cd-{key.rsplit('/', 1)[1][:4]}"


def add_district_offices(session: Session, now: datetime) -> int:
    districts = session.exec(select(Area.code).where(Area.level == "district")).all()
    for code in districts:
        session.add(
            Actor(
                id=f"cd-{code}",
                name=f"District CD office {code}",
                role=ACTOR_ROLE,
                area_code=code,
                active=True,
                created_at=now,
            )
        )
    return len(districts)


def _populate(db: sa.Engine, villages: int) -> None:
    """Areas, villages, strong tambons (as ``national_store``), FY2568, the offices."""
    with Session(db) as session, session.begin():
        store_geothai.import_geothai(session)
        store_villages.synthetic_national_villages(session, total=villages, seed=2568)
        store_targets.default_strong_tambons(session, 2568)


def _finish(db: sa.Engine, catalog: Catalog) -> int:
    created = start_cycle(db, catalog, FISCAL_YEAR).total_created
    with Session(db) as session, session.begin():
        add_district_offices(session, datetime.now(UTC))
    return created


def build_sqlite(path: Path, catalog: Catalog, villages: int = VILLAGES) -> int:
    """The national store on SQLite at ``path`` with FY2568 started; returns the
    number of instances. The WAL is folded in so that the file can be copied."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    national_store(path, villages)
    db = make_engine(f"sqlite:///{path}")
    created = _finish(db, catalog)
    db.dispose()
    settle(path)
    return created


def settle(path: Path) -> None:
    """Fold the WAL into the database file."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def fresh_copy(template: Path, name: str) -> Path:
    target = template.with_name(name)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, target)
    return target


def pg_url() -> str:
    return os.environ.get(PG_ENV) or PG_DEFAULT


def pg_available(url: str) -> str | None:
    """None when the server answers; else why not."""
    admin = make_url(url).set(database="postgres")
    engine = sa.create_engine(admin)
    try:
        with engine.connect() as con:
            con.execute(sa.text("SELECT 1"))
        return None
    except sa.exc.SQLAlchemyError as exc:
        return str(exc.orig or exc).splitlines()[0]
    finally:
        engine.dispose()


def recreate_database(url: str, template: str | None = None) -> None:
    """Drop and create the benchmark database named by ``url`` (never the test one, nor
    ``template``), empty or as a copy of the database ``template``."""
    parsed = make_url(url)
    name = parsed.database
    if not name or name in ("test", "postgres", "template0", "template1", template):
        raise ValueError(f"refusing to recreate database {name!r}: use a database of its own")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    copy = f" TEMPLATE {template}" if template else ""
    try:
        with admin.connect() as con:
            con.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            con.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        admin.dispose()


def build_postgres(url: str, catalog: Catalog, villages: int = VILLAGES) -> int:
    """The national store on PostgreSQL, in a freshly created database."""
    recreate_database(url)
    db = make_engine(url)
    migrate(db)
    _populate(db, villages)
    created = _finish(db, catalog)
    with db.connect() as con:
        con.execute(sa.text("ANALYZE"))
        con.commit()
    db.dispose()
    return created


def sample_keys(db: sa.Engine, count: int, seed: int = 2568) -> list[str]:
    """``count`` distinct village-plan instance keys drawn with a fixed seed from the
    whole nation (so that they spread over districts and actors)."""
    with Session(db) as session:
        keys = sorted(
            session.exec(
                select(Instance.key).where(
                    Instance.definition_id == PROCESS, Instance.fiscal_year == FISCAL_YEAR
                )
            ).all()
        )
    if count > len(keys):
        raise ValueError(f"{count} instances wanted, the store has {len(keys)}")
    return random.Random(seed).sample(keys, count)
