"""Files a refused instance form had attached, kept for the form shown again.

Every file of an advance is stored (content-addressed) before the step is checked, so
a refused form need not lose it: the page shows "already attached: scan.pdf" and
carries a signed reference in a hidden field ``kept.SLOT``. The reference names the
actor, the instance, the slot, the file's SHA-256 and name, signed with the app's
secret key: the server takes it back only from the same actor, for the same instance
and slot, within a working day, so no one can attach a file by guessing its hash.
A file chosen again for the slot replaces the kept one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadData, URLSafeTimedSerializer

from plancycle.definitions.model import Transition
from plancycle.store.evidence import EvidenceFile, EvidenceInput, stored_path
from plancycle.workflow.errors import BadStepInput

__all__ = ["KEPT_PREFIX", "Kept", "KeptFiles", "StaleKept"]

KEPT_PREFIX = "kept."
_SALT = "plancycle.kept-evidence"


class StaleKept(BadStepInput):
    """A kept file's reference that no longer holds (too old, another actor, altered)."""

    def __init__(self, slot: str) -> None:
        super().__init__(
            f"the file kept for {slot!r} from the earlier attempt cannot be used any more; "
            "attach it again",
            f"ไฟล์ที่แนบไว้สำหรับ {slot!r} จากครั้งก่อนใช้ไม่ได้แล้ว โปรดแนบไฟล์อีกครั้ง",
        )


@dataclass(frozen=True, slots=True)
class Kept:
    """A file kept for one slot of the form: what the page shows and sends back."""

    slot: str
    sha256: str
    file_name: str
    reference: str  # the signed value of the hidden field kept.SLOT


@dataclass(frozen=True, slots=True)
class KeptFiles:
    """Kept files for one actor and instance, signed with the app's key."""

    secret_key: str
    actor_id: str
    key: str
    max_age_s: int

    def _signer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=_SALT)

    def keep(self, stored: Sequence[EvidenceFile], step: Transition | None) -> dict[str, Kept]:
        """The stored files the step's slots would take (by slot), each with its reference;
        a file of a type its slot refuses is not kept."""
        slots = {s.id: s for s in step.evidence} if step else {}
        out: dict[str, Kept] = {}
        for f in stored:
            slot = slots.get(f.slot or "")
            if slot is None or (slot.media_types and f.media_type not in slot.media_types):
                continue
            fact = {
                "a": self.actor_id,
                "k": self.key,
                "s": slot.id,
                "h": f.sha256,
                "n": f.file_name,
            }
            out[slot.id] = Kept(slot.id, f.sha256, f.file_name, str(self._signer().dumps(fact)))
        return out

    def read(self, fields: Mapping[str, str], chosen: set[str]) -> dict[str, Kept]:
        """The kept files a form sends back (``kept.SLOT`` fields), but for the slots a new
        file was ``chosen`` for; a reference that does not hold is refused (StaleKept)."""
        out: dict[str, Kept] = {}
        for name, value in fields.items():
            slot = name.removeprefix(KEPT_PREFIX)
            if not name.startswith(KEPT_PREFIX) or not value or slot in chosen:
                continue
            try:
                fact = self._signer().loads(value, max_age=self.max_age_s)
            except BadData:
                raise StaleKept(slot) from None
            if (fact.get("a"), fact.get("k"), fact.get("s")) != (self.actor_id, self.key, slot):
                raise StaleKept(slot)
            out[slot] = Kept(slot, fact["h"], fact["n"], value)
        return out

    @staticmethod
    @contextmanager
    def opened(kept: Mapping[str, Kept], folder: Path) -> Iterator[list[EvidenceInput]]:
        """The kept files opened from the evidence folder, as the engine takes files (it
        hashes them again as it stores them); a file no longer there is refused."""
        with ExitStack() as stack:
            inputs = []
            for k in kept.values():
                path = stored_path(folder, k.sha256)
                if not path.is_file():
                    raise StaleKept(k.slot)
                inputs.append(
                    EvidenceInput(k.slot, k.file_name, stack.enter_context(path.open("rb")))
                )
            yield inputs
