"""Learning from earlier runs: rehearsals of a plan and earlier go-lives of its series.

The measured durations are the best estimates a plan can have, so a plan still to run is
warned where its own estimates fall short of them. Only plans still to run (draft, in review,
approved) get these warnings: for a plan that has run, its own log says how it went.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from generator.check.context import CheckContext
from generator.diagnostics import Diagnostic, for_plan, name_steps
from generator.read.document import Document
from generator.read.models.plan import UPCOMING_STATUSES, Plan
from generator.read.sources import PlanSources, Project
from generator.schedule.actuals import RunActuals, logged_times, median_duration, overran, run_actuals, whole_minutes
from generator.schedule.forecast import forecast
from generator.schedule.series import Series, SeriesRun, build_series, earlier_runs
from generator.schedule.timefmt import format_duration, format_span
from generator.schedule.timetable import NonexistentTime, Schedule, localize

# A validate warning names at most this many of the latest runs before the plan.
RUNS_NAMED = 5


def rehearsal_runs(sources: PlanSources, schedule: Schedule) -> dict[str, RunActuals]:
    """Each rehearsal of the plan read against its schedule, moved to the rehearsal's start; by name."""
    runs = {}
    for name, rehearsal in sources.rehearsals.items():
        try:
            origin = localize(rehearsal.model.started, schedule.zone)
        except NonexistentTime:
            continue  # reported by check_rehearsal_starts
        runs[name] = run_actuals(schedule, rehearsal.model.entries, origin)
    return runs


def check_rehearsal_starts(ctx: CheckContext, sources: PlanSources, schedule: Schedule) -> None:
    for rehearsal in sources.rehearsals.values():
        try:
            localize(rehearsal.model.started, schedule.zone)
        except NonexistentTime as error:
            ctx.out.append(rehearsal.document.error(("started",), str(error)))


def warn_from_rehearsals(ctx: CheckContext, sources: PlanSources, schedule: Schedule) -> None:
    """Steps planned shorter than a rehearsal took, steps no rehearsal reached, a rehearsed total
    that would not fit the window."""
    plan, document = sources.plan.model, sources.plan.document
    runs = rehearsal_runs(sources, schedule)
    if plan.status not in UPCOMING_STATUSES or not runs:
        return
    for index, item in enumerate(schedule.steps):
        taken = [(run.steps[index].actual, name) for name, run in runs.items() if run.steps[index].actual is not None]
        longest = max(taken, key=lambda t: (t[0], t[1]), default=None)
        if longest is not None and longest[0] is not None and overran(item.step.duration, longest[0]):
            ctx.out.append(
                document.warning(
                    ("steps", index, "duration"),
                    f"planned {format_duration(item.step.duration)}; "
                    f"rehearsal {longest[1]} took {format_duration(whole_minutes(longest[0]))}",
                    "plan the time the rehearsal took, or say in the instructions why the night will be faster",
                )
            )
        if not any(run.steps[index].reached for run in runs.values()):
            ctx.out.append(
                document.warning(
                    ("steps", index),
                    f"no rehearsal reached this step ({', '.join(runs)})",
                    "rehearse it, or say in its instructions why it cannot be",
                )
            )
    _warn_rehearsed_total(ctx, sources, schedule, document)


def _warn_rehearsed_total(ctx: CheckContext, sources: PlanSources, schedule: Schedule, document: Document) -> None:
    """The plan re-run with what each rehearsal measured, from the window start: does it still fit?"""
    worst: tuple[dt.datetime, str] | None = None
    for name, rehearsal in sources.rehearsals.items():
        try:
            shift = localize(rehearsal.model.started, schedule.zone) - schedule.window_start
        except NonexistentTime:
            continue
        started, done, last = logged_times(rehearsal.model.entries, schedule.zone)
        if last is None:
            continue
        moved = forecast(
            schedule,
            {step: at - shift for step, at in started.items()},
            {step: at - shift for step, at in done.items()},
            max(last - shift, schedule.window_start),
            at_last_entry=True,
        )
        if moved.end > schedule.window_end and (worst is None or moved.end > worst[0]):
            worst = (moved.end, name)
    if worst is not None:
        end, name = worst
        ctx.out.append(
            document.warning(
                ("window", "end"),
                f"at the pace of rehearsal {name} the plan would end at {schedule.clock(end)}, "
                f"{format_span(end - schedule.window_end)} after the window",
                "widen the window, or plan the steps that ran long differently",
            )
        )


def call_runs(project: Project, schedules: dict[str, Schedule]) -> dict[str, RunActuals]:
    """Each plan's call as its log.yaml says, by plan id (plans with a log and a schedule)."""
    return {
        plan_id: run_actuals(schedules[plan_id], sources.log.model.entries)
        for plan_id, sources in project.plans.items()
        if sources.log is not None and plan_id in schedules
    }


def project_series(project: Project, schedules: dict[str, Schedule], runs: dict[str, RunActuals]) -> dict[str, Series]:
    """Every series of the project, by id, in id order."""
    members: dict[str, list[SeriesRun]] = {}
    for plan_id, sources in project.plans.items():
        plan = sources.plan.model
        if plan.series is not None and plan_id in schedules:
            run = SeriesRun(plan_id, plan.title, plan.status, schedules[plan_id], runs.get(plan_id))
            members.setdefault(plan.series, []).append(run)
    return {series_id: build_series(series_id, members[series_id]) for series_id in sorted(members)}


def series_warnings(project: Project, series: Iterable[Series]) -> list[Diagnostic]:
    """A warning for each step of a plan still to run planned below the median that the earlier
    runs of its series took, by more than 20% and 5 minutes."""
    found: list[Diagnostic] = []
    for one in series:
        for run in one.runs:
            sources = project.plans[run.plan_id]
            if sources.plan.model.status in UPCOMING_STATUSES:
                found.extend(_series_warnings(sources.plan.model, sources.plan.document, run, one))
    return found


def _series_warnings(plan: Plan, document: Document, run: SeriesRun, series: Series) -> list[Diagnostic]:
    before = earlier_runs(series, run.plan_id)
    if not before:
        return []
    warnings = []
    for index, step in enumerate(plan.steps):
        measured = [(r.plan_id, s.actual) for r in before if (s := r.step(step.id)) and s.actual is not None]
        latest = measured[-RUNS_NAMED:]
        if not latest:
            continue
        actuals = sorted(a for _, a in latest)
        median = median_duration(actuals)
        if median is None or not overran(step.duration, median):
            continue
        runs = "the last run" if len(latest) == 1 else f"the last {len(latest)} runs"
        took = _range(actuals[0], actuals[-1])
        names = ", ".join(plan_id for plan_id, _ in latest)
        warnings.append(
            document.warning(
                ("steps", index, "duration"),
                f"planned {format_duration(step.duration)}, below the series' median of "
                f"{format_duration(whole_minutes(median))}: {runs} ({names}) took {took}",
                f"plan the time the runs of series {series.id} took, or say in the instructions what is faster now",
            )
        )
    return for_plan(run.plan_id, name_steps(document.data, warnings, document.file))


def _range(low: dt.timedelta, high: dt.timedelta) -> str:
    low_text, high_text = format_duration(whole_minutes(low)), format_duration(whole_minutes(high))
    return low_text if low_text == high_text else f"{low_text} to {high_text}"
