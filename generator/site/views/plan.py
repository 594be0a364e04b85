"""What the pages of one plan show: the plan view, built complete from a validated project.

Its parts have their own modules: people (contacts, clocks), steps, timeline, checklists,
contacts (the contact sheet), log, postmortem, revision (the fingerprint).
"""

from __future__ import annotations

import datetime as dt
import json
import string
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.call.calllog import read_log
from generator.check.rules.learning import rehearsal_runs
from generator.check.validate import Validation
from generator.diagnostics import Diagnostic
from generator.read.models.plan import FINISHED_STATUSES, PLACEHOLDERS, Plan, Status, lead_of
from generator.read.sources import PlanSources, Project
from generator.schedule.actuals import RunActuals
from generator.schedule.timefmt import format_duration, format_iso_utc, format_span
from generator.schedule.timetable import Schedule
from generator.site.views.checklists import ChecklistGroup, checklist_groups
from generator.site.views.contacts import ContactRow, StakeholderView, contact_rows, stakeholder_views
from generator.site.views.learning import Rehearsals, accuracy_text, rehearsals
from generator.site.views.log import LiveResult, LogView, live_result, log_view
from generator.site.views.people import Contact, ContactBook, short_names
from generator.site.views.postmortem import PostmortemView, postmortem_view
from generator.site.views.revision import plan_fingerprint
from generator.site.views.steps import GateView, StepRow, gate_views, step_rows
from generator.site.views.timeline import Timeline, timeline

PLAN_PAGES = (
    ("index.md", "Overview"),
    ("runbook.md", "Runbook"),
    ("contacts.md", "Contact sheet"),
    ("rollback.md", "Rollback"),
    ("checklists.md", "Checklists"),
    ("communications.md", "Communications"),
    ("log.md", "Log"),
    ("postmortem.md", "Post-mortem"),
    ("history.md", "History"),  # made from git at build time by the MkDocs plugin
    ("print.md", "Print"),
)


@dataclass(frozen=True, slots=True)
class ChannelView:
    kind: str
    name: str
    link: str | None
    details: str | None


@dataclass(frozen=True, slots=True)
class ObjectiveView:
    text: str
    metric: str | None
    target: str | None


@dataclass(frozen=True, slots=True)
class MonitorView:
    name: str
    link: str | None
    watch: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MessageView:
    id: str
    audience: str
    channel: str
    when: str
    text: str


@dataclass(frozen=True, slots=True)
class ApprovalView:
    person: Contact
    decision: str
    date: str | None


@dataclass(frozen=True, slots=True)
class PlanView:
    """Everything the pages of one plan show."""

    id: str
    title: str
    version: int
    status: Status
    system: str | None
    summary: str | None  # Markdown
    timezone: str  # the plan's, "Europe/Berlin"
    zone: ZoneInfo  # the same, to read a moment on the plan's clock
    fingerprint: str
    lead: StakeholderView
    window_start: dt.datetime
    window_end: dt.datetime
    window_local: str
    window_utc: str
    window_start_utc: str  # ISO 8601, for the live mode's clock
    clock_day: str  # what the live clock adds to HH:MM:SS: "", "weekday" or "date" (Schedule.clock)
    planned_end: str
    fits_window: bool
    slack: str  # "1 h 00 min to spare" or "35 min late"
    crosses_dst: bool
    objectives: tuple[ObjectiveView, ...]
    steps: tuple[StepRow, ...]
    critical_path_steps: int
    gates: tuple[GateView, ...]
    timeline: Timeline
    stakeholders: tuple[StakeholderView, ...]
    contact_rows: tuple[ContactRow, ...]
    channels: tuple[ChannelView, ...]
    approvals: tuple[ApprovalView, ...]
    has_rollback: bool
    rollback_owner: Contact | None
    rollback_triggers: tuple[str, ...]
    rollback_steps: tuple[StepRow, ...]
    rollback_duration: str
    point_of_no_return: StepRow | None
    latest_rollback_start: str
    rollback_fits: bool
    checklists: dict[str, tuple[ChecklistGroup, ...]]
    monitors: tuple[MonitorView, ...]
    messages: tuple[MessageView, ...]
    warnings: tuple[str, ...]
    log: LogView | None
    postmortem: PostmortemView
    live_result: LiveResult | None  # once the call is over (completed, rolled back)
    series: str | None  # the id of its series, whose page it links to
    estimates: tuple[int, int] | None  # steps of the logged call on estimate, of those measured
    rehearsals: Rehearsals
    pages: tuple[tuple[str, str], ...] = PLAN_PAGES

    @property
    def live_people(self) -> str:
        """The live mode's people as JSON, {id: [name, short name]}, for the runbook's live div."""
        contacts = [s.person for s in self.stakeholders]
        short = short_names(contacts)
        return json.dumps({c.id: [c.name, short[c.id]] for c in contacts}, ensure_ascii=False, sort_keys=True)

    @property
    def accuracy(self) -> str:
        """ "14 of 20 steps (70%)", from the log; "" without one."""
        return accuracy_text(*self.estimates) if self.estimates is not None else ""

    @property
    def bridge(self) -> ChannelView | None:
        return next((c for c in self.channels if c.kind == "bridge"), None)


def _window_text(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    end_format = "%H:%M %Z" if local_start.date() == local_end.date() else "%a %d %b %Y %H:%M %Z"
    return f"{local_start:%a %d %b %Y %H:%M %Z} to {local_end:{end_format}}"


def fill_message(template: str, values: dict[str, str]) -> str:
    """Fill {placeholders}; validation has made sure every one is a known bare name.

    Not str.format: a format spec such as {title:>1000000000} must never run, even unchecked.
    """
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(literal)
        if name is not None:
            parts.append(values[name])
    return "".join(parts)


def message_views(
    plan: Plan, schedule: Schedule, lead: StakeholderView, channels: Sequence[ChannelView]
) -> tuple[MessageView, ...]:
    """The plan's prepared messages with their {placeholders} filled."""

    def first(kind: str) -> str:
        channel = next((c for c in channels if c.kind == kind), None)
        return (channel.link or channel.name) if channel else ""

    values = {
        "title": plan.title,
        "system": plan.system or "",
        "version": str(plan.version),
        "start": f"{schedule.window_start.astimezone(schedule.zone):%a %d %b %Y %H:%M %Z}",
        "end": f"{schedule.window_end.astimezone(schedule.zone):%a %d %b %Y %H:%M %Z}",
        "lead": lead.person.name,
        "bridge": first("bridge"),
        "chat": first("chat"),
        "status_page": first("status-page"),
    }
    assert set(values) == set(PLACEHOLDERS)
    return tuple(
        MessageView(m.id, m.audience, m.channel, m.when, fill_message(m.message, values)) for m in plan.communications
    )


def warning_line(warning: Diagnostic) -> str:
    """A warning as the overview page lists it: the path, the step it is about, the message."""
    if not warning.path:
        return warning.message
    subject = f" ({warning.subject})" if warning.subject else ""
    return f"{warning.path}{subject}: {warning.message}"


def build_plan_view(validation: Validation, plan_id: str, warnings: Sequence[Diagnostic] | None = None) -> PlanView:
    """The page context of one valid plan; `warnings` are its own, when the caller has them at hand."""
    sources = validation.project.plans[plan_id]
    if warnings is None:
        warnings = [d for d in validation.warnings if d.plan == plan_id]
    schedule = validation.schedules[plan_id]
    return _plan_view(validation.project, sources, schedule, warnings, validation.runs.get(plan_id))


def _plan_view(
    project: Project,
    sources: PlanSources,
    schedule: Schedule,
    warnings: Sequence[Diagnostic],
    call_run: RunActuals | None,
) -> PlanView:
    # One long constructor call: PlanView's fields, each computed by its own function.
    plan, book = sources.plan.model, ContactBook(project.people_by_id)
    steps = step_rows(plan, schedule, book, schedule.steps, schedule.window_start, "T")
    rollback_steps = step_rows(plan, schedule, book, schedule.rollback_steps, schedule.rollback_start, "R")
    stakeholders = stakeholder_views(plan, schedule, book)
    lead = stakeholders[lead_of(plan)]
    channels = tuple(ChannelView(c.kind, c.name, c.link, c.details) for c in plan.channels)
    checklists = checklist_groups(project, plan, book)
    call_log = read_log(sources.log.model.entries, schedule) if sources.log else None
    call_over = plan.status in (*FINISHED_STATUSES, "cancelled")
    log = log_view(schedule, book, call_log, call_over=call_over) if call_log is not None else None
    overrun = schedule.overrun
    return PlanView(
        id=sources.id,
        title=plan.title,
        version=plan.version,
        status=plan.status,
        system=plan.system,
        summary=plan.summary,
        timezone=plan.timezone,
        zone=schedule.zone,
        fingerprint=plan_fingerprint(sources, project),
        lead=lead,
        window_start=schedule.window_start,
        window_end=schedule.window_end,
        window_local=_window_text(schedule.window_start, schedule.window_end, schedule.zone),
        window_utc=_window_text(schedule.window_start, schedule.window_end, ZoneInfo("UTC")),
        window_start_utc=format_iso_utc(schedule.window_start),
        clock_day=schedule.day_style,
        planned_end=schedule.clock(schedule.end),
        fits_window=schedule.fits_window,
        slack=f"{format_span(overrun)} late" if overrun > dt.timedelta(0) else f"{format_span(overrun)} to spare",
        crosses_dst=schedule.crosses_dst_change,
        objectives=tuple(ObjectiveView(o.text, o.metric, o.target) for o in plan.objectives),
        steps=steps,
        critical_path_steps=len(schedule.critical_path),
        gates=gate_views(plan, steps, book),
        timeline=timeline(schedule, steps),
        stakeholders=stakeholders,
        contact_rows=contact_rows(plan, schedule, book, stakeholders, steps, rollback_steps, checklists),
        channels=channels,
        approvals=tuple(
            ApprovalView(book.contact(a.person), a.decision, a.date.isoformat() if a.date else None)
            for a in plan.approvals
        ),
        has_rollback=plan.rollback is not None,
        rollback_owner=book.contact(plan.rollback.owner) if plan.rollback else None,
        rollback_triggers=tuple(plan.rollback.triggers) if plan.rollback else (),
        rollback_steps=rollback_steps,
        rollback_duration=format_duration(schedule.rollback_duration),
        point_of_no_return=next((row for row in steps if row.point_of_no_return), None),
        latest_rollback_start=schedule.clock(schedule.latest_rollback_start),
        rollback_fits=schedule.rollback_fits_after_point_of_no_return,
        checklists=checklists,
        monitors=tuple(MonitorView(m.name, m.link, tuple(m.watch)) for m in plan.monitoring),
        messages=message_views(plan, schedule, lead, channels),
        warnings=tuple(warning_line(w) for w in warnings),
        log=log,
        postmortem=postmortem_view(sources, schedule, book, call_log, log),
        live_result=live_result(plan, schedule, call_log),
        series=plan.series,
        estimates=call_run.accuracy if call_run is not None else None,
        rehearsals=rehearsals(schedule, rehearsal_runs(sources, schedule)),
    )
