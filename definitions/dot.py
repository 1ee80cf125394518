"""Graphviz (DOT) state diagrams of a definition, written from the definition itself, for
the pages to draw as SVG (``dot -Tsvg``, :mod:`plancycle.web.diagram_svg`).

Like the Mermaid text (:mod:`plancycle.definitions.diagram`): each state once with its
label, an entry point before the initial state, one edge per (source, transition)
labelled with the step, finals drawn doubled, and the current state filled. Every node
carries ``id="state_<id>"`` and a class (``state``, plus ``current``, ``final``,
``waiting``), kept in the SVG, so a page or a test finds the current step by its id.
Labels are in Thai or English, in a Thai font of the TH Sarabun family (Laksaman)."""

from __future__ import annotations

from plancycle.definitions.model import Definition, State, Text

__all__ = ["CURRENT_CLASS", "DIAGRAM_FONT", "node_id", "to_dot"]

CURRENT_CLASS = "current"
# one family, the same for Graphviz (which sizes the boxes by its metrics) and the browser:
# Debian's Laksaman (fonts-thai-tlwg), a TH Sarabun New derivative
DIAGRAM_FONT = "Laksaman"
_CURRENT_FILL = "#f4b183"
_WRAP = 30  # characters on a line of a node's label before it wraps


def node_id(state_id: str) -> str:
    """The SVG id of a state's node."""
    return f"state_{state_id}"


def _quote(text: str) -> str:
    """``text`` as a DOT double-quoted string (one line; quotes and backslashes escaped)."""
    return '"' + _escape(" ".join(text.split())) + '"'


def _lines(text: str) -> list[str]:
    """Label text broken into lines near ``_WRAP`` characters, at spaces and after a
    slash only: Thai writes no space between words, and a cut elsewhere could split a
    word (the node is wider instead)."""
    lines: list[str] = []
    for word in text.replace("/", "/ ").split():
        glue = "" if lines and lines[-1].endswith("/") else " "
        if lines and len(lines[-1]) + len(glue) + len(word) <= _WRAP:
            lines[-1] += glue + word
        else:
            lines.append(word)
    return lines


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _label(text: Text, lang: str) -> str:
    return '"' + "\\n".join(_escape(line) for line in _lines(text.pick(lang))) + '"'


def _node(state: State, lang: str, current: str) -> str:
    classes = ["state"]
    attrs = [f"id={_quote(node_id(state.id))}", f"label={_label(state.label, lang)}"]
    if state.id == current:
        classes.append(CURRENT_CLASS)
        attrs += [f'fillcolor="{_CURRENT_FILL}"', "penwidth=2.5"]
    if state.final:
        classes.append("final")
        attrs.append("peripheries=2")
    if state.wait:
        classes.append("waiting")
        attrs.append('style="rounded,dashed,filled"')
    attrs.append(f"class={_quote(' '.join(classes))}")
    return f"  {_quote(state.id)} [{', '.join(attrs)}];"


def to_dot(defn: Definition, lang: str = "th", current: str | None = None) -> str:
    """A top-to-bottom DOT digraph of ``defn`` with labels in ``lang`` ("th" or "en");
    ``current`` (default: the initial state) is filled."""
    if lang not in ("en", "th"):
        raise ValueError(f"lang must be 'en' or 'th', not {lang!r}")
    current = current or defn.initial_state.id
    defn.state(current)  # KeyError for an unknown state, naming the known ones
    font = _quote(DIAGRAM_FONT)
    lines = [
        f"digraph {_quote(f'{defn.id} v{defn.version}')} {{",
        f"  graph [rankdir=TB, fontname={font}, bgcolor=transparent, nodesep=0.3];",
        f'  node [shape=box, style="rounded,filled", fillcolor=white, fontname={font}, '
        "fontsize=14];",
        f'  edge [fontname={font}, fontsize=12, color="#555555"];',
        '  "__start" [shape=point, width=0.15, label="", id="state__start", class="start"];',
    ]
    lines += [_node(s, lang, current) for s in defn.states]
    lines.append(f'  "__start" -> {_quote(defn.initial_state.id)};')
    lines += [
        f"  {_quote(src)} -> {_quote(t.dest)} [label={_label(t.label, lang)}];"
        for t in defn.transitions
        for src in t.sources
    ]
    lines.append("}")
    return "\n".join(lines) + "\n"
