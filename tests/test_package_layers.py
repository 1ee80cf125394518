"""The definitions do not depend on the engine: no module of plancycle.definitions imports
plancycle.workflow (guard signatures and functions live with the definitions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DEFINITIONS = Path(__file__).resolve().parent.parent / "definitions"


def test_importing_every_definitions_module_loads_no_workflow_module() -> None:
    modules = sorted(p.stem for p in DEFINITIONS.glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module('plancycle.definitions.' + m)\n"
        "from plancycle.definitions.loader import load_catalog\n"
        "load_catalog()\n"
        "print(sorted(n for n in sys.modules if n.startswith('plancycle.workflow')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_no_definitions_source_names_the_workflow_package() -> None:
    found = [
        p.name for p in DEFINITIONS.glob("*.py") if "plancycle.workflow" in p.read_text("utf-8")
    ]
    assert found == []
