"""What every command needs, built once per run: the store, the catalog, the clock, the language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from sqlmodel import Session

from plancycle.definitions.loader import load_catalog
from plancycle.definitions.model import Catalog
from plancycle.errors import PlancycleError
from plancycle.notifier.delivery_rules import DeliveryRules
from plancycle.settings import Settings, load_settings
from plancycle.store.db import (
    current_revision,
    head_revision,
    is_migrated,
    make_engine,
)
from plancycle.store.models import Actor
from plancycle.store.tokens import actor_for_token
from plancycle.workflow.access import check_manages, scoped
from plancycle.workflow.clock import Clock, SystemClock
from plancycle.workflow.engine import Engine
from plancycle.workflow.errors import UnknownActor
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.views import Who

__all__ = ["ActingAs", "AppContext", "NotInitialised"]


class ActingAs(PlancycleError):
    """Neither or both of --token and --actor."""


class NotInitialised(PlancycleError):
    def __init__(self, url: str, revision: str | None, head: str | None) -> None:
        if revision is None:
            en = f"the store at {url} has no plancycle tables yet; run `plancycle init` first"
            th = f"ฐานข้อมูล {url} ยังไม่ได้เตรียม; สั่ง `plancycle init` ก่อน"
        else:
            en = (
                f"the store at {url} is at schema revision {revision}, this plancycle needs "
                f"{head}; run `plancycle init` to upgrade it (no data is lost)"
            )
            th = (
                f"ฐานข้อมูล {url} เป็นโครงสร้างรุ่น {revision} แต่ต้องใช้รุ่น {head}; "
                f"สั่ง `plancycle init` เพื่อปรับรุ่น (ข้อมูลไม่สูญหาย)"
            )
        super().__init__(en, th)


@dataclass
class AppContext:
    db_url: str | None = None
    lang: str = "th"
    thai_digits: bool = False
    token: str | None = None  # who is acting; None = a local administrator
    clock: Clock = field(default_factory=SystemClock)
    settings: Settings = field(default_factory=load_settings)

    @property
    def url(self) -> str:
        return self.db_url or self.settings.db

    @cached_property
    def raw_db(self) -> sa.Engine:
        """The database engine, migrated or not (for `init`)."""
        return make_engine(self.url, self.settings.busy_timeout_s)

    @cached_property
    def db(self) -> sa.Engine:
        """The database engine of a store that `plancycle init` has prepared."""
        if not is_migrated(self.raw_db):
            raise NotInitialised(self.url, current_revision(self.raw_db), head_revision())
        return self.raw_db

    @cached_property
    def catalog(self) -> Catalog:
        return load_catalog()

    @cached_property
    def engine(self) -> Engine:
        return Engine(
            self.catalog,
            self.db,
            self.clock,
            self.settings.evidence_dir,
            self.settings.evidence_max_bytes,
            busy_timeout_s=self.settings.busy_timeout_s,
        )

    @cached_property
    def delivery_rules(self) -> DeliveryRules:
        """When messages go and the links they carry (``PLANCYCLE_SEND_TIME``, ``_BASE_URL``)."""
        return DeliveryRules.of(self.settings)

    @cached_property
    def token_actor(self) -> Actor | None:
        """The actor the token belongs to (refused if the token is not valid)."""
        if not self.token:
            return None
        with Session(self.db) as session:
            return actor_for_token(session, self.token)

    def acting(self, actor_id: str | None) -> str:
        """Who does a step: the token's actor, or ``--actor`` for a local administrator."""
        if self.token and actor_id:
            raise ActingAs(
                "give either --token (or PLANCYCLE_TOKEN) or --actor, not both",
                "ระบุ --token (หรือ PLANCYCLE_TOKEN) หรือ --actor อย่างใดอย่างหนึ่ง",
            )
        if self.token_actor is not None:
            return self.token_actor.id
        if actor_id:
            return actor_id
        raise ActingAs(
            "who is acting? give --token TOKEN (or set PLANCYCLE_TOKEN), or, as a local "
            "administrator of this store, --actor ID",
            "ใครเป็นผู้ดำเนินการ? ระบุ --token (หรือ PLANCYCLE_TOKEN) หรือในฐานะผู้ดูแลระบบ --actor รหัส",
        )

    def acting_actor(self, actor_id: str | None) -> Actor:
        """The actor a command looks as: the token's, or ``--actor`` for a local
        administrator (an unknown or inactive one is refused)."""
        chosen = self.acting(actor_id)
        if self.token_actor is not None:
            return self.token_actor
        with Session(self.db) as session:
            actor = session.get(Actor, chosen)
        if actor is None or not actor.active:
            raise UnknownActor(chosen, "inactive" if actor else "unknown")
        return actor

    @property
    def viewer(self) -> Who | None:
        """Who looks, for "what may I do here" (None: a local administrator)."""
        actor = self.token_actor
        return None if actor is None else Who(actor.role, actor.area_code)

    def visible(self, wanted: AreaFilter) -> AreaFilter:
        """The part of ``wanted`` the token's actor may see (all of it for a local admin)."""
        actor = self.token_actor
        return wanted if actor is None else scoped(actor.id, actor.area_code, wanted)

    def manages(self, areas: Iterable[str | None]) -> None:
        """Refuse a change of actors, tokens or areas that the token's actor may not
        make (see :func:`check_manages`); without a token the CLI is the local
        administrator of the store it has credentials for."""
        actor = self.token_actor
        if actor is not None:
            check_manages(actor.id, actor.role, actor.area_code, areas)

    def actor_area(self, actor_id: str) -> list[str | None]:
        """The area of an existing actor (nothing when there is none: the store says so)."""
        with Session(self.db) as session:
            actor = session.get(Actor, actor_id)
        return [] if actor is None else [actor.area_code]

    @property
    def thai(self) -> bool:
        """Whether what is printed is in Thai."""
        return self.lang == "th"

    def text(self, th: str, en: str) -> str:
        return th if self.thai else en
