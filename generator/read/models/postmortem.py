"""plans/<plan-id>/postmortem.yaml: what the team learnt."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from generator.read.models.common import ENTRIES_MAX, LIST_MAX, Date, LongText, Markdown, Name, Slug, Source, Text
from generator.read.models.log import LogEntry

Few = Field(max_length=LIST_MAX)


class ObjectiveResult(Source):
    objective: Slug
    observed: Text | None = None
    met: StrictBool | None = None


class ActionItem(Source):
    id: Slug
    text: Text
    owner: Slug
    kind: Literal["mitigate", "prevent", "process", "other"] = "other"
    priority: Literal["P0", "P1", "P2", "P3"] | None = None
    due: Date | None = None
    ticket: Name | None = None
    status: Literal["open", "in-progress", "done", "wontfix"] = "open"


class Postmortem(Source):
    status: Literal["draft", "in-review", "final"] = "draft"
    date: Date | None = None
    authors: Annotated[list[Slug], Few] = []
    summary: Markdown | None = None
    impact: Markdown | None = None
    root_causes: Markdown | None = None
    trigger: Markdown | None = None
    detection: Markdown | None = None
    resolution: Markdown | None = None
    results: Annotated[list[ObjectiveResult], Few] = []
    went_well: Annotated[list[LongText], Few] = []
    went_wrong: Annotated[list[LongText], Few] = []
    lucky: Annotated[list[LongText], Few] = []
    feedback: Annotated[list[LongText], Few] = []
    action_items: Annotated[list[ActionItem], Few] = []
    timeline_extra: Annotated[list[LogEntry], Field(max_length=ENTRIES_MAX)] = []
