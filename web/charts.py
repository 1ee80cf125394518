"""The area pages' charts as SVG drawn on the server (no script): a step line of the done
instances per process against its deadline and KPI target, stacked bars of on-time,
late and open instances per area, and bars of the median days per step.

Each builder returns a :class:`Chart`: the ``<svg>`` (``role="img"``, an ``aria-label``,
``<title>`` and ``<desc>``) and the same figures as a table, which the pages show in a
``<details>`` under the chart (``_macros.html`` ``chart``). The data comes from
:mod:`plancycle.workflow.chart_data`; labels follow the page's language, dates in BE."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from plancycle.thai.fiscal import fy_range
from plancycle.web.ui import Ui
from plancycle.workflow.chart_data import ProgressLine, StepTime, Timeliness

__all__ = ["COLORS", "Chart", "progress_chart", "step_chart", "timeliness_chart"]

FONT = '"Sarabun", "Noto Sans Thai", Laksaman, "TH Sarabun New", sans-serif'
COLORS = {"done": "#1565c0", "on_time": "#2e7d32", "late": "#c62828", "open": "#9e9e9e"}
_INK, _GRID = "#333", "#ddd"


@dataclass(frozen=True, slots=True)
class Chart:
    """An SVG chart and its figures as a table (a text alternative)."""

    id: str
    svg: Markup
    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _svg(chart_id: str, width: int, height: int, label: str, desc: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family=\'{FONT}\' '
        f'font-size="11"><title>{escape(label)}</title><desc>{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, words: str, anchor: str = "start", cls: str = "") -> str:
    kind = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{_INK}"{kind}>'
        f"{escape(words)}</text>"
    )


def _month(ui: Ui, day: date) -> str:
    """ "ต.ค. 67": a month tick in BE."""
    return ui.day(day, "short").split(" ", 1)[1]


def _clip(words: str, size: int) -> str:
    return words if len(words) <= size else words[: size - 1] + "…"


def progress_chart(ui: Ui, line: ProgressLine, fiscal_year: int) -> Chart:
    """Done instances (percent of all) by day over the fiscal year: a step line, one
    point per day anything was done, the deadline as a dashed upright and the KPI target
    as a dashed level."""
    width, height, left, right, top, bottom = 340, 190, 36, 12, 14, 28
    first, last = fy_range(fiscal_year)
    span = (last - first).days or 1
    total = line.total or 1

    def x(day: date) -> float:
        return left + (width - left - right) * min(max((day - first).days, 0), span) / span

    def y(percent: float) -> float:
        return top + (height - top - bottom) * (1 - percent / 100)

    body = []
    for percent in (0, 50, 100):
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(percent):.1f}" '
            f'y2="{y(percent):.1f}" stroke="{_GRID}"/>'
        )
        body.append(_text(left - 4, y(percent) + 4, f"{ui.num(percent)}%", "end"))
    for month in (0, 3, 6, 9):
        tick = date(
            first.year + (first.month + month - 1) // 12, (first.month + month - 1) % 12 + 1, 1
        )
        body.append(_text(x(tick), height - 8, _month(ui, tick), "middle"))
    if line.kpi_target is not None:
        level = y(line.kpi_target)
        body.append(
            f'<line class="kpi" x1="{left}" x2="{width - right}" y1="{level:.1f}" '
            f'y2="{level:.1f}" stroke="{COLORS["on_time"]}" stroke-dasharray="5 3"/>'
        )
        target = ui.t("เป้าหมาย", "target") + f" {ui.pct(line.kpi_target)}%"
        body.append(_text(width - right, level - 3, target, "end"))
    if line.deadline is not None:
        at = x(line.deadline)
        body.append(
            f'<line class="deadline" x1="{at:.1f}" x2="{at:.1f}" y1="{top}" '
            f'y2="{height - bottom}" stroke="{COLORS["late"]}" stroke-dasharray="4 3"/>'
        )
        body.append(_text(at - 2, top + 10, ui.t("กำหนด", "due"), "end"))
    path = [f"M{x(first):.1f},{y(0):.1f}"]
    for day, done in line.points:
        path.append(f"H{x(day):.1f}V{y(100 * done / total):.1f}")
    body.append(
        f'<path class="progress" d="{"".join(path)}" fill="none" '
        f'stroke="{COLORS["done"]}" stroke-width="2"/>'
    )
    for day, done in line.points:
        body.append(
            f'<circle class="point" cx="{x(day):.1f}" cy="{y(100 * done / total):.1f}" r="2" '
            f'fill="{COLORS["done"]}" data-day="{day.isoformat()}" data-done="{done}">'
            f"<title>{escape(ui.day(day, 'short'))}: {ui.num(done)}</title></circle>"
        )
    title = ui.t(line.title_th, line.title_en)
    label = ui.t(
        f"{title}: เสร็จ {ui.num(line.done)} จาก {ui.num(line.total)} รายการ",
        f"{title}: {ui.num(line.done)} of {ui.num(line.total)} done",
    )
    desc = ui.t(
        "จำนวนรายการที่เสร็จสะสมตามวันในปีงบประมาณ เทียบกับกำหนดส่ง ",
        "Instances done by each day of the fiscal year, against the deadline ",
    ) + (ui.day(line.deadline) if line.deadline else "-")
    if line.kpi_target is not None:
        desc += ui.t(" และเป้าหมายตัวชี้วัด ", " and the KPI target ") + f"{ui.pct(line.kpi_target)}%"
    rows = tuple(
        (ui.day(day, "short"), ui.num(done), ui.pct(round(100 * done / total, 1)))
        for day, done in line.points
    )
    return Chart(
        f"progress-{line.process}",
        _svg(f"progress-{line.process}", width, height, label, desc, body),
        title,
        (ui.t("วันที่", "Day"), ui.t("เสร็จสะสม", "Done so far"), ui.t("ร้อยละ", "Percent")),
        rows,
    )


_PARTS = (
    ("on_time", "เสร็จตรงเวลา", "on time"),
    ("late", "เกินกำหนด", "late"),
    ("open", "ยังไม่เสร็จ", "open"),
)


def timeliness_chart(ui: Ui, rows: Sequence[Timeliness]) -> Chart:
    """One stacked bar per area: on time, late, open."""
    width, left, right, bar, gap, top = 560, 110, 40, 14, 8, 6
    height = top + len(rows) * (bar + gap) + 26
    most = max((r.on_time + r.late + r.open for r in rows), default=0) or 1
    scale = (width - left - right) / most
    body = []
    for n, row in enumerate(rows):
        at = top + n * (bar + gap)
        name = ui.t(row.name_th, row.name_en)
        body.append(f'<g class="bar" data-area="{escape(row.code)}">')
        body.append(_text(left - 4, at + bar - 3, _clip(name, 16), "end"))
        start = float(left)
        for part, th, en in _PARTS:
            count: int = getattr(row, part)
            if count:
                body.append(
                    f'<rect class="seg {part}" x="{start:.1f}" y="{at}" '
                    f'width="{count * scale:.1f}" height="{bar}" fill="{COLORS[part]}" '
                    f'data-count="{count}"><title>{escape(name)}: {escape(ui.t(th, en))} '
                    f"{ui.num(count)}</title></rect>"
                )
                start += count * scale
        body.append(_text(start + 3, at + bar - 3, ui.num(row.on_time + row.late + row.open)))
        body.append("</g>")
    legend_y, legend_x = height - 10, float(left)
    for part, th, en in _PARTS:
        body.append(
            f'<rect x="{legend_x:.1f}" y="{legend_y - 9}" width="10" height="10" '
            f'fill="{COLORS[part]}"/>'
        )
        body.append(_text(legend_x + 13, legend_y, ui.t(th, en)))
        legend_x += 80
    label = ui.t("ตรงเวลาและเกินกำหนดรายพื้นที่", "On time and late per area")
    desc = "; ".join(
        f"{ui.t(r.name_th, r.name_en)} "
        + ", ".join(f"{ui.t(th, en)} {ui.num(getattr(r, p))}" for p, th, en in _PARTS)
        for r in rows
    )
    table = tuple(
        (
            ui.t(r.name_th, r.name_en),
            ui.num(r.on_time),
            ui.num(r.late),
            ui.num(r.open),
        )
        for r in rows
    )
    head = (ui.t("พื้นที่", "Area"), *(ui.t(th, en) for _, th, en in _PARTS))
    return Chart(
        "timeliness", _svg("timeliness", width, height, label, desc, body), label, head, table
    )


def step_chart(ui: Ui, process: str, title: str, times: Sequence[StepTime]) -> Chart:
    """One bar per step: the median days instances spent in it."""
    width, left, right, bar, gap, top = 360, 170, 58, 12, 6, 6
    height = top + len(times) * (bar + gap) + 6
    most = max((t.median_days for t in times), default=0) or 1
    scale = (width - left - right) / most
    body = []
    for n, step in enumerate(times):
        at = top + n * (bar + gap)
        name = ui.t(step.label_th, step.label_en)
        body.append(_text(left - 4, at + bar - 2, f"{ui.num(n + 1)}. {_clip(name, 24)}", "end"))
        days = ui.num(step.median_days)
        body.append(
            f'<rect class="median" x="{left}" y="{at}" width="{max(step.median_days * scale, 1):.1f}" '
            f'height="{bar}" fill="{COLORS["done"]}" data-state="{escape(step.state)}" '
            f'data-days="{step.median_days}"><title>{escape(name)}: {days} '
            f"{ui.t('วัน', 'days')}</title></rect>"
        )
        body.append(
            _text(
                left + max(step.median_days * scale, 1) + 3,
                at + bar - 2,
                f"{days} {ui.t('วัน', 'd')}",
            )
        )
    label = ui.t(f"{title}: มัธยฐานจำนวนวันในแต่ละขั้น", f"{title}: median days per step")
    desc = "; ".join(
        f"{ui.t(t.label_th, t.label_en)} {ui.num(t.median_days)} {ui.t('วัน', 'days')}"
        for t in times
    )
    rows = tuple(
        (
            f"{ui.num(n + 1)}. {ui.t(t.label_th, t.label_en)}",
            ui.num(t.median_days),
            ui.num(t.count),
        )
        for n, t in enumerate(times)
    )
    head = (ui.t("ขั้น", "Step"), ui.t("มัธยฐาน (วัน)", "Median (days)"), ui.t("จำนวน", "Count"))
    return Chart(
        f"steps-{process}",
        _svg(f"steps-{process}", width, height, label, desc, body),
        title,
        head,
        rows,
    )
