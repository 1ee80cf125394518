"""Formatting for the pages: one request's language and digit choice, BE dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from plancycle.definitions.describe import source_text
from plancycle.definitions.model import Catalog, Text
from plancycle.thai.dateinput import format_range
from plancycle.thai.dates import format_date, format_datetime
from plancycle.thai.digits import to_thai_digits

__all__ = ["LANGS", "Ui", "short_titles"]

LANGS = ("th", "en")
# Column heads of the drill-down grid, where a definition's full title is too long;
# a process not named here shows its title.
SHORT = {
    "orders": Text("คำสั่ง/ประกาศ", "Orders"),
    "village_plan": Text("แผนหมู่บ้าน", "Village plans"),
    "tambon_plan": Text("แผนตำบล", "Tambon plans"),
    "district_plan": Text("แผนอำเภอ", "District plan"),
    "activity1": Text("กิจกรรม ๑", "Activity 1"),
    "activity2": Text("กิจกรรม ๒", "Activity 2"),
    "activity3": Text("กิจกรรม ๓", "Activity 3"),
}


def short_titles(catalog: Catalog) -> dict[str, Text]:
    return {d.id: SHORT.get(d.id, d.title) for d in catalog.latest()}


class Ui:
    """What a template calls: ``ui.t("ไทย", "English")``, ``ui.when(dt)``, ``ui.num(n)``."""

    def __init__(self, lang: str = "th", thai_digits: bool = False) -> None:
        self.lang = lang if lang in LANGS else "th"
        self.thai_digits = thai_digits

    @property
    def other_lang(self) -> str:
        return "en" if self.lang == "th" else "th"

    def t(self, th: str, en: str) -> str:
        return th if self.lang == "th" else en

    def text(self, value: Text | dict | None) -> str:
        if value is None:
            return ""
        if isinstance(value, dict):
            return value.get(self.lang) or value.get("en", "")
        return value.pick(self.lang)

    def source(self, tag: str | None) -> str:
        """A source tag by its label: "หนังสือจังหวัด" / "seed", "อนุมาน" / "inferred"."""
        return source_text(tag, self.lang) if tag else ""

    def num(self, value: Any) -> str:
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        return to_thai_digits(shown) if self.thai_digits else shown

    def plain(self, value: Any) -> str:
        """Digits as they are, no grouping (years, codes)."""
        return to_thai_digits(str(value)) if self.thai_digits else str(value)

    def pct(self, value: float) -> str:
        return self.num(f"{value:.0f}" if value == int(value) else f"{value:.1f}")

    def every(self, seconds: float) -> str:
        """A refresh interval: "5 นาที" / "5 minutes" in whole minutes, else seconds."""
        whole = int(seconds)
        if whole >= 60 and whole % 60 == 0:
            n = whole // 60
            return f"{self.num(n)} " + self.t("นาที", "minute" if n == 1 else "minutes")
        return f"{self.num(whole)} " + self.t("วินาที", "second" if whole == 1 else "seconds")

    def when(self, value: datetime | None) -> str:
        """Date and time, in Bangkok, BE: "31 มี.ค. 68 23:59"."""
        if value is None:
            return "-"
        return format_datetime(value, lang=self.lang, thai_digits=self.thai_digits)

    def span(self, first: date, last: date) -> str:
        """A range of days in BE: "1 ต.ค. 2567 – 30 ก.ย. 2568"."""
        return format_range(first, last, lang=self.lang, thai_digits=self.thai_digits)

    def day(self, value: date | datetime | None, style: str = "full") -> str:
        """A day, BE: "31 มีนาคม 2568" (``style="short"``: "31 มี.ค. 68")."""
        if value is None:
            return "-"
        return format_date(value, style, lang=self.lang, thai_digits=self.thai_digits)
