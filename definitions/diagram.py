"""Mermaid state diagrams of a definition, written from the definition itself.

The text is a ``stateDiagram-v2``: a comment with the process and version, each state
declared once with its label (``state "label" as id``), the entry arrow to the initial
state, one edge per (source, transition) labelled with the step, an exit arrow from each
final state, and the current state marked by the ``s_active`` class (the others carry
``s_default``). Labels are in Thai or English; characters Mermaid would read as syntax
are written as Mermaid entity codes (``#quot;``, ``#59;``…), which it shows as the
characters themselves.
"""

from __future__ import annotations

from plancycle.definitions.model import Definition, Text

__all__ = ["ACTIVE_CLASS", "DEFAULT_CLASS", "mermaid_label", "to_mermaid"]

ACTIVE_CLASS = "s_active"
DEFAULT_CLASS = "s_default"
_CLASS_STYLES = {DEFAULT_CLASS: "fill:white,color:black", ACTIVE_CLASS: "color:red,fill:darksalmon"}
# Characters that end or open a Mermaid token inside a label: quotes end a state's
# description, ``;`` ends a statement, ``#`` starts an entity code, ``%`` a comment,
# brackets and angle brackets are shape and markup syntax.
_ENTITIES = str.maketrans(
    {
        '"': "#quot;",
        ";": "#59;",
        "#": "#35;",
        "%": "#37;",
        "[": "#91;",
        "]": "#93;",
        "{": "#123;",
        "}": "#125;",
        "<": "#lt;",
        ">": "#gt;",
    }
)


def mermaid_label(text: str) -> str:
    """``text`` on one line, with Mermaid's syntax characters as entity codes."""
    return " ".join(text.split()).translate(_ENTITIES)


def _pick(text: Text, lang: str) -> str:
    return mermaid_label(text.pick(lang))


def to_mermaid(defn: Definition, lang: str = "en", current: str | None = None) -> str:
    """A ``stateDiagram-v2`` of ``defn`` with labels in ``lang`` ("en" or "th").

    The initial state gets the ``[*] -->`` entry arrow, final states the ``--> [*]``
    exit arrow, and ``current`` (default: the initial state) the ``s_active`` class.
    """
    if lang not in ("en", "th"):
        raise ValueError(f"lang must be 'en' or 'th', not {lang!r}")
    current = current or defn.initial_state.id
    defn.state(current)  # KeyError for an unknown state, naming the known ones
    lines = [
        "stateDiagram-v2",
        f"  %% {defn.id} v{defn.version}: {_pick(defn.title, lang)}",
        "  direction LR",
    ]
    lines += [f"  classDef {name} {style}" for name, style in _CLASS_STYLES.items()]
    for state in defn.states:
        lines.append(f'  state "{_pick(state.label, lang)}" as {state.id}')
        lines.append(f"  class {state.id} {ACTIVE_CLASS if state.id == current else DEFAULT_CLASS}")
    lines.append(f"  [*] --> {defn.initial_state.id}")
    lines += [
        f"  {src} --> {t.dest}: {_pick(t.label, lang)}"
        for t in defn.transitions
        for src in t.sources
    ]
    lines += [f"  {s.id} --> [*]" for s in defn.final_states]
    return "\n".join(lines) + "\n"
