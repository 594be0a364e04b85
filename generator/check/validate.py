"""Cross-checks across sources, and the warnings a reviewer should see.

Each check reads the models and reports through the document it came from, so
every message points at the line and column where the value was written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from generator.diagnostics import Diagnostic, ValuePath, did_you_mean, name_steps, shorten, sort_diagnostics
from generator.read.load import Document
from generator.read.models.checklist import PHASES, Checklist
from generator.read.models.log import KINDS_NEEDING_STEP, KINDS_NEEDING_TEXT, LogEntry
from generator.read.models.people import Person
from generator.read.models.plan import COMMITTED_STATUSES, Plan, Step
from generator.read.sources import PlanSources, Project, SourceCache, load_project, paused_gc, same_objects
from generator.schedule.timetable import (
    DependencyCycle,
    NonexistentTime,
    Schedule,
    ScheduledStep,
    dependency_order,
    effective_dependencies,
    fixed_start,
    format_duration,
    format_span,
    localize,
    next_occurrence,
    schedule_plan,
)

# Placeholders of communications[].message, and the channel kind each needs.
PLACEHOLDERS = (
    "title",
    "system",
    "version",
    "start",
    "end",
    "lead",
    "bridge",
    "chat",
    "status_page",
)
CHANNEL_PLACEHOLDERS = {"bridge": "bridge", "chat": "chat", "status_page": "status-page"}


@dataclass
class Validation:
    """The outcome of reading and checking a project."""

    project: Project
    diagnostics: list[Diagnostic]
    schedules: dict[str, Schedule] = field(default_factory=dict)

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
        checker = _Checker(project, diagnostics, cache)
        checker.check()
    return Validation(project, sort_diagnostics(diagnostics), checker.schedules)


def lead_of(plan: Plan) -> int:
    """Index of the plan's lead: the first stakeholder whose role says "lead", else the first."""
    for index, stakeholder in enumerate(plan.stakeholders):
        if "lead" in stakeholder.role.lower():
            return index
    return 0


def placeholders_in(message: str) -> list[str]:
    """The {fields} of a message, each as written between its braces; raise ValueError on
    unbalanced braces. A valid field is a bare name: no format, conversion, attribute or index."""
    fields = []
    for _, name, spec, conversion in string.Formatter().parse(message):
        if name is not None:
            fields.append(name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
    return fields


class _Checker:
    def __init__(self, project: Project, diagnostics: list[Diagnostic], cache: ValidationCache | None = None) -> None:
        self.project = project
        self.out = diagnostics
        self.cache = cache
        self.schedules: dict[str, Schedule] = {}
        self.people = project.people_by_id
        # Without a readable people.yaml, "unknown person" errors would only repeat that failure.
        self.check_people_refs = project.people is not None

    # -- helpers -------------------------------------------------------------------

    def person_ref(self, document: Document, path: ValuePath, person_id: str | None) -> None:
        if person_id is None or not self.check_people_refs or person_id in self.people:
            return
        self.out.append(document.error(path, f"unknown person '{person_id}'", person_hint(person_id, self.people)))

    def unique(self, document: Document, items: Iterable[tuple[ValuePath, str]], what: str) -> None:
        seen: dict[str, ValuePath] = {}
        for path, item_id in items:
            if item_id in seen:
                first = document.mark_of(seen[item_id])
                self.out.append(document.error(path, f"{what} '{item_id}' is used twice; first on line {first.line}"))
            else:
                seen[item_id] = path

    # -- sources -------------------------------------------------------------------

    def check(self) -> None:
        self.check_people()
        self.check_checklists()
        for plan_sources in self.project.plans.values():
            self.check_plan_once(plan_sources)
        if self.cache is not None:
            for gone in self.cache.plans.keys() - self.project.plans.keys():
                del self.cache.plans[gone]

    def check_plan_once(self, sources: PlanSources) -> None:
        """check_plan, or what it found last time when nothing it reads has changed."""
        if self.cache is None:
            self.check_plan(sources)
            return
        inputs = self.project.plan_inputs(sources)
        cached = self.cache.plans.get(sources.id)
        if cached is not None and same_objects(cached.inputs, inputs) and self.project.checklists_complete:
            self.out.extend(cached.diagnostics)
            if cached.schedule is not None:
                self.schedules[sources.id] = cached.schedule
            return
        first = len(self.out)
        self.check_plan(sources)
        self.cache.plans[sources.id] = CheckedPlan(inputs, self.out[first:], self.schedules.get(sources.id))

    def check_people(self) -> None:
        if self.project.people is None:
            return
        document = self.project.people.document
        people = self.project.people.model.people
        self.unique(document, ((("people", i, "id"), p.id) for i, p in enumerate(people)), "person id")
        for index, person in enumerate(people):
            if person.backup == person.id:
                self.out.append(document.error(("people", index, "backup"), "a person cannot be their own backup"))
            else:
                self.person_ref(document, ("people", index, "backup"), person.backup)

    def check_checklists(self) -> None:
        for checklist in self.project.checklists.values():
            document = checklist.document
            items = checklist.model.items
            self.unique(document, ((("items", i, "id"), item.id) for i, item in enumerate(items)), "item id")
            for index, item in enumerate(items):
                self.person_ref(document, ("items", index, "owner"), item.owner)
                if item.owner is not None and item.owner_role is not None:
                    self.out.append(
                        document.error(
                            ("items", index, "owner_role"),
                            "an item has an owner or an owner_role, not both",
                            "owner names a person, owner_role the stakeholder role that owns it in each plan",
                        )
                    )

    def check_plan(self, sources: PlanSources) -> None:
        first = len(self.out)
        self.check_plan_sources(sources)
        document = sources.plan.document
        self.out[first:] = name_steps(document.data, self.out[first:], document.file)

    def check_plan_sources(self, sources: PlanSources) -> None:
        plan = sources.plan.model
        document = sources.plan.document
        zone = ZoneInfo(plan.timezone)
        self.check_plan_references(plan, document)
        window_ok = self.check_window(plan, document, zone)
        steps_ok = self.check_steps(plan.steps, ("steps",), document)
        rollback_ok = True
        if plan.rollback is not None:
            rollback_ok = self.check_steps(plan.rollback.steps, ("rollback", "steps"), document)
        self.check_unique_step_ids(plan, document)
        self.check_gates(plan, document)
        self.check_checklist_refs(plan, document)
        self.check_status_rules(plan, document)
        self.check_communications(plan, document)
        if window_ok and steps_ok and rollback_ok:
            schedule = self.check_fixed_starts(plan, document, zone)
            if schedule is not None:
                self.schedules[sources.id] = schedule
                self.warn_schedule(plan, document, schedule)
                self.warn_gates_after_point_of_no_return(plan, document, schedule)
                self.warn_idle_starts(plan, document, schedule)
        self.warn_contacts(plan, document)
        self.warn_approved_without_approvals(plan, document)
        self.warn_point_of_no_return_without_rollback(plan, document)
        issues: set[str] = set()
        if sources.log is not None:
            issues = self.check_log(
                plan,
                sources.log.document,
                sources.log.model.entries,
                ("entries",),
                zone,
                is_log=True,
            )
        if sources.postmortem is not None:
            self.check_postmortem(plan, sources, zone, issues)

    def check_plan_references(self, plan: Plan, document: Document) -> None:
        self.unique(
            document,
            ((("objectives", i, "id"), o.id) for i, o in enumerate(plan.objectives)),
            "objective id",
        )
        self.unique(document, ((("gates", i, "id"), g.id) for i, g in enumerate(plan.gates)), "gate id")
        self.unique(
            document,
            ((("communications", i, "id"), c.id) for i, c in enumerate(plan.communications)),
            "message id",
        )
        for index, stakeholder in enumerate(plan.stakeholders):
            self.person_ref(document, ("stakeholders", index, "person"), stakeholder.person)
            self.person_ref(document, ("stakeholders", index, "backup"), stakeholder.backup)
            if stakeholder.backup is not None and stakeholder.backup == stakeholder.person:
                self.out.append(
                    document.error(("stakeholders", index, "backup"), "a person cannot be their own backup")
                )
        for index, approval in enumerate(plan.approvals):
            self.person_ref(document, ("approvals", index, "person"), approval.person)
        if plan.rollback is not None:
            self.person_ref(document, ("rollback", "owner"), plan.rollback.owner)

    def check_window(self, plan: Plan, document: Document, zone: ZoneInfo) -> bool:
        try:
            start = localize(plan.window.start, zone)
        except NonexistentTime as error:
            self.out.append(document.error(("window", "start"), str(error)))
            return False
        try:
            end = localize(plan.window.end, zone)
        except NonexistentTime as error:
            self.out.append(document.error(("window", "end"), str(error)))
            return False
        if end <= start:
            self.out.append(document.error(("window", "end"), "the window ends before it starts"))
            return False
        return True

    def check_steps(self, steps: Sequence[Step], base: ValuePath, document: Document) -> bool:
        """Check owners and dependencies of a list of steps; False if it cannot be scheduled."""
        ids = {step.id for step in steps}
        schedulable = True
        people = self.people
        for index, step in enumerate(steps):
            if step.owner not in people:
                self.person_ref(document, (*base, index, "owner"), step.owner)
            for position, dependency in enumerate(step.depends_on or []):
                if dependency == step.id:
                    path = (*base, index, "depends_on", position)
                    self.out.append(document.error(path, f"step '{step.id}' depends on itself"))
                    schedulable = False
                elif dependency not in ids:
                    path = (*base, index, "depends_on", position)
                    self.out.append(document.error(path, f"unknown step '{dependency}'", did_you_mean(dependency, ids)))
                    schedulable = False
        if len(ids) != len(steps):
            return False  # reported by check_unique_step_ids
        if schedulable:
            dependencies = effective_dependencies(steps)
            try:
                dependency_order(dependencies)
            except DependencyCycle as cycle:
                index = next(i for i, s in enumerate(steps) if s.id == cycle.cycle[0])
                by_id = {s.id: s for s in steps}
                implicit = [
                    f"{step} has no depends_on, so it follows {previous}, the step listed before it"
                    for step, previous in zip(cycle.cycle, cycle.cycle[1:], strict=False)
                    if by_id[step].depends_on is None
                ]
                self.out.append(
                    document.error(
                        (*base, index, "depends_on"),
                        "dependency cycle: " + " -> ".join(cycle.cycle),
                        "; ".join(implicit),
                    )
                )
                schedulable = False
        marked = [i for i, step in enumerate(steps) if step.point_of_no_return]
        if base == ("steps",):
            for index in marked[1:]:
                first = steps[marked[0]].id
                self.out.append(
                    document.error(
                        (*base, index, "point_of_no_return"),
                        f"only one step can be the point of no return; '{first}' already is",
                    )
                )
        else:
            for index in marked:
                self.out.append(
                    document.error(
                        (*base, index, "point_of_no_return"),
                        "a rollback step cannot be a point of no return",
                    )
                )
        return schedulable

    def check_unique_step_ids(self, plan: Plan, document: Document) -> None:
        rollback = plan.rollback.steps if plan.rollback else []
        self.unique(
            document,
            [(("steps", i, "id"), s.id) for i, s in enumerate(plan.steps)]
            + [(("rollback", "steps", i, "id"), s.id) for i, s in enumerate(rollback)],
            "step id",
        )

    def check_gates(self, plan: Plan, document: Document) -> None:
        step_ids = {step.id for step in plan.steps}
        rollback_ids = {step.id for step in plan.rollback.steps} if plan.rollback else set()
        for index, gate in enumerate(plan.gates):
            self.person_ref(document, ("gates", index, "decider"), gate.decider)
            if gate.before in step_ids:
                continue
            if gate.before in rollback_ids:
                self.out.append(
                    document.error(
                        ("gates", index, "before"),
                        f"'{gate.before}' is a rollback step; a gate comes before a deployment step",
                    )
                )
            else:
                self.out.append(
                    document.error(
                        ("gates", index, "before"),
                        f"unknown step '{gate.before}'",
                        did_you_mean(gate.before, step_ids),
                    )
                )

    def check_checklist_refs(self, plan: Plan, document: Document) -> None:
        lists = {
            "pre-launch": plan.checklists.pre_launch,
            "go-live": plan.checklists.go_live,
            "post-launch": plan.checklists.post_launch,
        }
        for phase in PHASES:
            for index, checklist_id in enumerate(lists[phase]):
                path = ("checklists", phase, index)
                checklist = self.project.checklists.get(checklist_id)
                if checklist is None:
                    if self.project.checklists_complete:
                        hint = (
                            did_you_mean(checklist_id, self.project.checklists)
                            or f"add plans/checklists/{checklist_id}.yaml"
                        )
                        self.out.append(document.error(path, f"unknown checklist '{checklist_id}'", hint))
                elif checklist.model.phase != phase:
                    self.out.append(
                        document.error(
                            path,
                            f"checklist '{checklist_id}' is a {checklist.model.phase} checklist, not {phase}",
                        )
                    )
                if checklist is not None:
                    self.check_owner_roles(plan, document, path, checklist_id, checklist.model)
        items = plan.checklists.items
        self.unique(
            document,
            ((("checklists", "items", i, "id"), item.id) for i, item in enumerate(items)),
            "checklist item id",
        )
        for index, item in enumerate(items):
            self.person_ref(document, ("checklists", "items", index, "owner"), item.owner)

    def check_owner_roles(
        self, plan: Plan, document: Document, path: ValuePath, checklist_id: str, checklist: Checklist
    ) -> None:
        """Every owner_role of a shared checklist must be a role this plan has: an error, not a
        warning, because the item would otherwise have no owner on the night."""
        roles = {s.role.casefold() for s in plan.stakeholders}
        missing = dict.fromkeys(
            i.owner_role for i in checklist.items if i.owner_role and i.owner_role.casefold() not in roles
        )
        for role in missing:
            self.out.append(
                document.error(
                    path,
                    f"checklist '{checklist_id}' has items owned by the role '{role}', "
                    "which no stakeholder of this plan has",
                    "roles here: " + ", ".join(dict.fromkeys(s.role for s in plan.stakeholders)),
                )
            )

    def check_status_rules(self, plan: Plan, document: Document) -> None:
        if plan.status not in COMMITTED_STATUSES:
            return
        rollback = plan.rollback
        if rollback is None:
            self.out.append(
                document.error(
                    (),
                    f"a plan that is {plan.status} needs a rollback section",
                    "add rollback: with owner, triggers and steps",
                )
            )
        else:
            if not rollback.triggers:
                self.out.append(
                    document.error(
                        ("rollback",),
                        f"a plan that is {plan.status} needs at least one rollback trigger",
                    )
                )
            if not rollback.steps:
                self.out.append(
                    document.error(
                        ("rollback",),
                        f"a plan that is {plan.status} needs at least one rollback step",
                    )
                )
        for index, approval in enumerate(plan.approvals):
            if approval.decision != "approved":
                self.out.append(
                    document.error(
                        ("approvals", index, "decision"),
                        f"a plan that is {plan.status} needs every approval; this one is {approval.decision}",
                    )
                )

    def check_communications(self, plan: Plan, document: Document) -> None:
        kinds = {channel.kind for channel in plan.channels}
        for index, message in enumerate(plan.communications):
            path = ("communications", index, "message")
            try:
                names = placeholders_in(message.message)
            except ValueError:
                self.out.append(
                    document.error(
                        path,
                        "unbalanced '{' or '}' in the message",
                        "write {{ or }} for a literal brace",
                    )
                )
                continue
            for name in names:
                if not name.isidentifier():
                    self.out.append(
                        document.error(
                            path,
                            f"placeholder {{{shorten(name, 60)}}} is not a bare name",
                            "write a name alone, such as {title}: no format, conversion, attribute or index",
                        )
                    )
                elif name not in PLACEHOLDERS:
                    hint = did_you_mean(name, PLACEHOLDERS) or "known placeholders: " + ", ".join(
                        f"{{{p}}}" for p in PLACEHOLDERS
                    )
                    self.out.append(document.error(path, f"unknown placeholder {{{shorten(name, 60)}}}", hint))
                elif name in CHANNEL_PLACEHOLDERS and CHANNEL_PLACEHOLDERS[name] not in kinds:
                    self.out.append(
                        document.error(
                            path,
                            f"placeholder {{{name}}} needs a channel of kind {CHANNEL_PLACEHOLDERS[name]}",
                        )
                    )

    def check_fixed_starts(self, plan: Plan, document: Document, zone: ZoneInfo) -> Schedule | None:
        window_start = localize(plan.window.start, zone)
        window_end = localize(plan.window.end, zone)
        ok = True
        groups: list[tuple[ValuePath, Sequence[Step]]] = [(("steps",), plan.steps)]
        if plan.rollback is not None:
            groups.append((("rollback", "steps"), plan.rollback.steps))
        for base, steps in groups:
            for index, step in enumerate(steps):
                if step.start is None:
                    continue
                try:
                    start = fixed_start(step.start, window_start, zone)
                except NonexistentTime as error:
                    self.out.append(document.error((*base, index, "start"), str(error)))
                    ok = False
                    continue
                if not window_start <= start < window_end:
                    self.out.append(document.error((*base, index, "start"), "the fixed start lies outside the window"))
                    ok = False
        return schedule_plan(plan) if ok else None

    # -- warnings ------------------------------------------------------------------

    def warn_schedule(self, plan: Plan, document: Document, schedule: Schedule) -> None:
        if not schedule.fits_window:
            late = format_span(schedule.overrun)
            self.out.append(
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
            self.out.append(
                document.warning(
                    ("rollback",),
                    f"a rollback started at the point of no return ({schedule.clock(point.start)}) takes "
                    f"{format_duration(schedule.rollback_duration)} and ends at {schedule.clock(ends)}, "
                    f"{format_span(ends - schedule.window_end)} after the window",
                )
            )

    def warn_approved_without_approvals(self, plan: Plan, document: Document) -> None:
        if plan.status == "approved" and not plan.approvals:
            self.out.append(
                document.warning(
                    ("status",),
                    "the plan is approved but lists no approvals",
                    "add approvals: with who approved it, their decision and the date",
                )
            )

    def warn_point_of_no_return_without_rollback(self, plan: Plan, document: Document) -> None:
        """Past the point of no return, the way back is the rollback: warn when it has no steps.

        Rollback steps are a list of their own, run after whatever deployment step failed, so
        "no rollback steps after the point of no return" means the plan has no rollback steps
        at all. A committed plan without them is already an error, so it is not warned twice.
        """
        if plan.status in COMMITTED_STATUSES or (plan.rollback is not None and plan.rollback.steps):
            return
        for index, step in enumerate(plan.steps):
            if step.point_of_no_return:
                self.out.append(
                    document.warning(
                        ("steps", index, "point_of_no_return"),
                        "a point of no return, but the plan has no rollback steps",
                        "add rollback: with owner, triggers and the steps that undo the change",
                    )
                )

    def warn_gates_after_point_of_no_return(self, plan: Plan, document: Document, schedule: Schedule) -> None:
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
            self.out.append(
                document.warning(
                    ("gates", index, "before"),
                    f"gate '{gate.id}' is decided before '{late.id}' ({schedule.clock(late.start)}), after the "
                    f"point of no return '{point.id}' has started ({schedule.clock(point.start)}); "
                    "no gate comes before it",
                    "a no-go then cannot stop it: gate a step at or before the point of no return",
                )
            )

    def warn_idle_starts(self, plan: Plan, document: Document, schedule: Schedule) -> None:
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
                self.out.append(
                    document.warning(
                        (*base, index, "start"),
                        f"start {value:%H:%M} ({schedule.clock(fixed)}) has no effect: "
                        f"the step's dependencies end at {schedule.clock(ready)}",
                        f'for a later day write the date, e.g. start: "{later:%Y-%m-%d %H:%M}"',
                    )
                )

    def warn_contacts(self, plan: Plan, document: Document) -> None:
        warned: set[str] = set()
        groups: list[tuple[ValuePath, Sequence[Step]]] = [(("steps",), plan.steps)]
        if plan.rollback is not None:
            groups.append((("rollback", "steps"), plan.rollback.steps))
        for base, steps in groups:
            for index, step in enumerate(steps):
                person = self.people.get(step.owner)
                if person is not None and not person.phone and step.owner not in warned:
                    warned.add(step.owner)
                    self.out.append(
                        document.warning(
                            (*base, index, "owner"),
                            f"step owner '{step.owner}' has no phone number in people.yaml",
                        )
                    )
        critical = self.critical_people(plan)
        for index, stakeholder in enumerate(plan.stakeholders):
            person = self.people.get(stakeholder.person)
            if person is None or stakeholder.person not in critical:
                continue
            if stakeholder.backup is None and person.backup is None:
                self.out.append(
                    document.warning(
                        ("stakeholders", index),
                        f"'{stakeholder.person}' ({stakeholder.role}) has no backup for a critical role",
                    )
                )
        self.warn_critical_without_backup(plan, document)

    def warn_critical_without_backup(self, plan: Plan, document: Document) -> None:
        """The same for people with a critical job who are not stakeholders: the contact sheet
        lists them too, and tells the call to ring their backup when they do not answer."""
        stakeholders = {s.person for s in plan.stakeholders}
        jobs: list[tuple[ValuePath, str]] = [(("gates", i, "decider"), g.decider) for i, g in enumerate(plan.gates)]
        if plan.rollback is not None:
            jobs.append((("rollback", "owner"), plan.rollback.owner))
            jobs += [(("rollback", "steps", i, "owner"), s.owner) for i, s in enumerate(plan.rollback.steps)]
        warned: set[str] = set()
        for path, person_id in jobs:
            person = self.people.get(person_id)
            if person is None or person.backup or person_id in stakeholders or person_id in warned:
                continue
            warned.add(person_id)
            self.out.append(
                document.warning(
                    path,
                    f"'{person_id}' has a critical job in this plan and no backup in people.yaml",
                    "add backup: to them in people.yaml",
                )
            )

    @staticmethod
    def critical_people(plan: Plan) -> set[str]:
        """People the call cannot do without: lead, gate deciders, rollback owner and step owners."""
        critical = {plan.stakeholders[lead_of(plan)].person}
        critical.update(gate.decider for gate in plan.gates)
        if plan.rollback is not None:
            critical.add(plan.rollback.owner)
            critical.update(step.owner for step in plan.rollback.steps)
        return critical

    # -- log and post-mortem ---------------------------------------------------------

    def check_log(
        self,
        plan: Plan,
        document: Document,
        entries: Sequence[LogEntry],
        base: ValuePath,
        zone: ZoneInfo,
        *,
        is_log: bool,
        known_issues: Iterable[str] = (),
    ) -> set[str]:
        """Check log entries; return the issue ids they define."""
        step_ids = {step.id for step in plan.steps}
        if plan.rollback is not None:
            step_ids |= {step.id for step in plan.rollback.steps}
        issues: set[str] = set(known_issues)
        issue_paths: dict[str, ValuePath] = {}
        done: dict[str, ValuePath] = {}
        people = self.people
        # Entries may be written in any order (pasted from several browsers): they are read
        # in time order, entries of the same time in file order.
        times: list[dt.datetime | None] = []
        for index, entry in enumerate(entries):
            try:
                times.append(localize(entry.at, zone))
            except NonexistentTime as error:
                self.out.append(document.error((*base, index, "at"), str(error)))
                times.append(times[-1] if times else None)
        earliest = min((t for t in times if t is not None), default=None)
        order = sorted(range(len(entries)), key=lambda i: (times[i] or earliest, i))
        for index in order:
            entry = entries[index]
            path = (*base, index)
            if entry.by not in people:
                self.person_ref(document, (*path, "by"), entry.by)
            if entry.step is not None and entry.step not in step_ids:
                self.out.append(
                    document.error(
                        (*path, "step"),
                        f"unknown step '{entry.step}'",
                        did_you_mean(entry.step, step_ids),
                    )
                )
            if entry.kind in KINDS_NEEDING_STEP and entry.step is None:
                self.out.append(document.error(path, f"{_a(entry.kind)} {entry.kind} entry needs 'step'"))
            if entry.kind in KINDS_NEEDING_TEXT and entry.text is None:
                self.out.append(document.error(path, f"{_a(entry.kind)} {entry.kind} entry needs 'text'"))
            if entry.kind == "issue" and entry.severity is None:
                self.out.append(document.error(path, "an issue entry needs 'severity'", "sev1 (worst) to sev4"))
            if entry.kind != "issue" and entry.severity is not None:
                self.out.append(document.error((*path, "severity"), "only an issue entry has a severity"))
            if entry.kind != "resolution" and entry.resolves is not None:
                self.out.append(document.error((*path, "resolves"), "only a resolution entry resolves an issue"))
            if entry.id is not None:
                if entry.kind != "issue":
                    self.out.append(document.error((*path, "id"), "only an issue entry has an id"))
                elif entry.id in issue_paths:
                    first = document.mark_of(issue_paths[entry.id]).line
                    self.out.append(
                        document.error(
                            (*path, "id"),
                            f"issue id '{entry.id}' is used twice; first on line {first}",
                        )
                    )
                elif entry.id in issues:
                    self.out.append(document.error((*path, "id"), f"issue id '{entry.id}' is already used in the log"))
                issues.add(entry.id)
                issue_paths.setdefault(entry.id, (*path, "id"))
            if entry.resolves is not None and entry.resolves not in issues:
                self.out.append(
                    document.error(
                        (*path, "resolves"),
                        f"no issue '{entry.resolves}' before this entry",
                        did_you_mean(entry.resolves, issues),
                    )
                )
            if is_log and entry.kind == "step-done" and entry.step is not None:
                if entry.step in done:
                    line = document.mark_of(done[entry.step]).line
                    self.out.append(
                        document.warning(
                            (*path, "step"),
                            f"step '{entry.step}' is marked done twice (also on line {line})",
                            "keep one entry: the later time counts",
                        )
                    )
                done.setdefault(entry.step, path)
        return issues

    def check_postmortem(self, plan: Plan, sources: PlanSources, zone: ZoneInfo, log_issues: set[str]) -> None:
        assert sources.postmortem is not None
        document = sources.postmortem.document
        postmortem = sources.postmortem.model
        for index, author in enumerate(postmortem.authors):
            self.person_ref(document, ("authors", index), author)
        objectives = {objective.id for objective in plan.objectives}
        self.unique(
            document,
            ((("results", i, "objective"), r.objective) for i, r in enumerate(postmortem.results)),
            "result for objective",
        )
        for index, result in enumerate(postmortem.results):
            if result.objective not in objectives:
                self.out.append(
                    document.error(
                        ("results", index, "objective"),
                        f"unknown objective '{result.objective}'",
                        did_you_mean(result.objective, objectives),
                    )
                )
        self.unique(
            document,
            ((("action_items", i, "id"), a.id) for i, a in enumerate(postmortem.action_items)),
            "action item id",
        )
        for index, item in enumerate(postmortem.action_items):
            self.person_ref(document, ("action_items", index, "owner"), item.owner)
        self.check_log(
            plan,
            document,
            postmortem.timeline_extra,
            ("timeline_extra",),
            zone,
            is_log=False,
            known_issues=log_issues,
        )


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def person_hint(typed: str, people: dict[str, Person]) -> str:
    """ "did you mean 'arun-kumar' (Arun Kumar)?" for an unknown person id.

    A person is suggested when the typed text is their name or first name written as an id
    (arun, arun-kumar, arunkumar) or the first part of their id; else when it is close to
    their id or to their name.
    """
    if len(typed) > 100:  # nothing long is a typo of a name
        return ""
    wanted = _name_key(typed)
    matches = [person for person in people.values() if wanted and wanted in _name_keys(person)]
    if not matches:
        by_name = {_name_key(person.name): person for person in people.values()}
        if close := difflib.get_close_matches(typed, list(people), n=1, cutoff=0.6):
            matches = [people[close[0]]]
        elif close := difflib.get_close_matches(wanted, list(by_name), n=1, cutoff=0.6):
            matches = [by_name[close[0]]]
    shown = [f"'{person.id}' ({shorten(person.name, 40)})" for person in matches[:3]]
    return f"did you mean {' or '.join(shown)}?" if shown else ""


def _name_keys(person: Person) -> set[str]:
    """What a person's id may be mistaken for: their name, first name and first part of their id."""
    first_name = (person.name.split() or [""])[0]
    return {_name_key(person.name), _name_key(first_name), _name_key(person.id.split("-")[0])}


def _name_key(text: str) -> str:
    """A name or id reduced to lowercase letters and digits: 'Arun Kumar', arun-kumar -> arunkumar."""
    return "".join(c for c in text.casefold() if c.isalnum())


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
        if plan.status not in ("in-progress", "live") or schedule is None:
            continue
        ended = moment - schedule.window_end
        if ended > STALE_AFTER:
            outcomes = "live, completed or rolled-back" if plan.status == "in-progress" else "completed or rolled-back"
            found.append(
                sources.plan.document.warning(
                    ("status",),
                    f"the plan is still {plan.status}, but its window ended {_days(ended)} ago "
                    f"({schedule.window_end:%Y-%m-%d %H:%M})",
                    f"set it to what happened: {outcomes}",
                )
            )
    return found


def _days(span: dt.timedelta) -> str:
    days = span.days
    return f"{days} day{'' if days == 1 else 's'}" if days < 14 else f"{days // 7} weeks"
