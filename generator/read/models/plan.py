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
    """When the go-live window opens, in the plan's time zone: 2026-12-05 22:00."""
    end: LocalDateTime
    """When it closes: every step, and a rollback, must be done by then."""


class Objective(Source):
    id: Slug
    """The objective's id, for the post-mortem's results."""
    text: Text
    """What the go-live must achieve."""
    metric: Text | None = None
    """How it is measured."""
    target: Text | None = None
    """The value that counts as met."""


class Stakeholder(Source):
    person: Slug
    """A person's id from people.yaml."""
    role: Name
    """Their role in this go-live, e.g. Go-live lead: the first role with 'lead' in it leads the call."""
    responsibilities: Annotated[list[Text], Few] = []
    """What they are responsible for during the go-live."""
    backup: Slug | None = None
    """Who stands in for them: a person's id from people.yaml."""


class Channel(Source):
    kind: ChannelKind
    """bridge, chat, status-page, document or other."""
    name: Name
    """The channel's name as pages show it."""
    link: Link | None = None
    """Where it is: an https:, http:, mailto: or tel: link."""
    details: Text | None = None
    """Anything else to know, e.g. a dial-in PIN."""


class Approval(Source):
    person: Slug
    """Who approves: a person's id from people.yaml."""
    decision: Literal["approved", "pending", "rejected"]
    """approved, pending or rejected."""
    date: Date | None = None
    """When they decided: 2026-11-20."""


class Gate(Source):
    id: Slug
    """The gate's id."""
    before: Slug
    """The step the go/no-go decision is taken before: a step id."""
    decider: Slug
    """Who decides: a person's id from people.yaml."""
    criteria: Annotated[list[Text], Few] = []
    """What must be true to go on."""


class PlanChecklistItem(Source):
    id: Slug
    """The item's id within the plan."""
    phase: Phase
    """pre-launch, go-live or post-launch."""
    text: Text
    """What must be true or done, in one line."""
    owner: Slug | None = None
    """Who sees to it: a person's id from people.yaml."""


class PlanChecklists(Source):
    pre_launch: list[Slug] = Field(default=[], alias="pre-launch", max_length=LIST_MAX)
    """Ids of shared checklists (plans/checklists/<id>.yaml) to work through before the window."""
    go_live: list[Slug] = Field(default=[], alias="go-live", max_length=LIST_MAX)
    """Ids of shared checklists to work through during the window."""
    post_launch: list[Slug] = Field(default=[], alias="post-launch", max_length=LIST_MAX)
    """Ids of shared checklists to work through after the go-live."""
    items: Annotated[list[PlanChecklistItem], Few] = []
    """Checklist items of this plan only."""

    def by_phase(self) -> dict[Phase, list[str]]:
        """The shared checklists the plan uses, by phase, in PHASES order."""
        return {"pre-launch": self.pre_launch, "go-live": self.go_live, "post-launch": self.post_launch}


class Step(Source):
    id: Slug
    """The step's id: lowercase letters, digits and dashes; other steps, gates and log entries name it."""
    title: Text
    """What the step does, in one line."""
    owner: Slug
    """Who does it: a person's id from people.yaml."""
    duration: Duration
    """How long it takes: 45s, 10m, 2h, 1h30m or PT1H30M."""
    # None (key absent) means "after the step listed before"; [] means "no dependency".
    depends_on: Annotated[list[Slug], Field(max_length=STEPS_MAX)] | None = None
    """The steps it waits for; without it, the step follows the one listed before; [] starts it at the window start."""
    start: TimeOrDateTime | None = None
    """Not before this: a time of day (\"23:00\"), a weekday and time (\"Sun 18:30\") or a full date and time."""
    instructions: Markdown | None = None
    """How to do it (Markdown)."""
    commands: Annotated[list[LongText], Few] = []
    """Commands to run, each shown with a copy button."""
    verify: Text | None = None
    """How to check that it worked."""
    point_of_no_return: StrictBool = False
    """true for the step after whose start a rollback no longer undoes the go-live."""


class Rollback(Source):
    owner: Slug
    """Who decides on and leads a rollback: a person's id from people.yaml."""
    triggers: Annotated[list[Text], Few] = []
    """What makes the team roll back."""
    steps: Annotated[list[Step], Field(max_length=STEPS_MAX)] = []
    """The rollback's steps, scheduled like the plan's from the point of no return."""


class Monitor(Source):
    name: Name
    """The dashboard's or alert's name."""
    link: Link | None = None
    """Where to see it: an https: or http: link."""
    watch: Annotated[list[Name], Few] = []
    """What to watch on it."""


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
    """The message's id."""
    audience: Name
    """Who it is for."""
    channel: Name
    """Where it is sent, e.g. email or #announcements."""
    when: Name
    """When it is sent, e.g. 7 days before the window."""
    message: LongText
    """The text, with placeholders such as {title}, {start}, {end}, {lead}, {bridge}."""


class Plan(Source):
    title: Text
    """The go-live's title, as every page heads it."""
    system: Name | None = None
    """The system that goes live."""
    version: Annotated[int, Field(ge=1, strict=True)] = 1
    """The plan's version: raise it with every change that matters to the people on the call."""
    series: Slug | None = None
    """The go-lives that run this plan again (monthly releases, one country after another) share a series id;
    a step is the same step across the series when its id is the same."""
    status: Status = "draft"
    """draft, in-review, approved, in-progress, live, rolled-back, completed or cancelled."""
    timezone: TimeZoneName
    """The IANA time zone every time of the plan is read in, e.g. Europe/London."""
    window: Window
    """When the go-live may happen."""
    summary: Markdown | None = None
    """What goes live and why (Markdown)."""
    objectives: Annotated[list[Objective], Few] = []
    """What the go-live must achieve, and how it is measured."""
    stakeholders: Annotated[list[Stakeholder], Field(min_length=1, max_length=LIST_MAX)]
    """The people of this go-live and their roles; the lead first or with 'lead' in the role."""
    channels: Annotated[list[Channel], Few] = []
    """Where the call happens: the bridge, the chat, the status page."""
    approvals: Annotated[list[Approval], Few] = []
    """Who approved the plan (an approved plan needs them)."""
    gates: Annotated[list[Gate], Few] = []
    """Go/no-go decisions, each before a step."""
    checklists: PlanChecklists = PlanChecklists()
    """The shared checklists the plan uses, and items of its own."""
    steps: Annotated[list[Step], Field(min_length=1, max_length=STEPS_MAX)]
    """The steps of the go-live, in order."""
    rollback: Rollback | None = None
    """How to undo the go-live: owner, triggers and steps."""
    monitoring: Annotated[list[Monitor], Few] = []
    """Dashboards and alerts to watch."""
    communications: Annotated[list[Communication], Few] = []
    """Messages to send before, during and after, ready to copy."""


def lead_of(plan: Plan) -> int:
    """Index of the plan's lead: the first stakeholder whose role says "lead", else the first."""
    for index, stakeholder in enumerate(plan.stakeholders):
        if "lead" in stakeholder.role.lower():
            return index
    return 0
