"""What a batch sheet or the bulk page is made of: one step of a process (its data fields
and evidence slots) and the instances of an area that are at that step now, with their
areas' names; the same for a list of keys the inbox chose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, Text, Transition
from plancycle.store.models import Area, Instance
from plancycle.thai.areacode import AreaLevel, in_area
from plancycle.workflow.errors import InvalidTrigger
from plancycle.workflow.reports import AreaFilter

__all__ = ["Template", "TemplateRow", "keyed_rows", "step_of", "template_for"]


@dataclass(frozen=True, slots=True)
class TemplateRow:
    key: str
    area_code: str
    area_name: Text
    state: str


@dataclass(frozen=True, slots=True)
class Template:
    process: str
    title: Text
    step: Transition
    area: str
    fiscal_year: int
    rows: tuple[TemplateRow, ...]


def step_of(catalog: Catalog, process: str, trigger: str) -> Transition:
    """The step ``trigger`` of the newest version of ``process`` that a person does
    (not an automatic one); refused, naming those there are, when there is none."""
    definition = catalog.get(process)
    for t in definition.transitions:
        if t.trigger == trigger and t.auto is None:
            return t
    done_by_people = [t.trigger for t in definition.transitions if t.auto is None]
    raise InvalidTrigger(process, trigger, "-", done_by_people)


def _sources(catalog: Catalog, process: str, trigger: str) -> set[str]:
    """The states ``trigger`` leaves, in every version of ``process``."""
    return {
        s
        for d in catalog.all()
        if d.id == process
        for t in d.transitions
        if t.trigger == trigger
        for s in t.sources
    }


def _name(area: Area | None, parent: Area | None, code: str) -> Text:
    """The area's name; a village's with its tambon's (every tambon has a หมู่ที่ 1)."""
    if area is None:
        return Text(code, code)
    th, en = area.name_th, area.name_en or area.name_th
    if area.level == AreaLevel.VILLAGE and parent is not None:
        return Text(f"{th} ต.{parent.name_th}", f"{en}, {parent.name_en or parent.name_th}")
    return Text(th, en)


_PARENT = aliased(Area)


def _with_names(query: Any) -> Any:
    """``query`` of instances joined to their area and the area's parent."""
    return query.join(Area, col(Area.code) == col(Instance.area_code), isouter=True).join(
        _PARENT, col(_PARENT.code) == col(Area.parent_code), isouter=True
    )


def template_for(
    db: sa.Engine, catalog: Catalog, process: str, trigger: str, area: str, fiscal_year: int
) -> Template:
    """The step and the instances of ``process`` in ``area`` and ``fiscal_year`` whose
    state ``trigger`` can leave now, ordered by key."""
    step = step_of(catalog, process, trigger)
    where = [
        col(Instance.fiscal_year) == fiscal_year,
        col(Instance.definition_id) == process,
        col(Instance.state).in_(sorted(_sources(catalog, process, trigger))),
        *AreaFilter.of(area).clauses(),
    ]
    with Session(db) as session:
        found = session.exec(
            _with_names(select(Instance, Area, _PARENT)).where(*where).order_by(col(Instance.key))
        ).all()
    rows = tuple(
        TemplateRow(i.key, i.area_code, _name(a, p, i.area_code), i.state) for i, a, p in found
    )
    title = catalog.get(process).title
    return Template(process, title, step, area, fiscal_year, rows)


def keyed_rows(
    db: sa.Engine, keys: Sequence[str], viewer_area: str | None
) -> list[TemplateRow | None]:
    """For each key, its instance's row; None for a key that names no instance or one
    outside ``viewer_area`` (told alike: nothing about it is shown)."""
    with Session(db) as session:
        found = session.exec(
            _with_names(select(Instance, Area, _PARENT)).where(
                col(Instance.key).in_(sorted(set(keys)))
            )
        ).all()
    by_key = {
        i.key: TemplateRow(i.key, i.area_code, _name(a, p, i.area_code), i.state)
        for i, a, p in found
        if in_area(viewer_area, i.area_code)
    }
    return [by_key.get(k) for k in keys]
