"""Mermaid state diagrams of a definition, drawn by ``transitions``' own mermaid engine.

``transitions.extensions.diagrams.GraphMachine`` with ``graph_engine="mermaid"``
needs neither graphviz nor pygraphviz. The flat (non-hierarchical) machine is
used on purpose: ``HierarchicalGraphMachine`` treats ``_`` as its state-path
separator and our state ids contain underscores.
"""

from __future__ import annotations

from transitions import State as _MachineState
from transitions.extensions.diagrams import GraphMachine

from plancycle.definitions.model import Definition, Text

__all__ = ["to_mermaid"]


class _LabelledState(_MachineState):
    """A machine state that carries a display label (the markup reads ``label``)."""

    def __init__(self, *args, label: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label = label


class _DiagramMachine(GraphMachine):
    state_cls = _LabelledState


class _Token:
    """The model the diagram machine marks as being in the current state."""

    def __init__(self) -> None:
        self.state: str | None = None


def _clean(text: str) -> str:
    """Mermaid labels may not contain double quotes, line breaks or statement separators."""
    return " ".join(text.replace('"', "'").replace(";", ",").replace("#", "no. ").split())


def _pick(text: Text, lang: str) -> str:
    return _clean(text.th if lang == "th" else text.en)


def to_mermaid(defn: Definition, lang: str = "en", current: str | None = None) -> str:
    """A ``stateDiagram-v2`` of ``defn`` with labels in ``lang`` ("en" or "th").

    The initial state gets the ``[*] -->`` entry arrow, final states the ``--> [*]``
    exit arrow, and ``current`` (default: the initial state) the ``s_active`` style.
    """
    if lang not in ("en", "th"):
        raise ValueError(f"lang must be 'en' or 'th', not {lang!r}")
    current = current or defn.initial_state.id
    defn.state(current)  # KeyError for an unknown state, naming the known ones
    token = _Token()
    machine = _DiagramMachine(
        model=token,
        states=[
            {"name": s.id, "label": _pick(s.label, lang), "final": s.final} for s in defn.states
        ],
        transitions=[
            {"trigger": t.trigger, "source": src, "dest": t.dest, "label": _pick(t.label, lang)}
            for t in defn.transitions
            for src in t.sources
        ],
        initial=defn.initial_state.id,
        auto_transitions=False,
        graph_engine="mermaid",
        title=_pick(defn.title, lang),
    )
    if current != defn.initial_state.id:
        machine.set_state(current, model=token)
    source: str = token.get_graph(force_new=True).source  # type: ignore[attr-defined]

    lines = source.splitlines()
    # transitions writes a front-matter block "---\ntitle\n---" first; keep the diagram only
    # (the title goes into a mermaid comment) so the text starts with "stateDiagram-v2".
    start = next(i for i, line in enumerate(lines) if line.strip() == "stateDiagram-v2")
    body = [line.replace("  Class ", "  class ", 1) for line in lines[start + 1 :]]
    out = ["stateDiagram-v2", f"  %% {defn.id} v{defn.version}: {_pick(defn.title, lang)}"]
    out.extend(line for line in body if line.strip())
    out.extend(f"  {s.id} --> [*]" for s in defn.final_states)
    return "\n".join(out) + "\n"
