"""The MkDocs nav that golive writes beside the pages (site_src/.golive-nav.json)."""

from __future__ import annotations

from collections.abc import Sequence

from generator.site import markup
from generator.site.views.plan import PLAN_PAGES
from generator.site.views.series import SERIES_FOLDER
from generator.site.views.site import PlanSummary

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


def navigation(plans: Sequence[PlanSummary], series: Sequence[str] = ()) -> list[object]:
    """The MkDocs nav: site pages (with a page per series after the dashboard, when there are
    series), then the go-lives by year and month of their window, newest first.

    With Material's navigation.prune a page carries only its own branch of the nav, so
    grouping keeps every page small however many go-lives pile up: a few years, twelve
    months and that month's go-lives, not the whole history.
    """
    nav: list[object] = [{"Dashboard": "index.md"}]
    if series:
        nav.append({"Series": [{series_id: f"{SERIES_FOLDER}/{series_id}.md"} for series_id in series]})
    nav += [
        {"People": "people.md"},
        {"Checklists": "checklists.md"},
        {"Post-mortem template": "postmortem-template.md"},
    ]
    months: dict[int, dict[int, list[PlanSummary]]] = {}
    for plan in plans:
        year, month = plan.window_month
        months.setdefault(year, {}).setdefault(month, []).append(plan)
    years = []
    for year in sorted(months, reverse=True):
        sections = []
        for month in sorted(months[year], reverse=True):
            listed = sorted(months[year][month], key=lambda p: (p.window_start, p.id), reverse=True)
            # MkDocs themes print nav titles as HTML: a plain field must be escaped here too.
            pages = [{markup.attribute(p.title): [{t: f"plans/{p.id}/{f}"} for f, t in PLAN_PAGES]} for p in listed]
            sections.append({MONTHS[month - 1]: pages})
        years.append({str(year): sections})
    nav.append({"Go-lives": years})
    return nav
