"""What the call's log says against the plan: actual times, slips, issues and their resolution."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from generator.read.models.log import SEVERITIES, LogEntry, Rehearsal
from generator.schedule.forecast import Forecast, forecast
from generator.schedule.timetable import NonexistentTime, Schedule, ScheduledStep, localize, moved_schedule

# Longer than this after the window, the forecast is the one at the log's last entry.
FORECAST_HORIZON = dt.timedelta(days=1)
# A step that starts (or, when only its end was logged, ends) within this of plan is on time.
ON_TIME_TOLERANCE = dt.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class TimedEntry:
    """A log entry with its time in UTC, in log order."""

    at: dt.datetime
    entry: LogEntry
    extra: bool = False  # from the post-mortem's timeline_extra, not the log


@dataclass(frozen=True, slots=True)
class StepActual:
    scheduled: ScheduledStep
    started: dt.datetime | None
    done: dt.datetime | None

    @property
    def slip(self) -> dt.timedelta | None:
        """Late (positive) or early (negative) against plan: the start if logged, else the end."""
        if self.started is not None:
            return self.started - self.scheduled.start
        if self.done is not None:
            return self.done - self.scheduled.end
        return None

    @property
    def on_time(self) -> bool | None:
        slip = self.slip
        return None if slip is None else slip <= ON_TIME_TOLERANCE


@dataclass(frozen=True, slots=True)
class Issue:
    entry: TimedEntry
    resolution: TimedEntry | None

    @property
    def time_to_resolve(self) -> dt.timedelta | None:
        return self.resolution.at - self.entry.at if self.resolution else None


@dataclass
class CallLog:
    """A plan's log read against its schedule."""

    entries: list[TimedEntry]
    steps: list[StepActual]
    issues: list[Issue]
    rollback_started: dt.datetime | None = None
    rollback_done: dt.datetime | None = None
    by_severity: dict[str, int] = field(default_factory=dict)

    @property
    def last_entry(self) -> dt.datetime | None:
        return self.entries[-1].at if self.entries else None

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.done is not None)

    @property
    def steps_on_time(self) -> int:
        return sum(1 for s in self.steps if s.on_time is True)

    @property
    def steps_late(self) -> int:
        return sum(1 for s in self.steps if s.on_time is False)

    @property
    def longest_issue(self) -> tuple[Issue, dt.timedelta] | None:
        """The issue open longest; an unresolved one counts until the last log entry."""
        candidates = []
        for issue in self.issues:
            end = issue.resolution.at if issue.resolution else self.last_entry
            if end is not None:
                candidates.append((issue, end - issue.entry.at))
        return max(candidates, key=lambda c: c[1], default=None)

    @property
    def first_issue_to_last_resolution(self) -> dt.timedelta | None:
        resolved = [i.resolution.at for i in self.issues if i.resolution]
        if not self.issues or not resolved:
            return None
        return max(resolved) - min(i.entry.at for i in self.issues)

    @property
    def final_step(self) -> StepActual | None:
        """The step planned to end last (the end of the critical path)."""
        return max(self.steps, key=lambda s: s.scheduled.end, default=None)

    @property
    def final_slip(self) -> dt.timedelta | None:
        """How late (or early) the plan's last step was done; None until it is logged done."""
        last = self.final_step
        return last.done - last.scheduled.end if last is not None and last.done is not None else None


def read_log(entries: Sequence[LogEntry], schedule: Schedule, extra: Sequence[LogEntry] = ()) -> CallLog:
    """Read log entries (and a post-mortem's extra ones) against the schedule."""
    zone: ZoneInfo = schedule.zone
    timed = [TimedEntry(localize(e.at, zone), e) for e in entries]
    timed += [TimedEntry(localize(e.at, zone), e, extra=True) for e in extra]
    timed.sort(key=lambda t: t.at)  # stable: log order is kept for equal times
    started: dict[str, dt.datetime] = {}
    done: dict[str, dt.datetime] = {}
    issues: list[Issue] = []
    open_issues: list[int] = []  # indexes into issues, oldest first
    by_id: dict[str, int] = {}
    log = CallLog(timed, [], [])
    for item in timed:
        entry = item.entry
        if entry.kind == "step-started" and entry.step:
            started.setdefault(entry.step, item.at)
        elif entry.kind == "step-done" and entry.step:
            done[entry.step] = item.at
        elif entry.kind == "issue":
            issues.append(Issue(item, None))
            open_issues.append(len(issues) - 1)
            if entry.id:
                by_id[entry.id] = len(issues) - 1
        elif entry.kind == "resolution":
            index = by_id.get(entry.resolves) if entry.resolves else (open_issues[0] if open_issues else None)
            if index is not None and index in open_issues:
                issues[index] = Issue(issues[index].entry, item)
                open_issues.remove(index)
        elif entry.kind == "rollback-started" and log.rollback_started is None:
            log.rollback_started = item.at
        elif entry.kind == "rollback-done":
            log.rollback_done = item.at
    log.steps = [StepActual(s, started.get(s.id), done.get(s.id)) for s in schedule.steps]
    log.issues = issues
    log.by_severity = {sev: sum(1 for i in issues if i.entry.entry.severity == sev) for sev in SEVERITIES}
    return log


def forecast_from_log(log: CallLog, schedule: Schedule, now: dt.datetime | None) -> Forecast:
    """The forecast from the steps this log says were started and done, at `now`; at the time of
    the last entry instead when `now` is None (a built page) or long after the window (a log
    typed in afterwards), where "now" says nothing about the call."""
    started = {s.scheduled.id: s.started for s in log.steps if s.started is not None}
    done = {s.scheduled.id: s.done for s in log.steps if s.done is not None}
    last = log.last_entry or schedule.window_start
    if now is None or now > schedule.window_end + FORECAST_HORIZON:
        return forecast(schedule, started, done, last, at_last_entry=True)
    return forecast(schedule, started, done, now)


def rehearsal_schedule(rehearsal: Rehearsal, schedule: Schedule) -> Schedule | None:
    """The plan's schedule moved to the rehearsal's start, its T+0:00; None when that start does not
    exist in the plan's zone (validation says so)."""
    try:
        return moved_schedule(schedule, localize(rehearsal.started, schedule.zone))
    except NonexistentTime:
        return None


def rehearsal_forecast(rehearsal: Rehearsal, schedule: Schedule, now: dt.datetime | None) -> Forecast | None:
    """The forecast of a rehearsal from its entries, against the plan's schedule moved to its start."""
    moved = rehearsal_schedule(rehearsal, schedule)
    if moved is None:
        return None
    return forecast_from_log(read_log(rehearsal.entries, moved), moved, now)
