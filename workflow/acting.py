"""Who acts next on an instance: the steps a role may do from a state, the offices that
must act there, and the same rule as SQL conditions on ``instance`` for lists of
thousands (an inbox of a province).

The answer depends only on the definition version and the state, so the SQL form is
built from the catalog: one ``(process, version, state in (...))`` term per definition
version. :class:`~plancycle.workflow.views.InstanceView` asks :func:`steps_for` and
:func:`must_act`; the inbox asks :func:`acting_clause` and :func:`waiting_clause`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from plancycle.definitions.builtin_actors import BuiltinRole
from plancycle.definitions.model import Catalog, Definition, Transition
from plancycle.store.models import Instance
from plancycle.workflow.behalf import may_record_for

__all__ = [
    "BUILTIN_ROLES",
    "acting_clause",
    "does_step",
    "must_act",
    "records_for",
    "steps_for",
    "waiting_clause",
]

#: Roles that are no office: the scheduler, and the store's administrator who may stand
#: in for any office (never "must act").
BUILTIN_ROLES = frozenset(BuiltinRole)


def steps_for(definition: Definition, state: str, role: str) -> list[Transition]:
    """The steps ``role`` may do from ``state`` (automatic steps are no one's to do)."""
    return [t for t in definition.transitions_from(state) if t.auto is None and role in t.roles]


def records_for(definition: Definition, state: str, role: str) -> list[tuple[Transition, str]]:
    """The steps ``role`` may record from ``state`` on behalf of the role that performs
    them (``on_behalf`` in the definition), each with that role."""
    out = []
    for t in definition.transitions_from(state):
        of = may_record_for(t, role) if t.auto is None else None
        if of is not None:
            out.append((t, of))
    return out


def must_act(definition: Definition, state: str) -> tuple[str, ...]:
    """The offices that must act next in ``state`` (none while it waits on other processes
    or is done): every role named by a step a person may do from there, builtin roles
    left out, in declared order."""
    roles: dict[str, None] = {}
    for t in definition.transitions_from(state):
        if t.auto is None:
            roles.update(dict.fromkeys(r for r in t.roles if r not in BUILTIN_ROLES))
    return tuple(roles)


def does_step(definition: Definition, state: str) -> str:
    """The office that does the step ``state``: the first role a step from there names
    (the district CD office drafts the KBT order, the district chief proposes the KBO
    order); the process's lead while it waits on other processes. The deadline ladder's
    ``lead`` is this office, not the process's lead."""
    roles = must_act(definition, state)
    return roles[0] if roles else definition.lead_role


def _states(catalog: Catalog, role: str, mine: bool) -> dict[tuple[str, int], list[str]]:
    """Per (process, version): the states where ``role`` may act (``mine``), or where
    an office must act and ``role`` may not (not ``mine``)."""
    out: dict[tuple[str, int], list[str]] = {}
    for definition in catalog.all():
        for state in definition.states:
            acts = bool(
                steps_for(definition, state.id, role) or records_for(definition, state.id, role)
            )
            if acts if mine else (not acts and must_act(definition, state.id)):
                out.setdefault((definition.id, definition.version), []).append(state.id)
    return out


def _clause(by_version: dict[tuple[str, int], list[str]]) -> sa.ColumnElement[bool]:
    terms = [
        sa.and_(
            col(Instance.definition_id) == process,
            col(Instance.definition_version) == version,
            col(Instance.state).in_(states),
        )
        for (process, version), states in sorted(by_version.items())
    ]
    return sa.or_(*terms) if terms else sa.false()


def acting_clause(catalog: Catalog, role: str) -> sa.ColumnElement[bool]:
    """Instances in a state where ``role`` may do a step now, or record one on behalf of
    the role that performs it (:func:`steps_for`, :func:`records_for` as SQL; the area is
    the caller's to add)."""
    return _clause(_states(catalog, role, mine=True))


def waiting_clause(catalog: Catalog, role: str) -> sa.ColumnElement[bool]:
    """Instances whose next step is another office's: someone must act
    (:func:`must_act`) and ``role`` may not."""
    return _clause(_states(catalog, role, mine=False))
