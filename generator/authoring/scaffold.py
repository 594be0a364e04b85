"""`golive new`: a valid draft plan to start from (the template authoring/templates/plan.yaml.j2)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from generator.authoring.templates import render_yaml
from generator.errors import GoliveError
from generator.read.layout import PEOPLE_FILE, PLAN_FILE, PLANS_DIR
from generator.read.models.common import SLUG_MAX, SLUG_PATTERN, SLUG_RULE
from generator.read.sources import load_project, refused_entries


class ScaffoldError(GoliveError):
    """The draft cannot be created; the message says why."""


def check_new_plan_folder(root: Path, plan_id: str) -> None:
    """Refuse an invalid id, an existing plan folder, and a link anywhere under plans/."""
    if not re.fullmatch(SLUG_PATTERN, plan_id):
        raise ScaffoldError(f"'{plan_id}' is not a valid plan id: use {SLUG_RULE}, at most {SLUG_MAX} characters")
    if os.path.lexists(root / PLANS_DIR / plan_id):
        raise ScaffoldError(f"{PLANS_DIR}/{plan_id} already exists")
    # Through a link, the new plan would be written outside the repository.
    refused = refused_entries(root, PLANS_DIR)
    if refused:
        raise ScaffoldError(f"{refused[0].file}: {refused[0].message} ({refused[0].hint})")


def new_plan(root: Path, plan_id: str, today: dt.date, checklists: dict[str, list[str]] | None = None) -> Path:
    """Write plans/<plan_id>/plan.yaml as a valid draft; refuse an existing or invalid id.

    checklists: the shared checklists the plan uses, by phase (their owner_roles must be "Go-live lead").
    """
    check_new_plan_folder(root, plan_id)
    folder = root / PLANS_DIR / plan_id
    project, _ = load_project(root)
    people = project.people.model.people if project.people else []
    if not people:
        raise ScaffoldError(f"add at least one person to {PLANS_DIR}/{PEOPLE_FILE} first")
    lead = people[0]
    # The next Saturday evening: a common quiet slot for a go-live.
    days = (5 - today.weekday()) % 7 or 7
    start = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(22, 0))
    text = render_yaml(
        "plan.yaml.j2",
        title=plan_id.replace("-", " ").capitalize(),
        plan_id=plan_id,
        timezone=lead.timezone or "UTC",
        start=f"{start:%Y-%m-%d %H:%M}",
        end=f"{start + dt.timedelta(hours=4):%Y-%m-%d %H:%M}",
        lead=lead.id,
        checklists=checklists or {},
    )
    folder.mkdir(parents=True)
    path = folder / PLAN_FILE
    path.write_text(text, encoding="utf-8")
    return path
