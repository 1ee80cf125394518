"""The charts of one area's page (the signed-in page and the shared one): built from the
read models of :mod:`plancycle.workflow.chart_data`, drawn by :mod:`plancycle.web.charts`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup

from plancycle.definitions.model import Catalog
from plancycle.thai.areacode import AreaLevel, level_of
from plancycle.web.charts import Chart, progress_chart, step_chart, timeliness_chart
from plancycle.web.ui import Ui
from plancycle.workflow.chart_data import (
    SlowArea,
    progress_lines,
    timeliness,
)
from plancycle.workflow.reports import AreaFilter
from plancycle.workflow.slow_charts import cached_step_times

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


def area_charts(
    db: sa.Engine, catalog: Catalog, ui: Ui, fiscal_year: int, code: str, now: datetime
) -> AreaCharts:
    area = AreaFilter.of(code)
    lines = progress_lines(db, catalog, fiscal_year, area)
    leaf = level_of(code) in (AreaLevel.TAMBON, AreaLevel.VILLAGE)
    rows = [] if leaf else timeliness(db, fiscal_year, code, now)
    times, slow = cached_step_times(db, catalog, fiscal_year, area)
    steps = []
    for line in lines:
        mine = [t for t in times if t.process == line.process]
        if mine:
            title = ui.t(line.title_th, line.title_en)
            steps.append(
                StepCharts(
                    step_chart(ui, line.process, title, mine),
                    tuple(s for s in slow if s.process == line.process),
                )
            )
    return AreaCharts(
        tuple(progress_chart(ui, line, fiscal_year) for line in lines),
        timeliness_chart(ui, rows) if rows else None,
        tuple(steps),
    )


def report_chart(
    db: sa.Engine, catalog: Catalog, kind: str, fiscal_year: int, code: str
) -> Markup | None:
    """The progress chart of a report's activity in the area, in Thai (the memo's
    language); None when the area holds none of its instances."""
    lines = progress_lines(db, catalog, fiscal_year, AreaFilter.of(code))
    line = next((p for p in lines if p.process == kind), None)
    return progress_chart(Ui("th", thai_digits=True), line, fiscal_year).svg if line else None
