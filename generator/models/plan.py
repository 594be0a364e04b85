"""plans/<plan-id>/plan.yaml: one go-live."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from generator.models.checklist import Phase
from generator.models.common import (
    Date,
    Duration,
    Link,
    LocalDateTime,
    Markdown,
    Slug,
    Source,
    Text,
    TimeOrDateTime,
    TimeZoneName,
)

Status = Literal["draft", "in-review", "approved", "in-progress", "live", "rolled-back", "completed", "cancelled"]
# States in which the plan must be ready to run: rollback written, approvals given.
COMMITTED_STATUSES: tuple[Status, ...] = (
    "approved",
    "in-progress",
    "live",
    "rolled-back",
    "completed",
)
ChannelKind = Literal["bridge", "chat", "status-page", "document", "other"]


class Window(Source):
    start: LocalDateTime
    end: LocalDateTime


class Objective(Source):
    id: Slug
    text: Text
    metric: Text | None = None
    target: Text | None = None


class Stakeholder(Source):
    person: Slug
    role: Text
    responsibilities: list[Text] = []
    backup: Slug | None = None


class Channel(Source):
    kind: ChannelKind
    name: Text
    link: Link | None = None
    details: Text | None = None


class Approval(Source):
    person: Slug
    decision: Literal["approved", "pending", "rejected"]
    date: Date | None = None


class Gate(Source):
    id: Slug
    before: Slug
    decider: Slug
    criteria: list[Text] = []


class PlanChecklistItem(Source):
    id: Slug
    phase: Phase
    text: Text
    owner: Slug | None = None


class PlanChecklists(Source):
    pre_launch: list[Slug] = Field(default=[], alias="pre-launch")
    go_live: list[Slug] = Field(default=[], alias="go-live")
    post_launch: list[Slug] = Field(default=[], alias="post-launch")
    items: list[PlanChecklistItem] = []


class Step(Source):
    id: Slug
    title: Text
    owner: Slug
    duration: Duration
    # None (key absent) means "after the step listed before"; [] means "no dependency".
    depends_on: list[Slug] | None = None
    start: TimeOrDateTime | None = None
    instructions: Markdown | None = None
    commands: list[Text] = []
    verify: Text | None = None
    point_of_no_return: StrictBool = False


class Rollback(Source):
    owner: Slug
    triggers: list[Text] = []
    steps: list[Step] = []


class Monitor(Source):
    name: Text
    link: Link | None = None
    watch: list[Text] = []


class Communication(Source):
    id: Slug
    audience: Text
    channel: Text
    when: Text
    message: Text


class Plan(Source):
    title: Text
    system: Text | None = None
    version: Annotated[int, Field(ge=1, strict=True)] = 1
    status: Status = "draft"
    timezone: TimeZoneName
    window: Window
    summary: Markdown | None = None
    objectives: list[Objective] = []
    stakeholders: Annotated[list[Stakeholder], Field(min_length=1)]
    channels: list[Channel] = []
    approvals: list[Approval] = []
    gates: list[Gate] = []
    checklists: PlanChecklists = PlanChecklists()
    steps: Annotated[list[Step], Field(min_length=1)]
    rollback: Rollback | None = None
    monitoring: list[Monitor] = []
    communications: list[Communication] = []
