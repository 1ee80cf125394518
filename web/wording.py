"""How the web names the inputs an error points at: the API by its form fields
(``data.participants``, ``evidence.attendance``), the instance page's form by the
field's label from the definition, in each language."""

from __future__ import annotations

from typing import NamedTuple

from plancycle.errors import InputRef, PlancycleError, Wording

__all__ = ["API_WORDING", "FORM_WORDING", "Message", "message_for"]


class ApiWording:
    def name(self, ref: InputRef) -> tuple[str, str]:
        field = f"{ref.kind.value}.{ref.name}"
        return field, field


class FormWording:
    def name(self, ref: InputRef) -> tuple[str, str]:
        return f"“{ref.label_en or ref.name}”", f"“{ref.label_th or ref.name}”"


API_WORDING = ApiWording()
FORM_WORDING = FormWording()


class Message(NamedTuple):
    """An error's sentences as a page shows them."""

    en: str
    th: str


def message_for(exc: PlancycleError, wording: Wording = FORM_WORDING) -> Message:
    return Message(*exc.worded(wording))
