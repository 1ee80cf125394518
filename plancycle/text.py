"""Text the store cannot keep: a NUL character, or a lone surrogate.

PostgreSQL text cannot hold NUL (U+0000), and a lone surrogate (U+D800-U+DFFF: what
Python makes of bytes that are not UTF-8, such as Thai typed in a TIS-620 terminal)
cannot be written as UTF-8, neither to the store nor into the audit hash. Both are
refused where text comes in (commands, the engine, imports), on every database and
before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping

from plancycle.errors import PlancycleError

__all__ = ["BadText", "check_text", "one_line", "text_problem"]

_SHOWN = 40  # characters of the text quoted in a message
_NAMES_TH = {
    "key": "รหัสรายการ",
    "trigger": "ขั้น",
    "actor": "รหัสผู้ใช้",
    "note": "บันทึก",
    "data": "ข้อมูล",
    "token": "โทเค็น",
    "name": "ชื่อ",
    "state": "ขั้น",
    "process": "กระบวนการ",
    "role": "บทบาท",
}
_SECRET = {"token"}  # named, never quoted


def one_line(text: str) -> str:
    """``text`` on one line: every run of white space (line breaks, tabs) one space. Names
    and subjects are kept so, so that a name typed with a line break cannot break an
    e-mail header or a table row."""
    return " ".join(text.split())


class BadText(PlancycleError, ValueError):
    """Text holding a character the store cannot keep."""

    exit_code = 2


def _shown(text: str, what: str) -> str:
    """`` 'text'`` quoted with its odd characters escaped (repr), cut short when long;
    nothing for a secret."""
    if what in _SECRET:
        return ""
    return " " + repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def text_problem(text: str, what: str, what_th: str | None = None) -> tuple[str, str] | None:
    """(English, Thai) of why the store cannot keep ``text`` (``what`` names it), or None."""
    if text.isascii() and "\x00" not in text:
        return None  # the common case, decided without building a message
    what_th = what_th or _NAMES_TH.get(what, what)
    shown = _shown(text, what)
    if "\x00" in text:
        return (
            f"{what}{shown} contains a NUL character (\\x00), which cannot be stored; "
            f"remove it and try again",
            f"{what_th}{shown} มีอักขระ NUL (\\x00) ซึ่งบันทึกไม่ได้; ลบออกแล้วลองใหม่",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return (
            f"{what}{shown} is not valid UTF-8 text (was it typed in a TIS-620 or "
            f"Windows-874 terminal or file?); switch to UTF-8 and type it again",
            f"{what_th}{shown} ไม่ใช่ข้อความ UTF-8 ที่ถูกต้อง (พิมพ์จากเทอร์มินัลหรือไฟล์แบบ "
            f"TIS-620/Windows-874 หรือไม่); เปลี่ยนเป็น UTF-8 แล้วพิมพ์ใหม่",
        )
    return None


def _keeps(text: str) -> bool:
    return text_problem(text, "") is None


def _first_bad(value: object, path: tuple[str, ...]) -> tuple[tuple[str, ...], str] | None:
    """(where, text) of the first text in ``value`` the store cannot keep, or None; ``where``
    is the path of names to it (a mapping's key itself is at ``(..., key, "name")``)."""
    if isinstance(value, str):
        return None if _keeps(value) else (path, value)
    if isinstance(value, Mapping):
        for k, v in value.items():
            if isinstance(k, str) and not _keeps(k):
                return ((*path, "name"), k)
            found = _first_bad(v, (*path, str(k)))
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for item in value:
            found = _first_bad(item, path)
            if found is not None:
                return found
    return None


def check_text(**fields: object) -> None:
    """Raise BadText for the first field (named by its keyword) holding text the store
    cannot keep. A field may be text or anything else (not checked); in a mapping, list
    or tuple (step data) every text key and value is checked, at any depth. Text that
    is fine costs one scan; the message is built only for text that is not."""
    for name, value in fields.items():
        found = _first_bad(value, (name,))
        if found is None:
            continue
        path, text = found
        field, *inner = path
        th = _NAMES_TH.get(field, field)
        if inner[-1:] == ["name"]:  # a key of a mapping: "data name", "ชื่อข้อมูล"
            inner = inner[:-1]
            what, what_th = " ".join([field, *inner, "name"]), "ชื่อ" + " ".join([th, *inner])
        else:
            what, what_th = " ".join([field, *inner]), " ".join([th, *inner])
        raise BadText(*text_problem(text, what, what_th))  # type: ignore[misc]
