"""Render a validated project into the files of site_src/: Markdown pages, assets, calendar, nav."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import NamedTuple

from generator.check.validate import Validation
from generator.diagnostics import Diagnostic
from generator.read.sources import paused_gc, same_objects
from generator.review.diff import ProjectDiff
from generator.review.revision import Revision
from generator.site.calendar import calendar, calendar_event
from generator.site.nav import NAV_FILE, navigation
from generator.site.templates import render_template
from generator.site.views.plan import PlanView, build_plan_view
from generator.site.views.series import series_view
from generator.site.views.site import PlanSummary, dashboard_groups, people_rows, plan_summary, shared_checklists

ASSETS = ("golive.css", "golive-print.css", "golive-live.js")
# Each page of a plan, by file name under plans/<id>/, and its template.
PLAN_TEMPLATES = {
    "index.md": "plan_overview.md.j2",
    "runbook.md": "runbook.md.j2",
    "contacts.md": "contacts.md.j2",
    "rollback.md": "rollback.md.j2",
    "checklists.md": "plan_checklists.md.j2",
    "communications.md": "communications.md.j2",
    "log.md": "log.md.j2",
    "postmortem.md": "postmortem.md.j2",
    "print.md": "print.md.j2",
}


@dataclass(frozen=True)
class RenderedSite:
    """Every file of site_src/, by path relative to it."""

    files: dict[str, bytes]
    plans: tuple[PlanSummary, ...]  # the plans' own pages are in files
    rendered: tuple[str, ...] = ()  # the plans whose pages were rendered, not taken from a cache


class RenderedPlan(NamedTuple):
    """One plan's share of the site, and what it was made from."""

    inputs: tuple[object, ...]  # the sources the pages came from (Project.plan_inputs)
    warnings: list[Diagnostic]  # the plan's warnings, which its overview lists
    summary: PlanSummary
    pages: dict[str, bytes]
    event: bytes  # its event in golive.ics


@dataclass
class RenderCache:
    """Each plan's view and pages, reused while the plan's sources are the very same objects.

    `golive serve` keeps one across rebuilds (see incremental.py): sources that did not
    change on disk are the same objects, so an unchanged plan is not rendered again.
    """

    plans: dict[str, RenderedPlan] = field(default_factory=dict)  # by plan id


def render_site(validation: Validation, cache: RenderCache | None = None) -> RenderedSite:
    """Render every page of a valid project; pure: same input, same bytes."""
    with paused_gc():
        return _render_site(validation, cache)


def _render_site(validation: Validation, cache: RenderCache | None) -> RenderedSite:
    project = validation.project
    warnings = warnings_by_plan(validation)
    summaries: list[PlanSummary] = []
    events: dict[str, bytes] = {}
    rendered: list[str] = []
    files: dict[str, str | bytes] = {}
    for plan_id in sorted(project.plans):
        inputs = project.plan_inputs(project.plans[plan_id])
        plan_warnings = warnings.get(plan_id, [])
        cached = cache.plans.get(plan_id) if cache is not None else None
        if cached is None or not same_objects(cached.inputs, inputs) or cached.warnings != plan_warnings:
            # The full view goes once its pages are made: a thousand plans' rows would not fit in memory.
            summary, pages = _render_plan_pages(build_plan_view(validation, plan_id, plan_warnings))
            cached = RenderedPlan(inputs, plan_warnings, summary, pages, calendar_event(summary))
            rendered.append(plan_id)
            if cache is not None:
                cache.plans[plan_id] = cached
        summaries.append(cached.summary)
        events[plan_id] = cached.event
        files.update(cached.pages)
    if cache is not None:
        for gone in cache.plans.keys() - project.plans.keys():
            del cache.plans[gone]
    by_id = {summary.id: summary for summary in summaries}
    series = [series_view(one, by_id) for one in validation.series.values()]
    for view in series:
        files[view.path] = render_template("series.md.j2", view=view)
    files["index.md"] = render_template(
        "dashboard.md.j2", groups=dashboard_groups(summaries), plans=summaries, series=series
    )
    files["people.md"] = render_template("people.md.j2", rows=people_rows(project, summaries))
    files["checklists.md"] = render_template("checklists_index.md.j2", checklists=shared_checklists(project, summaries))
    files["postmortem-template.md"] = render_template("postmortem_template.md.j2")
    files["golive.ics"] = calendar(summaries, events)
    nav = navigation(summaries, [view.id for view in series])
    files[NAV_FILE] = json.dumps(nav, indent=1, ensure_ascii=False) + "\n"
    for asset in ASSETS:
        files[f"assets/{asset}"] = resources.files("generator.site").joinpath("assets", asset).read_bytes()
    encoded = {path: data.encode("utf-8") if isinstance(data, str) else data for path, data in files.items()}
    return RenderedSite(encoded, tuple(summaries), tuple(rendered))


def _render_plan_pages(view: PlanView) -> tuple[PlanSummary, dict[str, bytes]]:
    pages = {path: text.encode("utf-8") for path, text in render_plan(view).items()}
    return plan_summary(view), pages


def warnings_by_plan(validation: Validation) -> dict[str, list[Diagnostic]]:
    """Each plan's warnings, found in one pass (not one pass over all warnings per plan)."""
    found: dict[str, list[Diagnostic]] = {}
    for warning in validation.warnings:
        if warning.plan is not None:
            found.setdefault(warning.plan, []).append(warning)
    return found


def render_plan(view: PlanView) -> dict[str, str]:
    """The pages of one plan, by path relative to site_src/."""
    base = f"plans/{view.id}"
    return {f"{base}/{page}": render_template(template, view=view) for page, template in PLAN_TEMPLATES.items()}


def history_page(plan: PlanSummary, revisions: Sequence[Revision] | None, partial: bool = False) -> str:
    """A plan's history page, made from git by the MkDocs plugin; `revisions` None: no git history here;
    `partial`: a shallow clone, without the older commits."""
    return render_template("history.md.j2", view=plan, revisions=revisions, partial=partial)


def diff_markdown(diff: ProjectDiff) -> str:
    """The plan changes of a diff as GitHub Markdown, for a pull-request comment or a CI job summary."""
    text = render_template("diff.md.j2", diff=diff)
    # The template's optional sections leave runs of blank lines; one is enough.
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"
