"""plans/<plan-id>/plan.yaml: one go-live."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field, StrictBool

from generator.read.models.checklist import Phase
from generator.read.models.common import (
    LIST_MAX,
    STEPS_MAX,
    Date,
    Duration,
    Link,
    LocalDateTime,
    LongText,
    Markdown,
    Name,
    Slug,
    Source,
    Text,
    TimeOrDateTime,
    TimeZoneName,
)

Status = Literal["draft", "in-review", "approved", "in-progress", "live", "rolled-back", "completed", "cancelled"]
STATUSES: tuple[Status, ...] = get_args(Status)
# Not started yet, the call under way, the call over.
UPCOMING_STATUSES: tuple[Status, ...] = ("approved", "in-review", "draft")
RUNNING_STATUSES: tuple[Status, ...] = ("in-progress", "live")
FINISHED_STATUSES: tuple[Status, ...] = ("completed", "rolled-back")
# States in which the plan must be ready to run: rollback written, approvals given.
COMMITTED_STATUSES: tuple[Status, ...] = (
    "approved",
    "in-progress",
    "live",
    "rolled-back",
    "completed",
)
# How pages and the calendar name each status; the dashboard lists them in this order:
# what is happening now, then what is coming, then the past.
STATUS_LABELS: dict[Status, str] = {
    "in-progress": "In progress",
    "live": "Live",
    "approved": "Approved",
    "in-review": "In review",
    "draft": "Draft",
    "rolled-back": "Rolled back",
    "completed": "Completed",
    "cancelled": "Cancelled",
}
assert set(STATUS_LABELS) == set(STATUSES), "every status has its label"
ChannelKind = Literal["bridge", "chat", "status-page", "document", "other"]
Few = Field(max_length=LIST_MAX)


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
    role: Name
    responsibilities: Annotated[list[Text], Few] = []
    backup: Slug | None = None


class Channel(Source):
    kind: ChannelKind
    name: Name
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
    criteria: Annotated[list[Text], Few] = []


class PlanChecklistItem(Source):
    id: Slug
    phase: Phase
    text: Text
    owner: Slug | None = None


class PlanChecklists(Source):
    pre_launch: list[Slug] = Field(default=[], alias="pre-launch", max_length=LIST_MAX)
    go_live: list[Slug] = Field(default=[], alias="go-live", max_length=LIST_MAX)
    post_launch: list[Slug] = Field(default=[], alias="post-launch", max_length=LIST_MAX)
    items: Annotated[list[PlanChecklistItem], Few] = []

    def by_phase(self) -> dict[Phase, list[str]]:
        """The shared checklists the plan uses, by phase, in PHASES order."""
        return {"pre-launch": self.pre_launch, "go-live": self.go_live, "post-launch": self.post_launch}


class Step(Source):
    id: Slug
    title: Text
    owner: Slug
    duration: Duration
    # None (key absent) means "after the step listed before"; [] means "no dependency".
    depends_on: Annotated[list[Slug], Field(max_length=STEPS_MAX)] | None = None
    start: TimeOrDateTime | None = None
    instructions: Markdown | None = None
    commands: Annotated[list[LongText], Few] = []
    verify: Text | None = None
    point_of_no_return: StrictBool = False


class Rollback(Source):
    owner: Slug
    triggers: Annotated[list[Text], Few] = []
    steps: Annotated[list[Step], Field(max_length=STEPS_MAX)] = []


class Monitor(Source):
    name: Name
    link: Link | None = None
    watch: Annotated[list[Name], Few] = []


# Placeholders of communications[].message, and the channel kind each needs.
PLACEHOLDERS = (
    "title",
    "system",
    "version",
    "start",
    "end",
    "lead",
    "bridge",
    "chat",
    "status_page",
)
CHANNEL_PLACEHOLDERS: dict[str, ChannelKind] = {"bridge": "bridge", "chat": "chat", "status_page": "status-page"}


class Communication(Source):
    id: Slug
    audience: Name
    channel: Name
    when: Name
    message: LongText


class Plan(Source):
    title: Text
    system: Name | None = None
    version: Annotated[int, Field(ge=1, strict=True)] = 1
    status: Status = "draft"
    timezone: TimeZoneName
    window: Window
    summary: Markdown | None = None
    objectives: Annotated[list[Objective], Few] = []
    stakeholders: Annotated[list[Stakeholder], Field(min_length=1, max_length=LIST_MAX)]
    channels: Annotated[list[Channel], Few] = []
    approvals: Annotated[list[Approval], Few] = []
    gates: Annotated[list[Gate], Few] = []
    checklists: PlanChecklists = PlanChecklists()
    steps: Annotated[list[Step], Field(min_length=1, max_length=STEPS_MAX)]
    rollback: Rollback | None = None
    monitoring: Annotated[list[Monitor], Few] = []
    communications: Annotated[list[Communication], Few] = []


def lead_of(plan: Plan) -> int:
    """Index of the plan's lead: the first stakeholder whose role says "lead", else the first."""
    for index, stakeholder in enumerate(plan.stakeholders):
        if "lead" in stakeholder.role.lower():
            return index
    return 0
