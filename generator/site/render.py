"""Render a validated project into the files of site_src/: Markdown pages, assets, calendar, nav."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import icalendar
import jinja2
from markupsafe import Markup

from generator.check.validate import Validation
from generator.diagnostics import Diagnostic
from generator.read.sources import paused_gc, same_objects
from generator.site import markup
from generator.site.views.plan import (
    PLAN_PAGES,
    Contact,
    PlanView,
    build_plan_view,
    dashboard_groups,
    people_rows,
)

ASSETS = ("golive.css", "golive-print.css", "golive-live.js")
NAV_FILE = ".golive-nav.json"
# Written out rather than taken from `calendar`, whose names follow the machine's locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
STATUS_LABELS = {
    "draft": "Draft",
    "in-review": "In review",
    "approved": "Approved",
    "in-progress": "In progress",
    "live": "Live",
    "rolled-back": "Rolled back",
    "completed": "Completed",
    "cancelled": "Cancelled",
}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.site", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # Pages: each field is escaped for where it lands by the filters below, which mark their
        # output safe; any value left unfiltered is HTML-escaped. So nothing read from plans/ can
        # put a "<" (a tag, or a golive:html marker) into site_src/: only the templates can.
        autoescape=jinja2.select_autoescape(enabled_extensions=("md.j2",), default_for_string=False),
    )
    env.filters["text"] = _safe(markup.plain)
    env.filters["md"] = _safe(markup.markdown_block)
    env.filters["md_html"] = _safe(markup.markdown_in_html)
    env.filters["attr"] = _safe(markup.attribute)
    env.filters["code_span"] = _safe(markup.code_span)
    env.filters["gfm"] = _safe(markup.github_text)
    env.filters["safe_link"] = markup.safe_link
    env.filters["status"] = lambda status: STATUS_LABELS.get(status, status)
    # Python, not Jinja macros: they run for every row of the big tables.
    env.filters["phone_html"] = _safe(phone_html)
    env.filters["person_html"] = _safe(person_html)
    return env


def _safe(escape: Callable[[Any], str]) -> Callable[[Any], Markup]:
    """A filter whose output is escaped already: autoescaping leaves it as it is."""
    return lambda value: Markup(escape(value))


def phone_html(contact: Contact) -> str:
    """A contact's phone number in HTML: a tel: link when it can dial."""
    if contact.tel:
        return f'<a href="{markup.attribute(contact.tel)}">{markup.attribute(contact.phone)}</a>'
    return markup.attribute(contact.phone) if contact.phone else ""


def person_html(contact: Contact) -> str:
    """A contact's name, and phone below it, in HTML."""
    return markup.attribute(contact.name) + (f"<br>{phone_html(contact)}" if contact.phone else "")


_env = _environment()


def render_template(name: str, **context: object) -> str:
    return _env.get_template(name).render(**context)


@dataclass(frozen=True)
class RenderedSite:
    """Every file of site_src/, by path relative to it."""

    files: dict[str, bytes]
    plans: tuple[PlanView, ...]  # summaries (PlanView.summary): the plans' own pages are in files
    rendered: tuple[str, ...] = ()  # the plans whose pages were rendered, not taken from a cache


@dataclass
class RenderCache:
    """Each plan's view and pages, reused while the plan's sources are the very same objects.

    `golive serve` keeps one across rebuilds (see incremental.py): sources that did not
    change on disk are the same objects, so an unchanged plan is not rendered again.
    """

    # plan id -> (the sources the pages came from, the plan's warnings, its view, its pages, its event)
    entries: dict[str, tuple[tuple[object, ...], list[Diagnostic], PlanView, dict[str, bytes], bytes]] = field(
        default_factory=dict
    )


def render_site(validation: Validation, cache: RenderCache | None = None) -> RenderedSite:
    """Render every page of a valid project; pure: same input, same bytes."""
    with paused_gc():
        return _render_site(validation, cache)


def _render_site(validation: Validation, cache: RenderCache | None) -> RenderedSite:
    project = validation.project
    warnings = warnings_by_plan(validation)
    views: list[PlanView] = []
    events: dict[str, bytes] = {}
    rendered: list[str] = []
    files: dict[str, str | bytes] = {}
    for plan_id in sorted(project.plans):
        sources = project.plans[plan_id]
        inputs = project.plan_inputs(sources)
        plan_warnings = warnings.get(plan_id, [])
        cached = cache.entries.get(plan_id) if cache is not None else None
        if cached is not None and same_objects(cached[0], inputs) and cached[1] == plan_warnings:
            _, _, view, pages, event = cached
        else:
            full = build_plan_view(validation, plan_id, plan_warnings)
            pages = {path: text.encode("utf-8") for path, text in render_plan(full).items()}
            event = calendar_event(full)
            view = full.summary()  # a thousand plans' rows would not fit in memory next to MkDocs
            rendered.append(plan_id)
            if cache is not None:
                cache.entries[plan_id] = (inputs, plan_warnings, view, pages, event)
        views.append(view)
        events[plan_id] = event
        files.update(pages)
    if cache is not None:
        for gone in cache.entries.keys() - project.plans.keys():
            del cache.entries[gone]
    groups = dashboard_groups(views)
    files["index.md"] = render_template("dashboard.md.j2", groups=groups, plans=views)
    files["people.md"] = render_template("people.md.j2", rows=people_rows(project, views))
    checklists = [(cid, project.checklists[cid].model) for cid in sorted(project.checklists)]
    users = {cid: [v for v in views if cid in _checklist_ids(v)] for cid, _ in checklists}
    names = {person_id: person.name for person_id, person in project.people_by_id.items()}
    files["checklists.md"] = render_template("checklists_index.md.j2", checklists=checklists, users=users, names=names)
    files["postmortem-template.md"] = render_template("postmortem_template.md.j2")
    files["golive.ics"] = calendar(views, events)
    files[NAV_FILE] = json.dumps(navigation(views), indent=1, ensure_ascii=False) + "\n"
    for asset in ASSETS:
        files[f"assets/{asset}"] = resources.files("generator.site").joinpath("assets", asset).read_bytes()
    encoded = {path: data.encode("utf-8") if isinstance(data, str) else data for path, data in files.items()}
    return RenderedSite(encoded, tuple(views), tuple(rendered))


def warnings_by_plan(validation: Validation) -> dict[str, list[Diagnostic]]:
    """Each plan's warnings, found in one pass (not one pass over all warnings per plan)."""
    found: dict[str, list[Diagnostic]] = {}
    for warning in validation.warnings:
        if warning.plan is not None:
            found.setdefault(warning.plan, []).append(warning)
    return found


def _checklist_ids(view: PlanView) -> set[str]:
    return {group.source for groups in view.checklists.values() for group in groups if group.source}


def render_plan(view: PlanView) -> dict[str, str]:
    """The pages of one plan, by path relative to site_src/."""
    base = f"plans/{view.id}"
    templates = {
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
    return {f"{base}/{page}": render_template(template, view=view) for page, template in templates.items()}


def navigation(views: Sequence[PlanView]) -> list[object]:
    """The MkDocs nav: site pages, then the go-lives by year and month of their window, newest first.

    With Material's navigation.prune a page carries only its own branch of the nav, so
    grouping keeps every page small however many go-lives pile up: a few years, twelve
    months and that month's go-lives, not the whole history.
    """
    nav: list[object] = [
        {"Dashboard": "index.md"},
        {"People": "people.md"},
        {"Checklists": "checklists.md"},
        {"Post-mortem template": "postmortem-template.md"},
    ]
    months: dict[int, dict[int, list[PlanView]]] = {}
    for view in views:
        start = view.schedule.window_start.astimezone(view.schedule.zone)
        months.setdefault(start.year, {}).setdefault(start.month, []).append(view)
    years = []
    for year in sorted(months, reverse=True):
        sections = []
        for month in sorted(months[year], reverse=True):
            plans = sorted(months[year][month], key=lambda v: (v.schedule.window_start, v.id), reverse=True)
            # MkDocs themes print nav titles as HTML: a plain field must be escaped here too.
            pages = [{markup.attribute(v.title): [{t: f"plans/{v.id}/{p}"} for p, t in PLAN_PAGES]} for v in plans]
            sections.append({MONTHS[month - 1]: pages})
        years.append({str(year): sections})
    nav.append({"Go-lives": years})
    return nav


def calendar(views: Sequence[PlanView], events: dict[str, bytes]) -> bytes:
    """An iCalendar file with every go-live window; stable UIDs, SEQUENCE follows the plan version.

    `events` are the plans' events, by plan id, as calendar_event made them.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", "-//golive//go-live windows//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Go-lives")
    ordered = sorted(views, key=lambda v: (v.schedule.window_start, v.id))
    body = b"".join(events[v.id] for v in ordered)
    # The same bytes as adding each event to `cal`: a calendar is its lines, then its events'.
    end = b"END:VCALENDAR\r\n"
    shell = cal.to_ical()
    assert shell.endswith(end)
    return shell[: -len(end)] + body + end


def calendar_event(view: PlanView) -> bytes:
    """One go-live window as an iCalendar event."""
    event = icalendar.Event()
    event.add("uid", f"{view.id}@golive")
    # DTSTAMP must not depend on the clock: output is reproducible.
    event.add("dtstamp", view.schedule.window_start)
    event.add("dtstart", view.schedule.window_start)
    event.add("dtend", view.schedule.window_end)
    event.add("sequence", view.plan.version)
    event.add("summary", f"Go-live: {view.title}")
    bridge = view.bridge
    lines = [
        f"Lead: {view.lead.person.name}" + (f" ({view.lead.person.phone})" if view.lead.person.phone else ""),
        f"Status: {STATUS_LABELS[view.plan.status]}, version {view.plan.version}, revision {view.fingerprint}",
    ]
    if bridge is not None:
        lines.append(f"Bridge: {bridge.link or bridge.name}" + (f" ({bridge.details})" if bridge.details else ""))
        if bridge.link and markup.safe_link(bridge.link):
            event.add("location", bridge.link)
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if view.plan.status == "cancelled" else "CONFIRMED")
    return bytes(event.to_ical())
