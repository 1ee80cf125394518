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
from sqlmodel import Field, SQLModel

from plancycle.kinds import Delivery, EscalationKind, HolidayAction, OutboxStatus, check_in
from plancycle.store.types import JSONType, UTCDateTime

__all__ = [
    "NAMING_CONVENTION",
    "ONE_PER_DISTRICT_PROCESSES",
    "ONE_PER_DISTRICT_WHERE",
    "Actor",
    "Area",
    "AreaTarget",
    "Contact",
    "Cycle",
    "DeadlineExtension",
    "DeliveryAttempt",
    "Escalation",
    "Evidence",
    "EvidenceUse",
    "HolidayChange",
    "Instance",
    "OutboxMessage",
    "RefusedAttempt",
    "SignInFailure",
    "StoreSetting",
    "TransitionRecord",
    "table_of",
    "WebSession",
]

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

#: the processes with one instance per district (Activity 3: the district's strong
#: tambon), as the partial unique index's condition; withdrawn instances do not count
ONE_PER_DISTRICT_PROCESSES = ("activity3",)
ONE_PER_DISTRICT_WHERE = (
    "definition_id IN ("
    + ", ".join(f"'{p}'" for p in ONE_PER_DISTRICT_PROCESSES)
    + ") AND withdrawn_at IS NULL"
)


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table a ``table=True`` model maps to (``Model.__table__``, typed)."""
    table = sa.inspect(model).local_table
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


class Area(SQLModel, table=True):
    """A province, district (amphoe), tambon or village (muban) by its DOPA code."""

    __tablename__ = "area"
    __table_args__ = (sa.Index("ix_area_province_code_level", "province_code", "level"),)

    code: str = Field(primary_key=True)
    level: str = Field(index=True)  # province | district | tambon | village
    name_th: str
    name_en: str | None = None
    parent_code: str | None = Field(default=None, foreign_key="area.code", index=True)
    province_code: str = Field(max_length=2)  # indexed with level (__table_args__)
    is_sample: bool = False
    source: str  # "geothai 3.2.1 (data 2026.10.23)", "file:villages.csv", "sample"


class AreaTarget(SQLModel, table=True):
    """Membership of an area in a named target list ("activity2", "strong_tambon") of
    one fiscal year (BE): the letter's lists are "ประจำปี ๒๕๖๘", and a year's list is
    never inherited by the next."""

    __tablename__ = "area_target"

    fiscal_year: int = Field(primary_key=True)
    list_name: str = Field(primary_key=True)
    area_code: str = Field(primary_key=True, foreign_key="area.code")


class Cycle(SQLModel, table=True):
    """One fiscal year's run, pinning the version of every definition it uses."""

    __tablename__ = "cycle"

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int = Field(unique=True)  # Buddhist Era, e.g. 2568
    started_at: datetime = Field(sa_type=UTCDateTime)
    definitions: dict[str, int] = Field(default_factory=dict, sa_type=JSONType)
    # process id -> instances the cycle holds (kept by cycle start; checked by audit verify)
    instance_counts: dict[str, int] = Field(default_factory=dict, sa_type=JSONType)


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
        # one counted Activity 3 instance per district and year: a changed strong tambon
        # moves the instance (``workflow/targets_move.py``), never adds a second one
        sa.Index(
            "uq_instance_one_per_district",
            "fiscal_year",
            "definition_id",
            "district_code",
            unique=True,
            sqlite_where=sa.text(ONE_PER_DISTRICT_WHERE),
            postgresql_where=sa.text(ONE_PER_DISTRICT_WHERE),
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
    head_hash: str | None = Field(default=None, max_length=64)  # hash of the newest record
    # set by ``instances withdraw`` (its record holds who and why): kept, never deleted,
    # and left out of every count, list, KPI, sweep and inbox
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TransitionRecord(SQLModel, table=True):
    """One step taken on an instance (seq 1, 2, 3… per instance); never changed."""

    __tablename__ = "transition_record"
    __table_args__ = (
        sa.UniqueConstraint("instance_id", "seq"),
        # the KPIs read one step's latest record per instance (``workflow/kpi.py``)
        sa.Index("ix_transition_record_trigger_instance_id", "trigger", "instance_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # looked up through the unique (instance_id, seq) index
    instance_id: int = Field(foreign_key="instance.id")
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
    # the role the actor recorded the step for (ปฏิบัติราชการแทน), if not its own
    on_behalf_of: str | None = None
    prev_hash: str = Field(max_length=64)  # the audit chain (plancycle.store.audit_hash)
    hash: str = Field(max_length=64)


class Evidence(SQLModel, table=True):
    """A file kept once under its SHA-256 (see ``plancycle.store.evidence``)."""

    __tablename__ = "evidence"

    sha256: str = Field(primary_key=True, max_length=64)
    file_name: str
    media_type: str
    size: int
    stored_at: datetime = Field(sa_type=UTCDateTime)


class EvidenceUse(SQLModel, table=True):
    """A file as one record attached it: its slot and the name it had then. The same
    bytes attached by another record keep their own name there (the ``evidence`` row's
    ``file_name`` is only the first one, shown for records older than this table)."""

    __tablename__ = "evidence_use"

    instance_id: int = Field(primary_key=True, foreign_key="instance.id")
    seq: int = Field(primary_key=True)
    slot: str = Field(primary_key=True)
    sha256: str = Field(max_length=64, foreign_key="evidence.sha256")
    file_name: str


class Actor(SQLModel, table=True):
    """A person or office acting in a role, over an area (None: the whole nation)."""

    __tablename__ = "actor"

    id: str = Field(primary_key=True)  # slug, e.g. "cd-2401"
    name: str
    role: str
    area_code: str | None = Field(default=None, foreign_key="area.code")
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)  # SHA-256 of the token


class Escalation(SQLModel, table=True):
    """One rung of a step's deadline ladder reached by one instance: a window opening,
    a reminder, the overdue flag, an escalation. The unique key makes each happen at
    most once, whoever sweeps and however often."""

    __tablename__ = "escalation"
    __table_args__ = (
        sa.UniqueConstraint("instance_id", "step_seq", "level"),
        sa.CheckConstraint(check_in("kind", EscalationKind), name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    instance_id: int = Field(foreign_key="instance.id", index=True)
    step_seq: int  # the instance's version when it entered the step: one step occurrence
    state: str
    level: int  # -1 window opened, 0 reminder, 1 overdue, 2.. escalations
    kind: str  # an EscalationKind
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    at: datetime = Field(sa_type=UTCDateTime)  # the sweep's "now"
    recipients: list[str] = Field(default_factory=list, sa_type=JSONType)  # roles


class Contact(SQLModel, table=True):
    """Where a role in an area is reached: ``2401 district_cd_office email x@y``."""

    __tablename__ = "contact"
    __table_args__ = (
        sa.UniqueConstraint("area_code", "role", "channel", "address"),
        sa.CheckConstraint(
            f"delivery IS NULL OR {check_in('delivery', Delivery)}", name="delivery"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    area_code: str = Field(index=True)  # "" for nation-wide roles
    role: str
    channel: str  # log | email | webhook
    address: str
    name: str = ""
    delivery: str | None = None  # a Delivery; None = the default for the role


class OutboxMessage(SQLModel, table=True):
    """A notification waiting to be delivered, written in the escalation's transaction."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
        sa.CheckConstraint(check_in("status", OutboxStatus), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", index=True)
    channel: str
    address: str
    role: str
    area_code: str
    subject: str
    body: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    status: str = OutboxStatus.PENDING  # an OutboxStatus
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_by: str | None = None
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # a digest: "2025-03-03|email|x@y" (Bangkok day, channel, address), one per recipient
    # per day however many schedulers build it; None for every other message
    digest_key: str | None = Field(default=None, unique=True)
    # an item that went out inside a digest: that digest message
    digest_id: int | None = Field(default=None, foreign_key="outbox_message.id", index=True)


class DeliveryAttempt(SQLModel, table=True):
    """One try at delivering an outbox message, kept for the record."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="outbox_message.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    worker: str
    ok: bool
    error: str | None = None


class RefusedAttempt(SQLModel, table=True):
    """An attempt the engine refused: who tried what, and why (kept for inspection)."""

    __tablename__ = "refused_attempt"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)  # the first of its repeats
    actor_id: str = Field(index=True)
    key: str = Field(index=True)
    trigger: str
    error: str  # the error's class name, e.g. NotAllowed
    reason: str  # the English message
    # repeats folded into this row (plancycle.store.refusals): how many, the last when
    count: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    last_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds only this row's random id. Logging out ends
    the row, so a copy of the cookie made before stops working at once."""

    __tablename__ = "web_session"

    id: str = Field(primary_key=True, max_length=64)
    actor_id: str = Field(foreign_key="actor.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SignInFailure(SQLModel, table=True):
    """A failed sign-in: when, from which client, and why (kept; counted to throttle)."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (sa.Index("ix_sign_in_failure_client_at", "client", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    client: str = Field(max_length=64)
    reason: str  # the error's class name, e.g. BadToken


class StoreSetting(SQLModel, table=True):
    """A fact about the store kept with it (``plancycle.store.store_settings``): the
    evidence folder its files were written to."""

    __tablename__ = "store_setting"

    key: str = Field(primary_key=True, max_length=100)  # a SettingKey
    value: str
    updated_at: datetime = Field(sa_type=UTCDateTime)


class HolidayChange(SQLModel, table=True):
    """One change an administrator made to the working-day calendar, kept for good: a day
    added as a holiday with its Thai name, or a day removed (a working day after all).
    The newest change of a day is the one that holds (``plancycle.workflow.holidays``)."""

    __tablename__ = "holiday_change"
    __table_args__ = (sa.CheckConstraint(check_in("action", HolidayAction), name="action"),)

    id: int | None = Field(default=None, primary_key=True)
    day: str = Field(index=True, max_length=10)  # ISO date, Asia/Bangkok
    action: str  # a HolidayAction
    name_th: str | None = None  # the holiday's Thai name (added days)
    actor_id: str
    role: str
    at: datetime = Field(sa_type=UTCDateTime)


class DeadlineExtension(SQLModel, table=True):
    """A step's deadline moved later (``plancycle.workflow.extensions``): for one instance
    (``instance_key``) or for every instance of the process in an area (``area_code``: a
    district, or the whole province), with who, when and why. Never changed: a later
    record for the same step and scope replaces it. Each instance in the step when it
    was made also holds a chained ``extend_deadline`` record saying so."""

    __tablename__ = "deadline_extension"
    __table_args__ = (
        sa.Index(
            "ix_deadline_extension_fiscal_year_definition_id_state",
            "fiscal_year",
            "definition_id",
            "state",
        ),
        sa.CheckConstraint("(instance_key IS NULL) <> (area_code IS NULL)", name="one_scope"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: str
    role: str
    fiscal_year: int
    definition_id: str
    state: str
    instance_key: str | None = Field(default=None, index=True)
    area_code: str | None = None
    until: datetime = Field(sa_type=UTCDateTime)  # the end of the new deadline day (Bangkok)
    reason: str


class ShareLink(SQLModel, table=True):
    """A read-only link to one area's pages for one fiscal year, made by a province
    office (``plancycle.workflow.share_links``): only the token's SHA-256 is kept; it
    expires, may be revoked, and counts its uses."""

    __tablename__ = "share_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    area_code: str = Field(foreign_key="area.code", index=True)
    fiscal_year: int
    created_by: str = Field(foreign_key="actor.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    uses: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
