"""plans/<plan-id>/postmortem.yaml: what the team learnt."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from generator.read.models.common import ENTRIES_MAX, LIST_MAX, Date, LongText, Markdown, Name, Slug, Source, Text
from generator.read.models.log import LogEntry

Few = Field(max_length=LIST_MAX)


class ObjectiveResult(Source):
    objective: Slug
    """The id of one of the plan's objectives."""
    observed: Text | None = None
    """What was measured or seen against its target."""
    met: StrictBool | None = None
    """Whether the objective was met."""


class ActionItem(Source):
    id: Slug
    """The action's id: lowercase letters, digits and dashes."""
    text: Text
    """What is to be done."""
    owner: Slug
    """Who does it: a person's id from people.yaml."""
    kind: Literal["mitigate", "prevent", "process", "other"] = "other"
    """What it is for: mitigate, prevent, process or other."""
    priority: Literal["P0", "P1", "P2", "P3"] | None = None
    """P0 (most urgent) to P3."""
    due: Date | None = None
    """When it is due: 2026-12-20."""
    ticket: Name | None = None
    """The ticket that tracks it, e.g. OPS-1234 or a link."""
    status: Literal["open", "in-progress", "done", "wontfix"] = "open"
    """open, in-progress, done or wontfix."""


class Postmortem(Source):
    status: Literal["draft", "in-review", "final"] = "draft"
    """draft, in-review or final."""
    date: Date | None = None
    """The date of the post-mortem meeting."""
    authors: Annotated[list[Slug], Few] = []
    """Who wrote it: people's ids."""
    summary: Markdown | None = None
    """What happened, in a few sentences (Markdown)."""
    impact: Markdown | None = None
    """Who and what was affected, how much and for how long (Markdown)."""
    root_causes: Markdown | None = None
    """Why it happened (Markdown)."""
    trigger: Markdown | None = None
    """What set it off (Markdown)."""
    detection: Markdown | None = None
    """How and when it was noticed (Markdown)."""
    resolution: Markdown | None = None
    """How it was resolved (Markdown)."""
    results: Annotated[list[ObjectiveResult], Few] = []
    """Each objective of the plan, met or not."""
    went_well: Annotated[list[LongText], Few] = []
    """What went well."""
    went_wrong: Annotated[list[LongText], Few] = []
    """What went wrong."""
    lucky: Annotated[list[LongText], Few] = []
    """Where the team got lucky."""
    feedback: Annotated[list[LongText], Few] = []
    """Feedback from the people on the call and those affected."""
    action_items: Annotated[list[ActionItem], Few] = []
    """What will be done about it, by whom and when."""
    timeline_extra: Annotated[list[LogEntry], Field(max_length=ENTRIES_MAX)] = []
    """Log entries to add to the call's timeline, as in log.yaml (what was learnt afterwards)."""
