"""Writing areas in bulk, shared by the GeoThai and village loads: the row of an area,
the areas already stored, and the insert-or-update of many rows with import counts.

Nothing is committed here; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col

from plancycle.store.models import Area
from plancycle.text import one_line
from plancycle.thai.areacode import AreaCode

__all__ = [
    "IS_SAMPLE",
    "ImportCounts",
    "Progress",
    "area_row",
    "chunks",
    "existing_areas",
    "upsert",
]

#: ``progress(done, total)``, called as work advances (for progress bars).
Progress = Callable[[int, int], None]

_T = TypeVar("_T")
_CHUNK = 2000
_COMPARED = ("name_th", "name_en", "parent_code", "is_sample", "source")
#: Where ``is_sample`` sits in the tuples of ``existing_areas``.
IS_SAMPLE = _COMPARED.index("is_sample")


@dataclass
class ImportCounts:
    """Areas added per level, and existing areas updated (names or source changed)."""

    provinces: int = 0
    districts: int = 0
    tambons: int = 0
    villages: int = 0
    updated: int = 0

    @property
    def added(self) -> int:
        return self.provinces + self.districts + self.tambons + self.villages

    def _count_added(self, level: str) -> None:
        name = {"province": "provinces", "district": "districts", "tambon": "tambons"}
        attr = name.get(level, "villages")
        setattr(self, attr, getattr(self, attr) + 1)

    def __str__(self) -> str:
        return (
            f"added {self.provinces} provinces, {self.districts} districts, "
            f"{self.tambons} tambons, {self.villages} villages; updated {self.updated}"
        )


def chunks(rows: Sequence[_T], size: int = _CHUNK) -> Iterator[Sequence[_T]]:
    """``rows`` in consecutive slices of at most ``size``."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def area_row(
    code: str, name_th: str, name_en: str | None, *, source: str, is_sample: bool = False
) -> dict[str, Any]:
    """The ``area`` table row of ``code`` (its level and parents follow from the code)."""
    area = AreaCode(code)
    return {
        "code": code,
        "level": str(area.level),
        "name_th": one_line(name_th),
        "name_en": one_line(name_en) if name_en is not None else None,
        "parent_code": area.parent.code if area.parent else None,
        "province_code": area.province,
        "is_sample": is_sample,
        "source": source,
    }


def existing_areas(session: Session, where: sa.ColumnElement[bool]) -> dict[str, tuple[Any, ...]]:
    """code -> the compared columns, of the stored areas matching ``where``."""
    columns = [col(Area.code), *(getattr(Area, name) for name in _COMPARED)]
    query = sa.select(*columns).where(where)
    # sqlmodel's exec() is typed for its own select() (at most four columns); a
    # SQLAlchemy select of any width runs the same, rows and all
    return {row[0]: tuple(row[1:]) for row in session.exec(query)}  # type: ignore[call-overload]


def upsert(
    session: Session,
    rows: Sequence[dict[str, Any]],
    existing: dict[str, tuple[Any, ...]],
    progress: Progress | None,
) -> ImportCounts:
    """Insert the new rows (in the given, parents-first order) and update the changed ones."""
    counts = ImportCounts()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for row in rows:
        before = existing.get(row["code"])
        if before is None:
            new.append(row)
            counts._count_added(row["level"])
        elif before != tuple(
            row.get(name, old) for name, old in zip(_COMPARED, before, strict=False)
        ):
            changed.append({k: v for k, v in row.items() if k in ("code", *_COMPARED)})
    total = len(rows)
    done = total - len(new) - len(changed)
    _report(progress, done, total)
    done = _write(session, sa.insert(Area), new, done, total, progress)
    _write(session, sa.update(Area), changed, done, total, progress)
    counts.updated = len(changed)
    return counts


def _write(
    session: Session,
    statement: Any,
    rows: Sequence[dict[str, Any]],
    done: int,
    total: int,
    progress: Progress | None,
) -> int:
    """Execute ``statement`` for ``rows`` batch by batch, reporting progress; returns done."""
    for batch in chunks(rows):
        session.exec(statement, params=list(batch))
        done += len(batch)
        _report(progress, done, total)
    return done


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
