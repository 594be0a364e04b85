"""Rules on plans/people.yaml: ids given once, backups that exist."""

from __future__ import annotations

from generator.check.context import CheckContext


def check_people(ctx: CheckContext) -> None:
    """Each person id once; each backup someone else who is in people.yaml."""
    if ctx.project.people is None:
        return
    document = ctx.project.people.document
    people = ctx.project.people.model.people
    ctx.unique(document, ((("people", i, "id"), p.id) for i, p in enumerate(people)), "person id")
    for index, person in enumerate(people):
        if person.backup == person.id:
            ctx.out.append(document.error(("people", index, "backup"), "a person cannot be their own backup"))
        else:
            ctx.person_ref(document, ("people", index, "backup"), person.backup)
