"""plans/<plan-id>/log.yaml: what happened during the call."""

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
    by: Slug
    kind: EntryKind = "note"
    step: Slug | None = None
    id: Slug | None = None
    severity: Severity | None = None
    resolves: Slug | None = None
    text: LongText | None = None


class Log(Source):
    entries: Annotated[list[LogEntry], Field(max_length=ENTRIES_MAX)] = []
