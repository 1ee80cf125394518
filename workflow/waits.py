"""What an instance in a waiting state waits for, told in its notices: the instances of
the other process in its area that have not reached the state its automatic step needs,
each with the step it is at and the offices that must act there."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from plancycle.definitions.model import Catalog, Definition
from plancycle.store.models import Instance
from plancycle.workflow.acting import must_act
from plancycle.workflow.sweep import Candidate, reached

__all__ = ["Blocker", "blockers", "waits_text"]

_LISTED = 5  # blockers named in one notice; the rest are counted


@dataclass(frozen=True, slots=True)
class Blocker:
    """An instance another one waits on: its key, the step it is at, who must act."""

    key: str
    step_th: str
    step_en: str
    roles_th: tuple[str, ...]
    roles_en: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Waited:
    """One process waited on: its title, the state it must reach, the instances behind."""

    title_th: str
    title_en: str
    reached_th: str
    reached_en: str
    behind: tuple[Blocker, ...]


def _version(catalog: Catalog, process: str, version: int) -> Definition:
    return catalog.get(process, version if version in catalog.versions(process) else None)


def blockers(session: Session, catalog: Catalog, cand: Candidate) -> list[Waited]:
    """Per automatic rule leaving ``cand``'s waiting state: the instances of the other
    process inside its area (same fiscal year) that have not reached the rule's state."""
    definition = catalog.get(cand.definition_id, cand.definition_version)
    if not definition.state(cand.state).wait:
        return []
    out = []
    for step in definition.transitions_from(cand.state):
        if step.auto is None:
            continue
        rule, newest = step.auto, catalog.get(step.auto.process)
        rows = session.exec(
            select(Instance.key, Instance.definition_version, Instance.state)
            .where(
                col(Instance.definition_id) == rule.process,
                col(Instance.fiscal_year) == cand.fiscal_year,
                col(Instance.area_code).startswith(cand.area_code),
            )
            .order_by(col(Instance.key))
        ).all()
        behind = []
        for key, version, state in rows:
            child = _version(catalog, rule.process, version)
            if reached(child, state, rule.reached):
                continue
            roles = [catalog.roles[r] for r in must_act(child, state) if r in catalog.roles]
            label = child.state(state).label
            behind.append(
                Blocker(
                    key,
                    label.th,
                    label.en,
                    tuple(r.label.th for r in roles),
                    tuple(r.label.en for r in roles),
                )
            )
        target = newest.state(rule.reached).label
        out.append(Waited(newest.title.th, newest.title.en, target.th, target.en, tuple(behind)))
    return out


def waits_text(waited: list[Waited]) -> tuple[str, str]:
    """The sentences a notice adds, Thai and English ("" when it waits on nothing)."""
    th: list[str] = []
    en: list[str] = []
    for w in waited:
        if not w.behind:
            th.append(f"รอ{w.title_th} ซึ่งยังไม่มีในพื้นที่นี้")
            en.append(f"Waiting for {w.title_en}, of which this area has none yet.")
            continue
        listed = w.behind[:_LISTED]
        more = len(w.behind) - len(listed)
        th.append(
            f"รอ{w.title_th}ถึงขั้น “{w.reached_th}”: "
            + "; ".join(
                f"{b.key} อยู่ที่ขั้น “{b.step_th}” ผู้ต้องดำเนินการ {', '.join(b.roles_th) or '-'}"
                for b in listed
            )
            + (f" และอีก {more} รายการ" if more else "")
        )
        en.append(
            f"Waiting for {w.title_en} to reach “{w.reached_en}”: "
            + "; ".join(
                f"{b.key} at “{b.step_en}”, to be done by {', '.join(b.roles_en) or '-'}"
                for b in listed
            )
            + (f" and {more} more" if more else "")
            + "."
        )
    return " ".join(th), " ".join(en)
