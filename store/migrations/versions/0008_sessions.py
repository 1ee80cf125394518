"""Web sessions that can be ended, and failed sign-ins.

- ``web_session``: one row per signed-in browser; the cookie holds the row's random id,
  and logging out sets ``ended_at``, so a copied cookie stops working;
- ``sign_in_failure``: every failed sign-in (when, which client, why), counted to
  throttle a client that keeps guessing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_web_session_actor_id_actor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
    )
    op.create_index(op.f("ix_web_session_actor_id"), "web_session", ["actor_id"])
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    op.create_index(op.f("ix_sign_in_failure_at"), "sign_in_failure", ["at"])
    op.create_index(op.f("ix_sign_in_failure_client_at"), "sign_in_failure", ["client", "at"])


def downgrade() -> None:
    op.drop_table("sign_in_failure")
    op.drop_table("web_session")
