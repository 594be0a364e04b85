"""plans/<plan-id>/log.yaml: what happened during the call; rehearsals/<name>.yaml: during a rehearsal."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

from generator.read.models.common import ENTRIES_MAX, LocalDateTime, LongText, Slug, Source

EntryKind = Literal[
    "note",
    "step-started",
    "step-done",
    "issue",
    "decision",
    "resolution",
    "rollback-started",
    "rollback-done",
    "metric",
]
ENTRY_KINDS: tuple[EntryKind, ...] = get_args(EntryKind)
Severity = Literal["sev1", "sev2", "sev3", "sev4"]  # sev1 is the worst
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
# Kinds that say something in words; the others may only name a step.
KINDS_NEEDING_TEXT: tuple[EntryKind, ...] = ("note", "issue", "decision", "resolution", "metric")
KINDS_NEEDING_STEP: tuple[EntryKind, ...] = ("step-started", "step-done")


class LogEntry(Source):
    at: LocalDateTime
    """When it happened, in the plan's time zone: 2026-12-05 22:41 (+01:00 added when the clocks go back)."""
    by: Slug
    """Who logged it or did it: a person's id from people.yaml."""
    kind: EntryKind = "note"
    """note, step-started, step-done, issue, decision, resolution, rollback-started, rollback-done or metric."""
    step: Slug | None = None
    """The step it is about (step-started and step-done need one): a step id of the plan or its rollback."""
    id: Slug | None = None
    """An id for an issue, so that a resolution can name it."""
    severity: Severity | None = None
    """How bad an issue is: sev1 (the worst) to sev4."""
    resolves: Slug | None = None
    """The id of the issue a resolution resolves (default: the oldest open issue)."""
    text: LongText | None = None
    """What happened, in words (notes, issues, decisions, resolutions and metrics need it)."""


class Log(Source):
    entries: Annotated[list[LogEntry], Field(max_length=ENTRIES_MAX)] = []
    """The entries of the call, in any order: golive reads them in time order."""


class Rehearsal(Source):
    """plans/<plan-id>/rehearsals/<name>.yaml: a rehearsal of the plan (a mock cutover, a dress rehearsal)."""

    started: LocalDateTime
    """When the rehearsal started, in the plan's time zone: its T+0:00, as the window start is the call's."""
    entries: Annotated[list[LogEntry], Field(max_length=ENTRIES_MAX)] = []
    """What happened, as in log.yaml: entries with full dates and times, in any order."""
