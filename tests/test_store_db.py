"""Opening databases: the URL from the environment, drivers, SQLite pragmas, bad URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from plancycle.settings import load_settings
from plancycle.store.db import DEFAULT_URL, make_engine
from plancycle.store.errors import StoreError


def test_database_url_from_injected_env() -> None:
    load = load_settings
    assert load({"PLANCYCLE_DB": "sqlite:////data/p.db"}).db == "sqlite:////data/p.db"
    assert load({}).db == DEFAULT_URL == "sqlite:///plancycle.db"
    assert load({"PLANCYCLE_DB": ""}).db == DEFAULT_URL


def test_database_url_reads_process_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANCYCLE_DB", "postgresql://u@db/plan")
    assert load_settings().db == "postgresql://u@db/plan"
    monkeypatch.delenv("PLANCYCLE_DB")
    assert load_settings().db == DEFAULT_URL


def test_make_engine_takes_the_settings_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLANCYCLE_DB", f"sqlite:///{tmp_path / 'env.db'}")
    engine = make_engine(load_settings().db)
    try:
        assert engine.url.database == str(tmp_path / "env.db")
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@h:5432/plan",
        "postgres://u@h/plan",
        "postgresql+psycopg://u@h/plan",
    ],
)
def test_postgres_urls_use_psycopg3(url: str) -> None:
    engine = make_engine(url)  # no connection is made
    try:
        assert engine.url.drivername == "postgresql+psycopg"
        assert engine.dialect.driver == "psycopg"
        assert engine.url.database == "plan"
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "url", ["mysql://u@h/plan", "postgresql+asyncpg://u@h/plan", "oracle://u@h/plan"]
)
def test_unsupported_scheme_is_refused(url: str) -> None:
    with pytest.raises(StoreError) as info:
        make_engine(url)
    assert url in info.value.en
    assert url in info.value.th
    assert "ฐานข้อมูล" in info.value.th


def test_bad_url_hides_password() -> None:
    with pytest.raises(StoreError) as info:
        make_engine("mysql://u:secret@h/plan")
    assert "secret" not in info.value.en + info.value.th
    assert "mysql://u:***@h/plan" in info.value.en


def test_not_a_url() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        make_engine("plancycle.db")


def test_sqlite_pragmas_on_every_connection(sqlite_engine: sa.Engine) -> None:
    with sqlite_engine.connect() as one, sqlite_engine.connect() as two:
        for c in (one, two):
            pragma = c.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
