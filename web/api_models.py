"""What the API's successful answers hold, as models: the OpenAPI document declares
them, and FastAPI validates every answer against them before it is sent, so a shape
that drifts from the read model's ``as_dict()`` fails the tests instead of the clients.

The shapes themselves are made in one place each (``workflow/views.py``,
``workflow/rollup.py``, ``workflow/late.py``, ``web/areas_view.py``,
``web/advance.py``); these models only describe them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from plancycle.kinds import Delivery, EscalationKind, LastDelivery
from plancycle.thai.areacode import AreaLevel
from plancycle.web.tabular import CSV, XLSX
from plancycle.workflow.batch import RowStatus as BatchStatus
from plancycle.workflow.views import StepStatus

__all__ = [
    "Advanced",
    "Reviewed",
    "BatchIn",
    "ContactIn",
    "ContactOut",
    "ContactPatch",
    "ContactsOut",
    "BatchOut",
    "AreaOut",
    "EXPORT_OK",
    "Health",
    "History",
    "InboxOut",
    "InstanceDetail",
    "InstancePage",
    "Lockouts",
    "Me",
    "OverduePage",
    "StatusOut",
]

# An instant as ISO 8601 with its offset, written as the JSON encoder always has
# (``+00:00``: pydantic alone would write ``Z``).
Instant = Annotated[
    datetime,
    PlainSerializer(lambda at: at.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class _Out(BaseModel):
    """Every answer: fields named as sent (``from``), nothing undeclared."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Health(_Out):
    status: Literal["ok"]


class Me(_Out):
    id: str
    name: str
    role: str = Field(examples=["district_cd_office"])
    area: str | None = Field(description="DOPA code; null: nation-wide")


class Bilingual(_Out):
    th: str
    en: str


class NamedArea(_Out):
    code: str = Field(description='DOPA code; "" for the nation')
    level: AreaLevel | Literal["nation"]
    name_th: str
    name_en: str


class AreaOut(NamedArea):
    """An area with its breadcrumb (nation first) and its children."""

    parents: list[NamedArea]
    children: list[NamedArea]


class InstanceRow(_Out):
    key: str = Field(examples=["2568/activity2/240101"])
    fiscal_year: int
    process: str
    definition_version: int
    area_code: str
    state: str
    version: int = Field(description="the instance's lock counter (the ETag)")
    due_at: Instant | None
    overdue: bool
    completed_at: Instant | None
    withdrawn_at: Instant | None = Field(
        description="set when withdrawn: kept, and left out of every count and KPI"
    )


class YearsOut(_Out):
    """The fiscal year an answer is about (asked for, or the default) and the years with a
    started cycle, newest first."""

    fiscal_year: int = Field(description="the year of this answer")
    default_fiscal_year: int = Field(
        description="the year given when none is asked for: the newest cycle with work "
        "left, else the newest cycle, else the current year"
    )
    fiscal_years: list[int] = Field(description="the years with a started cycle, newest first")


class InstancePage(YearsOut):
    total: int
    offset: int
    limit: int
    instances: list[InstanceRow]


class AreaRef(_Out):
    code: str
    name: Bilingual


class Rung(_Out):
    """The highest ladder rung reached for the current step: 1 overdue, 2.. escalations."""

    level: int
    kind: EscalationKind
    at: Instant
    recipients: list[str]


class Progress(_Out):
    done: int
    total: int
    percent: float


class RoleRef(_Out):
    role: str
    label: Bilingual


class WaitingOn(_Out):
    process: str
    reached: str


class DueMoved(_Out):
    """A deadline a ``roll`` moved off a day off: the day written, the day it now is, why."""

    written: date
    day: date
    reason: Bilingual


class Step(_Out):
    id: str
    label: Bilingual
    source: str
    status: StepStatus
    due_at: Instant | None
    due_source: str | None
    due_moved: DueMoved | None
    waiting: bool


class DataInput(_Out):
    name: str
    type: str
    required: bool
    label: Bilingual | None


class EvidenceSlot(_Out):
    slot: str
    label: Bilingual
    required: bool
    media_types: list[str]


class NextStep(_Out):
    trigger: str
    label: Bilingual
    dest: str
    roles: list[str]
    allowed: bool | None = Field(description="whether the caller may do it now")
    on_behalf_of: str | None = Field(
        description="the role the caller may record it for (บันทึกแทน), with the signed document"
    )
    automatic: bool
    data: list[DataInput]
    evidence: list[EvidenceSlot]


class EvidenceFile(_Out):
    sha256: str
    file_name: str | None
    media_type: str | None


class Record(_Out):
    """One transition record of the audit history."""

    seq: int
    at: Instant
    actor: str
    role: str
    on_behalf_of: str | None = Field(description="the role the actor recorded it for")
    trigger: str = Field(description="a step, or send_back, correct, migrate_definition")
    from_: str = Field(alias="from")
    to: str
    data: dict[str, Any]
    note: str | None
    automatic: bool
    hash: str
    evidence: list[EvidenceFile]


class ReviewChoices(_Out):
    """What the caller may do in the review loop now."""

    send_back_to: list[str] = Field(description="steps it may send the instance back to")
    correct: str | None = Field(description="the step whose data it may correct")


class InstanceDetail(InstanceRow):
    title: Bilingual
    area: AreaRef
    state_label: Bilingual
    days_late: int
    escalation: Rung | None
    progress: Progress
    must_act: list[RoleRef]
    waiting_on: WaitingOn | None
    steps: list[Step]
    next: list[NextStep]
    review: ReviewChoices
    history: list[Record]


class History(_Out):
    key: str
    state: str
    records: list[Record]


class Kpi(_Out):
    """The indicator as the definition declares it (``measure``: instances_done,
    evaluated_usable or districts_complete): ``achieved`` of ``counted`` units."""

    target_percent: int
    actual_percent: float
    met: bool
    measure: str
    counted: int
    achieved: int
    label_th: str
    label_en: str
    basis_th: str | None
    basis_en: str | None
    instances: int = Field(description="the instances the KPI is read over")
    letter_units: int | None = Field(
        description="the letter's national count (budget.units); only for the nation of a "
        "store that holds it"
    )
    count_differs: bool


class ProcessProgress(_Out):
    process: str
    title_th: str
    title_en: str
    total: int
    done: int
    overdue: int
    percent_done: float
    by_state: dict[str, int]
    kpi_target_percent: int | None
    kpi: Kpi | None
    letter_units: int | None = Field(description="as in kpi, for every process")
    count_differs: bool = Field(description="the count is not the letter's")


class ChildStatus(NamedArea):
    overdue: int
    processes: list[ProcessProgress]


class StatusOut(YearsOut):
    as_of: Instant
    area: NamedArea
    code: str
    overdue: int
    processes: list[ProcessProgress]
    children: list[ChildStatus]


class OverdueRow(_Out):
    key: str
    process: str
    title: Bilingual
    area: AreaRef
    state: str
    state_label: Bilingual
    due_at: Instant | None
    days_late: int
    escalation: Rung | None


class OverduePage(YearsOut):
    as_of: Instant
    total: int
    offset: int
    limit: int
    instances: list[OverdueRow]


class WaitingOffice(_Out):
    """An office an instance waits on: its role, the area it answers for, and who it is
    where contacts are known."""

    role: str
    label: Bilingual
    area_code: str
    offices: list[str]


class InboxInstance(_Out):
    key: str
    area: AreaRef
    version: int = Field(description="the instance's lock counter (the ETag)")
    due_at: Instant | None
    overdue: bool
    days_late: int
    days_left: int | None = Field(description="days until the deadline day; null when late")
    waiting_on: list[WaitingOffice]


class TriggerRef(_Out):
    trigger: str
    label: Bilingual


class RecordForRef(_Out):
    """A step the caller's office may record on behalf of the role that performs it."""

    trigger: str
    label: Bilingual
    on_behalf_of: str = Field(description="the role the step is recorded for")
    on_behalf_label: Bilingual


class InboxGroup(_Out):
    """One process and step: its counts, the caller's steps there, the steps it may only
    record on behalf of another role (``records_for``; ``on_behalf_of`` names that role,
    who must otherwise act), the offices that must act (waiting list), and one page of
    its instances (overdue first, then by due)."""

    process: str
    title: Bilingual
    state: str
    state_label: Bilingual
    total: int
    overdue: int
    triggers: list[TriggerRef]
    on_behalf_of: str | None = Field(
        description="the role the caller's office records this step for (บันทึกแทน); null: "
        "the office's own step"
    )
    on_behalf_label: Bilingual | None
    records_for: list[RecordForRef]
    roles: list[RoleRef]
    instances: list[InboxInstance]


class InboxList(_Out):
    total: int
    overdue: int
    groups: list[InboxGroup]


class InboxActor(_Out):
    id: str
    role: str
    role_label: Bilingual
    area: str | None


class InboxOut(YearsOut):
    """What the caller's office must do now (``mine``) and what waits on others."""

    as_of: Instant
    actor: InboxActor
    area_code: str
    process: str | None
    state: str | None
    limit: int
    offset: int
    mine: InboxList
    waiting: InboxList


class Advanced(_Out):
    """What a step done through the API did."""

    key: str
    trigger: str
    from_: str = Field(alias="from")
    to: str
    seq: int
    at: Instant
    due_at: Instant | None
    completed: bool
    evidence: list[str] = Field(description="the SHA-256 of each file attached")


_BINARY = {"schema": {"type": "string", "format": "binary"}}
EXPORT_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The sheet as CSV (UTF-8 with BOM) or XLSX",
        "content": {CSV.partition(";")[0]: _BINARY, XLSX: _BINARY},
    }
}


class Lockout(_Out):
    client: str
    failures: int
    until: Instant
    retry_after: int = Field(description="seconds until the client may sign in again")


class Lockouts(_Out):
    """Clients locked out after too many failed sign-ins."""

    max_failures: int
    window_seconds: int
    lockouts: list[Lockout]


StepValue = str | int | bool | list[str] | None


class BatchItemIn(BaseModel):
    """One step asked for in a batch: as the single advance takes it, without files."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=120, examples=["2568/village_plan/24010101"])
    trigger: str = Field(min_length=1, max_length=120, examples=["calendar_set"])
    data: dict[str, StepValue] = Field(
        default_factory=dict, examples=[{"forum_date": "2025-01-20"}]
    )
    note: str | None = Field(default=None, max_length=2000)
    evidence: dict[str, str] = Field(
        default_factory=dict,
        description="the item's own files: evidence slot -> the name of a file part sent "
        "with the batch (multipart, POST /api/v1/advance-batch/upload); items naming the "
        "same part share one stored file",
        examples=[{"attendance": "scan-240101"}],
        max_length=20,
    )


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[BatchItemIn] = Field(min_length=1, max_length=5000)
    partial: bool = Field(
        default=False, description="write the valid items even when others are refused"
    )
    dry_run: bool = Field(default=False, description="check every item, write nothing")


class BatchItemOut(_Out):
    index: int = Field(description="the item's place in the request, from 0")
    key: str
    trigger: str
    status: BatchStatus
    seq: int | None = Field(description="the transition record written")
    problem: dict[str, Any] | None = Field(description="why it was refused (a problem document)")


class BatchOut(_Out):
    """What a batch did, item by item."""

    complete: bool
    partial: bool
    dry_run: bool
    counts: dict[str, int]
    items: list[BatchItemOut]


class WithdrawIn(BaseModel):
    """Why an instance is withdrawn (kept in its record)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000, examples=["not on the letter's list"])


class ExtendIn(BaseModel):
    """A step's deadline moved later: of instance ``key``, or of ``process`` in ``area``
    (a district or the province). Admin or the provincial CD office only."""

    model_config = ConfigDict(extra="forbid")

    step: str = Field(min_length=1, max_length=100, examples=["coordinate"])
    until: str = Field(
        min_length=1, max_length=40, description="the new deadline day", examples=["2568-04-30"]
    )
    reason: str = Field(min_length=1, max_length=2000, examples=["flooding in the district"])
    key: str | None = Field(default=None, max_length=200, examples=["2568/activity2/240101"])
    process: str | None = Field(default=None, max_length=100, examples=["activity2"])
    area: str | None = Field(default=None, max_length=8, examples=["2401"])
    fy: int | None = Field(default=None, ge=2500, le=2700, description="with process and area")


class ExtensionOut(_Out):
    """A deadline extension as recorded."""

    id: int
    at: Instant
    actor_id: str
    role: str
    fiscal_year: int
    process: str
    step: str
    instance_key: str | None
    area_code: str | None
    until: str = Field(description="the new deadline day (ISO, CE)")
    until_at: Instant = Field(description="the last instant of that day in Bangkok")
    reason: str


class Extended(_Out):
    """An extension recorded, and the instances in the step it moved."""

    extension: ExtensionOut
    moved: list[str]


class Extensions(_Out):
    extensions: list[ExtensionOut]


class Withdrawn(_Out):
    """An instance withdrawn: kept, left out of every count and KPI."""

    key: str
    withdrawn_at: Instant
    reason: str


class Reviewed(_Out):
    """What a send-back or a correction did."""

    key: str
    kind: Literal["send_back", "correct"]
    from_: str = Field(alias="from")
    to: str
    seq: int
    at: Instant
    due_at: Instant | None
    data: dict[str, Any] = Field(
        description="send_back: the step returned; correct: the new values"
    )


class LastDeliveryOut(_Out):
    """How the latest message to a contact went: delivered when, failed with what, or never."""

    kind: LastDelivery
    at: Instant | None
    error: str | None


class ContactOut(_Out):
    """A contact: where a role at an area is reached."""

    id: int
    area_code: str = Field(description='the role\'s own level; "" nation-wide')
    role: str
    channel: str
    address: str
    name: str
    delivery: Delivery | None = Field(description="null: the role's default")
    effective_delivery: Delivery = Field(description="how it is told: its own or the default")
    last_delivery: LastDeliveryOut


class ContactsOut(_Out):
    contacts: list[ContactOut]


class ContactPatch(BaseModel):
    """The fields to change (those left out stay); ``delivery`` null or "": the default."""

    model_config = ConfigDict(extra="forbid")

    area_code: str | None = Field(default=None, max_length=8, examples=["2401"])
    role: str | None = Field(default=None, max_length=100, examples=["district_cd_office"])
    channel: str | None = Field(default=None, max_length=20, examples=["email"])
    address: str | None = Field(default=None, max_length=2000, examples=["cd2401@example.go.th"])
    name: str | None = Field(default=None, max_length=500)
    delivery: str | None = Field(default=None, max_length=20, examples=["digest"])


class ContactIn(ContactPatch):
    """A new contact (checked as the CSV import checks a row)."""

    area_code: str = Field(max_length=8, examples=["2401"])
    role: str = Field(max_length=100, examples=["district_cd_office"])
    channel: str = Field(max_length=20, examples=["email"])
    address: str = Field(max_length=2000, examples=["cd2401@example.go.th"])


class ShareIn(BaseModel):
    """A read-only link to an area's pages for one fiscal year."""

    model_config = ConfigDict(extra="forbid")

    area: str = Field(pattern=r"^(\d{2}|\d{4}|\d{6}|\d{8})$", examples=["24"])
    fy: int = Field(ge=2500, le=2700, examples=[2568])
    days: int = Field(default=30, ge=1, le=365)


class Share(_Out):
    """A share link (its token is never stored, so never listed)."""

    id: int
    area_code: str
    fiscal_year: int
    created_by: str
    created_at: Instant
    expires_at: Instant
    revoked_at: Instant | None
    uses: int
    last_used_at: Instant | None


class ShareMade(Share):
    """A link just made: ``path`` holds the token, shown this once."""

    path: str


class ShareList(_Out):
    shares: list[Share]
