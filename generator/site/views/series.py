"""What a series page shows (site_src/series/<id>.md), and the dashboard's line for each series.

A series (schedule/series.py) is the go-lives that run the same plan again. Its page lists
each run, each step across the runs, the estimate accuracy, and two charts (site/chart.py)
whose marks carry the values that the tables beside them show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.read.models.plan import Status
from generator.schedule.actuals import StepRun
from generator.schedule.series import Series, SeriesRun, SeriesStep
from generator.schedule.timefmt import format_duration, format_slip
from generator.site.chart import DurationChart, DurationMark, DurationPanel, SlipChart, SlipMark
from generator.site.views.learning import TOLERANCE_TEXT, DurationCell, accuracy_text, duration_cell, duration_text
from generator.site.views.site import PlanSummary

SERIES_FOLDER = "series"  # under site_src/
# The table of every step shows each step's actual duration in this many of the latest runs (its
# median, worst and "late" count every run): more columns would not read, on screen or on paper.
TABLE_RUNS = 10


@dataclass(frozen=True, slots=True)
class SeriesRunRow:
    number: int
    plan_id: str
    title: str
    window: str
    status: Status
    planned_end: str
    actual_end: str  # a clock time, "not finished" or "no log"
    slip: str  # "+25 min", "on plan", or the reason there is none
    accuracy: str  # "5 of 6 steps (83%)", or "—"


@dataclass(frozen=True, slots=True)
class SeriesStepRow:
    id: str
    title: str
    planned: str  # "25m", or "25m to 30m" when the runs planned it differently
    cells: tuple[DurationCell, ...]  # its actual duration in each of the latest TABLE_RUNS runs
    median: str
    worst: str
    late: str  # "2 of 4": runs in which it overran, of those that measured it


@dataclass(frozen=True, slots=True)
class SeriesView:
    id: str
    runs: tuple[SeriesRunRow, ...]
    steps: tuple[SeriesStepRow, ...]
    step_runs: tuple[str, ...]  # the plan ids of the runs whose column the table of steps has
    accuracy: str  # "14 of 20 steps (70%)"
    estimates: tuple[int, int]
    tolerance: str  # "±20% / 5 min"
    steps_chart: DurationChart
    slip_chart: SlipChart

    @property
    def path(self) -> str:
        return f"{SERIES_FOLDER}/{self.id}.md"


def _minutes(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def _actual_end(run: SeriesRun) -> str:
    if run.actuals is None:
        return "no log"
    end = run.actual_end
    return run.schedule.clock(end) if end is not None else "not finished"


def _slip(run: SeriesRun) -> str:
    if run.actuals is None:
        return "no log"
    return format_slip(run.slip) if run.slip is not None else "not finished"


def _run_row(number: int, run: SeriesRun, summary: PlanSummary | None) -> SeriesRunRow:
    return SeriesRunRow(
        number=number,
        plan_id=run.plan_id,
        title=run.title,
        window=summary.window_local if summary is not None else "",
        status=run.status,
        planned_end=run.schedule.clock(run.planned_end),
        actual_end=_actual_end(run),
        slip=_slip(run),
        accuracy=accuracy_text(*run.actuals.accuracy) if run.actuals is not None else "—",
    )


def _planned_text(step: SeriesStep) -> str:
    planned = sorted({p for p in step.planned if p is not None})
    if not planned:
        return "—"
    low, high = format_duration(planned[0]), format_duration(planned[-1])
    return low if low == high else f"{low} to {high}"


class _RunSteps:
    """Each run's steps by id: SeriesRun.step looks one up by a scan, and a page looks up every
    step of every run (a series of 20 runs whose plans changed their step ids has thousands)."""

    def __init__(self, runs: Sequence[SeriesRun]) -> None:
        self.steps = {run.plan_id: {s.id: s for s in run.actuals.steps} for run in runs if run.actuals is not None}

    def cell(self, run: SeriesRun, step_id: str) -> tuple[DurationCell, StepRun | None]:
        """The step's cell in the run's column, and the step as the run did it."""
        logged = self.steps.get(run.plan_id)
        one = logged.get(step_id) if logged is not None else None
        return duration_cell(one, logged=logged is not None), one


def _step_row(step: SeriesStep, runs: Sequence[SeriesRun], lookup: _RunSteps) -> SeriesStepRow:
    """A step across the series; `runs` are those whose column the table has."""
    median, worst = step.median_actual, step.worst_actual
    return SeriesStepRow(
        id=step.id,
        title=step.title,
        planned=_planned_text(step),
        cells=tuple(lookup.cell(run, step.id)[0] for run in runs),
        median=duration_text(median) if median is not None else "—",
        worst=duration_text(worst) if worst is not None else "—",
        late=f"{step.times_late} of {len(step.measured)}" if step.measured else "—",
    )


def _steps_chart(series: Series, lookup: _RunSteps) -> DurationChart:
    panels = []
    for step in series.charted_steps:
        marks = []
        for run, planned in zip(series.runs, step.planned, strict=True):
            cell, one = lookup.cell(run, step.id)
            measured = one.actual if one is not None else None
            planned_text = format_duration(planned) if planned is not None else "—"
            actual_text = cell.text.removesuffix(" ▲")
            marks.append(
                DurationMark(
                    run=run.plan_id,
                    planned=_minutes(planned) if planned is not None else None,
                    actual=_minutes(measured) if measured is not None else None,
                    overran=cell.overran,
                    planned_text=planned_text,
                    actual_text=actual_text,
                    title=f"{run.plan_id} · {step.title}: planned {planned_text}, actual {actual_text}",
                )
            )
        panels.append(DurationPanel(step.title, tuple(marks)))
    return DurationChart(
        f"golive-chart-steps-{series.id}",
        f"Planned and actual duration per run: the steps of series {series.id} that ran longest",
        "One panel per step, one pair of bars per run: the hollow bar is the planned duration, the filled bar the "
        "actual one; ▲ marks a step over by more than 20% and 5 minutes, a cross a step with no actual duration.",
        tuple(panels),
    )


def _slip_chart(series: Series, rows: Sequence[SeriesRunRow]) -> SlipChart:
    marks = tuple(
        SlipMark(
            run=run.plan_id,
            slip=_minutes(run.slip) if run.slip is not None else None,
            slip_text=row.slip,
            title=f"{run.plan_id}: planned end {row.planned_end}, actual end {row.actual_end}, slip {row.slip}",
        )
        for run, row in zip(series.runs, rows, strict=True)
    )
    return SlipChart(
        f"golive-chart-slip-{series.id}",
        f"Slip at the end of each run of series {series.id}",
        "One bar per run: up when its last step ended later than planned, down when earlier; "
        "a cross when no end was logged.",
        marks,
    )


def series_view(series: Series, summaries: Mapping[str, PlanSummary]) -> SeriesView:
    """The page of one series; `summaries` by plan id give each run's window as its overview shows it."""
    rows = tuple(_run_row(n, run, summaries.get(run.plan_id)) for n, run in enumerate(series.runs, start=1))
    latest = series.runs[-TABLE_RUNS:]
    lookup = _RunSteps(series.runs)
    return SeriesView(
        id=series.id,
        runs=rows,
        steps=tuple(_step_row(step, latest, lookup) for step in series.steps),
        step_runs=tuple(run.plan_id for run in latest),
        accuracy=accuracy_text(*series.accuracy),
        estimates=series.accuracy,
        tolerance=TOLERANCE_TEXT,
        steps_chart=_steps_chart(series, lookup),
        slip_chart=_slip_chart(series, rows),
    )
