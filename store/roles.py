"""The PostgreSQL role the application should run as: it reads and writes rows, and
can do nothing else.

The schema's owner (who runs ``plancycle init``) keeps every right over the tables;
the application role is granted, table by table, only the statements the code runs:
``transition_record`` SELECT and INSERT (its history is append-only), ``area_target``
also DELETE (a target list is replaced whole), ``alembic_version`` SELECT only, every
other table SELECT, INSERT and UPDATE. It owns nothing, so it cannot TRUNCATE, ALTER
(disable the append-only triggers), DROP or CREATE; nor is it a superuser, so it
cannot set ``session_replication_role`` to skip triggers either.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import SQLModel

import plancycle.store.models  # noqa: F401  (tables on SQLModel.metadata)
from plancycle.store.errors import StoreError

__all__ = ["APPEND_ONLY", "AppRoleError", "app_role_sql", "create_app_role", "table_grants"]

APPEND_ONLY = frozenset({"transition_record"})
_REPLACED_WHOLE = frozenset({"area_target"})  # the rows the code deletes
_READ_ONLY = frozenset({"alembic_version"})
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class AppRoleError(StoreError):
    """A role that cannot be made as asked (bad name, SQLite, a role that exists)."""


def table_grants() -> dict[str, str]:
    """Each table of the store and the statements the application role may run on it."""
    grants = {"alembic_version": "SELECT"}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in APPEND_ONLY:
            grants[table.name] = "SELECT, INSERT"
        elif table.name in _REPLACED_WHOLE:
            grants[table.name] = "SELECT, INSERT, UPDATE, DELETE"
        elif table.name not in _READ_ONLY:
            grants[table.name] = "SELECT, INSERT, UPDATE"
    return grants


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise AppRoleError(
            f"{name!r} cannot name a role: use 1-63 lower-case letters, digits and _ "
            f"(not starting with a digit), e.g. plancycle_app",
            f"{name!r} ใช้เป็นชื่อบทบาทไม่ได้: ใช้ตัวอักษรอังกฤษตัวเล็ก ตัวเลข และ _ "
            f"1-63 ตัว (ไม่ขึ้นต้นด้วยตัวเลข) เช่น plancycle_app",
        )
    return name


def app_role_sql(name: str, database: str, schema: str = "public") -> list[str]:
    """The statements that create role ``name`` for ``database``'s plancycle schema."""
    role = f'"{_check_name(name)}"'
    db = '"' + database.replace('"', '""') + '"'
    sch = '"' + schema.replace('"', '""') + '"'
    return [
        f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
        f"GRANT CONNECT ON DATABASE {db} TO {role}",
        f"REVOKE CREATE ON SCHEMA {sch} FROM PUBLIC",  # PostgreSQL < 15 grants it to all
        f"GRANT USAGE ON SCHEMA {sch} TO {role}",
        *(
            f"GRANT {what} ON TABLE {sch}.{table} TO {role}"
            for table, what in sorted(table_grants().items())
        ),
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {role}",
    ]


def _where(db: sa.Engine) -> tuple[str, str]:
    if db.dialect.name != "postgresql":
        raise AppRoleError(
            "an application role is for PostgreSQL: SQLite has no roles; protect the "
            "store's file with the operating system's permissions",
            "บทบาทของแอปใช้กับ PostgreSQL: SQLite ไม่มีบทบาท; ป้องกันไฟล์ฐานข้อมูลด้วยสิทธิ์ของระบบปฏิบัติการ",
        )
    with db.connect() as conn:
        database, schema = conn.exec_driver_sql("SELECT current_database(), current_schema()").one()
    return database, schema


def create_app_role(db: sa.Engine, name: str, *, execute: bool) -> list[str]:
    """The statements for role ``name`` on this store; run in one transaction when
    ``execute`` (refused, changing nothing, if the role exists)."""
    _check_name(name)
    database, schema = _where(db)
    statements = app_role_sql(name, database, schema)
    if not execute:
        return statements
    with db.begin() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first():
            raise AppRoleError(
                f"role {name!r} exists already; drop it first or choose another name",
                f"มีบทบาท {name!r} อยู่แล้ว; ลบก่อนหรือเลือกชื่ออื่น",
            )
        for statement in statements:
            conn.exec_driver_sql(statement)
    return statements
