"""Rules on shared checklists (plans/checklists/*.yaml) and on the plans that use them."""

from __future__ import annotations

from generator.check.context import CheckContext
from generator.diagnostics import ValuePath, did_you_mean
from generator.read.document import Document
from generator.read.models.checklist import PHASES, Checklist
from generator.read.models.plan import Plan


def check_checklists(ctx: CheckContext) -> None:
    """In each checklist: item ids once, owners who exist, an owner or an owner_role."""
    for checklist in ctx.project.checklists.values():
        document = checklist.document
        items = checklist.model.items
        ctx.unique(document, ((("items", i, "id"), item.id) for i, item in enumerate(items)), "item id")
        for index, item in enumerate(items):
            ctx.person_ref(document, ("items", index, "owner"), item.owner)
            if item.owner is not None and item.owner_role is not None:
                ctx.out.append(
                    document.error(
                        ("items", index, "owner_role"),
                        "an item has an owner or an owner_role, not both",
                        "owner names a person, owner_role the stakeholder role that owns it in each plan",
                    )
                )


def check_plan_checklists(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """A plan's checklists: each one exists, is of its phase and has owners here; its own items."""
    lists = plan.checklists.by_phase()
    project = ctx.project
    for phase in PHASES:
        for index, checklist_id in enumerate(lists[phase]):
            path = ("checklists", phase, index)
            checklist = project.checklists.get(checklist_id)
            if checklist is None:
                if project.checklists_complete:
                    hint = did_you_mean(checklist_id, project.checklists) or f"add plans/checklists/{checklist_id}.yaml"
                    ctx.out.append(document.error(path, f"unknown checklist '{checklist_id}'", hint))
            elif checklist.model.phase != phase:
                ctx.out.append(
                    document.error(
                        path,
                        f"checklist '{checklist_id}' is a {checklist.model.phase} checklist, not {phase}",
                    )
                )
            if checklist is not None:
                _check_owner_roles(ctx, plan, document, path, checklist_id, checklist.model)
    items = plan.checklists.items
    ctx.unique(
        document,
        ((("checklists", "items", i, "id"), item.id) for i, item in enumerate(items)),
        "checklist item id",
    )
    for index, item in enumerate(items):
        ctx.person_ref(document, ("checklists", "items", index, "owner"), item.owner)


def _check_owner_roles(
    ctx: CheckContext, plan: Plan, document: Document, path: ValuePath, checklist_id: str, checklist: Checklist
) -> None:
    """Every owner_role of a shared checklist must be a role this plan has: an error, not a
    warning, because the item would otherwise have no owner on the night."""
    roles = {s.role.casefold() for s in plan.stakeholders}
    missing = dict.fromkeys(
        i.owner_role for i in checklist.items if i.owner_role and i.owner_role.casefold() not in roles
    )
    for role in missing:
        ctx.out.append(
            document.error(
                path,
                f"checklist '{checklist_id}' has items owned by the role '{role}', "
                "which no stakeholder of this plan has",
                "roles here: " + ", ".join(dict.fromkeys(s.role for s in plan.stakeholders)),
            )
        )
