"""Process definitions: the planning cycle's steps, deadlines and rules as YAML data.

``load_catalog()`` reads and checks every file of ``definitions/data``; the model
classes are frozen dataclasses shared by the engine, the CLI and the reports.
"""

from plancycle.definitions.budget import budget_findings
from plancycle.definitions.diagram import to_mermaid
from plancycle.definitions.errors import DefinitionError, Problem
from plancycle.definitions.loader import (
    DATA_DIR,
    default_paths,
    load_catalog,
    load_definition_file,
    load_roles_file,
)
from plancycle.definitions.model import (
    Budget,
    Catalog,
    DataField,
    Deadline,
    Definition,
    EvidenceSlot,
    GuardRef,
    Kpi,
    Migration,
    Participants,
    Role,
    State,
    Text,
    Transition,
    Window,
)

__all__ = [
    "DATA_DIR",
    "Budget",
    "Catalog",
    "DataField",
    "Deadline",
    "Definition",
    "DefinitionError",
    "EvidenceSlot",
    "GuardRef",
    "Kpi",
    "Migration",
    "Participants",
    "Problem",
    "Role",
    "State",
    "Text",
    "Transition",
    "Window",
    "budget_findings",
    "default_paths",
    "load_catalog",
    "load_definition_file",
    "load_roles_file",
    "to_mermaid",
]
