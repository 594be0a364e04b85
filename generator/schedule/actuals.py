"""How long each step really took in one run of a plan: its call (log.yaml) or a rehearsal.

A step's actual duration runs from its logged start to its logged end. When only the end was
logged, the step is taken to have started once its dependencies were done (not before its fixed
start, if it has one); a step with no dependency, at its planned time (moved with the run, for a
rehearsal). A step with neither start nor end logged is "not reached". Entries are read in time
order; a step's first start and last end count.

One tolerance judges every estimate: a step is late (or early) when its actual duration is off
its planned one by more than 20% of it and by more than 5 minutes; within that, it was on estimate.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.read.models.log import LogEntry
from generator.schedule.timetable import NonexistentTime, Schedule, ScheduledStep, localize

ESTIMATE_SHARE = 0.2
ESTIMATE_FLOOR = dt.timedelta(minutes=5)


def tolerance(planned: dt.timedelta) -> dt.timedelta:
    """How far an actual duration may be from the planned one and still be on estimate."""
    return max(planned * ESTIMATE_SHARE, ESTIMATE_FLOOR)


def overran(planned: dt.timedelta, actual: dt.timedelta) -> bool:
    """Took longer than planned by more than 20% and more than 5 minutes."""
    return actual - planned > tolerance(planned)


def on_estimate(planned: dt.timedelta, actual: dt.timedelta) -> bool:
    """Within ±20% (or ±5 minutes, whichever is more) of the planned duration."""
    return abs(actual - planned) <= tolerance(planned)


def median_duration(durations: Iterable[dt.timedelta]) -> dt.timedelta | None:
    """The median of measured durations (the mean of the middle two for an even count); None for none."""
    seconds = [d.total_seconds() for d in durations]
    return dt.timedelta(seconds=statistics.median(seconds)) if seconds else None


def whole_minutes(delta: dt.timedelta) -> dt.timedelta:
    """A measured duration to the nearest minute, half a minute up, as people round (a median of
    30m and 31m is 31m): how pages and messages show what was measured."""
    return dt.timedelta(minutes=int(delta.total_seconds() / 60 + 0.5))


@dataclass(frozen=True, slots=True)
class StepRun:
    """One step as one run did it."""

    id: str
    title: str
    planned: dt.timedelta
    actual: dt.timedelta | None  # None: not finished in this run (or never reached)
    reached: bool  # logged as started or done
    done: dt.datetime | None  # when it was logged done (UTC)

    @property
    def overran(self) -> bool:
        return self.actual is not None and overran(self.planned, self.actual)

    @property
    def on_estimate(self) -> bool | None:
        return None if self.actual is None else on_estimate(self.planned, self.actual)

    @property
    def excess(self) -> dt.timedelta | None:
        """Actual minus planned: positive when the step took longer than planned."""
        return None if self.actual is None else self.actual - self.planned


@dataclass(frozen=True, slots=True)
class RunActuals:
    """Every step of the plan as one run did it, in schedule order."""

    origin: dt.datetime  # T+0:00 of the run (UTC): the window start, or the rehearsal's start
    steps: tuple[StepRun, ...]
    last_entry: dt.datetime | None

    @property
    def complete(self) -> bool:
        """Every step was logged done."""
        return all(s.done is not None for s in self.steps)

    @property
    def finished(self) -> dt.datetime | None:
        """When the last step was done, once every step was."""
        return max((s.done for s in self.steps if s.done is not None), default=None) if self.complete else None

    @property
    def total(self) -> dt.timedelta | None:
        """From T+0:00 to the last step done, once every step was."""
        finished = self.finished
        return None if finished is None else finished - self.origin

    @property
    def measured(self) -> tuple[StepRun, ...]:
        """The steps with an actual duration."""
        return tuple(s for s in self.steps if s.actual is not None)

    @property
    def accuracy(self) -> tuple[int, int]:
        """How many steps were on estimate, of those with an actual duration."""
        measured = self.measured
        return sum(1 for s in measured if s.on_estimate), len(measured)

    @property
    def slipped_most(self) -> StepRun | None:
        """The step that took longest beyond its planned duration (None when none did)."""
        late = [s for s in self.measured if s.excess is not None and s.excess > dt.timedelta(0)]
        return max(late, key=lambda s: (s.excess, -self.steps.index(s)), default=None)


def logged_times(
    entries: Sequence[LogEntry], zone: ZoneInfo
) -> tuple[dict[str, dt.datetime], dict[str, dt.datetime], dt.datetime | None]:
    """Each step's first logged start and last logged end (UTC), and the last entry's time.

    Entries at a time the zone skips are left out (validation reports them).
    """
    timed: list[tuple[dt.datetime, int, LogEntry]] = []
    for index, entry in enumerate(entries):
        try:
            timed.append((localize(entry.at, zone), index, entry))
        except NonexistentTime:
            continue
    timed.sort(key=lambda t: (t[0], t[1]))
    started: dict[str, dt.datetime] = {}
    done: dict[str, dt.datetime] = {}
    for at, _, entry in timed:
        if entry.step is None:
            continue
        if entry.kind == "step-started":
            started.setdefault(entry.step, at)
        elif entry.kind == "step-done":
            done[entry.step] = at
    return started, done, (timed[-1][0] if timed else None)


def run_actuals(schedule: Schedule, entries: Sequence[LogEntry], origin: dt.datetime | None = None) -> RunActuals:
    """The run's steps as logged in `entries`; `origin` is its T+0:00 (default: the window start)."""
    origin = schedule.window_start if origin is None else origin
    shift = origin - schedule.window_start
    started, done, last = logged_times(entries, schedule.zone)
    steps = []
    for item in schedule.steps:
        end = done.get(item.id)
        actual = None
        if end is not None:
            start = started.get(item.id)
            if start is None:
                start = _inferred_start(item, done, shift)
            actual = max(end - start, dt.timedelta(0))
        reached = item.id in started or end is not None
        steps.append(StepRun(item.id, item.step.title, item.step.duration, actual, reached, end))
    return RunActuals(origin, tuple(steps), last)


def _inferred_start(item: ScheduledStep, done: dict[str, dt.datetime], shift: dt.timedelta) -> dt.datetime:
    """When a step whose end alone was logged started: once its dependencies were all done (not
    before a fixed start), else at its planned time, moved with the run."""
    planned = item.start + shift
    if not item.depends_on or any(d not in done for d in item.depends_on):
        return planned
    ready = max(done[d] for d in item.depends_on)
    return max(ready, planned) if item.step.start is not None else ready
