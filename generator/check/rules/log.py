"""Rules on log entries (plans/<id>/log.yaml, and a post-mortem's timeline_extra)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from generator.check.context import CheckContext
from generator.diagnostics import ValuePath, did_you_mean
from generator.read.document import Document
from generator.read.models.log import KINDS_NEEDING_STEP, KINDS_NEEDING_TEXT, LogEntry
from generator.read.models.plan import Plan
from generator.schedule.timetable import NonexistentTime, localize


@dataclass
class _Issues:
    """The issue ids known so far, and where each entry of this list defined one."""

    ids: set[str]
    paths: dict[str, ValuePath] = field(default_factory=dict)


def check_log(
    ctx: CheckContext,
    plan: Plan,
    document: Document,
    entries: Sequence[LogEntry],
    base: ValuePath,
    zone: ZoneInfo,
    *,
    is_log: bool,
    known_issues: Iterable[str] = (),
) -> set[str]:
    """Check log entries; return the issue ids they define."""
    step_ids = {step.id for step in plan.steps}
    if plan.rollback is not None:
        step_ids |= {step.id for step in plan.rollback.steps}
    issues = _Issues(set(known_issues))
    done: dict[str, ValuePath] = {}
    for index in _time_order(ctx, document, entries, base, zone):
        entry = entries[index]
        path = (*base, index)
        _check_entry(ctx, document, entry, path, step_ids)
        if entry.id is not None:
            _check_issue_id(ctx, document, entry, path, issues)
        if entry.resolves is not None and entry.resolves not in issues.ids:
            ctx.out.append(
                document.error(
                    (*path, "resolves"),
                    f"no issue '{entry.resolves}' before this entry",
                    did_you_mean(entry.resolves, issues.ids),
                )
            )
        if is_log and entry.kind == "step-done" and entry.step is not None:
            if entry.step in done:
                line = document.mark_of(done[entry.step]).line
                ctx.out.append(
                    document.warning(
                        (*path, "step"),
                        f"step '{entry.step}' is marked done twice (also on line {line})",
                        "keep one entry: the later time counts",
                    )
                )
            done.setdefault(entry.step, path)
    return issues.ids


def _time_order(
    ctx: CheckContext, document: Document, entries: Sequence[LogEntry], base: ValuePath, zone: ZoneInfo
) -> list[int]:
    """The entries' indexes in time order, entries of the same time in file order.

    Entries may be written in any order (pasted from several browsers). An entry at a time
    that does not exist in the zone is an error, and counts as at the time of the one before.
    """
    times: list[dt.datetime | None] = []
    for index, entry in enumerate(entries):
        try:
            times.append(localize(entry.at, zone))
        except NonexistentTime as error:
            ctx.out.append(document.error((*base, index, "at"), str(error)))
            times.append(times[-1] if times else None)
    earliest = min((t for t in times if t is not None), default=None)
    return sorted(range(len(entries)), key=lambda i: (times[i] or earliest, i))


def _check_entry(ctx: CheckContext, document: Document, entry: LogEntry, path: ValuePath, step_ids: set[str]) -> None:
    """Who wrote it, the step it names, and the fields its kind needs or may not have."""
    if entry.by not in ctx.people:
        ctx.person_ref(document, (*path, "by"), entry.by)
    if entry.step is not None and entry.step not in step_ids:
        ctx.out.append(
            document.error((*path, "step"), f"unknown step '{entry.step}'", did_you_mean(entry.step, step_ids))
        )
    if entry.kind in KINDS_NEEDING_STEP and entry.step is None:
        ctx.out.append(document.error(path, f"{_a(entry.kind)} {entry.kind} entry needs 'step'"))
    if entry.kind in KINDS_NEEDING_TEXT and entry.text is None:
        ctx.out.append(document.error(path, f"{_a(entry.kind)} {entry.kind} entry needs 'text'"))
    if entry.kind == "issue" and entry.severity is None:
        ctx.out.append(document.error(path, "an issue entry needs 'severity'", "sev1 (worst) to sev4"))
    if entry.kind != "issue" and entry.severity is not None:
        ctx.out.append(document.error((*path, "severity"), "only an issue entry has a severity"))
    if entry.kind != "resolution" and entry.resolves is not None:
        ctx.out.append(document.error((*path, "resolves"), "only a resolution entry resolves an issue"))


def _check_issue_id(ctx: CheckContext, document: Document, entry: LogEntry, path: ValuePath, issues: _Issues) -> None:
    """An id only on an issue, and each issue id once; the id becomes known either way."""
    assert entry.id is not None
    if entry.kind != "issue":
        ctx.out.append(document.error((*path, "id"), "only an issue entry has an id"))
    elif entry.id in issues.paths:
        first = document.mark_of(issues.paths[entry.id]).line
        message = f"issue id '{entry.id}' is used twice; first on line {first}"
        ctx.out.append(document.error((*path, "id"), message))
    elif entry.id in issues.ids:
        ctx.out.append(document.error((*path, "id"), f"issue id '{entry.id}' is already used in the log"))
    issues.ids.add(entry.id)
    issues.paths.setdefault(entry.id, (*path, "id"))


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
