"""plans/checklists/<id>.yaml: a reusable checklist."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

from generator.read.models.common import LIST_MAX, Name, Slug, Source, Text

Phase = Literal["pre-launch", "go-live", "post-launch"]
PHASES: tuple[Phase, ...] = get_args(Phase)
# How pages head each phase's checklist.
PHASE_TITLES: dict[Phase, str] = {"pre-launch": "Pre-launch", "go-live": "Go-live", "post-launch": "Post-launch"}
assert tuple(PHASE_TITLES) == PHASES, "every phase has its title, in order"


class ChecklistItem(Source):
    id: Slug
    """The item's id within the checklist: lowercase letters, digits and dashes."""
    text: Text
    """What must be true or done, in one line."""
    owner: Slug | None = None
    """Who sees to it: a person's id from people.yaml (or give owner_role instead)."""
    # A stakeholder role instead of a person ("Go-live lead"): resolved per plan, so that a shared
    # checklist names each plan's own people. Either owner or owner_role, not both.
    owner_role: Name | None = None
    """A stakeholder role instead of a person (Go-live lead): each plan puts its own person in it."""


class Checklist(Source):
    title: Text
    """The checklist's title, as pages head it."""
    phase: Phase
    """When it is worked through: pre-launch, go-live or post-launch."""
    items: Annotated[list[ChecklistItem], Field(min_length=1, max_length=LIST_MAX)]
    """The checklist's items, in order."""
