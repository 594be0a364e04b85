"""A plan's checklists by phase: the shared checklists it uses, then its own items."""

from __future__ import annotations

from dataclasses import dataclass

from generator.read.models.checklist import PHASES
from generator.read.models.plan import Plan
from generator.read.sources import Project
from generator.site.views.people import Contact, ContactBook


@dataclass(frozen=True, slots=True)
class ChecklistItemView:
    text: str
    owner: Contact | None


@dataclass(frozen=True, slots=True)
class ChecklistGroup:
    title: str
    source: str | None  # checklist id, None for the plan's own items
    items: tuple[ChecklistItemView, ...]


def role_owner(plan: Plan, role: str | None) -> str | None:
    """The stakeholder who holds a checklist item's owner_role in this plan (first listed)."""
    if role is None:
        return None
    wanted = role.casefold()
    return next((s.person for s in plan.stakeholders if s.role.casefold() == wanted), None)


def checklist_groups(project: Project, plan: Plan, book: ContactBook) -> dict[str, tuple[ChecklistGroup, ...]]:
    """Phase -> the groups of items of that phase, each shared checklist first, in the plan's order."""
    listed = {"pre-launch": plan.checklists.pre_launch, "go-live": plan.checklists.go_live}
    listed["post-launch"] = plan.checklists.post_launch
    result: dict[str, tuple[ChecklistGroup, ...]] = {}
    for phase in PHASES:
        groups = []
        for checklist_id in listed[phase]:
            checklist = project.checklists[checklist_id].model
            owners = [i.owner or role_owner(plan, i.owner_role) for i in checklist.items]
            items = tuple(
                ChecklistItemView(i.text, book.contact(owner) if owner else None)
                for i, owner in zip(checklist.items, owners, strict=True)
            )
            groups.append(ChecklistGroup(checklist.title, checklist_id, items))
        own = tuple(
            ChecklistItemView(i.text, book.contact(i.owner) if i.owner else None)
            for i in plan.checklists.items
            if i.phase == phase
        )
        if own:
            groups.append(ChecklistGroup("This go-live", None, own))
        result[phase] = tuple(groups)
    return result
