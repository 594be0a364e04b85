"""What each page shows, computed from a validated project: the typed context of the templates.

Logic lives here; templates only lay it out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.call.calllog import CallLog, format_slip, read_log
from generator.diagnostics import Diagnostic
from generator.read.models.checklist import PHASES
from generator.read.models.people import Person
from generator.read.models.plan import Plan, Step
from generator.call.postmortem import prefill, prefilled_model
from generator.schedule.timetable import Schedule, ScheduledStep, format_duration, format_span, format_t_offset
from generator.read.sources import PlanSources, Project
from generator.check.validate import PLACEHOLDERS, Validation, lead_of

# Dashboard order: what is happening now, then what is coming, then the past.
STATUS_ORDER = (
    "in-progress",
    "live",
    "approved",
    "in-review",
    "draft",
    "rolled-back",
    "completed",
    "cancelled",
)
UPCOMING_STATUSES = ("approved", "in-review", "draft")
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


def tel_link(phone: str | None) -> str | None:
    """tel: URI of a written phone number (digits, with a leading + kept)."""
    if not phone:
        return None
    digits = re.sub(r"[^\d+]", "", phone)
    digits = digits[0] + digits[1:].replace("+", "") if digits else ""
    return f"tel:{digits}" if digits.strip("+") else None


@dataclass(frozen=True, slots=True)
class Contact:
    """A person as the call needs them: how to reach them."""

    id: str
    name: str
    phone: str | None
    tel: str | None
    email: str | None
    chat: str | None
    timezone: str | None


def contact(person: Person | None, person_id: str) -> Contact:
    if person is None:
        return Contact(person_id, person_id, None, None, None, None, None)
    return Contact(
        person.id,
        person.name,
        person.phone,
        tel_link(person.phone),
        person.email,
        person.chat,
        person.timezone,
    )


@dataclass(frozen=True, slots=True)
class StepRow:
    number: int
    id: str
    title: str
    start: str
    end: str
    t_offset: str
    duration: str
    owner: Contact
    depends_on: tuple[str, ...]  # step numbers and titles, "#2 Snapshot the orders database"
    critical: bool
    point_of_no_return: bool
    gate_ids: tuple[str, ...]
    instructions: str | None
    commands: tuple[str, ...]
    verify: str | None
    owner_local: str | None = None  # "12:25-12:45 Chicago" when the owner's clock differs from the plan's


@dataclass(frozen=True, slots=True)
class GateView:
    id: str
    before_number: int
    before_title: str
    before_start: str
    decider: Contact
    criteria: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimelineBar:
    number: int
    title: str
    left: float  # percent of the chart width
    width: float
    critical: bool
    point_of_no_return: bool
    label: str  # "22:10-22:35"


@dataclass(frozen=True, slots=True)
class TimelineTick:
    left: float
    label: str
    shown_on: str = ""  # "wide" or "narrow": a label only that width of screen has room for; "" both


# The axis is at least this wide (px) on screens 720 px wide or more, and on phones down to
# 320 px (measured in Chromium); at the axis's font size a character is at most LABEL_CHAR_PX wide.
AXIS_WIDE_PX = 440
AXIS_NARROW_PX = 190
LABEL_CHAR_PX = 7.5
LABEL_GAP_PX = 12
TICK_HOURS = (1, 2, 3, 4, 6, 12, 24, 48, 72, 168)


def timeline_ticks(
    schedule: Schedule, origin: dt.datetime, span_end: dt.datetime, percent: Callable[[dt.datetime], float]
) -> tuple[TimelineTick, ...]:
    """Axis labels for wide and narrow screens (see _axis_labels), each label once."""
    wide = _axis_labels(schedule, origin, span_end, percent, AXIS_WIDE_PX)
    narrow = _axis_labels(schedule, origin, span_end, percent, AXIS_NARROW_PX)
    ticks = []
    for moment in sorted(wide.keys() | narrow.keys()):
        left, label = wide.get(moment) or narrow[moment]
        shown_on = "" if moment in wide and moment in narrow else "wide" if moment in wide else "narrow"
        ticks.append(TimelineTick(left, label, shown_on))
    return tuple(ticks)


def _axis_labels(
    schedule: Schedule,
    origin: dt.datetime,
    span_end: dt.datetime,
    percent: Callable[[dt.datetime], float],
    axis_px: int,
) -> dict[dt.datetime, tuple[float, str]]:
    """The window start at the left edge, then whole local hours every N hours: the smallest N
    whose labels, each as wide as its text, neither overlap nor repeat nor stick out."""

    def half_width(label: str) -> float:  # percent of the axis, with half the gap on each side
        return 50 * (len(label) * LABEL_CHAR_PX + LABEL_GAP_PX) / axis_px

    first = schedule.clock(origin)
    hours: list[dt.datetime] = []
    hour = origin.astimezone(schedule.zone).replace(minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    while hour < span_end and len(hours) < 24 * 400:
        if hour > origin:
            hours.append(hour)
        hour += dt.timedelta(hours=1)
    for every in TICK_HOURS:
        labels = {origin: (0.0, first)}
        right = 2 * half_width(first)  # the first label is left-aligned at 0 %
        fits = True
        for moment in hours:
            local = moment.astimezone(schedule.zone)
            days = every // 24
            on_grid = local.hour % every == 0 if not days else local.hour == 0 and local.toordinal() % days == 0
            if not on_grid:
                continue
            label, left = schedule.clock(moment), percent(moment)
            half = half_width(label)
            if left + half - 50 * LABEL_GAP_PX / axis_px > 100:  # would stick out past the axis's end
                break
            if left - half < right and len(labels) == 1:
                continue  # too close to the window start's label, which stands for it
            if left - half < right or any(label == shown for _, shown in labels.values()):
                fits = False
                break
            labels[moment] = (left, label)
            right = left + half
        if fits:
            return labels
    return {origin: (0.0, first)}


@dataclass(frozen=True, slots=True)
class Timeline:
    bars: tuple[TimelineBar, ...]
    ticks: tuple[TimelineTick, ...]
    window_end: float  # percent position of the window end line


@dataclass(frozen=True, slots=True)
class StakeholderView:
    role: str
    person: Contact
    responsibilities: tuple[str, ...]
    local_time: str  # their wall clock at window start, "Sat 17 Oct 23:00"
    backup: Contact | None
    escalation: int


@dataclass(frozen=True, slots=True)
class ContactRow:
    """A line of the contact sheet: a stakeholder (escalation order) or anyone else with a job."""

    escalation: int | None  # None: not a stakeholder, so not on the escalation list
    role: str  # the role in this plan; for others, their role in people.yaml
    person: Contact
    backup: Contact | None
    local_time: str
    jobs: str  # "owns #8, #14; rollback #3; decides gate go-no-go"
    local_steps: tuple[str, ...]  # "#8 19:25 Berlin = 12:25 Chicago", when their zone differs


@dataclass(frozen=True, slots=True)
class ChannelView:
    kind: str
    name: str
    link: str | None
    details: str | None


@dataclass(frozen=True, slots=True)
class ChecklistItemView:
    text: str
    owner: Contact | None


@dataclass(frozen=True, slots=True)
class ChecklistGroup:
    title: str
    source: str | None  # checklist id, None for the plan's own items
    items: tuple[ChecklistItemView, ...]


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


@dataclass(slots=True)
class PlanView:
    """Everything the pages of one plan show."""

    id: str
    plan: Plan
    schedule: Schedule
    fingerprint: str
    lead: StakeholderView
    window_local: str
    window_utc: str
    planned_end: str
    fits_window: bool
    slack: str  # "1 h 00 min to spare" or "35 min late"
    steps: tuple[StepRow, ...]
    gates: tuple[GateView, ...]
    timeline: Timeline
    stakeholders: tuple[StakeholderView, ...]
    channels: tuple[ChannelView, ...]
    approvals: tuple[ApprovalView, ...]
    rollback_owner: Contact | None
    rollback_steps: tuple[StepRow, ...]
    rollback_duration: str
    point_of_no_return: StepRow | None
    latest_rollback_start: str
    rollback_fits: bool
    checklists: dict[str, tuple[ChecklistGroup, ...]]
    messages: tuple[MessageView, ...]
    warnings: tuple[str, ...]
    crosses_dst: bool
    pages: tuple[tuple[str, str], ...] = PLAN_PAGES
    window_start_utc: str = ""  # ISO 8601, for the live mode's clock
    clock_day: str = ""  # what the live clock adds to HH:MM:SS: "", "weekday" or "date" (Schedule.clock)
    log: LogView | None = None
    postmortem: PostmortemView | None = None
    contact_rows: tuple[ContactRow, ...] = ()
    live_result: LiveResult | None = None  # set once the call is over (completed, rolled back)

    @property
    def title(self) -> str:
        return self.plan.title

    @property
    def version(self) -> int:
        return self.plan.version

    def summary(self) -> PlanView:
        """This view with only what the site-wide pages (dashboard, people, checklists, calendar,
        nav) and the history pages read: the rows go once the plan's own pages are rendered."""
        postmortem = self.postmortem
        if postmortem is not None:
            postmortem = dataclasses.replace(
                postmortem, sections=(), results=(), lists=(), action_items=(), timeline=(), figures=()
            )
        return dataclasses.replace(
            self,
            steps=(),
            gates=(),
            timeline=Timeline((), (), 0.0),
            stakeholders=(),
            contact_rows=(),
            approvals=(),
            rollback_steps=(),
            point_of_no_return=None,
            messages=(),
            log=None,
            postmortem=postmortem,
        )

    @property
    def status(self) -> str:
        return self.plan.status

    @property
    def live_people(self) -> str:
        """The live mode's people as JSON, {id: [name, short name]}, for the runbook's live div."""
        contacts = [s.person for s in self.stakeholders]
        short = short_names(contacts)
        return json.dumps({c.id: [c.name, short[c.id]] for c in contacts}, ensure_ascii=False, sort_keys=True)

    @property
    def bridge(self) -> ChannelView | None:
        return next((c for c in self.channels if c.kind == "bridge"), None)


@dataclass(frozen=True, slots=True)
class PlanHeading:
    """What every page of a plan shows at its top; all the history pages need of a plan."""

    id: str
    title: str
    version: int
    status: str
    fingerprint: str
    window_local: str
    pages: tuple[tuple[str, str], ...] = PLAN_PAGES

    @classmethod
    def of(cls, view: PlanView) -> PlanHeading:
        return cls(view.id, view.title, view.version, view.status, view.fingerprint, view.window_local, view.pages)


def _window_text(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    end_format = "%H:%M %Z" if local_start.date() == local_end.date() else "%a %d %b %Y %H:%M %Z"
    return f"{local_start:%a %d %b %Y %H:%M %Z} to {local_end:{end_format}}"


def zone_label(zone: ZoneInfo) -> str:
    """A zone as people say it: "Europe/Berlin" is "Berlin", "America/New_York" "New York"."""
    return zone.key.rsplit("/", 1)[-1].replace("_", " ")


def local_clock(schedule: Schedule, moment: dt.datetime, zone: ZoneInfo) -> str:
    """A moment on someone's own clock, in the plan's form (Schedule.clock): the weekday, or the
    date on a window of more than a week, whenever the plan's times carry one, and also when
    their date is not the plan's at that moment. The one place a person's local time is formatted."""
    local, planned = moment.astimezone(zone), moment.astimezone(schedule.zone)
    if schedule.day_style == "date":
        return f"{local:%a} {local.day} {local:%b %H:%M}"
    if schedule.day_style or local.date() != planned.date():
        return f"{local:%a %H:%M}"
    return f"{local:%H:%M}"


def local_span(schedule: Schedule, start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    """A step's times on someone's own clock, "Sun 03:40\u201304:05 Kolkata": the end's weekday
    only when it falls on another day than the start."""
    end_text = local_clock(schedule, end, zone)
    if start.astimezone(zone).date() == end.astimezone(zone).date():
        end_text = f"{end.astimezone(zone):%H:%M}"
    return f"{local_clock(schedule, start, zone)}\u2013{end_text} {zone_label(zone)}"


def differs(schedule: Schedule, moment: dt.datetime, zone: ZoneInfo | None) -> bool:
    """Whether a person in `zone` reads another wall-clock time than the plan at `moment`."""
    if zone is None or zone.key == schedule.zone.key:
        return False
    return moment.astimezone(zone).replace(tzinfo=None) != moment.astimezone(schedule.zone).replace(tzinfo=None)


def role_owner(plan: Plan, role: str | None) -> str | None:
    """The stakeholder who holds a checklist item's owner_role in this plan (first listed)."""
    if role is None:
        return None
    wanted = role.casefold()
    return next((s.person for s in plan.stakeholders if s.role.casefold() == wanted), None)


def plan_fingerprint(sources: PlanSources, project: Project) -> str:
    """First 12 hex digits of SHA-256 over the plan's files and the people and checklists it uses."""
    digest = hashlib.sha256()
    for source in (sources.plan, sources.log, sources.postmortem):
        if source is not None:
            data = source.document.raw
            digest.update(f"{source.path.name}\0{len(data)}\0".encode())
            digest.update(data)
    people = project.people_by_id
    used = _people_used(sources.plan.model, people) | _on_contact_sheet(sources.plan.model, project)
    used_people = sorted(used & people.keys())
    people_json = json.dumps([people[p].model_dump(mode="json") for p in used_people], sort_keys=True)
    digest.update(f"people\0{people_json}".encode())
    plan = sources.plan.model
    for checklist_id in sorted({*plan.checklists.pre_launch, *plan.checklists.go_live, *plan.checklists.post_launch}):
        checklist = project.checklists.get(checklist_id)
        if checklist is not None:
            data = checklist.document.raw
            digest.update(f"checklist {checklist_id}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()[:12]


def _people_used(plan: Plan, people: dict[str, Person]) -> set[str]:
    used = {s.person for s in plan.stakeholders} | {s.backup for s in plan.stakeholders if s.backup}
    # The contact sheet falls back to a stakeholder's own backup from people.yaml.
    for stakeholder in plan.stakeholders:
        person = people.get(stakeholder.person)
        if person is not None and person.backup:
            used.add(person.backup)
    used |= {a.person for a in plan.approvals} | {g.decider for g in plan.gates}
    used |= {s.owner for s in plan.steps} | {i.owner for i in plan.checklists.items if i.owner}
    if plan.rollback is not None:
        used |= {plan.rollback.owner} | {s.owner for s in plan.rollback.steps}
    return used


def _on_contact_sheet(plan: Plan, project: Project) -> set[str]:
    """Who else the contact sheet shows, with their phone: owners of the shared checklists'
    items, and the backup in people.yaml of everyone with a job. A change to them is a new revision."""
    shown = set()
    for checklist_id in {*plan.checklists.pre_launch, *plan.checklists.go_live, *plan.checklists.post_launch}:
        checklist = project.checklists.get(checklist_id)
        if checklist is not None:
            shown |= {i.owner for i in checklist.model.items if i.owner}
    people = project.people_by_id
    for person_id in shown | _people_used(plan, people):
        person = people.get(person_id)
        if person is not None and person.backup:
            shown.add(person.backup)
    return shown


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


class _PlanViewBuilder:
    def __init__(self, project: Project, sources: PlanSources, schedule: Schedule, warnings: Sequence[Diagnostic]):
        self.project = project
        self.sources = sources
        self.plan = sources.plan.model
        self.schedule = schedule
        self.people = project.people_by_id
        self.warnings = warnings
        self.contacts: dict[str, Contact] = {}

    def contact(self, person_id: str) -> Contact:
        found = self.contacts.get(person_id)
        if found is None:
            found = self.contacts[person_id] = contact(self.people.get(person_id), person_id)
        return found

    def build(self) -> PlanView:
        view = self.build_plan()
        call_log = read_log(self.sources.log.model.entries, self.schedule) if self.sources.log else None
        view.log = log_view(self, call_log) if call_log is not None else None
        view.postmortem = postmortem_view(self, call_log, view.log)
        view.live_result = live_result(self.plan, self.schedule, call_log)
        return view

    def build_plan(self) -> PlanView:
        plan, schedule = self.plan, self.schedule
        steps = self.step_rows(schedule.steps, schedule.window_start, "T")
        by_id = {row.id: row for row in steps}
        stakeholders = self.stakeholders()
        lead = stakeholders[lead_of(plan)]
        rollback_steps = self.step_rows(schedule.rollback_steps, schedule.rollback_start, "R")
        point = next((row for row in steps if row.point_of_no_return), None)
        overrun = schedule.overrun
        slack = f"{format_span(overrun)} late" if overrun > dt.timedelta(0) else f"{format_span(overrun)} to spare"
        channels = tuple(ChannelView(c.kind, c.name, c.link, c.details) for c in plan.channels)
        checklists = self.checklists()
        return PlanView(
            id=self.sources.id,
            plan=plan,
            schedule=schedule,
            fingerprint=plan_fingerprint(self.sources, self.project),
            lead=lead,
            window_local=_window_text(schedule.window_start, schedule.window_end, schedule.zone),
            window_utc=_window_text(schedule.window_start, schedule.window_end, ZoneInfo("UTC")),
            planned_end=schedule.clock(schedule.end),
            fits_window=schedule.fits_window,
            slack=slack,
            steps=steps,
            gates=tuple(self.gate(g.id, by_id[g.before], g.decider, g.criteria) for g in plan.gates),
            timeline=self.timeline(steps),
            stakeholders=stakeholders,
            channels=channels,
            approvals=tuple(
                ApprovalView(self.contact(a.person), a.decision, a.date.isoformat() if a.date else None)
                for a in plan.approvals
            ),
            rollback_owner=self.contact(plan.rollback.owner) if plan.rollback else None,
            rollback_steps=rollback_steps,
            rollback_duration=format_duration(schedule.rollback_duration),
            point_of_no_return=point,
            latest_rollback_start=schedule.clock(schedule.latest_rollback_start),
            rollback_fits=schedule.rollback_fits_after_point_of_no_return,
            checklists=checklists,
            messages=self.messages(lead, channels),
            warnings=tuple(warning_line(w) for w in self.warnings),
            crosses_dst=schedule.crosses_dst_change,
            window_start_utc=schedule.window_start.isoformat().replace("+00:00", "Z"),
            clock_day=schedule.day_style,
            contact_rows=self.contact_rows(stakeholders, steps, rollback_steps, checklists),
        )

    def step_rows(self, scheduled: Sequence[ScheduledStep], origin: dt.datetime, prefix: str) -> tuple[StepRow, ...]:
        """Rows of a schedule; offsets count from `origin` (T: window start, R: rollback start)."""
        numbers = {s.id: n for n, s in enumerate(scheduled, start=1)}
        gates: dict[str, list[str]] = {}
        for gate in self.plan.gates:
            gates.setdefault(gate.before, []).append(gate.id)
        rows = []
        for number, item in enumerate(scheduled, start=1):
            step: Step = item.step
            zone = self.zone_of(step.owner)
            owner_local = None
            # Rollback steps have no planned time of their own: only the run's steps get one.
            if prefix == "T" and zone is not None and differs(self.schedule, item.start, zone):
                owner_local = local_span(self.schedule, item.start, item.end, zone)
            rows.append(
                StepRow(
                    number=number,
                    id=step.id,
                    title=step.title,
                    start=self.schedule.clock(item.start),
                    end=self.schedule.clock(item.end),
                    t_offset=prefix + format_t_offset(item.start - origin)[1:],
                    duration=format_duration(step.duration),
                    owner=self.contact(step.owner),
                    depends_on=tuple(f"#{numbers[d]}" for d in item.depends_on),
                    critical=item.critical,
                    point_of_no_return=step.point_of_no_return,
                    gate_ids=tuple(gates.get(step.id, ())),
                    instructions=step.instructions,
                    commands=tuple(step.commands),
                    verify=step.verify,
                    owner_local=owner_local,
                )
            )
        return tuple(rows)

    def zone_of(self, person_id: str) -> ZoneInfo | None:
        person = self.people.get(person_id)
        return ZoneInfo(person.timezone) if person is not None and person.timezone else None

    def local_time_at_start(self, person_id: str) -> str:
        """Their wall clock when the window opens, "Sat 17 Oct 23:00"."""
        local = self.schedule.window_start.astimezone(self.zone_of(person_id) or self.schedule.zone)
        return f"{local:%a %d %b %H:%M}"

    def contact_rows(
        self,
        stakeholders: Sequence[StakeholderView],
        steps: Sequence[StepRow],
        rollback_steps: Sequence[StepRow],
        checklists: dict[str, tuple[ChecklistGroup, ...]],
    ) -> tuple[ContactRow, ...]:
        """Everyone the plan gives a job: stakeholders in escalation order, then everyone else
        in the order their first job comes (steps, gates, rollback, checklists)."""
        plan, schedule = self.plan, self.schedule
        # person id -> kind of job -> what, in plan order
        jobs: dict[str, dict[str, list[str]]] = {}

        def add(person_id: str, kind: str, what: str) -> None:
            jobs.setdefault(person_id, {}).setdefault(kind, []).append(what)

        owned: dict[str, list[tuple[str, dt.datetime]]] = {}  # person id -> (#N, planned start)
        for row, scheduled in zip(steps, schedule.steps, strict=True):
            add(row.owner.id, "owns", f"#{row.number}")
            owned.setdefault(row.owner.id, []).append((f"#{row.number}", scheduled.start))
        for gate in plan.gates:
            add(gate.decider, "gate", gate.id)
        if plan.rollback is not None:
            add(plan.rollback.owner, "rollback owner", "")
        for row in rollback_steps:
            add(row.owner.id, "rollback", f"#{row.number}")
        for phase in PHASES:
            for group in checklists[phase]:
                for item in group.items:
                    if item.owner is not None:
                        add(item.owner.id, "checklist", phase)
        plan_zone = zone_label(schedule.zone)

        def describe(person_id: str) -> str:
            found = jobs.get(person_id, {})
            parts = []
            if "owns" in found:
                parts.append("owns " + ", ".join(found["owns"]))
            if "gate" in found:
                parts.append(
                    ("decides gates " if len(found["gate"]) > 1 else "decides gate ") + ", ".join(found["gate"])
                )
            if "rollback owner" in found:
                parts.append("owns the rollback")
            if "rollback" in found:
                parts.append("rollback " + ", ".join(found["rollback"]))
            if "checklist" in found:
                counts = {phase: found["checklist"].count(phase) for phase in PHASES}
                parts.append("checklist items: " + ", ".join(f"{n} {phase}" for phase, n in counts.items() if n))
            return "; ".join(parts)

        def local_steps(person_id: str) -> tuple[str, ...]:
            zone = self.zone_of(person_id)
            lines = []
            for number_text, start in owned.get(person_id, []):
                if zone is not None and differs(schedule, start, zone):
                    theirs = f"{local_clock(schedule, start, zone)} {zone_label(zone)}"
                    lines.append(f"{number_text} {schedule.clock(start)} {plan_zone} = {theirs}")
            return tuple(lines)

        rows = [
            ContactRow(
                s.escalation,
                s.role,
                s.person,
                s.backup,
                s.local_time,
                describe(s.person.id),
                local_steps(s.person.id),
            )
            for s in sorted(stakeholders, key=lambda s: s.escalation)
        ]
        named = {s.person for s in plan.stakeholders}
        for person_id in [p for p in jobs if p not in named]:
            person = self.people.get(person_id)
            backup = person.backup if person is not None else None
            rows.append(
                ContactRow(
                    None,
                    (person.role or "") if person is not None else "",
                    self.contact(person_id),
                    self.contact(backup) if backup else None,
                    self.local_time_at_start(person_id),
                    describe(person_id),
                    local_steps(person_id),
                )
            )
        return tuple(rows)

    def gate(self, gate_id: str, before: StepRow, decider: str, criteria: Sequence[str]) -> GateView:
        return GateView(gate_id, before.number, before.title, before.start, self.contact(decider), tuple(criteria))

    def timeline(self, steps: Sequence[StepRow]) -> Timeline:
        schedule = self.schedule
        origin = schedule.window_start
        span_end = max(schedule.window_end, schedule.end)
        span = (span_end - origin).total_seconds() or 1.0

        def percent(moment: dt.datetime) -> float:
            return round(100 * (moment - origin).total_seconds() / span, 2)

        bars = []
        for row, item in zip(steps, schedule.steps, strict=True):
            left = percent(item.start)
            width = max(round(percent(item.end) - left, 2), 0.4)  # a 45-second step still shows
            bars.append(
                TimelineBar(
                    row.number,
                    row.title,
                    left,
                    width,
                    row.critical,
                    row.point_of_no_return,
                    f"{row.start}-{row.end}",
                )
            )
        ticks = timeline_ticks(schedule, origin, span_end, percent)
        return Timeline(tuple(bars), ticks, percent(schedule.window_end))

    def stakeholders(self) -> tuple[StakeholderView, ...]:
        plan = self.plan
        lead_index = lead_of(plan)
        # Escalation: the lead first, then everyone else in the order the plan lists them.
        order = [lead_index] + [i for i in range(len(plan.stakeholders)) if i != lead_index]
        escalation = {index: position for position, index in enumerate(order, start=1)}
        views = []
        for index, stakeholder in enumerate(plan.stakeholders):
            person = self.people.get(stakeholder.person)
            backup_id = stakeholder.backup or (person.backup if person else None)
            zone = ZoneInfo(person.timezone) if person and person.timezone else self.schedule.zone
            local = self.schedule.window_start.astimezone(zone)
            views.append(
                StakeholderView(
                    role=stakeholder.role,
                    person=self.contact(stakeholder.person),
                    responsibilities=tuple(stakeholder.responsibilities),
                    local_time=f"{local:%a %d %b %H:%M}",
                    backup=self.contact(backup_id) if backup_id else None,
                    escalation=escalation[index],
                )
            )
        return tuple(views)

    def checklists(self) -> dict[str, tuple[ChecklistGroup, ...]]:
        plan = self.plan
        listed = {"pre-launch": plan.checklists.pre_launch, "go-live": plan.checklists.go_live}
        listed["post-launch"] = plan.checklists.post_launch
        result: dict[str, tuple[ChecklistGroup, ...]] = {}
        for phase in PHASES:
            groups = []
            for checklist_id in listed[phase]:
                checklist = self.project.checklists[checklist_id].model
                owners = [i.owner or role_owner(plan, i.owner_role) for i in checklist.items]
                items = tuple(
                    ChecklistItemView(i.text, self.contact(owner) if owner else None)
                    for i, owner in zip(checklist.items, owners, strict=True)
                )
                groups.append(ChecklistGroup(checklist.title, checklist_id, items))
            own = tuple(
                ChecklistItemView(i.text, self.contact(i.owner) if i.owner else None)
                for i in plan.checklists.items
                if i.phase == phase
            )
            if own:
                groups.append(ChecklistGroup("This go-live", None, own))
            result[phase] = tuple(groups)
        return result

    def messages(self, lead: StakeholderView, channels: Sequence[ChannelView]) -> tuple[MessageView, ...]:
        plan, schedule = self.plan, self.schedule

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
            MessageView(m.id, m.audience, m.channel, m.when, fill_message(m.message, values))
            for m in plan.communications
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
        warnings = [d for d in validation.warnings if d.file.startswith(f"plans/{plan_id}/")]
    return _PlanViewBuilder(validation.project, sources, validation.schedules[plan_id], warnings).build()


@dataclass(frozen=True, slots=True)
class DashboardGroup:
    status: str
    plans: tuple[PlanView, ...]


def dashboard_groups(plans: Sequence[PlanView]) -> tuple[DashboardGroup, ...]:
    """Plans grouped by status; upcoming ones soonest first, past ones latest first."""
    groups = []
    for status in STATUS_ORDER:
        members = [p for p in plans if p.plan.status == status]
        past = status not in UPCOMING_STATUSES and status not in ("in-progress", "live")
        members.sort(key=lambda p: (p.schedule.window_start, p.id), reverse=past)
        if members:
            groups.append(DashboardGroup(status, tuple(members)))
    return tuple(groups)


@dataclass(frozen=True, slots=True)
class PersonRow:
    person: Contact
    role: str | None
    team: str | None
    backup: Contact | None
    plans: tuple[tuple[str, str, str], ...]  # plan id, plan title, role in it


def people_rows(project: Project, plans: Sequence[PlanView]) -> tuple[PersonRow, ...]:
    by_id = project.people_by_id
    roles: dict[str, list[tuple[str, str, str]]] = {}
    for view in sorted(plans, key=lambda v: v.id):
        for stakeholder in view.plan.stakeholders:
            roles.setdefault(stakeholder.person, []).append((view.id, view.title, stakeholder.role))
    rows = []
    for person in sorted(by_id.values(), key=lambda p: p.name.casefold()):
        backup = contact(by_id.get(person.backup), person.backup) if person.backup else None
        rows.append(
            PersonRow(contact(person, person.id), person.role, person.team, backup, tuple(roles.get(person.id, ())))
        )
    return tuple(rows)


# -- live mode (assets/golive-live.js) -----------------------------------------------------

# Statuses of a plan whose call is over: the live bar shows what the log says, not a clock.
FINISHED_STATUSES = ("completed", "rolled-back")


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


def initials(name: str) -> str:
    """Initials, "RP" for Raj Patel: the first letter or digit of each word (first and last of four or more)."""
    words = name.split()
    if len(words) > 3:
        words = [words[0], words[-1]]
    return "".join(next((c for c in word if c.isalnum()), "") for word in words).upper()


def short_names(contacts: Sequence[Contact]) -> dict[str, str]:
    """What a narrow Initials cell shows for each person: initials unique on the plan, else the
    first name and last initial ("Raj P."), else the full name, else the id; never a cut-off id."""
    names = {c.id: c.name for c in contacts}

    def first_and_initial(person_id: str) -> str:
        words = names[person_id].split()
        return f"{words[0]} {initials(words[-1])}." if len(words) > 1 else names[person_id]

    labels = {person_id: initials(name) or name for person_id, name in names.items()}
    for fallback in (first_and_initial, names.__getitem__, str):
        seen: dict[str, int] = {}
        for label in labels.values():
            seen[label] = seen.get(label, 0) + 1
        labels = {i: fallback(i) if seen[label] > 1 else label for i, label in labels.items()}
    return labels


# -- the call log and the post-mortem ----------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class ResultRow:
    objective: str
    metric: str
    target: str
    observed: str
    met: str


@dataclass(frozen=True, slots=True)
class ActionRow:
    id: str
    text: str
    owner: str
    kind: str
    priority: str
    due: str
    ticket: str
    status: str


@dataclass(frozen=True, slots=True)
class PostmortemView:
    written: bool  # False: the pre-filled template shown before postmortem.yaml exists
    status: str
    date: str
    authors: tuple[str, ...]
    sections: tuple[tuple[str, str | None], ...]  # (heading, Markdown) in template order
    results: tuple[ResultRow, ...]
    lists: tuple[tuple[str, tuple[str, ...]], ...]
    action_items: tuple[ActionRow, ...]
    open_actions: int
    timeline: tuple[LogRow, ...]
    figures: tuple[tuple[str, str], ...]


def log_view(view_builder: _PlanViewBuilder, call_log: CallLog) -> LogView:
    schedule = view_builder.schedule
    numbers = {s.id: n for n, s in enumerate(schedule.steps, start=1)}
    titles = {s.id: s.step.title for s in (*schedule.steps, *schedule.rollback_steps)}
    rollback_numbers = {s.id: n for n, s in enumerate(schedule.rollback_steps, start=1)}

    def step_label(step_id: str | None) -> str:
        if not step_id:
            return ""
        if step_id in numbers:
            return f"#{numbers[step_id]} {titles[step_id]}"
        return f"R{rollback_numbers.get(step_id, '?')} {titles.get(step_id, step_id)}"

    def name(person_id: str) -> str:
        return view_builder.contact(person_id).name

    rows = tuple(
        LogRow(
            schedule.clock(t.at),
            schedule.t_offset(t.at),
            t.entry.kind,
            name(t.entry.by),
            step_label(t.entry.step),
            t.entry.severity or "",
            t.entry.text or "",
            t.extra,
        )
        for t in call_log.entries
    )
    steps = tuple(
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
    issues = tuple(
        IssueRow(
            schedule.clock(i.entry.at),
            i.entry.entry.severity or "",
            i.entry.entry.text or "",
            name(i.entry.entry.by),
            (i.resolution.entry.text or "") if i.resolution else "unresolved",
            schedule.clock(i.resolution.at) if i.resolution else "—",
            format_span(i.time_to_resolve),
        )
        for i in call_log.issues
    )
    longest = call_log.longest_issue
    longest_text = "—"
    if longest is not None:
        issue, span = longest
        state = "" if issue.resolution else ", still open at the last entry"
        longest_text = f"{format_span(span)}: {issue.entry.entry.text or issue.entry.entry.id}{state}"
    if call_log.rollback_started is None:
        rollback = "not started"
    else:
        rollback = f"started at {schedule.clock(call_log.rollback_started)}"
        if call_log.rollback_done is not None:
            rollback += f", done at {schedule.clock(call_log.rollback_done)}"
    slip = format_slip(call_log.final_slip)
    return LogView(
        rows=rows,
        steps=steps,
        issues=issues,
        steps_done=call_log.steps_done,
        steps_total=len(call_log.steps),
        steps_on_time=call_log.steps_on_time,
        steps_late=call_log.steps_late,
        by_severity=tuple(call_log.by_severity.items()),
        longest_issue=longest_text,
        rollback=rollback,
        first_issue_to_last_resolution=format_span(call_log.first_issue_to_last_resolution),
        schedule_slip=slip,
    )


POSTMORTEM_SECTIONS = (
    ("Summary", "summary"),
    ("Impact", "impact"),
    ("Root causes", "root_causes"),
    ("Trigger", "trigger"),
    ("Detection", "detection"),
    ("Resolution", "resolution"),
)
POSTMORTEM_LISTS = (
    ("What went well", "went_well"),
    ("What went wrong", "went_wrong"),
    ("Where we got lucky", "lucky"),
    ("Feedback from users and staff", "feedback"),
)


def postmortem_view(builder: _PlanViewBuilder, call_log: CallLog | None, log: LogView | None) -> PostmortemView:
    sources = builder.sources
    written = sources.postmortem is not None
    if sources.postmortem is not None:
        postmortem = sources.postmortem.model
    else:
        # Before one is written, show what `golive postmortem` would start from; dated by the
        # window's last day so that the page does not depend on the clock.
        day = builder.schedule.window_end.astimezone(builder.schedule.zone).date()
        postmortem = prefilled_model(prefill(builder.plan, builder.schedule, call_log, day))
    objectives = {o.id: o for o in builder.plan.objectives}
    results = tuple(
        ResultRow(
            objectives[r.objective].text if r.objective in objectives else r.objective,
            (objectives[r.objective].metric or "") if r.objective in objectives else "",
            (objectives[r.objective].target or "") if r.objective in objectives else "",
            r.observed or "",
            "yes" if r.met is True else "no" if r.met is False else "",
        )
        for r in postmortem.results
    )
    actions = tuple(
        ActionRow(
            a.id,
            a.text,
            builder.contact(a.owner).name,
            a.kind,
            a.priority or "",
            a.due.isoformat() if a.due else "",
            a.ticket or "",
            a.status,
        )
        for a in postmortem.action_items
    )
    timeline: tuple[LogRow, ...] = ()
    figures: list[tuple[str, str]] = []
    merged_view = log
    if postmortem.timeline_extra:  # the log read again with what the post-mortem adds to it
        entries = sources.log.model.entries if sources.log else []
        merged_view = log_view(builder, read_log(entries, builder.schedule, postmortem.timeline_extra))
    if merged_view is not None:
        timeline = merged_view.rows
        figures = [
            ("Steps done", f"{merged_view.steps_done} of {merged_view.steps_total}"),
            ("Steps on time", f"{merged_view.steps_on_time} (late: {merged_view.steps_late})"),
            ("Schedule slip at the end", merged_view.schedule_slip),
            ("First issue to last resolution", merged_view.first_issue_to_last_resolution),
            ("Issues", ", ".join(f"{n} {sev}" for sev, n in merged_view.by_severity if n) or "none"),
            ("Rollback", merged_view.rollback),
        ]
    return PostmortemView(
        written=written,
        status=postmortem.status,
        date=postmortem.date.isoformat() if postmortem.date else "",
        authors=tuple(builder.contact(a).name for a in postmortem.authors),
        sections=tuple((title, getattr(postmortem, key)) for title, key in POSTMORTEM_SECTIONS),
        results=results,
        lists=tuple((title, tuple(getattr(postmortem, key))) for title, key in POSTMORTEM_LISTS),
        action_items=actions,
        open_actions=sum(1 for a in postmortem.action_items if a.status in ("open", "in-progress")),
        timeline=timeline,
        figures=tuple(figures),
    )
