"""What the pages show of earlier runs: a plan's rehearsals (runbook, print page, overview) and
how good estimates were (log page, dashboard, series pages)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from generator.schedule.actuals import ESTIMATE_FLOOR, ESTIMATE_SHARE, RunActuals, StepRun, whole_minutes
from generator.schedule.timefmt import format_duration, format_slip, format_span
from generator.schedule.timetable import Schedule

OVERRAN_MARK = "▲"  # beside a duration over by more than 20% and 5 minutes: seen without colour too
TOLERANCE_TEXT = f"±{round(ESTIMATE_SHARE * 100)}% / {round(ESTIMATE_FLOOR.total_seconds() / 60)} min"


def duration_text(delta: dt.timedelta) -> str:
    """A measured duration to the nearest minute, as plans write durations: 41m, 1h05m."""
    return format_duration(whole_minutes(delta))


def accuracy_text(on_estimate: int, measured: int, *, unit: str = " steps") -> str:
    """ "14 of 20 steps (70%)": the share of steps within the tolerance; "—" when none was measured."""
    if not measured:
        return "—"
    if measured == 1:
        unit = unit.replace("steps", "step")
    return f"{on_estimate} of {measured}{unit} ({round(100 * on_estimate / measured)}%)"


@dataclass(frozen=True, slots=True)
class DurationCell:
    """A step's actual duration in one run, as a table cell."""

    text: str  # "41m ▲", "28m", "not reached", "not finished"
    overran: bool


NO_LOG = DurationCell("no log", False)
NO_SUCH_STEP = DurationCell("—", False)  # the run's plan has no such step
NOT_FINISHED = DurationCell("not finished", False)
NOT_REACHED = DurationCell("not reached", False)


def duration_cell(step: StepRun | None, *, logged: bool = True) -> DurationCell:
    """The cell of a step in a run; `logged` False: the run has no log at all."""
    if not logged:
        return NO_LOG
    if step is None:
        return NO_SUCH_STEP
    if step.actual is None:
        return NOT_FINISHED if step.reached else NOT_REACHED
    text = duration_text(step.actual)
    return DurationCell(f"{text} {OVERRAN_MARK}" if step.overran else text, step.overran)


@dataclass(frozen=True, slots=True)
class RehearsalStepRow:
    number: int
    title: str
    planned: str
    cells: tuple[DurationCell, ...]  # one per rehearsal, in name order


@dataclass(frozen=True, slots=True)
class RehearsalView:
    name: str
    started: str  # "Tue 01 Dec 2026 09:00 GMT"
    total: str  # "4 h 12 min", or "stopped after #5" when not every step was done
    planned_total: str
    difference: str  # "+25 min", "on plan", or "—"
    slipped_most: str  # "#4 Snapshot the orders database: +16 min", or "none"
    accuracy: str  # "5 of 6 steps (83%)"


@dataclass(frozen=True, slots=True)
class Rehearsals:
    """A plan's rehearsals: one line each, and each step's actual duration in each."""

    runs: tuple[RehearsalView, ...]
    steps: tuple[RehearsalStepRow, ...]


def rehearsals(schedule: Schedule, runs: Mapping[str, RunActuals]) -> Rehearsals:
    """The plan's rehearsals, by name (check.rules.learning.rehearsal_runs)."""
    if not runs:
        return Rehearsals((), ())
    numbers = {s.id: n for n, s in enumerate(schedule.steps, start=1)}
    steps = tuple(
        RehearsalStepRow(
            number,
            item.step.title,
            format_duration(item.step.duration),
            tuple(duration_cell(run.steps[number - 1]) for run in runs.values()),
        )
        for number, item in enumerate(schedule.steps, start=1)
    )
    planned_total = schedule.end - schedule.window_start
    views = []
    for name, run in runs.items():
        total = run.total
        if total is None:
            done = [s for s in run.steps if s.done is not None]
            last = max(done, key=lambda s: (s.done, numbers[s.id]), default=None)
            total_text = f"stopped after #{numbers[last.id]}" if last is not None else "no step done"
        else:
            total_text = format_span(total)
        most = run.slipped_most
        slipped = f"#{numbers[most.id]} {most.title}: {format_slip(most.excess)}" if most is not None else "none"
        views.append(
            RehearsalView(
                name=name,
                started=f"{run.origin.astimezone(schedule.zone):%a %d %b %Y %H:%M %Z}",
                total=total_text,
                planned_total=format_span(planned_total),
                difference=format_slip(None if total is None else total - planned_total),
                slipped_most=slipped,
                accuracy=accuracy_text(*run.accuracy),
            )
        )
    return Rehearsals(tuple(views), steps)
