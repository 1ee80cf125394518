"""Areas as the pages and the API show them: one area, its parents (a breadcrumb) and
its children, with names in Thai and English."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col

from plancycle.store.areas import normalize_code
from plancycle.store.models import Area
from plancycle.thai.areacode import NATION, AreaCode, level_of
from plancycle.workflow.errors import WorkflowError

__all__ = ["AreaView", "UnknownArea", "area_view"]


class UnknownArea(WorkflowError, LookupError):
    exit_code = 3

    def __init__(self, code: str) -> None:
        super().__init__(
            f"No area by the code {code!r}; codes are DOPA codes: province 24, district 2401, "
            f"tambon 240101",
            f"ไม่พบพื้นที่รหัส {code!r}; ใช้รหัสกรมการปกครอง เช่น จังหวัด 24 อำเภอ 2401 ตำบล 240101",
        )


@dataclass(frozen=True, slots=True)
class Named:
    code: str
    level: str
    name_th: str
    name_en: str

    @classmethod
    def of(cls, area: Area) -> Named:
        return cls(area.code, area.level, area.name_th, area.name_en or area.name_th)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "level": self.level,
            "name_th": self.name_th,
            "name_en": self.name_en,
        }


NATION_NAMED = Named(NATION, "nation", "ทั่วประเทศ", "Nation-wide")


@dataclass(frozen=True, slots=True)
class AreaView:
    area: Named
    trail: tuple[Named, ...]  # from the nation down to the area's parent
    children: tuple[Named, ...]

    def as_dict(self) -> dict:
        return {
            **self.area.as_dict(),
            "parents": [a.as_dict() for a in self.trail],
            "children": [a.as_dict() for a in self.children],
        }


_COLUMNS = (col(Area.code), col(Area.level), col(Area.name_th), col(Area.name_en))


def _named(row: sa.Row[str, str, str, str | None]) -> Named:
    code, level, name_th, name_en = row
    return Named(code, level, name_th, name_en or name_th)


def area_view(db: sa.Engine, code: str) -> AreaView:
    """The area ``code`` ("" for the nation), its breadcrumb and its children (two
    queries without the ORM: every area page and overdue list asks it)."""
    code = normalize_code(code)
    with db.connect() as connection:
        if code == NATION:
            provinces = connection.execute(
                sa.select(*_COLUMNS).where(col(Area.level) == "province").order_by(col(Area.code))
            ).all()
            return AreaView(NATION_NAMED, (), tuple(_named(r) for r in provinces))
        if level_of(code) is None:
            raise UnknownArea(code)
        parents = [p.code for p in AreaCode(code).parents()]
        found = {
            row[0]: _named(row)
            for row in connection.execute(
                sa.select(*_COLUMNS).where(col(Area.code).in_([code, *parents]))
            ).all()
        }
        if code not in found:
            raise UnknownArea(code)
        kids = connection.execute(
            sa.select(*_COLUMNS).where(col(Area.parent_code) == code).order_by(col(Area.code))
        ).all()
    trail = (NATION_NAMED, *(found[p] for p in parents if p in found))
    return AreaView(found[code], trail, tuple(_named(r) for r in kids))
