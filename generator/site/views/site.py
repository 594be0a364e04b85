"""What the site-wide pages show (dashboard, people, checklists, calendar, nav) and the history pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from generator.read.models.plan import RUNNING_STATUSES, STATUS_LABELS, UPCOMING_STATUSES, Status
from generator.read.sources import Project
from generator.site.views.learning import accuracy_text
from generator.site.views.people import Contact, contact
from generator.site.views.plan import PLAN_PAGES, ChannelView, PlanView


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """A plan as the site-wide pages and the history pages show it, and the heading of its pages.

    Small on purpose: a thousand plans' rows would not fit in memory next to MkDocs, so the
    plan's own pages are rendered from its PlanView, which goes, and this stays.
    """

    id: str
    title: str
    version: int
    status: Status
    system: str | None
    fingerprint: str
    window_start: dt.datetime
    window_end: dt.datetime
    window_month: tuple[int, int]  # year and month the window opens, on the plan's clock
    window_local: str
    fits_window: bool
    slack: str
    lead: Contact
    bridge: ChannelView | None
    roles: tuple[tuple[str, str], ...]  # (person id, role) of each stakeholder, in the plan's order
    checklist_ids: frozenset[str]  # the shared checklists it uses
    postmortem_written: bool
    postmortem_status: str
    open_actions: int
    estimates: tuple[int, int] | None  # steps of the logged call on estimate, of those measured
    pages: tuple[tuple[str, str], ...] = PLAN_PAGES

    @property
    def accuracy(self) -> str:
        """ "14 of 20 steps on estimate (70%)", from the logged call; "" when no step was measured."""
        if self.estimates is None or not self.estimates[1]:
            return ""
        return accuracy_text(*self.estimates, unit=" steps on estimate")


def plan_summary(view: PlanView) -> PlanSummary:
    """What stays of a plan's view once its own pages are rendered."""
    start = view.window_start.astimezone(view.zone)
    return PlanSummary(
        id=view.id,
        title=view.title,
        version=view.version,
        status=view.status,
        system=view.system,
        fingerprint=view.fingerprint,
        window_start=view.window_start,
        window_end=view.window_end,
        window_month=(start.year, start.month),
        window_local=view.window_local,
        fits_window=view.fits_window,
        slack=view.slack,
        lead=view.lead.person,
        bridge=view.bridge,
        roles=tuple((s.person.id, s.role) for s in view.stakeholders),
        checklist_ids=frozenset(g.source for groups in view.checklists.values() for g in groups if g.source),
        postmortem_written=view.postmortem.written,
        postmortem_status=view.postmortem.status,
        open_actions=view.postmortem.open_actions,
        estimates=view.estimates,
        pages=view.pages,
    )


@dataclass(frozen=True, slots=True)
class DashboardGroup:
    status: Status
    plans: tuple[PlanSummary, ...]


def dashboard_groups(plans: Sequence[PlanSummary]) -> tuple[DashboardGroup, ...]:
    """Plans grouped by status; upcoming ones soonest first, past ones latest first."""
    groups = []
    for status in STATUS_LABELS:
        members = [p for p in plans if p.status == status]
        past = status not in UPCOMING_STATUSES and status not in RUNNING_STATUSES
        members.sort(key=lambda p: (p.window_start, p.id), reverse=past)
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


def people_rows(project: Project, plans: Sequence[PlanSummary]) -> tuple[PersonRow, ...]:
    """Everyone in people.yaml by name, with the plans they are a stakeholder of."""
    by_id = project.people_by_id
    roles: dict[str, list[tuple[str, str, str]]] = {}
    for summary in sorted(plans, key=lambda v: v.id):
        for person_id, role in summary.roles:
            roles.setdefault(person_id, []).append((summary.id, summary.title, role))
    rows = []
    for person in sorted(by_id.values(), key=lambda p: p.name.casefold()):
        backup = contact(by_id.get(person.backup), person.backup) if person.backup else None
        rows.append(
            PersonRow(contact(person, person.id), person.role, person.team, backup, tuple(roles.get(person.id, ())))
        )
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class SharedChecklistView:
    """A checklist of plans/checklists/ as the checklists page lists it."""

    id: str
    title: str
    phase: str
    items: tuple[tuple[str, str | None], ...]  # text, and the owner's name (their id when unknown)
    users: tuple[PlanSummary, ...]  # the plans that use it, by id


def shared_checklists(project: Project, plans: Sequence[PlanSummary]) -> tuple[SharedChecklistView, ...]:
    """The shared checklists by id, each with the plans that use it."""
    names = {person_id: person.name for person_id, person in project.people_by_id.items()}
    views = []
    for checklist_id in sorted(project.checklists):
        checklist = project.checklists[checklist_id].model
        items = tuple((i.text, names.get(i.owner, i.owner) if i.owner else None) for i in checklist.items)
        users = tuple(p for p in plans if checklist_id in p.checklist_ids)
        views.append(SharedChecklistView(checklist_id, checklist.title, checklist.phase, items, users))
    return tuple(views)
