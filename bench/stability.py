"""Whether the quick suite holds still: the ratios of several reports side by side.

Each report of ``bench.run`` ends with its target lines; those that state a ratio
(``- plancycle / SpiffWorkflow >= 5x: 6.84x (by CPU 7.02x) -> met``) give one series
by throughput and one by CPU time. For each series: min, median, max and the largest
deviation from the median in % of it; the suite holds still when every series stays
within ``BAND`` of its median.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable

__all__ = ["BAND", "ratios", "stability_table"]

BAND = 0.15  # every run within +-15 % of the median
RATIO_LINE = re.compile(
    r"^- (?P<what>.+?): (?P<ratio>\d+(?:\.\d+)?)x(?: \(by CPU (?P<cpu>\d+(?:\.\d+)?)x\))? ->",
    re.MULTILINE,
)


def ratios(report: str) -> dict[str, float]:
    """The ratios a report's target lines state, by name (``..., by CPU`` for CPU time)."""
    out: dict[str, float] = {}
    for m in RATIO_LINE.finditer(report):
        out[m["what"]] = float(m["ratio"])
        if m["cpu"] is not None:
            out[f"{m['what']}, by CPU"] = float(m["cpu"])
    return out


def stability_table(reports: Iterable[str], band: float = BAND) -> tuple[str, bool]:
    """A markdown table of every ratio over ``reports``, and whether all stay in ``band``."""
    series: dict[str, list[float]] = {}
    for report in reports:
        for what, value in ratios(report).items():
            series.setdefault(what, []).append(value)
    lines = [
        "| ratio | runs | values | min | median | max | largest deviation from the median "
        f"| within ±{band:.0%} |",
        "|---|---|---|---|---|---|---|---|",
    ]
    steady = bool(series)
    for what, values in series.items():
        median = statistics.median(values)
        spread = max(abs(v - median) for v in values) / median if median else float("inf")
        ok = spread <= band
        steady = steady and ok
        lines.append(
            f"| {what} | {len(values)} | {', '.join(f'{v:.2f}' for v in values)} "
            f"| {min(values):.2f}x | {median:.2f}x | {max(values):.2f}x | {spread:.1%} "
            f"| {'yes' if ok else 'NO'} |"
        )
    return "\n".join(lines), steady
