"""Mermaid diagrams written from the definitions."""

from __future__ import annotations

import dataclasses
import re

import pytest

from plancycle.definitions import load_catalog, to_mermaid
from plancycle.definitions.diagram import mermaid_label
from plancycle.definitions.model import Text


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("lang", ["en", "th"])
def test_every_process_diagram_mentions_every_state(catalog, lang):
    for defn in catalog.latest():
        text = to_mermaid(defn, lang=lang)
        assert text.startswith("stateDiagram-v2\n")
        for state in defn.states:
            # Mermaid's syntax characters are written as entity codes in labels.
            label = mermaid_label(state.label.pick(lang))
            assert f'state "{label}" as {state.id}' in text, (defn.id, state.id)
        for t in defn.transitions:
            edge_label = re.escape(mermaid_label(t.label.pick(lang)))
            for src in t.sources:
                assert re.search(rf"^\s*{src} --> {t.dest}: .*{edge_label}", text, re.M), (
                    defn.id,
                    t.trigger,
                )
        assert f"[*] --> {defn.initial_state.id}" in text
        for final in defn.final_states:
            assert f"{final.id} --> [*]" in text


def test_current_state_is_marked(catalog):
    defn = catalog.get("activity2")
    default = to_mermaid(defn)
    assert "class coordinate s_active" in default
    marked = to_mermaid(defn, lang="th", current="evaluate")
    assert "class evaluate s_active" in marked
    assert "class coordinate s_default" in marked
    assert "ประเมินผลแผนพัฒนาตำบล" in marked and "Evaluate the tambon plan" not in marked
    with pytest.raises(KeyError):
        to_mermaid(defn, current="nowhere")
    with pytest.raises(ValueError):
        to_mermaid(defn, lang="fr")


_ENTITY = re.compile(r"#(\w+);")
_NAMED = {"quot": '"', "lt": "<", "gt": ">"}
_ID = r"[a-z][a-z0-9_]*"
_LINE = {
    "comment": re.compile(r"%%.*"),
    "direction": re.compile(r"direction (LR|RL|TB|BT)"),
    "classDef": re.compile(r"classDef (\w+) \S+"),
    "state": re.compile(rf'state "([^"]*)" as ({_ID})'),
    "class": re.compile(rf"class ({_ID}) (\w+)"),
    "start": re.compile(rf"\[\*\] --> ({_ID})"),
    "end": re.compile(rf"({_ID}) --> \[\*\]"),
    "edge": re.compile(rf"({_ID}) --> ({_ID}): (.+)"),
}


def _decode(label: str) -> str:
    """A Mermaid label as Mermaid shows it; raw syntax characters are a failure."""
    bare = _ENTITY.sub("", label)
    assert not set(bare) & set('"#;%[]{}<>'), label
    return _ENTITY.sub(lambda m: _NAMED.get(m[1]) or chr(int(m[1])), label)


def _parse(text: str) -> dict:
    """Every line of a generated diagram read as one Mermaid statement (or a failure)."""
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    found: dict = {kind: [] for kind in _LINE}
    for line in lines[1:]:
        assert line.startswith("  ") and line.strip(), repr(line)
        kinds = [(k, m) for k, rx in _LINE.items() if (m := rx.fullmatch(line.strip()))]
        assert len(kinds) == 1, f"not one Mermaid statement: {line!r}"
        found[kinds[0][0]].append(kinds[0][1].groups())
    return found


def _check_structure(defn, lang: str, current: str) -> None:
    found = _parse(to_mermaid(defn, lang=lang, current=current))
    declared = [sid for _, sid in found["state"]]
    assert sorted(declared) == sorted(s.id for s in defn.states)  # each state once
    labels = {sid: _decode(label) for label, sid in found["state"]}
    assert labels == {s.id: " ".join(s.label.pick(lang).split()) for s in defn.states}
    edges = sorted((a, b, _decode(label)) for a, b, label in found["edge"])
    assert edges == sorted(
        (src, t.dest, " ".join(t.label.pick(lang).split()))
        for t in defn.transitions
        for src in t.sources
    )
    defined = {name for name, *_ in found["classDef"]}
    assert {name for _, name in found["class"]} <= defined
    assert [sid for sid, name in found["class"] if name == "s_active"] == [current]
    assert sorted(sid for sid, _ in found["class"]) == sorted(declared)
    assert found["start"] == [(defn.initial_state.id,)]
    assert sorted(found["end"]) == sorted((s.id,) for s in defn.final_states)


@pytest.mark.parametrize("lang", ["en", "th"])
def test_every_diagram_reads_as_mermaid_statements(catalog, lang):
    for defn in catalog.all():
        for state in defn.states:
            _check_structure(defn, lang, state.id)


def test_labels_with_quotes_brackets_and_separators_are_escaped(catalog):
    defn = catalog.get("activity2")
    nasty = 'Say "yes" [now]; #1 {a} <b> 50%\nnext line'
    first = dataclasses.replace(defn.transitions[0], label=Text(th=nasty, en=nasty))
    states = tuple(
        dataclasses.replace(s, label=Text(th=f"{nasty} {s.id}", en=f"{nasty} {s.id}"))
        for s in defn.states
    )
    odd = dataclasses.replace(defn, states=states, transitions=(first, *defn.transitions[1:]))
    for lang in ("en", "th"):
        _check_structure(odd, lang, "evaluate")
    text = to_mermaid(odd, current="evaluate")
    assert 'state "Say #quot;yes#quot; #91;now#93;#59; #35;1' in text
    assert "coordinate --> workshop: Say #quot;yes#quot; #91;now#93;#59;" in text
