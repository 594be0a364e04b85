"""The call as logged: the log page's rows and figures, and the live bar's result once the call is over."""

from __future__ import annotations

from dataclasses import dataclass

from generator.call.calllog import CallLog, forecast_from_log
from generator.read.models.plan import FINISHED_STATUSES, Plan
from generator.schedule.timefmt import format_slip, format_span
from generator.schedule.timetable import Schedule
from generator.site.views.people import ContactBook


@dataclass(frozen=True, slots=True)
class LogRow:
    time: str
    t_offset: str
    kind: str
    by: str
    step: str  # "#4 Scale checkout-web", or "" when the entry names no step
    severity: str
    text: str
    extra: bool  # from the post-mortem's timeline_extra


@dataclass(frozen=True, slots=True)
class StepActualRow:
    number: int
    title: str
    planned_start: str
    actual_start: str
    planned_end: str
    actual_end: str
    slip: str
    status: str  # on time | late | not logged


@dataclass(frozen=True, slots=True)
class IssueRow:
    time: str
    severity: str
    text: str
    by: str
    resolution: str
    resolved_at: str
    time_to_resolve: str


@dataclass(frozen=True, slots=True)
class LogView:
    rows: tuple[LogRow, ...]
    steps: tuple[StepActualRow, ...]
    issues: tuple[IssueRow, ...]
    steps_done: int
    steps_total: int
    steps_on_time: int
    steps_late: int
    by_severity: tuple[tuple[str, int], ...]
    longest_issue: str
    rollback: str
    first_issue_to_last_resolution: str
    schedule_slip: str
    forecast: str  # while steps are still to be done: the forecast at the last entry, else ""


def log_view(schedule: Schedule, book: ContactBook, call_log: CallLog, *, call_over: bool = True) -> LogView:
    """The log page: every entry, each step as planned and as done, the issues, the figures;
    the forecast too while the call is not over."""
    numbers = _step_numbers(schedule)
    return LogView(
        rows=_entry_rows(schedule, book, call_log, numbers),
        steps=_step_rows(schedule, call_log, numbers),
        issues=_issue_rows(schedule, book, call_log),
        steps_done=call_log.steps_done,
        steps_total=len(call_log.steps),
        steps_on_time=call_log.steps_on_time,
        steps_late=call_log.steps_late,
        by_severity=tuple(call_log.by_severity.items()),
        longest_issue=_longest_issue(call_log),
        rollback=_rollback(schedule, call_log),
        first_issue_to_last_resolution=format_span(call_log.first_issue_to_last_resolution),
        schedule_slip=format_slip(call_log.final_slip),
        forecast="" if call_over else _forecast(schedule, call_log),
    )


def _forecast(schedule: Schedule, call_log: CallLog) -> str:
    """The forecast at the last entry of a log that stops before the end (no rollback ran): the
    page is built from the log alone, so it is the call's state as last written."""
    partial = call_log.entries and call_log.steps_done < len(call_log.steps) and call_log.rollback_started is None
    return forecast_from_log(call_log, schedule, None).line() if partial else ""


def log_rows(schedule: Schedule, book: ContactBook, call_log: CallLog) -> tuple[LogRow, ...]:
    """The log's entries as the log page lists them (the post-mortem's timeline, with its own entries)."""
    return _entry_rows(schedule, book, call_log, _step_numbers(schedule))


def _step_numbers(schedule: Schedule) -> dict[str, int]:
    """Each step's number on the pages (#1 first), by id."""
    return {s.id: n for n, s in enumerate(schedule.steps, start=1)}


def log_figures(schedule: Schedule, call_log: CallLog) -> tuple[tuple[str, str], ...]:
    """The call in figures, as the post-mortem sums it up: steps, slip, issues, rollback."""
    return (
        ("Steps done", f"{call_log.steps_done} of {len(call_log.steps)}"),
        ("Steps on time", f"{call_log.steps_on_time} (late: {call_log.steps_late})"),
        ("Schedule slip at the end", format_slip(call_log.final_slip)),
        ("First issue to last resolution", format_span(call_log.first_issue_to_last_resolution)),
        ("Issues", ", ".join(f"{n} {sev}" for sev, n in call_log.by_severity.items() if n) or "none"),
        ("Rollback", _rollback(schedule, call_log)),
    )


def _entry_rows(
    schedule: Schedule, book: ContactBook, call_log: CallLog, numbers: dict[str, int]
) -> tuple[LogRow, ...]:
    titles = {s.id: s.step.title for s in (*schedule.steps, *schedule.rollback_steps)}
    rollback_numbers = {s.id: n for n, s in enumerate(schedule.rollback_steps, start=1)}

    def step_label(step_id: str | None) -> str:
        if not step_id:
            return ""
        if step_id in numbers:
            return f"#{numbers[step_id]} {titles[step_id]}"
        return f"R{rollback_numbers.get(step_id, '?')} {titles.get(step_id, step_id)}"

    return tuple(
        LogRow(
            schedule.clock(t.at),
            schedule.t_offset(t.at),
            t.entry.kind,
            book.contact(t.entry.by).name,
            step_label(t.entry.step),
            t.entry.severity or "",
            t.entry.text or "",
            t.extra,
        )
        for t in call_log.entries
    )


def _step_rows(schedule: Schedule, call_log: CallLog, numbers: dict[str, int]) -> tuple[StepActualRow, ...]:
    return tuple(
        StepActualRow(
            numbers[a.scheduled.id],
            a.scheduled.step.title,
            schedule.clock(a.scheduled.start),
            schedule.clock(a.started) if a.started else "—",
            schedule.clock(a.scheduled.end),
            schedule.clock(a.done) if a.done else "—",
            format_slip(a.slip),
            "not logged" if a.on_time is None else "on time" if a.on_time else "late",
        )
        for a in call_log.steps
    )


def _issue_rows(schedule: Schedule, book: ContactBook, call_log: CallLog) -> tuple[IssueRow, ...]:
    return tuple(
        IssueRow(
            schedule.clock(i.entry.at),
            i.entry.entry.severity or "",
            i.entry.entry.text or "",
            book.contact(i.entry.entry.by).name,
            (i.resolution.entry.text or "") if i.resolution else "unresolved",
            schedule.clock(i.resolution.at) if i.resolution else "—",
            format_span(i.time_to_resolve),
        )
        for i in call_log.issues
    )


def _longest_issue(call_log: CallLog) -> str:
    longest = call_log.longest_issue
    if longest is None:
        return "—"
    issue, span = longest
    state = "" if issue.resolution else ", still open at the last entry"
    return f"{format_span(span)}: {issue.entry.entry.text or issue.entry.entry.id}{state}"


def _rollback(schedule: Schedule, call_log: CallLog) -> str:
    if call_log.rollback_started is None:
        return "not started"
    rollback = f"started at {schedule.clock(call_log.rollback_started)}"
    if call_log.rollback_done is not None:
        rollback += f", done at {schedule.clock(call_log.rollback_done)}"
    return rollback


@dataclass(frozen=True, slots=True)
class LiveResult:
    """What the runbook's live bar shows once the call is over."""

    outcome: str  # the plan's status: completed | rolled-back
    text: str  # "20 of 24 steps done, ended 02:09", from log.yaml


def live_result(plan: Plan, schedule: Schedule, call_log: CallLog | None) -> LiveResult | None:
    """The logged result of a finished plan's call; None while the call is still to come or running."""
    if plan.status not in FINISHED_STATUSES:
        return None
    if call_log is None or call_log.last_entry is None:
        return LiveResult(plan.status, "nothing logged")
    parts = [f"{call_log.steps_done} of {len(call_log.steps)} steps done"]
    if call_log.rollback_started is not None:
        rollback = f"rollback started {schedule.clock(call_log.rollback_started)}"
        if call_log.rollback_done is not None:
            rollback += f", done {schedule.clock(call_log.rollback_done)}"
        parts.append(rollback)
    parts.append(f"ended {schedule.clock(call_log.last_entry)}")
    return LiveResult(plan.status, ", ".join(parts))
