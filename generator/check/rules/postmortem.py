"""Rules on plans/<id>/postmortem.yaml: authors, results and action items, and its extra timeline."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from generator.check.context import CheckContext
from generator.check.rules.log import check_log
from generator.diagnostics import did_you_mean
from generator.read.models.plan import Plan
from generator.read.models.postmortem import Postmortem
from generator.read.sources import Source


def check_postmortem(
    ctx: CheckContext, plan: Plan, source: Source[Postmortem], zone: ZoneInfo, log_issues: set[str]
) -> None:
    """People who exist, results for the plan's objectives, ids once, and timeline_extra as a log."""
    document = source.document
    postmortem = source.model
    for index, author in enumerate(postmortem.authors):
        ctx.person_ref(document, ("authors", index), author)
    objectives = {objective.id for objective in plan.objectives}
    ctx.unique(
        document,
        ((("results", i, "objective"), r.objective) for i, r in enumerate(postmortem.results)),
        "result for objective",
    )
    for index, result in enumerate(postmortem.results):
        if result.objective not in objectives:
            ctx.out.append(
                document.error(
                    ("results", index, "objective"),
                    f"unknown objective '{result.objective}'",
                    did_you_mean(result.objective, objectives),
                )
            )
    ctx.unique(
        document,
        ((("action_items", i, "id"), a.id) for i, a in enumerate(postmortem.action_items)),
        "action item id",
    )
    for index, item in enumerate(postmortem.action_items):
        ctx.person_ref(document, ("action_items", index, "owner"), item.owner)
    check_log(
        ctx,
        plan,
        document,
        postmortem.timeline_extra,
        ("timeline_extra",),
        zone,
        is_log=False,
        known_issues=log_issues,
    )
