"""A plan's revision: a short digest of every file its pages show, printed on each page."""

from __future__ import annotations

import hashlib
import json

from generator.read.models.people import Person
from generator.read.models.plan import Plan
from generator.read.sources import PlanSources, Project


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
