"""plans/<plan-id>/postmortem.yaml: what the team learnt."""

from __future__ import annotations

from typing import Literal

from pydantic import StrictBool

from generator.models.common import Date, Markdown, Slug, Source, Text
from generator.models.log import LogEntry


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
    ticket: Text | None = None
    status: Literal["open", "in-progress", "done", "wontfix"] = "open"


class Postmortem(Source):
    status: Literal["draft", "in-review", "final"] = "draft"
    date: Date | None = None
    authors: list[Slug] = []
    summary: Markdown | None = None
    impact: Markdown | None = None
    root_causes: Markdown | None = None
    trigger: Markdown | None = None
    detection: Markdown | None = None
    resolution: Markdown | None = None
    results: list[ObjectiveResult] = []
    went_well: list[Text] = []
    went_wrong: list[Text] = []
    lucky: list[Text] = []
    feedback: list[Text] = []
    action_items: list[ActionItem] = []
    timeline_extra: list[LogEntry] = []
