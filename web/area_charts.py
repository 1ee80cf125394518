"""The charts of one area's page (the signed-in page and the shared one): drawn by
:mod:`plancycle.web.charts` from the area's summary (:mod:`plancycle.workflow.area_summary`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup

from plancycle.definitions.model import Catalog
from plancycle.web.charts import Chart, progress_chart, step_chart, timeliness_chart
from plancycle.web.ui import Ui
from plancycle.workflow.area_summary import AreaSummary
from plancycle.workflow.chart_data import SlowArea, progress_lines
from plancycle.workflow.reports import AreaFilter

__all__ = ["AreaCharts", "StepCharts", "area_charts", "report_chart"]


@dataclass(frozen=True, slots=True)
class StepCharts:
    chart: Chart
    slowest: tuple[SlowArea, ...]


@dataclass(frozen=True, slots=True)
class AreaCharts:
    progress: tuple[Chart, ...]
    timeliness: Chart | None  # None for a tambon or a village: nothing under it to compare
    steps: tuple[StepCharts, ...]
    steps_as_of: datetime | None  # when the step times were read, if kept a while
    steps_kept_seconds: float


def area_charts(summary: AreaSummary, ui: Ui) -> AreaCharts:
    """The charts of ``summary`` in ``ui``'s language."""
    steps = []
    for line in summary.lines:
        mine = [t for t in summary.steps.times if t.process == line.process]
        if mine:
            title = ui.t(line.title_th, line.title_en)
            steps.append(
                StepCharts(
                    step_chart(ui, line.process, title, mine),
                    tuple(s for s in summary.steps.slowest if s.process == line.process),
                )
            )
    return AreaCharts(
        tuple(progress_chart(ui, line, summary.fiscal_year) for line in summary.lines),
        timeliness_chart(ui, list(summary.timeliness)) if summary.timeliness else None,
        tuple(steps),
        summary.steps.as_of if summary.steps.kept_seconds else None,
        summary.steps.kept_seconds,
    )


def report_chart(
    db: sa.Engine, catalog: Catalog, kind: str, fiscal_year: int, code: str
) -> Markup | None:
    """The progress chart of a report's activity in the area, in Thai (the memo's
    language); None when the area holds none of its instances."""
    lines = progress_lines(db, catalog, fiscal_year, AreaFilter.of(code))
    line = next((p for p in lines if p.process == kind), None)
    return progress_chart(Ui("th", thai_digits=True), line, fiscal_year).svg if line else None
