"""Alembic environment of the store.

``plancycle.store.db.migrate`` passes its open connection in
``config.attributes["connection"]``; the ``alembic`` command line (with an ini file
naming this folder) falls back to ``sqlalchemy.url`` or ``PLANCYCLE_DB``.
SQLite runs in batch mode so that later revisions can alter tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import plancycle.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from plancycle.settings import load_settings
from plancycle.store.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _configure(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or load_settings().db
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or load_settings().db)
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
