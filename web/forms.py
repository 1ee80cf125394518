"""Reading a form as it streams in, within limits, keeping text exactly as it was typed.

Starlette's parsers quietly decode bytes that are not UTF-8 as Latin-1 (mojibake); these
decode names, values and file names as UTF-8 and refuse any other bytes with the CLI's
own message (:func:`plancycle.text.check_text`: Thai typed in TIS-620 is refused, never
stored). The number of files and of fields is limited, and a ``gate`` (the page form's
CSRF check) runs on the fields read so far before the first file is read: a forged
form never gets a file onto the disk. Every file is closed on every way out.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from fastapi import Request
from starlette.datastructures import FormData
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import parse_options_header

from plancycle.errors import PlancycleError
from plancycle.text import check_text
from plancycle.web.problems import TooLarge

__all__ = ["BadForm", "FormLimits", "Gate", "read_form"]


class BadForm(PlancycleError, ValueError):
    """A body that is not a well-formed form."""

    exit_code = 2


Gate = Callable[[FormData], None]  # raises to refuse the form before its files are read


def _text(raw: bytes | bytearray, what: str) -> str:
    text = bytes(raw).decode("utf-8", errors="surrogateescape")
    check_text(**{what: text})
    return text


class FormLimits:
    def __init__(self, max_files: int, max_fields: int, max_part: int = 1024 * 1024) -> None:
        self.max_files = max_files
        self.max_fields = max_fields
        self.max_part = max_part


class _StrictUrlencoded(FormParser):
    def on_field_end(self) -> None:
        self._current_fields += 1
        if self._current_fields > self.max_fields:
            raise TooLarge("too many fields", "จำนวนช่องข้อมูลมากเกินไป", int(self.max_fields))
        name = _text(unquote_to_bytes(bytes(self._field_name).replace(b"+", b" ")), "field")
        value = _text(unquote_to_bytes(bytes(self._field_value).replace(b"+", b" ")), name)
        self._items.append((name, value))


class _StrictMultipart(MultiPartParser):
    gate: Gate | None = None

    def on_part_end(self) -> None:
        if self._current_part.file is None:
            name = self._current_part.field_name
            self.items.append((name, _text(self._current_part.data, name)))
        else:
            super().on_part_end()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._current_part.content_disposition)
        for key in (b"name", b"filename"):
            if key in options:
                _text(options[key], "field" if key == b"name" else "file name")
        if b"filename" in options:
            if self._current_files >= self.max_files:
                raise TooLarge("too many files", "จำนวนไฟล์มากเกินไป", int(self.max_files))
            if self.gate is not None and self._current_files == 0:
                self.gate(FormData(self.items))
        elif self._current_fields >= self.max_fields:
            raise TooLarge("too many fields", "จำนวนช่องข้อมูลมากเกินไป", int(self.max_fields))
        super().on_headers_finished()


async def read_form(request: Request, limits: FormLimits, gate: Gate | None = None) -> FormData:
    """The request's form (multipart or urlencoded; any other body is an empty form).
    ``gate`` is also run on a form without files, once it is read."""
    kind, _ = parse_options_header(request.headers.get("content-type", ""))
    stream = request.stream()
    try:
        if kind == b"multipart/form-data":
            parser = _StrictMultipart(
                request.headers,
                stream,
                max_files=limits.max_files,
                max_fields=limits.max_fields,
                max_part_size=limits.max_part,
            )
            parser.gate = gate
            form = await parser.parse()
        elif kind == b"application/x-www-form-urlencoded":
            urlencoded = _StrictUrlencoded(
                request.headers, stream, max_fields=limits.max_fields, max_part_size=limits.max_part
            )
            form = await urlencoded.parse()
        else:
            form = FormData()
    except KeyError:  # starlette's parser reads the boundary as params[b"boundary"]
        raise BadForm(
            "the form cannot be read: a multipart body needs its boundary; send "
            "multipart/form-data with its boundary",
            "อ่านแบบฟอร์มไม่ได้: ข้อมูลแบบ multipart ต้องมี boundary; ส่งเป็น multipart/form-data "
            "พร้อม boundary",
        ) from None
    except MultiPartException as exc:
        if "exceeded" in exc.message:
            raise TooLarge("a field is too long", "ช่องข้อมูลยาวเกินไป", limits.max_part) from None
        raise BadForm(
            f"the form cannot be read: {exc.message}", f"อ่านแบบฟอร์มไม่ได้: {exc.message}"
        ) from None
    finally:
        await stream.aclose()
    if gate is not None:
        try:
            gate(form)
        except BaseException:
            await form.close()
            raise
    return form
