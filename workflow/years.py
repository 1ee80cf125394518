"""The fiscal year people mean when they name none, and the years the store holds.

The default is the newest fiscal year whose cycle has been started and still has an
instance not done (``completed_at`` unset); when every started cycle is done, the
newest started cycle; when none has been started, the fiscal year the clock is in.
So a province working through FY2568 keeps seeing FY2568 after 1 October, until its
last instance is done or it starts FY2569 and works there. A year asked for
explicitly (``--fy``, ``?fy=``) always wins.

The CLI, the pages and the API all choose their year here (``choose_year``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from plancycle.store.models import Cycle, Instance
from plancycle.thai.fiscal import fiscal_year_of

__all__ = ["YearChoice", "choose_year", "cycle_years", "default_year"]


@dataclass(frozen=True, slots=True)
class YearChoice:
    """The year a command or page works in, and what a person may pick instead."""

    year: int
    default: int
    existing: tuple[int, ...]  # the years with a started cycle, newest first
    explicit: bool  # asked for (``--fy``, ``?fy=``), not defaulted

    def as_dict(self) -> dict[str, Any]:
        """The chosen year and the years that exist, as ``--json`` and the API give them."""
        return {
            "fiscal_year": self.year,
            "default_fiscal_year": self.default,
            "fiscal_years": list(self.existing),
        }

    @property
    def has_cycle(self) -> bool:
        """Whether a cycle has been started for the chosen year."""
        return self.year in self.existing

    @property
    def others(self) -> tuple[int, ...]:
        """The years with a cycle other than the chosen one, newest first."""
        return tuple(y for y in self.existing if y != self.year)

    @property
    def selectable(self) -> tuple[int, ...]:
        """What a year selector lists: every year with a cycle, and the chosen year
        even when it has none (so the selector shows what is on screen), newest first."""
        return tuple(sorted({*self.existing, self.year}, reverse=True))


_STARTED = sa.select(col(Cycle.fiscal_year)).order_by(col(Cycle.fiscal_year).desc())
_NEWEST_OPEN = (
    sa.select(col(Cycle.fiscal_year))
    .where(
        sa.select(col(Instance.id))
        .where(
            col(Instance.fiscal_year) == col(Cycle.fiscal_year),
            col(Instance.completed_at).is_(None),
            col(Instance.withdrawn_at).is_(None),
        )
        .exists()
    )
    .order_by(col(Cycle.fiscal_year).desc())
    .limit(1)
)


def _started(connection: sa.Connection) -> tuple[int, ...]:
    return tuple(connection.execute(_STARTED).scalars().all())


def cycle_years(db: sa.Engine) -> tuple[int, ...]:
    """The fiscal years whose cycle has been started, newest first."""
    with db.connect() as connection:
        return _started(connection)


def _newest_open(connection: sa.Connection) -> int | None:
    """The newest started fiscal year with an instance not done."""
    return connection.execute(_NEWEST_OPEN).scalar()


def _default_of(connection: sa.Connection, existing: tuple[int, ...], now: datetime) -> int:
    if not existing:
        return fiscal_year_of(now)
    found = _newest_open(connection)
    return found if found is not None else existing[0]


def default_year(db: sa.Engine, now: datetime) -> int:
    """The newest started cycle with work left, else the newest started cycle, else the
    fiscal year of ``now``."""
    with db.connect() as connection:
        existing = _started(connection)
        return _default_of(connection, existing, now)


def choose_year(db: sa.Engine, asked: int | None, now: datetime) -> YearChoice:
    """The year asked for, or the default; with the years that exist, for a selector
    and for telling a person which years hold cycles when the chosen one has none."""
    with db.connect() as connection:  # without the ORM: every page asks this
        existing = _started(connection)
        default = _default_of(connection, existing, now)
    year = asked if asked is not None else default
    return YearChoice(year, default, existing, explicit=asked is not None)
