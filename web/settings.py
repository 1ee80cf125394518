"""What the web app runs on: the store, the catalog, the clock, where evidence goes, and
the key that signs session cookies. Built from the process's :class:`Settings` or
directly by tests (which inject a ``ManualClock``)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from plancycle.definitions.model import Catalog
from plancycle.notifier.channels import Channel, LogChannel, channels_for
from plancycle.settings import Settings
from plancycle.store.db import DEFAULT_BUSY_TIMEOUT_S
from plancycle.store.evidence import DEFAULT_MAX_BYTES
from plancycle.workflow.clock import Clock, SystemClock

__all__ = ["WebSettings"]


@dataclass
class WebSettings:
    db: sa.Engine
    catalog: Catalog
    clock: Clock = field(default_factory=SystemClock)
    # the folder set (PLANCYCLE_EVIDENCE_DIR); None: the store's recorded folder, else
    # ./evidence (workflow/evidence_folder.py decides, when the app is built)
    evidence_folder: Path | None = None
    upload_max_bytes: int = DEFAULT_MAX_BYTES
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S  # longest wait for the store's write lock
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    default_lang: str = "th"
    https_only: bool = False  # mark the session cookie Secure (behind TLS)
    session_max_age: int = 8 * 3600  # seconds: a working day
    upload_max_files: int = 10  # files in one advance
    form_max_fields: int = 100  # fields in one form
    request_max_bytes: int | None = None  # an advance's body; None: files x file limit + 1 MB
    signin_max_failures: int = 10  # failed sign-ins from one client within the window
    signin_window_s: int = 60
    # how long the nation's and a province's page figures are kept (0: read every time;
    # PLANCYCLE_SUMMARY_SECONDS, 60 for a server: workflow/area_summary.py)
    summary_seconds: int = 0
    line_secret: str | None = None  # the LINE channel secret: /line/webhook answers when set
    line_token: str | None = None  # the channel access token, to reply with a chat's id
    line_api: str = "https://api.line.me"
    # the channels a contact's test message goes through (the dispatcher's own)
    channels: Mapping[str, Channel] = field(default_factory=lambda: {"log": LogChannel()})

    @property
    def advance_max_bytes(self) -> int:
        if self.request_max_bytes is not None:
            return self.request_max_bytes
        return self.upload_max_bytes * self.upload_max_files + 1024 * 1024

    @classmethod
    def of(
        cls,
        db: sa.Engine,
        catalog: Catalog,
        settings: Settings,
        clock: Clock | None = None,
        lang: str = "th",
    ) -> WebSettings:
        """From the process's settings. Without ``PLANCYCLE_SECRET_KEY`` a random key is
        made: sessions then end when the server restarts."""
        return cls(
            db=db,
            catalog=catalog,
            clock=clock or SystemClock(),
            evidence_folder=settings.evidence_dir_set,
            upload_max_bytes=settings.evidence_max_bytes,
            busy_timeout_s=settings.busy_timeout_s,
            secret_key=settings.secret_key or secrets.token_urlsafe(32),
            default_lang=lang,
            https_only=settings.https_only,
            upload_max_files=settings.upload_max_files,
            form_max_fields=settings.form_max_fields,
            request_max_bytes=settings.request_max_bytes,
            signin_max_failures=settings.signin_max_failures,
            signin_window_s=settings.signin_window_s,
            summary_seconds=settings.summary_seconds,
            line_secret=settings.line_secret,
            line_token=settings.line_token,
            line_api=settings.line_api.strip().rstrip("/"),
            channels=channels_for(settings),
        )
