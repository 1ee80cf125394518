"""Answers kept in one process for a while: computed once per key, served until they are
``seconds`` old by the caller's clock, then computed again.

Nothing here is needed by another process: a worker that has no answer computes its
own. While one thread computes a key's new answer, the others are served the kept one
(however old) rather than computing it too; a key never asked for before makes the others
wait for the first. With ``background``, the new answer of a key that has one is computed
in a thread of its own, and every caller is served the kept one meanwhile. A clock that
went back counts as expired."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

__all__ = ["Kept", "KeptAnswers"]

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Kept(Generic[V]):
    value: V
    at: datetime  # the clock's time when it was computed


class KeptAnswers(Generic[V]):
    """At most ``size`` answers, each kept ``seconds`` (0: none kept, every call computes)."""

    def __init__(self, seconds: float, size: int = 256, background: bool = False) -> None:
        if seconds < 0:
            raise ValueError("seconds must be 0 or more")
        self.seconds, self.size, self.background = seconds, size, background
        self.refreshing: threading.Thread | None = None  # the last background refresh
        self._kept: OrderedDict[Hashable, Kept[V]] = OrderedDict()
        self._gates: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def fresh(self, kept: Kept[V], now: datetime) -> bool:
        return 0 <= (now - kept.at).total_seconds() < self.seconds

    def get(
        self, key: Hashable, now: datetime, compute: Callable[[], V], again: bool = False
    ) -> Kept[V]:
        """The kept answer for ``key`` while fresh at ``now``, else ``compute()``'s;
        ``again``: computed now whatever is kept (unless another thread just did, for this
        ``now`` or later), and kept."""
        if self.seconds <= 0:
            return Kept(compute(), now)
        with self._lock:
            found = self._kept.get(key)
            gate = self._gates.setdefault(key, threading.Lock())
        if again:
            gate.acquire()
            return self._refresh(key, now, compute, gate, again=True)
        if found is not None and self.fresh(found, now):
            return found
        if not gate.acquire(blocking=found is None):
            return found  # type: ignore[return-value]  # another thread is computing it
        if found is not None and self.background:
            self.refreshing = threading.Thread(
                target=self._refresh, args=(key, now, compute, gate), daemon=True
            )
            self.refreshing.start()
            return found
        return self._refresh(key, now, compute, gate)

    def _refresh(
        self,
        key: Hashable,
        now: datetime,
        compute: Callable[[], V],
        gate: threading.Lock,
        again: bool = False,
    ) -> Kept[V]:
        """Compute and keep ``key``'s answer, holding its ``gate`` (released here)."""
        try:
            with self._lock:
                found = self._kept.get(key)
            if found is not None and (found.at >= now if again else self.fresh(found, now)):
                return found  # computed while this thread waited
            made = Kept(compute(), now)
            with self._lock:
                self._kept[key] = made
                self._kept.move_to_end(key)
                while len(self._kept) > self.size:
                    old, _ = self._kept.popitem(last=False)
                    self._gates.pop(old, None)
            return made
        finally:
            gate.release()

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
