"""The forecast while the call runs: the remaining steps re-scheduled from what the log says.

Steps logged done keep their actual times; a step in progress ends no earlier than now (nor
before its planned duration is over); a step not started starts no earlier than now, its
dependencies' forecast ends and its fixed start. From that: the forecast end of the plan and its
slip, when the point of no return and the next gate will come, and the alarms a call lead must
not miss. One forecast for every place that shows one: `golive log`, `golive call` and the log
page (where "now" is the time of the last entry, so that the page depends on the log only).
From a plan's log: `forecast_from_log(read_log(entries, schedule), schedule, now)` in
call/calllog.py; `Forecast.as_json(plan.gates)` is what `golive call` pushes to the pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from generator.read.models.plan import Gate
from generator.schedule.timefmt import format_iso_utc, format_span
from generator.schedule.timetable import Schedule, ScheduledStep, dependency_order, fixed_start

# Before the point of no return, a rollback that can start no later than this from now is an alarm.
ROLLBACK_WARNING = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class StepForecast:
    """One step as the forecast sees it: its actual or expected start and end (UTC)."""

    scheduled: ScheduledStep
    start: dt.datetime
    end: dt.datetime
    started: bool  # logged as started (or done)
    done: bool

    @property
    def id(self) -> str:
        return self.scheduled.id

    @property
    def late(self) -> bool:
        """In progress for longer than its planned duration."""
        return self.started and not self.done and self.end > self.start + self.scheduled.step.duration


@dataclass(frozen=True)
class NextGate:
    gate: Gate
    at: dt.datetime  # the forecast start of the step the gate is before


@dataclass(frozen=True)
class Forecast:
    schedule: Schedule
    now: dt.datetime
    steps: tuple[StepForecast, ...]
    at_last_entry: bool = False  # "now" is the time of the log's last entry, not the clock's

    @property
    def end(self) -> dt.datetime:
        """When the last step is expected to end."""
        return max((s.end for s in self.steps), default=self.schedule.end)

    @property
    def slip(self) -> dt.timedelta:
        """Forecast end against the planned end: late when positive."""
        return self.end - self.schedule.end

    @property
    def past_window(self) -> bool:
        return self.end > self.schedule.window_end

    @property
    def point_of_no_return(self) -> StepForecast | None:
        point = self.schedule.point_of_no_return
        return self.step(point.id) if point else None

    @property
    def point_of_no_return_passed(self) -> bool:
        point = self.point_of_no_return
        return point is not None and point.started

    @property
    def latest_rollback_start(self) -> dt.datetime:
        return self.schedule.latest_rollback_start

    @property
    def in_progress(self) -> tuple[StepForecast, ...]:
        return tuple(s for s in self.steps if s.started and not s.done)

    @property
    def next_steps(self) -> tuple[StepForecast, ...]:
        """Steps not started whose dependencies are all done: the ones that can start now."""
        done = {s.id for s in self.steps if s.done}
        return tuple(s for s in self.steps if not s.started and all(d in done for d in s.scheduled.depends_on))

    @property
    def finished(self) -> bool:
        return all(s.done for s in self.steps)

    def step(self, step_id: str) -> StepForecast:
        return next(s for s in self.steps if s.id == step_id)

    def next_gate(self, gates: Sequence[Gate]) -> NextGate | None:
        """The first gate still ahead: the one before the step expected to start soonest."""
        ahead = [NextGate(g, self.step(g.before).start) for g in gates if not self.step(g.before).started]
        return min(ahead, key=lambda g: g.at, default=None)

    @property
    def alarm(self) -> str | None:
        """What the call lead must act on, in words; None when all is well."""
        clock = self.schedule.clock
        if self.past_window and not self.finished:
            over = format_span(self.end - self.schedule.window_end)
            return f"forecast end {clock(self.end)} is {over} past the window end {clock(self.schedule.window_end)}"
        if self.schedule.point_of_no_return is not None and not self.point_of_no_return_passed:
            left = self.latest_rollback_start - self.now
            if left < ROLLBACK_WARNING:
                when = f"in {format_span(left)}" if left >= dt.timedelta(0) else f"{format_span(left)} ago"
                return (
                    f"latest rollback start {clock(self.latest_rollback_start)} ({when}), before the point of no return"
                )
        return None

    def line(self) -> str:
        """One line for the terminal: 'forecast end Sun 01:45, 15 min late; latest rollback start in 22 min'."""
        clock = self.schedule.clock
        if self.finished:
            return f"all steps done, ended {clock(self.end)}, {_lateness(self.slip)}"
        parts = [f"forecast end {clock(self.end)}, {_lateness(self.slip)}"]
        if self.at_last_entry:
            parts[0] = f"as of the last entry ({clock(self.now)}): {parts[0]}"
        if self.schedule.point_of_no_return is not None and not self.point_of_no_return_passed:
            left = self.latest_rollback_start - self.now
            when = f"in {format_span(left)}" if left >= dt.timedelta(0) else f"passed {format_span(left)} ago"
            parts.append(f"latest rollback start {when}")
        if self.alarm:
            parts.append(f"ALARM: {self.alarm}")
        return "; ".join(parts)

    def as_json(self, gates: Sequence[Gate]) -> dict[str, Any]:
        """What `golive call` pushes to the pages: times in UTC (ISO 8601), the words already written."""
        point = self.point_of_no_return
        ahead = point is not None and not point.started  # the point of no return and its countdowns
        gate = self.next_gate(gates)
        next_gate = {"id": gate.gate.id, "before": gate.gate.before, "at": format_iso_utc(gate.at)} if gate else None
        return {
            "line": self.line(),
            "at_last_entry": self.at_last_entry,
            "now": format_iso_utc(self.now),
            "end": format_iso_utc(self.end),
            "slip_minutes": _minutes(self.slip),
            "window_end": format_iso_utc(self.schedule.window_end),
            "past_window": self.past_window,
            "point_of_no_return": format_iso_utc(point.start) if point is not None and ahead else None,
            "latest_rollback_start": format_iso_utc(self.latest_rollback_start) if ahead else None,
            "next_gate": next_gate,
            "alarm": self.alarm,
            "in_progress": [
                {
                    "step": s.id,
                    "owner": s.scheduled.step.owner,
                    "started": format_iso_utc(s.start),
                    "planned_minutes": _minutes(s.scheduled.step.duration),
                    "late": s.late,
                }
                for s in self.in_progress
            ],
            "next": [s.id for s in self.next_steps],
            "steps": {s.id: {"start": format_iso_utc(s.start), "end": format_iso_utc(s.end)} for s in self.steps},
        }


def forecast(
    schedule: Schedule,
    started: Mapping[str, dt.datetime],
    done: Mapping[str, dt.datetime],
    now: dt.datetime,
    *,
    at_last_entry: bool = False,
) -> Forecast:
    """Re-schedule the plan's steps from their logged starts and ends (UTC) and the time now."""
    by_id = {s.id: s for s in schedule.steps}
    order = dependency_order({s.id: s.depends_on for s in schedule.steps})
    origin = max(schedule.window_start, now)
    ends: dict[str, dt.datetime] = {}
    forecasts: dict[str, StepForecast] = {}
    for step_id in order:
        scheduled = by_id[step_id]
        duration = scheduled.step.duration
        if step_id in done:
            end = done[step_id]
            start = min(started.get(step_id, end - duration), end)
        elif step_id in started:
            start = started[step_id]
            end = max(start + duration, now)
        else:
            start = max([origin] + [ends[d] for d in scheduled.depends_on])
            if scheduled.step.start is not None:
                start = max(start, fixed_start(scheduled.step.start, schedule.window_start, schedule.zone))
            end = start + duration
        ends[step_id] = end
        forecasts[step_id] = StepForecast(scheduled, start, end, step_id in started or step_id in done, step_id in done)
    return Forecast(schedule, now, tuple(forecasts[s.id] for s in schedule.steps), at_last_entry)


def _lateness(slip: dt.timedelta) -> str:
    minutes = _minutes(slip)
    if minutes == 0:
        return "on time"
    return f"{format_span(slip)} {'late' if minutes > 0 else 'early'}"


def _minutes(delta: dt.timedelta) -> int:
    return round(delta.total_seconds() / 60)
