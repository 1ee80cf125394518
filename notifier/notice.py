"""What a notification says, before it is worded: the facts of one ladder rung reached.

The sweep builds a :class:`Notice` per (escalation, recipient role); the notifier
words it in Thai and English (``plancycle.notifier.messages``) and the outbox
carries the words and the notice's JSON payload to every channel.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

__all__ = ["NextRung", "Notice"]


@dataclass(frozen=True, slots=True)
class NextRung:
    """Who hears of it next if nothing happens, and when."""

    level: int
    at: datetime
    roles_th: tuple[str, ...]
    roles_en: tuple[str, ...]

    def payload(self) -> dict[str, Any]:
        """JSON-ready: the instant as an ISO 8601 string."""
        return {
            "level": self.level,
            "at": self.at.isoformat(),
            "roles_th": self.roles_th,
            "roles_en": self.roles_en,
        }


@dataclass(frozen=True, slots=True)
class Notice:
    key: str  # 2568/activity2/240101
    kind: str  # opened | reminder | overdue | escalation
    level: int
    area_code: str
    area_name_th: str
    area_name_en: str
    process_th: str
    process_en: str
    step_th: str
    step_en: str
    due_at: datetime | None  # aware UTC
    now: datetime  # aware UTC: when the rung was reached
    days_late: int  # 0 when not late
    role: str  # the recipient role
    role_th: str
    role_en: str
    next_rung: NextRung | None = None
    # what else the recipient must know: what a waiting instance waits for, or that a
    # once-per-area step is one obligation for several instances ("" when nothing)
    note_th: str = ""
    note_en: str = ""

    def payload(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO 8601 strings. Built field by field, as a shallow
        copy: every field is immutable (``dataclasses.asdict`` deep-copies each one, which
        cost a fifth of the worst day's sweep)."""
        data = {name: getattr(self, name) for name in _NOTICE_FIELDS}
        for name in ("due_at", "now"):
            data[name] = data[name].isoformat() if data[name] else None
        if self.next_rung:
            data["next_rung"] = self.next_rung.payload()
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Notice:
        """The notice back from :meth:`payload` (fields it does not know are ignored)."""
        values = {k: data[k] for k in _NOTICE_FIELDS if k in data}
        for name in ("due_at", "now"):
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        nxt = values.get("next_rung")
        if nxt:
            values["next_rung"] = NextRung(
                nxt["level"],
                datetime.fromisoformat(nxt["at"]),
                tuple(nxt["roles_th"]),
                tuple(nxt["roles_en"]),
            )
        return cls(**values)


_NOTICE_FIELDS = tuple(f.name for f in fields(Notice))
