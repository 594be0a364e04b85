"""The steps of a plan as the runbook, rollback and print pages list them, and its gates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from generator.read.models.plan import Plan
from generator.schedule.timefmt import format_duration, format_t_offset
from generator.schedule.timetable import Schedule, ScheduledStep
from generator.site.markup import markdown_in_html
from generator.site.views.people import Contact, ContactBook, differs, local_span


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
    # Converted once here: the runbook, rollback and print pages all show it (Markup: safe HTML already).
    instructions_html: Markup
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


def step_rows(
    plan: Plan,
    schedule: Schedule,
    book: ContactBook,
    scheduled: Sequence[ScheduledStep],
    origin: dt.datetime,
    prefix: str,
) -> tuple[StepRow, ...]:
    """Rows of a schedule; offsets count from `origin` (T: window start, R: rollback start)."""
    numbers = {s.id: n for n, s in enumerate(scheduled, start=1)}
    gates: dict[str, list[str]] = {}
    for gate in plan.gates:
        gates.setdefault(gate.before, []).append(gate.id)
    rows = []
    for number, item in enumerate(scheduled, start=1):
        step = item.step
        zone = book.zone_of(step.owner)
        owner_local = None
        # Rollback steps have no planned time of their own: only the run's steps get one.
        if prefix == "T" and zone is not None and differs(schedule, item.start, zone):
            owner_local = local_span(schedule, item.start, item.end, zone)
        rows.append(
            StepRow(
                number=number,
                id=step.id,
                title=step.title,
                start=schedule.clock(item.start),
                end=schedule.clock(item.end),
                t_offset=prefix + format_t_offset(item.start - origin)[1:],
                duration=format_duration(step.duration),
                owner=book.contact(step.owner),
                depends_on=tuple(f"#{numbers[d]}" for d in item.depends_on),
                critical=item.critical,
                point_of_no_return=step.point_of_no_return,
                gate_ids=tuple(gates.get(step.id, ())),
                instructions=step.instructions,
                instructions_html=Markup(markdown_in_html(step.instructions)),
                commands=tuple(step.commands),
                verify=step.verify,
                owner_local=owner_local,
            )
        )
    return tuple(rows)


def gate_views(plan: Plan, steps: Sequence[StepRow], book: ContactBook) -> tuple[GateView, ...]:
    """The plan's gates, each with the step it stands before."""
    by_id = {row.id: row for row in steps}
    return tuple(
        GateView(
            gate.id,
            by_id[gate.before].number,
            by_id[gate.before].title,
            by_id[gate.before].start,
            book.contact(gate.decider),
            tuple(gate.criteria),
        )
        for gate in plan.gates
    )
