"""The actors and roles the code itself relies on, whatever the definitions say: the
scheduler that fires automatic steps, and the role that may migrate instances.

The values are stored data (actor ids and roles in ``actor`` and ``transition_record``):
never rename one.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["BuiltinActor", "BuiltinRole"]


class BuiltinRole(StrEnum):
    """Roles with a meaning in the code."""

    SCHEDULER = "scheduler"  # fires automatic transitions; its records are automatic
    ADMIN = "admin"  # may move instances to another definition version


class BuiltinActor(StrEnum):
    """Actor ids the code acts as (created by migration 0002)."""

    SCHEDULER = "scheduler"
