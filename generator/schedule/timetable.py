"""Planned times of every step: a plan's timetable, in elapsed (UTC) time.

All arithmetic is done on aware datetimes in UTC, so ten minutes are ten real
minutes also on the night the clocks change; local wall-clock time is only
used to read the sources and to show times.
"""

from __future__ import annotations

import datetime as dt
import functools
import graphlib
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.read.models.common import WeekdayTime
from generator.read.models.plan import Plan, Step
from generator.schedule.timefmt import DayStyle, format_clock, format_t_offset

UTC = dt.UTC


class NonexistentTime(ValueError):
    """A wall-clock time skipped when the clocks went forward."""


class DependencyCycle(ValueError):
    """Steps that depend on each other in a circle."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__(" -> ".join(cycle))
        self.cycle = cycle


def localize(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """Read a written datetime in `zone` (unless it has an offset); return it in UTC.

    A time that occurs twice when the clocks go back is taken at its first
    occurrence; a time skipped when they go forward is refused.
    """
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    in_utc = value.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if in_utc.astimezone(zone).replace(tzinfo=None) != value:
        raise NonexistentTime(f"{value:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks skip it")
    return in_utc


@dataclass(frozen=True)
class ScheduledStep:
    """A step with its planned start and end (UTC)."""

    step: Step
    start: dt.datetime
    end: dt.datetime
    depends_on: tuple[str, ...]
    critical: bool = False

    @property
    def id(self) -> str:
        return self.step.id


@dataclass(frozen=True)
class Schedule:
    """The timetable of one plan and what follows from it."""

    zone: ZoneInfo
    window_start: dt.datetime
    window_end: dt.datetime
    steps: tuple[ScheduledStep, ...]
    critical_path: tuple[str, ...]
    rollback_start: dt.datetime
    rollback_steps: tuple[ScheduledStep, ...]
    point_of_no_return: ScheduledStep | None

    # A schedule never changes: what is derived from every step is computed once.
    @functools.cached_property
    def end(self) -> dt.datetime:
        """Planned end of the last step."""
        return max((s.end for s in self.steps), default=self.window_start)

    @property
    def overrun(self) -> dt.timedelta:
        """How far the planned end lies past the window end (negative: slack)."""
        return self.end - self.window_end

    @property
    def fits_window(self) -> bool:
        return self.end <= self.window_end

    @functools.cached_property
    def rollback_duration(self) -> dt.timedelta:
        ends = [s.end for s in self.rollback_steps]
        return max(ends) - self.rollback_start if ends else dt.timedelta(0)

    @property
    def latest_rollback_start(self) -> dt.datetime:
        """The last moment a rollback can start and still end inside the window."""
        return self.window_end - self.rollback_duration

    @property
    def rollback_fits_after_point_of_no_return(self) -> bool:
        if self.point_of_no_return is None:
            return True
        return self.point_of_no_return.start <= self.latest_rollback_start

    @functools.cached_property
    def crosses_dst_change(self) -> bool:
        """True when the UTC offset changes between window start and the later of end and schedule end."""
        last = max(self.window_end, self.end)
        return self.window_start.astimezone(self.zone).utcoffset() != last.astimezone(self.zone).utcoffset()

    def step(self, step_id: str) -> ScheduledStep:
        return self._by_id[step_id]

    @functools.cached_property
    def _by_id(self) -> dict[str, ScheduledStep]:
        by_id: dict[str, ScheduledStep] = {}
        for scheduled in (*self.steps, *self.rollback_steps):
            by_id.setdefault(scheduled.id, scheduled)  # the first listed wins
        return by_id

    @functools.cached_property
    def dates(self) -> tuple[dt.date, dt.date]:
        """The first and last local date the plan's times fall on: window, schedule and rollback."""
        last = max(self.window_end, self.end, *(s.end for s in self.rollback_steps))
        return self.window_start.astimezone(self.zone).date(), last.astimezone(self.zone).date()

    @property
    def multi_date(self) -> bool:
        """True when the window (or its schedule) covers more than one local calendar date."""
        first, last = self.dates
        return first != last

    @property
    def day_style(self) -> DayStyle:
        """What clock() adds to the time of day inside the window: "", "weekday" or "date"."""
        first, last = self.dates
        return "" if first == last else "date" if (last - first).days > 6 else "weekday"

    def clock(self, moment: dt.datetime, with_day: bool | None = None) -> str:
        """The one way golive shows a moment: local HH:MM on a single-date window, with the
        weekday ("Sun 14:00") when the window covers several dates, and the date too
        ("Sun 3 Jan 14:00") when it spans more than 6 days; the UTC offset is added when
        the window spans a clock change. A moment on another date than a single-date window
        (a log entry the evening before) shows its day as well. `with_day` forces the day
        on (a diff between a single-date and a multi-date schedule) or off."""
        first, last = self.dates
        return format_clock(moment.astimezone(self.zone), first, last, with_day, with_offset=self.crosses_dst_change)

    def t_offset(self, moment: dt.datetime) -> str:
        """Time since window start, as T+H:MM."""
        return format_t_offset(moment - self.window_start)


def effective_dependencies(steps: Sequence[Step]) -> dict[str, tuple[str, ...]]:
    """What each step waits for: its depends_on, or else the step listed before it."""
    result: dict[str, tuple[str, ...]] = {}
    previous: str | None = None
    for step in steps:
        if step.depends_on is not None:
            result[step.id] = tuple(step.depends_on)
        elif step.start is None and previous is not None:
            result[step.id] = (previous,)
        else:
            result[step.id] = ()
        previous = step.id
    return result


def dependency_order(dependencies: dict[str, tuple[str, ...]]) -> list[str]:
    """Step ids so that each comes after what it depends on; raise DependencyCycle.

    The order is graphlib's static order (ready steps in rounds, in the order first
    named), computed here in linear time; a cycle is left to graphlib to report.
    """
    waiting: dict[str, int] = {}
    successors: dict[str, list[str]] = {}
    for step_id, needs in dependencies.items():
        if step_id not in waiting:
            waiting[step_id] = 0
            successors[step_id] = []
        waiting[step_id] += len(needs)
        for need in needs:
            if need not in waiting:
                waiting[need] = 0
                successors[need] = []
            successors[need].append(step_id)
    ready = [step_id for step_id, count in waiting.items() if count == 0]
    order: list[str] = []
    while ready:
        order.extend(ready)
        released: list[str] = []
        for step_id in ready:
            for successor in successors[step_id]:
                waiting[successor] -= 1
                if waiting[successor] == 0:
                    released.append(successor)
        ready = released
    if len(order) == len(waiting):
        return order
    sorter = graphlib.TopologicalSorter(dependencies)
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        cycle = list(error.args[1])
        # graphlib reports the cycle from the end; show it in dependency order
        raise DependencyCycle(list(reversed(cycle))) from None
    raise AssertionError("unreachable: steps left unordered without a cycle")


def fixed_start(value: dt.datetime | dt.time | WeekdayTime, window_start: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A step's fixed start in UTC: a datetime, or the first occurrence at or after the window
    start of a time of day or of a weekday and time."""
    if isinstance(value, dt.datetime):
        return localize(value, zone)
    return next_occurrence(value, window_start, zone)


def next_occurrence(value: dt.time | WeekdayTime, after: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The first moment at or after `after` (UTC) whose local time (and weekday) is `value`."""
    time = value.time if isinstance(value, WeekdayTime) else value
    day = after.astimezone(zone).date()
    for _ in range(9):
        if not isinstance(value, WeekdayTime) or day.weekday() == value.weekday:
            candidate = localize(dt.datetime.combine(day, time), zone)
            if candidate >= after:
                return candidate
        day += dt.timedelta(days=1)
    raise AssertionError("unreachable: a weekday and time recur within nine days")


def schedule_steps(
    steps: Sequence[Step], origin: dt.datetime, window_start: dt.datetime, zone: ZoneInfo
) -> tuple[ScheduledStep, ...]:
    """Plan start and end of each step from `origin` on; steps keep their listed order."""
    dependencies, starts, ends = _timetable(steps, origin, window_start, zone)
    return tuple(ScheduledStep(step, starts[step.id], ends[step.id], dependencies[step.id]) for step in steps)


Timetable = tuple[dict[str, tuple[str, ...]], dict[str, dt.datetime], dict[str, dt.datetime]]


def _timetable(steps: Sequence[Step], origin: dt.datetime, window_start: dt.datetime, zone: ZoneInfo) -> Timetable:
    """What each step waits for, and its start and end, by step id."""
    dependencies = effective_dependencies(steps)
    by_id = {step.id: step for step in steps}
    ends: dict[str, dt.datetime] = {}
    starts: dict[str, dt.datetime] = {}
    for step_id in dependency_order(dependencies):
        step = by_id[step_id]
        start = origin
        for dependency in dependencies[step_id]:
            start = max(start, ends[dependency])
        if step.start is not None:
            start = max(start, fixed_start(step.start, window_start, zone))
        starts[step_id] = start
        ends[step_id] = start + step.duration
    return dependencies, starts, ends


def _critical_ids(steps: Sequence[Step], timetable: Timetable) -> tuple[str, ...]:
    """The chain of steps that ends last, each waiting on the one before it (its binding dependency)."""
    if not steps:
        return ()
    dependencies, starts, ends = timetable
    last = max(steps, key=lambda s: ends[s.id]).id  # first listed wins a tie
    chain = [last]
    while True:
        current = chain[-1]
        binding = [d for d in dependencies[current] if ends[d] == starts[current]]
        if not binding:
            break
        chain.append(binding[0])
    return tuple(reversed(chain))


def schedule_plan(plan: Plan) -> Schedule:
    """Compute the schedule of a plan whose references have been checked."""
    zone = ZoneInfo(plan.timezone)
    window_start = localize(plan.window.start, zone)
    window_end = localize(plan.window.end, zone)
    timetable = _timetable(plan.steps, window_start, window_start, zone)
    path = _critical_ids(plan.steps, timetable)
    on_path = set(path)
    dependencies, starts, ends = timetable
    scheduled = tuple(
        ScheduledStep(step, starts[step.id], ends[step.id], dependencies[step.id], step.id in on_path)
        for step in plan.steps
    )
    point = next((s for s in scheduled if s.step.point_of_no_return), None)
    rollback_start = point.start if point else window_start
    rollback_steps = plan.rollback.steps if plan.rollback else []
    rollback = schedule_steps(rollback_steps, rollback_start, window_start, zone)
    return Schedule(zone, window_start, window_end, scheduled, path, rollback_start, rollback, point)


def moved_schedule(schedule: Schedule, origin: dt.datetime) -> Schedule:
    """The schedule as if its window started at `origin` (UTC): a rehearsal's T+0:00.

    Every planned time moves by the same elapsed time. A step's fixed start becomes the moment it
    moved to, so that a forecast against the moved schedule waits for it there (a rehearsal has
    no night of its own: "02:00" means two hours after T+0:00 as on the night, not the next 02:00).
    """
    shift = origin - schedule.window_start

    def move(scheduled: ScheduledStep) -> ScheduledStep:
        step = scheduled.step
        if step.start is not None:
            moved_start = fixed_start(step.start, schedule.window_start, schedule.zone) + shift
            step = step.model_copy(update={"start": moved_start})
        start, end = scheduled.start + shift, scheduled.end + shift
        return ScheduledStep(step, start, end, scheduled.depends_on, scheduled.critical)

    steps = tuple(move(s) for s in schedule.steps)
    rollback = tuple(move(s) for s in schedule.rollback_steps)
    point = next((s for s in steps if s.step.point_of_no_return), None)
    return Schedule(
        schedule.zone,
        origin,
        schedule.window_end + shift,
        steps,
        schedule.critical_path,
        schedule.rollback_start + shift,
        rollback,
        point,
    )
