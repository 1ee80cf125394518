"""What the web app runs on: the store, the catalog, the clock, where evidence goes, and
the key that signs session cookies. Built from the CLI's :class:`AppContext` pieces or
directly by tests (which inject a ``ManualClock``)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from plancycle.definitions.model import Catalog
from plancycle.store.evidence import evidence_dir, evidence_max_bytes
from plancycle.workflow.clock import Clock, SystemClock

__all__ = ["SECRET_ENV", "WebSettings"]

SECRET_ENV = "PLANCYCLE_SECRET_KEY"


@dataclass
class WebSettings:
    db: sa.Engine
    catalog: Catalog
    clock: Clock = field(default_factory=SystemClock)
    evidence_folder: Path = field(default_factory=evidence_dir)
    upload_max_bytes: int = field(default_factory=evidence_max_bytes)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    default_lang: str = "th"
    https_only: bool = False  # mark the session cookie Secure (behind TLS)
    session_max_age: int = 8 * 3600  # seconds: a working day

    @classmethod
    def from_env(
        cls,
        db: sa.Engine,
        catalog: Catalog,
        clock: Clock | None = None,
        env: Mapping[str, str] | None = None,
        lang: str = "th",
    ) -> WebSettings:
        """Settings from ``PLANCYCLE_*`` variables. Without ``PLANCYCLE_SECRET_KEY`` a
        random key is made: sessions then end when the server restarts."""
        env = os.environ if env is None else env
        return cls(
            db=db,
            catalog=catalog,
            clock=clock or SystemClock(),
            evidence_folder=evidence_dir(env),
            upload_max_bytes=evidence_max_bytes(env),
            secret_key=env.get(SECRET_ENV) or secrets.token_urlsafe(32),
            default_lang=lang,
            https_only=env.get("PLANCYCLE_HTTPS_ONLY", "") in ("1", "true", "yes"),
        )
