"""Validate a project: read every source, run the cross-file rules, and keep what they found.

Each rule (check/rules/) reads the models and reports through the document it came from, so
every message points at the line and column where the value was written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from generator.check.context import CheckContext
from generator.check.rules.checklists import check_checklists, check_plan_checklists
from generator.check.rules.learning import (
    call_runs,
    check_rehearsal_starts,
    project_series,
    series_warnings,
    warn_from_rehearsals,
)
from generator.check.rules.log import check_log
from generator.check.rules.people import check_people
from generator.check.rules.plan import (
    check_communications,
    check_gates,
    check_plan_references,
    check_status_rules,
    warn_approved_without_approvals,
    warn_contacts,
    warn_point_of_no_return_without_rollback,
)
from generator.check.rules.postmortem import check_postmortem
from generator.check.rules.schedule import check_plan_schedule
from generator.diagnostics import Diagnostic, for_plan, name_steps, sort_diagnostics
from generator.read.models.plan import RUNNING_STATUSES
from generator.read.sources import PlanSources, Project, SourceCache, load_project, paused_gc, same_objects
from generator.schedule.actuals import RunActuals
from generator.schedule.series import Series
from generator.schedule.timetable import Schedule


@dataclass
class Validation:
    """The outcome of reading and checking a project."""

    project: Project
    diagnostics: list[Diagnostic]
    schedules: dict[str, Schedule] = field(default_factory=dict)
    runs: dict[str, RunActuals] = field(default_factory=dict)  # each logged call, by plan id
    series: dict[str, Series] = field(default_factory=dict)  # by series id

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


class CheckedPlan(NamedTuple):
    """One plan as checked last time."""

    inputs: tuple[object, ...]  # the sources it was checked with (Project.plan_inputs)
    diagnostics: list[Diagnostic]
    schedule: Schedule | None


@dataclass
class ValidationCache:
    """What a validation read and found, for the next one to reuse (`golive serve`, incremental.py).

    Files are re-read only when they changed on disk; a plan is checked again only when its
    files, people.yaml or a checklist changed (unchanged ones are the same Source objects).
    """

    sources: SourceCache = field(default_factory=SourceCache)
    plans: dict[str, CheckedPlan] = field(default_factory=dict)  # by plan id


def validate_project(
    root: Path, overrides: dict[Path, bytes] | None = None, cache: ValidationCache | None = None
) -> Validation:
    """Read every source under root/plans and check it; never raises for bad input.

    `overrides` gives the contents of files as they are about to be written.
    """
    with paused_gc():
        project, diagnostics = load_project(root, overrides, cache.sources if cache is not None else None)
        ctx = CheckContext(project, diagnostics)
        check_people(ctx)
        check_checklists(ctx)
        schedules: dict[str, Schedule] = {}
        for sources in project.plans.values():
            schedule = _check_plan_once(ctx, sources, cache)
            if schedule is not None:
                schedules[sources.id] = schedule
        if cache is not None:
            for gone in cache.plans.keys() - project.plans.keys():
                del cache.plans[gone]
        # Series read every plan of the series: checked once all plans are.
        runs = call_runs(project, schedules)
        series = project_series(project, schedules, runs)
        diagnostics.extend(series_warnings(project, series.values()))
    return Validation(project, sort_diagnostics(diagnostics), schedules, runs, series)


def _check_plan_once(ctx: CheckContext, sources: PlanSources, cache: ValidationCache | None) -> Schedule | None:
    """check_plan, or what it found last time when nothing it reads has changed."""
    if cache is None:
        return check_plan(ctx, sources)
    inputs = ctx.project.plan_inputs(sources)
    cached = cache.plans.get(sources.id)
    if cached is not None and same_objects(cached.inputs, inputs) and ctx.project.checklists_complete:
        ctx.out.extend(cached.diagnostics)
        return cached.schedule
    first = len(ctx.out)
    schedule = check_plan(ctx, sources)
    cache.plans[sources.id] = CheckedPlan(inputs, ctx.out[first:], schedule)
    return schedule


def check_plan(ctx: CheckContext, sources: PlanSources) -> Schedule | None:
    """Run every rule on one plan's files; return its schedule when it could be made."""
    first = len(ctx.out)
    plan = sources.plan.model
    document = sources.plan.document
    zone = ZoneInfo(plan.timezone)
    check_plan_references(ctx, plan, document)
    schedule = check_plan_schedule(ctx, plan, document, zone)
    check_gates(ctx, plan, document)
    check_plan_checklists(ctx, plan, document)
    check_status_rules(ctx, plan, document)
    check_communications(ctx, plan, document)
    warn_contacts(ctx, plan, document)
    warn_approved_without_approvals(ctx, plan, document)
    warn_point_of_no_return_without_rollback(ctx, plan, document)
    issues: set[str] = set()
    if sources.log is not None:
        log = sources.log
        issues = check_log(ctx, plan, log.document, log.model.entries, ("entries",), zone, is_log=True)
    if sources.postmortem is not None:
        check_postmortem(ctx, plan, sources.postmortem, zone, issues)
    for rehearsal in sources.rehearsals.values():
        check_log(ctx, plan, rehearsal.document, rehearsal.model.entries, ("entries",), zone, is_log=True)
    if schedule is not None:
        check_rehearsal_starts(ctx, sources, schedule)
        warn_from_rehearsals(ctx, sources, schedule)
    ctx.out[first:] = for_plan(sources.id, name_steps(document.data, ctx.out[first:], document.file))
    return schedule


# A plan still marked running this long after its window ended was most likely not updated.
STALE_AFTER = dt.timedelta(days=1)


def stale_status_warnings(validation: Validation, now: dt.datetime | None = None) -> list[Diagnostic]:
    """Warnings for plans still `in-progress` or `live` more than a day after their window ended.

    The only check that reads the clock (`now`, default: the current time), so it is kept out of
    validate_project: the pages, built from its diagnostics, stay the same whenever they are built.
    """
    moment = now if now is not None else dt.datetime.now(dt.UTC)
    found = []
    for sources in validation.project.plans.values():
        plan = sources.plan.model
        schedule = validation.schedules.get(sources.id)
        if plan.status not in RUNNING_STATUSES or schedule is None:
            continue
        ended = moment - schedule.window_end
        if ended > STALE_AFTER:
            outcomes = "live, completed or rolled-back" if plan.status == "in-progress" else "completed or rolled-back"
            warning = sources.plan.document.warning(
                ("status",),
                f"the plan is still {plan.status}, but its window ended {_days(ended)} ago "
                f"({schedule.window_end:%Y-%m-%d %H:%M})",
                f"set it to what happened: {outcomes}",
            )
            found.extend(for_plan(sources.id, [warning]))
    return found


def _days(span: dt.timedelta) -> str:
    days = span.days
    return f"{days} day{'' if days == 1 else 's'}" if days < 14 else f"{days // 7} weeks"
