"""A definition's state diagram drawn as SVG by Graphviz (``dot -Tsvg``), for the
definition page and the instance page. Drawn once per (process, version, language,
current state) and kept in memory: a definition version never changes."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache

from plancycle.definitions.dot import to_dot
from plancycle.definitions.model import Definition

__all__ = ["DOT", "state_svg"]

DOT = "dot"  # Graphviz's layout program (Debian package graphviz)
_TITLE = re.compile(r"<title>[^<]*</title>\n?")
_TIMEOUT = 20  # seconds; a definition of a dozen states takes well under one


@lru_cache(maxsize=512)
def _drawn(source: str) -> str | None:
    exe = shutil.which(DOT)
    if exe is None:
        return None
    done = subprocess.run(
        [exe, "-Tsvg"], input=source.encode(), capture_output=True, timeout=_TIMEOUT, check=False
    )
    if done.returncode != 0:
        return None
    svg = done.stdout.decode()
    svg = svg[svg.index("<svg") :]  # no XML prolog or doctype: the SVG sits inside HTML
    # Graphviz titles every element with its DOT name (state ids, "a->b"): code, not
    # words for people; the labels say what each node is
    return _TITLE.sub("", svg)


def state_svg(defn: Definition, lang: str, current: str | None = None) -> str | None:
    """The SVG of ``defn`` with ``current`` (default: the initial state) highlighted, or
    None when Graphviz is not installed (the page then shows the Mermaid text only)."""
    return _drawn(to_dot(defn, lang, current))
