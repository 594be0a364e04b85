"""The contact sheet: the plan's stakeholders in escalation order, then everyone else it gives a job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.read.models.checklist import PHASES
from generator.read.models.plan import Plan, lead_of
from generator.schedule.timetable import Schedule
from generator.site.views.checklists import ChecklistGroup
from generator.site.views.people import Contact, ContactBook, differs, local_clock, local_time_at_start, zone_label
from generator.site.views.steps import StepRow


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


def stakeholder_views(plan: Plan, schedule: Schedule, book: ContactBook) -> tuple[StakeholderView, ...]:
    """The plan's stakeholders in its order, each with their place in the escalation order."""
    lead_index = lead_of(plan)
    # Escalation: the lead first, then everyone else in the order the plan lists them.
    order = [lead_index] + [i for i in range(len(plan.stakeholders)) if i != lead_index]
    escalation = {index: position for position, index in enumerate(order, start=1)}
    views = []
    for index, stakeholder in enumerate(plan.stakeholders):
        person = book.people.get(stakeholder.person)
        backup_id = stakeholder.backup or (person.backup if person else None)
        views.append(
            StakeholderView(
                role=stakeholder.role,
                person=book.contact(stakeholder.person),
                responsibilities=tuple(stakeholder.responsibilities),
                local_time=local_time_at_start(schedule, book.zone_of(stakeholder.person)),
                backup=book.contact(backup_id) if backup_id else None,
                escalation=escalation[index],
            )
        )
    return tuple(views)


@dataclass(frozen=True, slots=True)
class _Jobs:
    """What the plan asks of each person, in plan order."""

    kinds: dict[str, dict[str, list[str]]]  # person id -> kind of job -> what
    owned: dict[str, list[tuple[str, dt.datetime]]]  # person id -> (#N, planned start) of the steps they own


def _jobs(
    plan: Plan,
    schedule: Schedule,
    steps: Sequence[StepRow],
    rollback_steps: Sequence[StepRow],
    checklists: dict[str, tuple[ChecklistGroup, ...]],
) -> _Jobs:
    kinds: dict[str, dict[str, list[str]]] = {}
    owned: dict[str, list[tuple[str, dt.datetime]]] = {}

    def add(person_id: str, kind: str, what: str) -> None:
        kinds.setdefault(person_id, {}).setdefault(kind, []).append(what)

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
    return _Jobs(kinds, owned)


def _describe(found: dict[str, list[str]]) -> str:
    """A person's jobs in one line: "owns #8, #14; rollback #3; decides gate go-no-go"."""
    parts = []
    if "owns" in found:
        parts.append("owns " + ", ".join(found["owns"]))
    if "gate" in found:
        parts.append(("decides gates " if len(found["gate"]) > 1 else "decides gate ") + ", ".join(found["gate"]))
    if "rollback owner" in found:
        parts.append("owns the rollback")
    if "rollback" in found:
        parts.append("rollback " + ", ".join(found["rollback"]))
    if "checklist" in found:
        counts = {phase: found["checklist"].count(phase) for phase in PHASES}
        parts.append("checklist items: " + ", ".join(f"{n} {phase}" for phase, n in counts.items() if n))
    return "; ".join(parts)


def _local_steps(
    schedule: Schedule, owned: Sequence[tuple[str, dt.datetime]], zone: ZoneInfo | None
) -> tuple[str, ...]:
    """The steps someone owns on both clocks, "#8 19:25 Berlin = 12:25 Chicago", where theirs differs."""
    lines = []
    plan_zone = zone_label(schedule.zone)
    for number_text, start in owned:
        if zone is not None and differs(schedule, start, zone):
            theirs = f"{local_clock(schedule, start, zone)} {zone_label(zone)}"
            lines.append(f"{number_text} {schedule.clock(start)} {plan_zone} = {theirs}")
    return tuple(lines)


def contact_rows(
    plan: Plan,
    schedule: Schedule,
    book: ContactBook,
    stakeholders: Sequence[StakeholderView],
    steps: Sequence[StepRow],
    rollback_steps: Sequence[StepRow],
    checklists: dict[str, tuple[ChecklistGroup, ...]],
) -> tuple[ContactRow, ...]:
    """Everyone the plan gives a job: stakeholders in escalation order, then everyone else
    in the order their first job comes (steps, gates, rollback, checklists)."""
    jobs = _jobs(plan, schedule, steps, rollback_steps, checklists)

    def row(escalation: int | None, role: str, person_id: str, backup: Contact | None, local_time: str) -> ContactRow:
        local = _local_steps(schedule, jobs.owned.get(person_id, []), book.zone_of(person_id))
        return ContactRow(
            escalation,
            role,
            book.contact(person_id),
            backup,
            local_time,
            _describe(jobs.kinds.get(person_id, {})),
            local,
        )

    rows = [
        row(s.escalation, s.role, s.person.id, s.backup, s.local_time)
        for s in sorted(stakeholders, key=lambda s: s.escalation)
    ]
    named = {s.person for s in plan.stakeholders}
    for person_id in [p for p in jobs.kinds if p not in named]:
        person = book.people.get(person_id)
        backup = person.backup if person is not None else None
        role = (person.role or "") if person is not None else ""
        local_time = local_time_at_start(schedule, book.zone_of(person_id))
        rows.append(row(None, role, person_id, book.contact(backup) if backup else None, local_time))
    return tuple(rows)
