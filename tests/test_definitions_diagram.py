"""Mermaid diagrams through transitions' mermaid graph engine."""

from __future__ import annotations

import re

import pytest

from plancycle.definitions import load_catalog, to_mermaid


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("lang", ["en", "th"])
def test_every_process_diagram_mentions_every_state(catalog, lang):
    for defn in catalog.latest():
        text = to_mermaid(defn, lang=lang)
        assert text.startswith("stateDiagram-v2\n")
        for state in defn.states:
            # Mermaid statement separators are replaced in labels.
            label = state.label.pick(lang).replace(";", ",")
            assert f'state "{label}" as {state.id}' in text, (defn.id, state.id)
        for t in defn.transitions:
            edge_label = re.escape(t.label.pick(lang).replace(";", ","))
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
