"""The post-mortem page: the one written, or the pre-filled start `golive postmortem` would make."""

from __future__ import annotations

from dataclasses import dataclass

from generator.call.calllog import CallLog, read_log
from generator.call.postmortem import prefill, prefilled_model
from generator.read.sources import PlanSources
from generator.schedule.timetable import Schedule
from generator.site.views.log import LogRow, LogView, log_figures, log_rows
from generator.site.views.people import ContactBook


@dataclass(frozen=True, slots=True)
class ResultRow:
    objective: str
    metric: str
    target: str
    observed: str
    met: str


@dataclass(frozen=True, slots=True)
class ActionRow:
    id: str
    text: str
    owner: str
    kind: str
    priority: str
    due: str
    ticket: str
    status: str


@dataclass(frozen=True, slots=True)
class PostmortemView:
    written: bool  # False: the pre-filled template shown before postmortem.yaml exists
    status: str
    date: str
    authors: tuple[str, ...]
    sections: tuple[tuple[str, str | None], ...]  # (heading, Markdown) in template order
    results: tuple[ResultRow, ...]
    lists: tuple[tuple[str, tuple[str, ...]], ...]
    action_items: tuple[ActionRow, ...]
    open_actions: int
    timeline: tuple[LogRow, ...]
    figures: tuple[tuple[str, str], ...]


POSTMORTEM_SECTIONS = (
    ("Summary", "summary"),
    ("Impact", "impact"),
    ("Root causes", "root_causes"),
    ("Trigger", "trigger"),
    ("Detection", "detection"),
    ("Resolution", "resolution"),
)
POSTMORTEM_LISTS = (
    ("What went well", "went_well"),
    ("What went wrong", "went_wrong"),
    ("Where we got lucky", "lucky"),
    ("Feedback from users and staff", "feedback"),
)


def postmortem_view(
    sources: PlanSources, schedule: Schedule, book: ContactBook, call_log: CallLog | None, log: LogView | None
) -> PostmortemView:
    """The post-mortem page; `log` is the log page's view, whose rows it shows unless the post-mortem adds entries."""
    plan = sources.plan.model
    written = sources.postmortem is not None
    if sources.postmortem is not None:
        postmortem = sources.postmortem.model
    else:
        # Before one is written, show what `golive postmortem` would start from; dated by the
        # window's last day so that the page does not depend on the clock.
        day = schedule.window_end.astimezone(schedule.zone).date()
        postmortem = prefilled_model(prefill(plan, schedule, call_log, day))
    objectives = {o.id: o for o in plan.objectives}
    results = tuple(
        ResultRow(
            objectives[r.objective].text if r.objective in objectives else r.objective,
            (objectives[r.objective].metric or "") if r.objective in objectives else "",
            (objectives[r.objective].target or "") if r.objective in objectives else "",
            r.observed or "",
            "yes" if r.met is True else "no" if r.met is False else "",
        )
        for r in postmortem.results
    )
    actions = tuple(
        ActionRow(
            a.id,
            a.text,
            book.contact(a.owner).name,
            a.kind,
            a.priority or "",
            a.due.isoformat() if a.due else "",
            a.ticket or "",
            a.status,
        )
        for a in postmortem.action_items
    )
    timeline: tuple[LogRow, ...] = ()
    figures: tuple[tuple[str, str], ...] = ()
    if postmortem.timeline_extra:  # the log read again with what the post-mortem adds to it
        entries = sources.log.model.entries if sources.log else []
        merged = read_log(entries, schedule, postmortem.timeline_extra)
        timeline, figures = log_rows(schedule, book, merged), log_figures(schedule, merged)
    elif call_log is not None:
        timeline = log.rows if log is not None else log_rows(schedule, book, call_log)
        figures = log_figures(schedule, call_log)
    return PostmortemView(
        written=written,
        status=postmortem.status,
        date=postmortem.date.isoformat() if postmortem.date else "",
        authors=tuple(book.contact(a).name for a in postmortem.authors),
        sections=tuple((title, getattr(postmortem, key)) for title, key in POSTMORTEM_SECTIONS),
        results=results,
        lists=tuple((title, tuple(getattr(postmortem, key))) for title, key in POSTMORTEM_LISTS),
        action_items=actions,
        open_actions=sum(1 for a in postmortem.action_items if a.status in ("open", "in-progress")),
        timeline=timeline,
        figures=figures,
    )
