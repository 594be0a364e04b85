"""A post-mortem's prefill: what the plan and the log already say.

`golive postmortem` writes it as a new post-mortem (authoring/postmortem.py); the site shows it
as the post-mortem page of a plan that has none yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.call.calllog import CallLog
from generator.read.models.plan import Plan, lead_of
from generator.read.models.postmortem import Postmortem
from generator.schedule.timefmt import format_span
from generator.schedule.timetable import Schedule


@dataclass(frozen=True)
class Prefill:
    """The facts a new post-mortem starts from."""

    date: dt.date
    authors: tuple[str, ...]
    summary: str
    objectives: tuple[str, ...]


def prefill(plan: Plan, schedule: Schedule, call_log: CallLog | None, date: dt.date) -> Prefill:
    """What golive can already say: the window, how the steps went, the issues, the rollback."""
    zone = schedule.zone
    start, end = schedule.window_start.astimezone(zone), schedule.window_end.astimezone(zone)
    # The end as every other time is shown (with its day when the window covers several dates).
    end_text = schedule.clock(schedule.window_end)
    window = f"{start:%a %d %b %Y %H:%M} to {end_text}" + ("" if schedule.crosses_dst_change else f" {end:%Z}")
    lines = [f"{plan.title} (version {plan.version}) was planned for {window}."]
    if call_log is None or not call_log.entries:
        lines.append("Nothing was logged during the call.")
    else:
        logged = call_log.steps_on_time + call_log.steps_late
        lines.append(
            f"{call_log.steps_done} of {len(call_log.steps)} steps were logged done; of the {logged} steps "
            f"with a logged time, {call_log.steps_on_time} kept to plan and {call_log.steps_late} were late."
        )
        last, slip = call_log.final_step, call_log.final_slip
        if last is not None and last.done is not None and slip is not None:
            lines.append(
                f"The plan's last step was done at {schedule.clock(last.done)}, "
                f"{format_span(slip)} {'after' if slip > dt.timedelta(0) else 'before'} its planned end."
            )
        severities = ", ".join(f"{count} {sev}" for sev, count in call_log.by_severity.items() if count)
        unresolved = sum(1 for i in call_log.issues if i.resolution is None)
        issues = f"{len(call_log.issues)} issue{'s were' if len(call_log.issues) > 1 else ' was'} logged"
        lines.append(
            f"{issues} ({severities}), {unresolved} left unresolved." if call_log.issues else "No issue was logged."
        )
        lines.append("A rollback was started." if call_log.rollback_started else "No rollback was started.")
    lead = plan.stakeholders[lead_of(plan)].person
    return Prefill(date, (lead,), " ".join(lines), tuple(o.id for o in plan.objectives))


def prefilled_model(fill: Prefill) -> Postmortem:
    """The pre-filled post-mortem as a model, for the page shown before one is written."""
    return Postmortem.model_validate(
        {
            "status": "draft",
            "date": fill.date.isoformat(),
            "authors": list(fill.authors),
            "summary": fill.summary,
            "results": [{"objective": objective} for objective in fill.objectives],
        }
    )
