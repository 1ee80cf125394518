"""Facts about the store kept with it, one row per :class:`SettingKey`: where its
evidence files are (the folder the engine wrote them to, as an absolute path), so that
a command run from any working directory finds them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plancycle.store.driver import Driver
from plancycle.store.models import StoreSetting

__all__ = ["SettingKey", "evidence_folder_of", "record_evidence_folder", "write_setting"]


class SettingKey(StrEnum):
    EVIDENCE_DIR = "evidence_dir"


_UPSERT = (
    "INSERT INTO store_setting (key, value, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at "
    "WHERE store_setting.value <> excluded.value"
)


def write_setting(cursor: Any, driver: Driver, key: SettingKey, value: str, now: datetime) -> None:
    """Set ``key`` inside the caller's transaction (the driver's cursor)."""
    cursor.execute(driver.sql(_UPSERT), (key.value, value, driver.when(now)))


def record_evidence_folder(db: sa.Engine, folder: Path, now: datetime) -> None:
    """Keep ``folder`` (made absolute) as the store's evidence folder, in a transaction
    of its own."""
    driver = Driver.of(db)
    with driver.transaction() as cursor:
        write_setting(cursor, driver, SettingKey.EVIDENCE_DIR, str(folder.resolve()), now)


def evidence_folder_of(db: sa.Engine) -> Path | None:
    """The evidence folder the store's files were written to; None if none is recorded."""
    with Session(db) as session:
        row = session.get(StoreSetting, SettingKey.EVIDENCE_DIR.value)
    return Path(row.value) if row else None
