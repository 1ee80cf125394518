"""The tables of the store.

Areas (DOPA codes) and named target lists; one ``Cycle`` per fiscal year pinning the
definition versions it runs; one ``Instance`` per process and area with its current
state; the append-only ``TransitionRecord`` history; content-addressed ``Evidence``;
and the ``Actor`` who act on instances.

Every time is a ``UTCDateTime`` (aware in, aware UTC out). Constraint names follow
``NAMING_CONVENTION`` so that migrations can name (and later drop) them on SQLite too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from plancycle.store.types import JSONType, UTCDateTime
from sqlmodel import Field, SQLModel

__all__ = [
    "AREA_LEVELS",
    "NAMING_CONVENTION",
    "Actor",
    "Area",
    "AreaTarget",
    "Cycle",
    "Evidence",
    "Instance",
    "TransitionRecord",
]

#: Area levels by the length of their DOPA code.
AREA_LEVELS: dict[int, str] = {2: "province", 4: "district", 6: "tambon", 8: "village"}

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


class Area(SQLModel, table=True):
    """A province, district (amphoe), tambon or village (muban) by its DOPA code."""

    __tablename__ = "area"

    code: str = Field(primary_key=True)
    level: str = Field(index=True)  # province | district | tambon | village
    name_th: str
    name_en: str | None = None
    parent_code: str | None = Field(default=None, foreign_key="area.code", index=True)
    province_code: str = Field(max_length=2, index=True)
    is_sample: bool = False
    source: str  # "geothai 3.2.1 (data 2026.10.23)", "file:villages.csv", "sample"


class AreaTarget(SQLModel, table=True):
    """Membership of an area in a named target list ("activity2", "strong_tambon")."""

    __tablename__ = "area_target"

    list_name: str = Field(primary_key=True)
    area_code: str = Field(primary_key=True, foreign_key="area.code")


class Cycle(SQLModel, table=True):
    """One fiscal year's run, pinning the version of every definition it uses."""

    __tablename__ = "cycle"

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int = Field(unique=True)  # Buddhist Era, e.g. 2568
    started_at: datetime = Field(sa_type=UTCDateTime)
    definitions: dict[str, int] = Field(default_factory=dict, sa_type=JSONType)


class Instance(SQLModel, table=True):
    """One process run for one area in one fiscal year, e.g. ``2568/activity2/240101``."""

    __tablename__ = "instance"
    __table_args__ = (
        sa.Index("ix_instance_definition_id_state", "definition_id", "state"),
        sa.Index(
            "ix_instance_fiscal_year_definition_id_province_code",
            "fiscal_year",
            "definition_id",
            "province_code",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # FY/process/area
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    fiscal_year: int
    definition_id: str
    definition_version: int
    area_code: str = Field(foreign_key="area.code", index=True)
    province_code: str = Field(max_length=2, index=True)
    district_code: str | None = Field(default=None, index=True)
    state: str
    version: int = 1  # optimistic-lock counter: +1 on every change
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    state_entered_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TransitionRecord(SQLModel, table=True):
    """One step taken on an instance (seq 1, 2, 3… per instance); never changed."""

    __tablename__ = "transition_record"
    __table_args__ = (sa.UniqueConstraint("instance_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="instance.id", index=True)
    seq: int
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: str
    role: str
    trigger: str
    from_state: str
    to_state: str
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    note: str | None = None
    evidence: list[str] = Field(default_factory=list, sa_type=JSONType)  # sha256 hex
    automatic: bool = False


class Evidence(SQLModel, table=True):
    """A file kept once under its SHA-256 (see ``plancycle.store.evidence``)."""

    __tablename__ = "evidence"

    sha256: str = Field(primary_key=True, max_length=64)
    file_name: str
    media_type: str
    size: int
    stored_at: datetime = Field(sa_type=UTCDateTime)


class Actor(SQLModel, table=True):
    """A person or office acting in a role, over an area (None: the whole nation)."""

    __tablename__ = "actor"

    id: str = Field(primary_key=True)  # slug, e.g. "cd-2401"
    name: str
    role: str
    area_code: str | None = Field(default=None, foreign_key="area.code")
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
