"""Rules on a plan's timing: its window, its steps' order and fixed starts, and what the schedule shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from generator.check.context import CheckContext
from generator.diagnostics import ValuePath, did_you_mean
from generator.read.document import Document
from generator.read.models.plan import Plan, Step
from generator.schedule.timefmt import format_duration, format_span
from generator.schedule.timetable import (
    DependencyCycle,
    NonexistentTime,
    Schedule,
    ScheduledStep,
    dependency_order,
    effective_dependencies,
    fixed_start,
    localize,
    next_occurrence,
    schedule_plan,
)


def check_plan_schedule(ctx: CheckContext, plan: Plan, document: Document, zone: ZoneInfo) -> Schedule | None:
    """Check what the schedule is made of; when it can be made, make it and warn about what it shows."""
    window_ok = check_window(ctx, plan, document, zone)
    steps_ok = check_steps(ctx, plan.steps, ("steps",), document)
    rollback_ok = True
    if plan.rollback is not None:
        rollback_ok = check_steps(ctx, plan.rollback.steps, ("rollback", "steps"), document)
    check_unique_step_ids(ctx, plan, document)
    return _scheduled(ctx, plan, document, zone) if window_ok and steps_ok and rollback_ok else None


def _scheduled(ctx: CheckContext, plan: Plan, document: Document, zone: ZoneInfo) -> Schedule | None:
    schedule = check_fixed_starts(ctx, plan, document, zone)
    if schedule is not None:
        warn_schedule(ctx, plan, document, schedule)
        warn_gates_after_point_of_no_return(ctx, plan, document, schedule)
        warn_idle_starts(ctx, document, schedule)
    return schedule


def check_window(ctx: CheckContext, plan: Plan, document: Document, zone: ZoneInfo) -> bool:
    """The window's start and end exist in the plan's zone, in that order."""
    try:
        start = localize(plan.window.start, zone)
    except NonexistentTime as error:
        ctx.out.append(document.error(("window", "start"), str(error)))
        return False
    try:
        end = localize(plan.window.end, zone)
    except NonexistentTime as error:
        ctx.out.append(document.error(("window", "end"), str(error)))
        return False
    if end <= start:
        ctx.out.append(document.error(("window", "end"), "the window ends before it starts"))
        return False
    return True


def check_steps(ctx: CheckContext, steps: Sequence[Step], base: ValuePath, document: Document) -> bool:
    """Check owners and dependencies of a list of steps; False if it cannot be scheduled."""
    ids = {step.id for step in steps}
    schedulable = _check_step_references(ctx, steps, base, document, ids)
    if len(ids) != len(steps):
        return False  # reported by check_unique_step_ids
    if schedulable:
        schedulable = _check_no_cycle(ctx, steps, base, document)
    _check_points_of_no_return(ctx, steps, base, document)
    return schedulable


def _check_step_references(
    ctx: CheckContext, steps: Sequence[Step], base: ValuePath, document: Document, ids: set[str]
) -> bool:
    """Owners who exist, dependencies on other steps of the list; False if a dependency is wrong."""
    schedulable = True
    for index, step in enumerate(steps):
        if step.owner not in ctx.people:
            ctx.person_ref(document, (*base, index, "owner"), step.owner)
        for position, dependency in enumerate(step.depends_on or []):
            if dependency == step.id:
                path = (*base, index, "depends_on", position)
                ctx.out.append(document.error(path, f"step '{step.id}' depends on itself"))
                schedulable = False
            elif dependency not in ids:
                path = (*base, index, "depends_on", position)
                ctx.out.append(document.error(path, f"unknown step '{dependency}'", did_you_mean(dependency, ids)))
                schedulable = False
    return schedulable


def _check_no_cycle(ctx: CheckContext, steps: Sequence[Step], base: ValuePath, document: Document) -> bool:
    """An error for a dependency cycle, naming the implicit dependencies in it; False if there is one."""
    try:
        dependency_order(effective_dependencies(steps))
    except DependencyCycle as cycle:
        index = next(i for i, s in enumerate(steps) if s.id == cycle.cycle[0])
        by_id = {s.id: s for s in steps}
        implicit = [
            f"{step} has no depends_on, so it follows {previous}, the step listed before it"
            for step, previous in zip(cycle.cycle, cycle.cycle[1:], strict=False)
            if by_id[step].depends_on is None
        ]
        ctx.out.append(
            document.error(
                (*base, index, "depends_on"),
                "dependency cycle: " + " -> ".join(cycle.cycle),
                "; ".join(implicit),
            )
        )
        return False
    return True


def _check_points_of_no_return(ctx: CheckContext, steps: Sequence[Step], base: ValuePath, document: Document) -> None:
    """At most one point of no return, and none among rollback steps."""
    marked = [i for i, step in enumerate(steps) if step.point_of_no_return]
    if base == ("steps",):
        for index in marked[1:]:
            first = steps[marked[0]].id
            ctx.out.append(
                document.error(
                    (*base, index, "point_of_no_return"),
                    f"only one step can be the point of no return; '{first}' already is",
                )
            )
    else:
        for index in marked:
            ctx.out.append(
                document.error(
                    (*base, index, "point_of_no_return"),
                    "a rollback step cannot be a point of no return",
                )
            )


def check_unique_step_ids(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """Step ids once across deployment and rollback steps."""
    rollback = plan.rollback.steps if plan.rollback else []
    ctx.unique(
        document,
        [(("steps", i, "id"), s.id) for i, s in enumerate(plan.steps)]
        + [(("rollback", "steps", i, "id"), s.id) for i, s in enumerate(rollback)],
        "step id",
    )


def check_fixed_starts(ctx: CheckContext, plan: Plan, document: Document, zone: ZoneInfo) -> Schedule | None:
    """Fixed starts exist in the zone and lie inside the window; then the schedule, else None."""
    window_start = localize(plan.window.start, zone)
    window_end = localize(plan.window.end, zone)
    ok = True
    for base, steps in _step_lists(plan):
        for index, step in enumerate(steps):
            if step.start is None:
                continue
            try:
                start = fixed_start(step.start, window_start, zone)
            except NonexistentTime as error:
                ctx.out.append(document.error((*base, index, "start"), str(error)))
                ok = False
                continue
            if not window_start <= start < window_end:
                ctx.out.append(document.error((*base, index, "start"), "the fixed start lies outside the window"))
                ok = False
    return schedule_plan(plan) if ok else None


def _step_lists(plan: Plan) -> list[tuple[ValuePath, Sequence[Step]]]:
    """The plan's steps, then its rollback steps, each list with its path."""
    groups: list[tuple[ValuePath, Sequence[Step]]] = [(("steps",), plan.steps)]
    if plan.rollback is not None:
        groups.append((("rollback", "steps"), plan.rollback.steps))
    return groups


def warn_schedule(ctx: CheckContext, plan: Plan, document: Document, schedule: Schedule) -> None:
    """Warn when the steps, or a rollback from the point of no return, end after the window."""
    if not schedule.fits_window:
        late = format_span(schedule.overrun)
        ctx.out.append(
            document.warning(
                ("steps",),
                f"the schedule ends at {schedule.clock(schedule.end)}, {late} after the window",
            )
        )
    point = schedule.point_of_no_return
    if (
        point is not None
        and plan.rollback
        and plan.rollback.steps
        and not schedule.rollback_fits_after_point_of_no_return
    ):
        ends = point.start + schedule.rollback_duration
        ctx.out.append(
            document.warning(
                ("rollback",),
                f"a rollback started at the point of no return ({schedule.clock(point.start)}) takes "
                f"{format_duration(schedule.rollback_duration)} and ends at {schedule.clock(ends)}, "
                f"{format_span(ends - schedule.window_end)} after the window",
            )
        )


def warn_gates_after_point_of_no_return(ctx: CheckContext, plan: Plan, document: Document, schedule: Schedule) -> None:
    """A go/no-go gate decided after the point of no return has started cannot stop it.

    "After" is by the schedule: the gated step starts later than the point of no return.
    Warned only when no gate comes before the point of no return: a later gate beside an
    earlier go/no-go is a sound design (go on, or roll back), one alone is a misplaced go/no-go.
    """
    point = schedule.point_of_no_return
    if point is None:
        return
    by_id = {scheduled.id: scheduled for scheduled in schedule.steps}
    gated = {index: by_id[gate.before] for index, gate in enumerate(plan.gates) if gate.before in by_id}
    if any(scheduled.start <= point.start for scheduled in gated.values()):
        return
    for index, late in gated.items():
        gate = plan.gates[index]
        ctx.out.append(
            document.warning(
                ("gates", index, "before"),
                f"gate '{gate.id}' is decided before '{late.id}' ({schedule.clock(late.start)}), after the "
                f"point of no return '{point.id}' has started ({schedule.clock(point.start)}); "
                "no gate comes before it",
                "a no-go then cannot stop it: gate a step at or before the point of no return",
            )
        )


def warn_idle_starts(ctx: CheckContext, document: Document, schedule: Schedule) -> None:
    """A time-of-day start that its dependencies overtake does nothing: the author most
    likely meant that time on a later day, which only the full form can say."""
    groups: list[tuple[ValuePath, Sequence[ScheduledStep]]] = [(("steps",), schedule.steps)]
    groups.append((("rollback", "steps"), schedule.rollback_steps))
    for base, scheduled in groups:
        ends = {s.id: s.end for s in scheduled}
        for index, item in enumerate(scheduled):
            value = item.step.start
            if not isinstance(value, dt.time) or not item.depends_on:
                continue
            fixed = fixed_start(value, schedule.window_start, schedule.zone)
            ready = max(ends[d] for d in item.depends_on)
            if ready <= fixed:
                continue
            later = next_occurrence(value, ready, schedule.zone).astimezone(schedule.zone)
            ctx.out.append(
                document.warning(
                    (*base, index, "start"),
                    f"start {value:%H:%M} ({schedule.clock(fixed)}) has no effect: "
                    f"the step's dependencies end at {schedule.clock(ready)}",
                    f'for a later day write the date, e.g. start: "{later:%Y-%m-%d %H:%M}"',
                )
            )
