"""Reading and checking YAML nodes: the building blocks every definition parser uses.

Files are parsed with ``yaml.compose`` (SafeLoader) into nodes, so every value
keeps its line number; nothing is ever evaluated. A :class:`Checker` reads one
file's node tree and records each problem as a :class:`Problem` instead of raising,
so that every problem of every file can be reported at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from plancycle.definitions.errors import Problem
from plancycle.definitions.model import Text

__all__ = ["Checker", "Keys", "did_you_mean", "line_of"]

# (required keys, optional keys) of a mapping.
Keys = tuple[Sequence[str], Sequence[str]]

_ID = re.compile(r"[a-z][a-z0-9_]*")
_TEXT_KEYS: Keys = (("th", "en"), ())
# The C build of the same safe loader when libyaml is there (about 5x faster); both keep marks.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def line_of(node: Node) -> int:
    """The 1-based line a node starts on."""
    return node.start_mark.line + 1


def did_you_mean(word: str, options: Iterable[str], otherwise: str) -> str:
    """`` (did you mean 'x'?)`` for the closest option, else `` (otherwise)``."""
    hint = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else f" ({otherwise})"


class Checker:
    """Reads one file's node tree, recording problems instead of raising."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        self._constructor = yaml.SafeLoader("")
        self._unbuilt: set[int] = set()  # ids of scalar nodes YAML could not build

    def add(self, where: Node | int, message: str) -> None:
        line = where if isinstance(where, int) else line_of(where)
        self.problems.append(Problem(self.file, line, message))

    def first_time(self, seen: dict[str, int], key: str, node: Node | int, what: str) -> bool:
        """Record where ``key`` is first declared; a second declaration is a problem."""
        if key in seen:
            self.add(node, f"{what} is declared twice (first at line {seen[key]})")
            return False
        seen[key] = node if isinstance(node, int) else line_of(node)
        return True

    # -- parsing ------------------------------------------------------------ #

    def compose(self, path: Path) -> Node | None:
        text = self._read(path)
        if text is None:
            return None
        try:
            node = yaml.compose(text, Loader=_SAFE_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            what = " ".join(x for x in (exc.context, exc.problem) if x)
            self.add(line, f"YAML syntax error: {what}")
            return None
        except yaml.YAMLError as exc:
            self.add(1, f"YAML syntax error: {exc}")
            return None
        if node is None:
            self.add(1, "file is empty")
        return node

    def _read(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.add(1, "file not found")
        except UnicodeDecodeError as exc:
            self.add(1, f"file is not UTF-8 text ({exc.reason})")
        except OSError as exc:
            self.add(1, f"cannot read the file ({exc.strerror or exc})")
        return None

    def value(self, node: ScalarNode, where: str = "value") -> Any:
        """The scalar as the YAML safe loader builds it; None (after recording a problem)
        when it cannot: an impossible date (2025-02-30), a malformed number (0x_), a tag
        that does not fit (!!int x) or is unknown (!foo, !!python/object)."""
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ValueError, KeyError, AttributeError, TypeError, yaml.YAMLError) as exc:
            self._constructor.recursive_objects.pop(node, None)
            self._unbuilt.add(id(node))
            tag = node.tag.removeprefix("tag:yaml.org,2002:")
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.add(
                node,
                f"{where}: YAML cannot read {node.value!r} as {tag} ({why}); "
                f"quote it if it is text, or correct the value",
            )
            return None

    def told(self, node: Node | None) -> bool:
        """Whether :meth:`scalar` has already recorded why ``node`` gives no value (it is a
        list or mapping, or a scalar YAML cannot build)."""
        return node is not None and (not isinstance(node, ScalarNode) or id(node) in self._unbuilt)

    # -- typed readers (return None after recording a problem) --------------- #

    def pairs(
        self,
        node: MappingNode,
        where: str,
        *,
        noun: str = "key",
        show_first: bool = True,
        accept: Callable[[str, Node], bool] | None = None,
    ) -> dict[str, Node]:
        """Key -> value node of a mapping node, after checking for odd and duplicate keys.

        ``accept`` may turn a key down (after recording why); it is then left out.
        """
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.add(key_node, f"{where}: {noun}s must be plain names")
                continue
            if key in out:
                first = f" (first at line {line_of(out[key])})" if show_first else ""
                self.add(key_node, f"{where}: {noun} '{key}' is given twice{first}")
                continue
            if accept is None or accept(key, key_node):
                out[key] = value_node
        return out

    def mapping(self, node: Node | None, where: str, keys: Keys) -> dict[str, Node] | None:
        """Key -> value node, after checking for unknown, duplicate and missing keys."""
        if node is None:
            return None
        if not isinstance(node, MappingNode):
            self.add(node, f"{where} must be a mapping of keys to values")
            return None
        required, optional = keys
        allowed = tuple(required) + tuple(optional)
        unknown: list[str] = []

        def known(key: str, key_node: Node) -> bool:
            if key in allowed:
                return True
            unknown.append(key)
            tip = did_you_mean(key, allowed, f"allowed: {', '.join(allowed)}")
            self.add(key_node, f"{where}: unknown key '{key}'{tip}")
            return False

        out = self.pairs(node, where, accept=known)
        for key in required:
            if key in out:
                continue
            if difflib.get_close_matches(key, unknown, n=1):
                continue  # already reported as a misspelt key
            self.add(node, f"{where}: missing key '{key}'")
        return out

    def scalar(self, node: Node | None, where: str) -> Any:
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.add(node, f"{where} must be a single value, not a list or mapping")
            return None
        return self.value(node, where)

    def string(self, node: Node | None, where: str, *, empty_ok: bool = False) -> str | None:
        value = self.scalar(node, where)
        if node is None or value is None and self.told(node):
            return None
        if not isinstance(value, str):
            self.add(node, f"{where} must be text, got {value!r}")
            return None
        if not empty_ok and not value.strip():
            self.add(node, f"{where} must not be empty")
            return None
        return value

    def ident(self, node: Node | None, where: str) -> str | None:
        value = self.string(node, where)
        if value is None or node is None:
            return None
        if not _ID.fullmatch(value):
            self.add(
                node,
                f"{where} '{value}' is not a valid id: use lower-case letters, digits "
                f"and '_', starting with a letter ([a-z][a-z0-9_]*)",
            )
            return None
        return value

    def integer(
        self, node: Node | None, where: str, *, low: int | None = None, high: int | None = None
    ) -> int | None:
        value = self.scalar(node, where)
        if node is None or self.told(node):
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(node, f"{where} must be a whole number, got {value!r}")
            return None
        if low is not None and high is None and value < low:
            self.add(node, f"{where} must be at least {low}, got {value}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.add(node, f"{where} must be in {low}-{high}, got {value}")
            return None
        return value

    def boolean(self, node: Node | None, where: str) -> bool | None:
        value = self.scalar(node, where)
        if node is None or self.told(node):
            return None
        if not isinstance(value, bool):
            self.add(node, f"{where} must be true or false, got {value!r}")
            return None
        return value

    def flag(self, m: Mapping[str, Node], key: str, where: str) -> bool | None:
        """An optional ``true``/``false`` key of a mapping: ``False`` when left out."""
        return self.boolean(m[key], where) if key in m else False

    def choice(self, node: Node | None, where: str, options: Sequence[str]) -> str | None:
        value = self.string(node, where)
        if value is None or node is None:
            return None
        if value not in options:
            self.add(node, f"{where} '{value}' must be one of: {', '.join(options)}")
            return None
        return value

    def sequence(self, node: Node | None, where: str, *, empty_ok: bool = True) -> list[Node]:
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.add(node, f"{where} must be a list")
            return []
        if not node.value and not empty_ok:
            self.add(node, f"{where} must not be empty")
        return list(node.value)

    def th_en(self, m: Mapping[str, Node], where: str) -> Text | None:
        """The ``th`` and ``en`` keys of a checked mapping as a :class:`Text`."""
        th = self.string(m.get("th"), f"{where}: th")
        en = self.string(m.get("en"), f"{where}: en")
        if th is None or en is None:
            return None
        return Text(th=th, en=en)

    def text(self, node: Node | None, where: str) -> Text | None:
        m = self.mapping(node, where, _TEXT_KEYS)
        if m is None:
            return None
        return self.th_en(m, where)
