"""Type-check the installed layout with mypy.

The folders ``workflow/``, ``store/``… are the package's ``plancycle.workflow``,
``plancycle.store``… (``[tool.setuptools.package-dir]``), a mapping mypy cannot follow.
This builds ``.typecheck/plancycle/`` out of symbolic links to the real folders and runs
mypy there: the whole package in default mode, then ``--strict`` on the packages that
hold the rules (``[tool.plancycle.typecheck] strict`` in pyproject.toml).

    python tools/typecheck.py            # exit 1 when mypy finds an error
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / ".typecheck"


def build_tree() -> Path:
    """``.typecheck/plancycle`` with one link per package folder (made anew each run)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dirs = config["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(TREE, ignore_errors=True)
    package = TREE / "plancycle"
    package.mkdir(parents=True)
    for name, folder in dirs.items():
        parts = name.split(".")
        if len(parts) == 2:  # plancycle.X -> the folder X (sub-packages come along)
            (package / parts[1]).symlink_to(ROOT / folder, target_is_directory=True)
    for item in (ROOT / "plancycle").iterdir():
        target = package / item.name
        if not target.exists() and item.name != "__pycache__":
            target.symlink_to(item, target_is_directory=item.is_dir())
    return TREE


def main() -> int:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    strict = config["tool"]["plancycle"]["typecheck"]["strict"]
    tree = build_tree()
    mypy = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(ROOT / ".mypy_cache"),  # kept between runs: the tree is made anew each time
    ]
    runs = [
        ("default", [*mypy, "plancycle"]),
        ("strict", [*mypy, "--strict", *(f"plancycle/{p}" for p in strict)]),
    ]
    failed = False
    for label, command in runs:
        print(f"mypy ({label}): {' '.join(command[7:])}", flush=True)
        failed |= subprocess.run(command, cwd=tree, check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
