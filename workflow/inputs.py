"""A step's inputs (its data fields and evidence slots) as the facts errors carry."""

from __future__ import annotations

from plancycle.definitions.model import DataField, EvidenceSlot
from plancycle.errors import InputKind, InputRef

__all__ = ["field_ref", "slot_ref"]


def field_ref(field: DataField) -> InputRef:
    label = field.label
    return InputRef(
        InputKind.DATA,
        field.name,
        field.type,
        label.en if label else None,
        label.th if label else None,
    )


def slot_ref(slot: EvidenceSlot) -> InputRef:
    return InputRef(InputKind.EVIDENCE, slot.id, "file", slot.label.en, slot.label.th)
