"""Rules on a plan's own sections: people it names, gates, status, messages, contacts and backups."""

from __future__ import annotations

import string
from collections.abc import Sequence

from generator.check.context import CheckContext
from generator.diagnostics import ValuePath, did_you_mean, shorten
from generator.read.document import Document
from generator.read.models.plan import (
    CHANNEL_PLACEHOLDERS,
    COMMITTED_STATUSES,
    PLACEHOLDERS,
    Plan,
    Step,
    lead_of,
)


def check_plan_references(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """Ids given once; stakeholders, approvers and the rollback owner in people.yaml."""
    ctx.unique(document, ((("objectives", i, "id"), o.id) for i, o in enumerate(plan.objectives)), "objective id")
    ctx.unique(document, ((("gates", i, "id"), g.id) for i, g in enumerate(plan.gates)), "gate id")
    ctx.unique(
        document,
        ((("communications", i, "id"), c.id) for i, c in enumerate(plan.communications)),
        "message id",
    )
    for index, stakeholder in enumerate(plan.stakeholders):
        ctx.person_ref(document, ("stakeholders", index, "person"), stakeholder.person)
        ctx.person_ref(document, ("stakeholders", index, "backup"), stakeholder.backup)
        if stakeholder.backup is not None and stakeholder.backup == stakeholder.person:
            ctx.out.append(document.error(("stakeholders", index, "backup"), "a person cannot be their own backup"))
    for index, approval in enumerate(plan.approvals):
        ctx.person_ref(document, ("approvals", index, "person"), approval.person)
    if plan.rollback is not None:
        ctx.person_ref(document, ("rollback", "owner"), plan.rollback.owner)


def check_gates(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """Each gate decided by someone known, before a deployment step of this plan."""
    step_ids = {step.id for step in plan.steps}
    rollback_ids = {step.id for step in plan.rollback.steps} if plan.rollback else set()
    for index, gate in enumerate(plan.gates):
        ctx.person_ref(document, ("gates", index, "decider"), gate.decider)
        if gate.before in step_ids:
            continue
        if gate.before in rollback_ids:
            message = f"'{gate.before}' is a rollback step; a gate comes before a deployment step"
            ctx.out.append(document.error(("gates", index, "before"), message))
        else:
            ctx.out.append(
                document.error(
                    ("gates", index, "before"),
                    f"unknown step '{gate.before}'",
                    did_you_mean(gate.before, step_ids),
                )
            )


def check_status_rules(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """A committed plan (approved or later) has a rollback with triggers and steps, and every approval."""
    if plan.status not in COMMITTED_STATUSES:
        return
    rollback = plan.rollback
    if rollback is None:
        ctx.out.append(
            document.error(
                (),
                f"a plan that is {plan.status} needs a rollback section",
                "add rollback: with owner, triggers and steps",
            )
        )
    else:
        if not rollback.triggers:
            message = f"a plan that is {plan.status} needs at least one rollback trigger"
            ctx.out.append(document.error(("rollback",), message))
        if not rollback.steps:
            message = f"a plan that is {plan.status} needs at least one rollback step"
            ctx.out.append(document.error(("rollback",), message))
    for index, approval in enumerate(plan.approvals):
        if approval.decision != "approved":
            ctx.out.append(
                document.error(
                    ("approvals", index, "decision"),
                    f"a plan that is {plan.status} needs every approval; this one is {approval.decision}",
                )
            )


def placeholders_in(message: str) -> list[str]:
    """The {fields} of a message, each as written between its braces; raise ValueError on
    unbalanced braces. A valid field is a bare name: no format, conversion, attribute or index."""
    fields = []
    for _, name, spec, conversion in string.Formatter().parse(message):
        if name is not None:
            fields.append(name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
    return fields


def check_communications(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """Messages whose placeholders are known names, with the channels they need."""
    kinds = {channel.kind for channel in plan.channels}
    for index, message in enumerate(plan.communications):
        path = ("communications", index, "message")
        try:
            names = placeholders_in(message.message)
        except ValueError:
            ctx.out.append(
                document.error(path, "unbalanced '{' or '}' in the message", "write {{ or }} for a literal brace")
            )
            continue
        for name in names:
            if not name.isidentifier():
                ctx.out.append(
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
                ctx.out.append(document.error(path, f"unknown placeholder {{{shorten(name, 60)}}}", hint))
            elif name in CHANNEL_PLACEHOLDERS and CHANNEL_PLACEHOLDERS[name] not in kinds:
                message_text = f"placeholder {{{name}}} needs a channel of kind {CHANNEL_PLACEHOLDERS[name]}"
                ctx.out.append(document.error(path, message_text))


def warn_approved_without_approvals(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """An approved plan should say who approved it."""
    if plan.status == "approved" and not plan.approvals:
        ctx.out.append(
            document.warning(
                ("status",),
                "the plan is approved but lists no approvals",
                "add approvals: with who approved it, their decision and the date",
            )
        )


def warn_point_of_no_return_without_rollback(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """Past the point of no return, the way back is the rollback: warn when it has no steps.

    Rollback steps are a list of their own, run after whatever deployment step failed, so
    "no rollback steps after the point of no return" means the plan has no rollback steps
    at all. A committed plan without them is already an error, so it is not warned twice.
    """
    if plan.status in COMMITTED_STATUSES or (plan.rollback is not None and plan.rollback.steps):
        return
    for index, step in enumerate(plan.steps):
        if step.point_of_no_return:
            ctx.out.append(
                document.warning(
                    ("steps", index, "point_of_no_return"),
                    "a point of no return, but the plan has no rollback steps",
                    "add rollback: with owner, triggers and the steps that undo the change",
                )
            )


def warn_contacts(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """Warn about step owners without a phone and critical people without a backup."""
    warned: set[str] = set()
    groups: list[tuple[ValuePath, Sequence[Step]]] = [(("steps",), plan.steps)]
    if plan.rollback is not None:
        groups.append((("rollback", "steps"), plan.rollback.steps))
    for base, steps in groups:
        for index, step in enumerate(steps):
            person = ctx.people.get(step.owner)
            if person is not None and not person.phone and step.owner not in warned:
                warned.add(step.owner)
                message = f"step owner '{step.owner}' has no phone number in people.yaml"
                ctx.out.append(document.warning((*base, index, "owner"), message))
    critical = critical_people(plan)
    for index, stakeholder in enumerate(plan.stakeholders):
        person = ctx.people.get(stakeholder.person)
        if person is None or stakeholder.person not in critical:
            continue
        if stakeholder.backup is None and person.backup is None:
            message = f"'{stakeholder.person}' ({stakeholder.role}) has no backup for a critical role"
            ctx.out.append(document.warning(("stakeholders", index), message))
    warn_critical_without_backup(ctx, plan, document)


def warn_critical_without_backup(ctx: CheckContext, plan: Plan, document: Document) -> None:
    """The same for people with a critical job who are not stakeholders: the contact sheet
    lists them too, and tells the call to ring their backup when they do not answer."""
    stakeholders = {s.person for s in plan.stakeholders}
    jobs: list[tuple[ValuePath, str]] = [(("gates", i, "decider"), g.decider) for i, g in enumerate(plan.gates)]
    if plan.rollback is not None:
        jobs.append((("rollback", "owner"), plan.rollback.owner))
        jobs += [(("rollback", "steps", i, "owner"), s.owner) for i, s in enumerate(plan.rollback.steps)]
    warned: set[str] = set()
    for path, person_id in jobs:
        person = ctx.people.get(person_id)
        if person is None or person.backup or person_id in stakeholders or person_id in warned:
            continue
        warned.add(person_id)
        ctx.out.append(
            document.warning(
                path,
                f"'{person_id}' has a critical job in this plan and no backup in people.yaml",
                "add backup: to them in people.yaml",
            )
        )


def critical_people(plan: Plan) -> set[str]:
    """People the call cannot do without: lead, gate deciders, rollback owner and step owners."""
    critical = {plan.stakeholders[lead_of(plan)].person}
    critical.update(gate.decider for gate in plan.gates)
    if plan.rollback is not None:
        critical.add(plan.rollback.owner)
        critical.update(step.owner for step in plan.rollback.steps)
    return critical
