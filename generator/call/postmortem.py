"""`golive postmortem`: a post-mortem started from what the plan and the log already say."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.call.calllog import CallLog, read_log
from generator.check.validate import lead_of, validate_project
from generator.errors import GoliveError
from generator.read.models.plan import Plan
from generator.read.models.postmortem import Postmortem
from generator.read.sources import PLANS_DIR, POSTMORTEM_FILE
from generator.schedule.timetable import Schedule, format_span


class PostmortemError(GoliveError):
    """The post-mortem was not created; the message says why."""


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


def postmortem_yaml(fill: Prefill) -> str:
    """The pre-filled post-mortem as YAML, with a hint above every part still to write."""
    from generator.site.render import render_template

    return render_template("postmortem.yaml.j2", fill=fill)


def create_postmortem(root: Path, plan_id: str, today: dt.date) -> Path:
    """Write plans/<plan_id>/postmortem.yaml pre-filled; never overwrite one."""
    path = root / PLANS_DIR / plan_id / POSTMORTEM_FILE
    shown = f"{PLANS_DIR}/{plan_id}/{POSTMORTEM_FILE}"
    if path.is_symlink():  # even one that points nowhere: writing would follow it
        raise PostmortemError(f"{shown} is a symlink; remove it, golive writes only a regular file there")
    if path.exists():
        raise PostmortemError(f"{shown} already exists; golive never overwrites it")
    validation = validate_project(root)
    sources = validation.project.plans.get(plan_id)
    if sources is None or plan_id not in validation.schedules:
        if not (root / PLANS_DIR / plan_id).is_dir():
            raise PostmortemError(f"no plan '{plan_id}' in {PLANS_DIR}/")
        raise PostmortemError(f"{PLANS_DIR}/{plan_id} has errors; run `golive validate` and fix them first")
    schedule = validation.schedules[plan_id]
    call_log = read_log(sources.log.model.entries, schedule) if sources.log else None
    text = postmortem_yaml(prefill(sources.plan.model, schedule, call_log, today))
    # A post-mortem that golive cannot read back would be a bad start: check before writing.
    checked = validate_project(root, {path: text.encode("utf-8")})
    problems = [d for d in checked.errors if d.file.endswith(f"{plan_id}/{POSTMORTEM_FILE}")]
    if problems:
        first = problems[0]
        raise PostmortemError(
            f"internal: the pre-filled post-mortem does not validate, nothing written: "
            f"{first.file}:{first.line}:{first.column}: {first.message}"
        )
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        raise PostmortemError(f"{shown} already exists; golive never overwrites it") from None
    except OSError as error:
        path.unlink(missing_ok=True)
        raise PostmortemError(f"cannot write {shown}: {error.strerror or error}; nothing was written") from None
    return path
