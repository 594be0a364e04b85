"""`golive new ID --from OTHER`: the next go-live made from the last one's plan.

The plan's text is copied, so its comments and layout stay: same steps, ids, owners, gates,
rollback and checklists. What belongs to the old go-live goes: the status becomes draft, the
version 1, the approvals are dropped, and with `--window-start` every full date and time in it
moves by as much as the window's start (wall-clock time: 22:00 stays 22:00 across a clock
change). The log and the post-mortem stay with the old plan; a comment names the source.

With `--adjust-durations`, each step planned shorter than the median its series' completed runs
took (status completed, with a log) gets that median, rounded up to the whole minute; a comment
on the line keeps what it was.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from generator.authoring.scaffold import ScaffoldError, check_new_plan_folder
from generator.check.validate import Validation, validate_project
from generator.read.document import Document, SourceError
from generator.read.layout import PLAN_FILE, PLANS_DIR
from generator.read.load import parse_document, read_source
from generator.read.models.common import parse_duration
from generator.read.models.plan import Plan
from generator.read.sources import load_project
from generator.schedule.actuals import median_duration
from generator.schedule.timefmt import format_duration

# A full date and time as plans write them (seconds and a UTC offset are kept as they are).
_DATE_TIME = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})([ T])(\d{2}:\d{2})(?!\d)")
_TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
_SCHEMA_LINE = re.compile(r"\A(# yaml-language-server:[^\n]*\n)")


# A scalar as a plan writes a duration: quoted, or plain up to a space, comma, bracket or comment.
_SCALAR = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|[^\s,#\]}]+")


class NoSeriesError(ScaffoldError):
    """--adjust-durations from a plan that is not part of a series (a usage error)."""


@dataclass(frozen=True)
class AdjustedDuration:
    """A step given the median duration of the series' completed runs."""

    step: str
    planned: dt.timedelta
    adjusted: dt.timedelta
    runs: int  # the completed runs that measured it

    def line(self) -> str:
        """'snapshot-orders-db: 25m -> 41m (median of 4 runs)'."""
        runs = "1 run" if self.runs == 1 else f"{self.runs} runs"
        return f"{self.step}: {format_duration(self.planned)} -> {format_duration(self.adjusted)} (median of {runs})"


@dataclass(frozen=True)
class Adjustments:
    """What --adjust-durations found: the series, how many completed runs with a log it has, the changes."""

    series: str
    completed_runs: int
    changed: tuple[AdjustedDuration, ...]


@dataclass(frozen=True)
class CopiedPlan:
    path: Path
    window_start: dt.datetime
    shifted: dt.timedelta
    approvals_dropped: int
    adjustments: Adjustments | None = None  # with --adjust-durations


def copy_plan(
    root: Path, plan_id: str, source_id: str, window_start: dt.datetime | None, adjust_durations: bool = False
) -> CopiedPlan:
    """Write plans/<plan_id>/plan.yaml from plans/<source_id>/plan.yaml; nothing when it would not validate.

    `adjust_durations`: steps planned below the median of the series' completed runs get it."""
    check_new_plan_folder(root, plan_id)
    shown = f"{PLANS_DIR}/{source_id}/{PLAN_FILE}"
    try:
        text = read_source(root / PLANS_DIR / source_id / PLAN_FILE, shown).decode("utf-8")
    except FileNotFoundError:
        raise ScaffoldError(f"no plan '{source_id}': {shown} does not exist") from None
    except (SourceError, UnicodeDecodeError) as error:
        raise ScaffoldError(f"{shown}: {error}") from None
    validation = validate_project(root) if adjust_durations else None
    project = validation.project if validation is not None else load_project(root)[0]
    sources = project.plans.get(source_id)
    if sources is None:
        raise ScaffoldError(f"{shown} does not read as a plan; fix it first (`golive validate`)")
    source = sources.plan.model
    adjustments = None
    if validation is not None:
        adjustments = series_adjustments(validation, source_id, source)
        text = _with_durations(text, sources.plan.document, source, adjustments, shown)
    shift = window_start - source.window.start.replace(tzinfo=None) if window_start else dt.timedelta(0)
    body, dropped = _without_top_level_key(text, "approvals")
    body = _DATE_TIME.sub(lambda m: _shifted(m, shift), body)
    body = re.sub(r"(?m)^status:.*$", "status: draft", body, count=1)
    body = re.sub(r"(?m)^version:.*$", "version: 1", body, count=1)
    note = f"# Made from {shown} (version {source.version}) by `golive new --from`: check every step.\n"
    if adjustments is not None and adjustments.changed:
        runs = f"{adjustments.completed_runs} completed run{'s' if adjustments.completed_runs != 1 else ''}"
        note += f"# Durations marked '# was' are the medians of series {adjustments.series}'s {runs}.\n"
    schema = _SCHEMA_LINE.match(body)
    body = schema.group(1) + note + body[schema.end() :] if schema else note + body
    path = root / PLANS_DIR / plan_id / PLAN_FILE
    written = body.encode("utf-8")
    _check_copy(root, path, written, f"{PLANS_DIR}/{plan_id}/{PLAN_FILE}")
    os.makedirs(path.parent)
    path.write_bytes(written)
    return CopiedPlan(path, source.window.start.replace(tzinfo=None) + shift, shift, dropped, adjustments)


def series_adjustments(validation: Validation, plan_id: str, plan: Plan) -> Adjustments:
    """Each step of `plan` planned shorter than the median its series' completed runs took, with
    that median rounded up to the whole minute. NoSeriesError when the plan has no series."""
    if plan.series is None:
        raise NoSeriesError(
            f"--adjust-durations: plan '{plan_id}' has no series (add `series: <id>` to its plan.yaml"
            " to learn from the go-lives that ran it before)"
        )
    series = validation.series.get(plan.series)
    runs = [r for r in series.runs if r.status == "completed" and r.actuals is not None] if series else []
    changed = []
    for step in plan.steps:
        measured = [found.actual for run in runs if (found := run.step(step.id)) and found.actual is not None]
        median = median_duration(measured)
        if median is not None and median > step.duration:
            minutes = dt.timedelta(minutes=math.ceil(median.total_seconds() / 60))
            changed.append(AdjustedDuration(step.id, step.duration, minutes, len(measured)))
    return Adjustments(plan.series, len(runs), tuple(changed))


def _with_durations(text: str, document: Document, plan: Plan, adjustments: Adjustments, shown: str) -> str:
    """The plan's text with each adjusted step's duration rewritten where it is written, the old
    value kept in a comment when nothing follows it on its line; checked by reading it back."""
    lines = text.splitlines(keepends=True)
    index = {step.id: n for n, step in enumerate(plan.steps)}
    for change in adjustments.changed:
        mark = document.mark_of(("steps", index[change.step], "duration"))
        line = lines[mark.line - 1]
        found = _SCALAR.match(line, mark.column - 1)
        if found is None:
            raise ScaffoldError(f"{shown}:{mark.line}: cannot find the duration of step '{change.step}'")
        rest = line[found.end() :]
        if not rest.strip():
            rest = f"  # was {format_duration(change.planned)}: median of the series' runs{rest}"
        lines[mark.line - 1] = line[: found.start()] + format_duration(change.adjusted) + rest
    adjusted = "".join(lines)
    try:
        steps = parse_document(adjusted.encode("utf-8"), shown).data["steps"]
        durations = {step["id"]: parse_duration(step["duration"]) for step in steps}
    except (SourceError, KeyError, TypeError, ValueError):
        durations = {}
    for change in adjustments.changed:
        if durations.get(change.step) != change.adjusted:
            raise ScaffoldError(f"{shown}: cannot rewrite the duration of step '{change.step}'; nothing written")
    return adjusted


def _check_copy(root: Path, path: Path, written: bytes, shown: str) -> None:
    errors = [d for d in validate_project(root, {path: written}).errors if d.file == shown]
    if errors:
        first = errors[0]
        where = f"{first.file}:{first.line}:{first.column}: {first.path}"
        raise ScaffoldError(f"the copy would not validate, nothing written: {where}: {first.message}")


def _shifted(match: re.Match[str], shift: dt.timedelta) -> str:
    date, separator, time = match.groups()
    moved = dt.datetime.fromisoformat(f"{date} {time}") + shift
    return f"{moved:%Y-%m-%d}{separator}{moved:%H:%M}"


def _without_top_level_key(text: str, key: str) -> tuple[str, int]:
    """The text without `key:` and the lines under it; and how many list items it held."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    inside = False
    items = 0
    for line in lines:
        if _TOP_LEVEL_KEY.match(line):
            inside = line.split(":", 1)[0].strip() == key
            if inside:
                items += len(re.findall(r"\{", line))  # approvals: [{...}, {...}] on one line
                continue
        if inside:
            items += 1 if re.match(r"^\s*-\s", line) else 0
            continue
        kept.append(line)
    return "".join(kept), items
