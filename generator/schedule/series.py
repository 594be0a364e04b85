"""A series: go-lives that run the same plan again (`series:` in plan.yaml), read together.

Runs are ordered by window start. A step is the same step across the series when its id is
the same; its title is the one of the latest run that has it. For each step: its planned and
actual duration in each run, the median and worst actual, and how often it overran (see
actuals.py for the one tolerance). For the series: each run's planned and actual end, its
slip, and the share of steps on estimate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from generator.read.models.plan import Status
from generator.schedule.actuals import RunActuals, StepRun, median_duration, overran
from generator.schedule.timetable import Schedule

# The series page charts this many steps: those that overran most.
CHARTED_STEPS = 3


@dataclass(frozen=True, slots=True)
class SeriesRun:
    """One go-live of a series."""

    plan_id: str
    title: str
    status: Status
    schedule: Schedule
    actuals: RunActuals | None  # None: no log.yaml

    @property
    def planned_end(self) -> dt.datetime:
        return self.schedule.end

    @property
    def actual_end(self) -> dt.datetime | None:
        """When the step planned to end last was logged done."""
        if self.actuals is None or not self.schedule.steps:
            return None
        final = max(self.schedule.steps, key=lambda s: s.end).id
        return next((s.done for s in self.actuals.steps if s.id == final), None)

    @property
    def slip(self) -> dt.timedelta | None:
        """Actual end against planned end: late when positive; None until the last step is done."""
        end = self.actual_end
        return None if end is None else end - self.planned_end

    def step(self, step_id: str) -> StepRun | None:
        """The step as this run did it; None without a log or when the plan has no such step."""
        if self.actuals is None:
            return None
        return next((s for s in self.actuals.steps if s.id == step_id), None)


@dataclass(frozen=True, slots=True)
class SeriesStep:
    """One step (by id) across the runs of a series."""

    id: str
    title: str
    planned: tuple[dt.timedelta | None, ...]  # per run; None: that run's plan has no such step
    actual: tuple[dt.timedelta | None, ...]  # per run; None: no such step, or not done in that run

    @property
    def measured(self) -> tuple[tuple[dt.timedelta, dt.timedelta], ...]:
        """(planned, actual) of each run that has an actual duration for it."""
        return tuple((p, a) for p, a in zip(self.planned, self.actual, strict=True) if p is not None and a is not None)

    @property
    def median_actual(self) -> dt.timedelta | None:
        return median_duration(a for _, a in self.measured)

    @property
    def worst_actual(self) -> dt.timedelta | None:
        return max((a for _, a in self.measured), default=None)

    @property
    def times_late(self) -> int:
        """Runs in which it overran its planned duration."""
        return sum(1 for p, a in self.measured if overran(p, a))

    @property
    def total_excess(self) -> dt.timedelta:
        """Actual minus planned, summed over the runs: what the step cost the series beyond plan."""
        return sum((a - p for p, a in self.measured), dt.timedelta(0))


@dataclass(frozen=True, slots=True)
class Series:
    id: str
    runs: tuple[SeriesRun, ...]  # by window start
    steps: tuple[SeriesStep, ...]

    @property
    def accuracy(self) -> tuple[int, int]:
        """Steps on estimate, of those with an actual duration, over every run."""
        pairs = [run.actuals.accuracy for run in self.runs if run.actuals is not None]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    @property
    def charted_steps(self) -> tuple[SeriesStep, ...]:
        """The steps that overran most over the runs (at most CHARTED_STEPS), worst first."""
        late = [s for s in self.steps if s.total_excess > dt.timedelta(0)]
        order = {s.id: n for n, s in enumerate(self.steps)}
        late.sort(key=lambda s: (-s.total_excess, order[s.id]))
        return tuple(late[:CHARTED_STEPS])


def build_series(series_id: str, runs: Sequence[SeriesRun]) -> Series:
    """A series from its runs, in any order."""
    ordered = tuple(sorted(runs, key=lambda r: (r.schedule.window_start, r.plan_id)))
    # The latest run's steps first, in its order, then those only earlier runs had.
    titles: dict[str, str] = {}
    for run in reversed(ordered):
        for item in run.schedule.steps:
            titles.setdefault(item.id, item.step.title)
    planned_by_run = [{item.id: item.step.duration for item in run.schedule.steps} for run in ordered]
    actual_by_run = [{s.id: s.actual for s in run.actuals.steps} if run.actuals else {} for run in ordered]
    steps = [
        SeriesStep(
            step_id,
            title,
            tuple(planned.get(step_id) for planned in planned_by_run),
            tuple(actual.get(step_id) for actual in actual_by_run),
        )
        for step_id, title in titles.items()
    ]
    return Series(series_id, ordered, tuple(steps))


def earlier_runs(series: Series, plan_id: str) -> tuple[SeriesRun, ...]:
    """The runs of the series before the plan's own window, with a log."""
    own = next(run for run in series.runs if run.plan_id == plan_id)
    return tuple(
        run for run in series.runs if run.actuals is not None and run.schedule.window_start < own.schedule.window_start
    )
