"""`golive new`: a valid draft plan to start from."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from generator.errors import GoliveError
from generator.read.models.common import SLUG_PATTERN
from generator.read.sources import PEOPLE_FILE, PLAN_FILE, PLANS_DIR, load_project, refused_entries

DRAFT_TEMPLATE = """\
# yaml-language-server: $schema=../../schemas/plan.schema.json
title: {title}
system: {plan_id}
version: 1
status: draft
timezone: {timezone}
window:
  start: {start:%Y-%m-%d %H:%M}
  end: {end:%Y-%m-%d %H:%M}
summary: |
  What goes live, for whom, and why now.
objectives:
  - id: live
    text: {title} serves all traffic
    metric: error rate
    target: "< 0.5% over the first hour"
stakeholders:
  - person: {lead}
    role: Go-live lead
    responsibilities: [Runs the call, takes the go/no-go decision]
channels:
  - kind: bridge
    name: Go-live bridge
    link: https://meet.example.com/{plan_id}
gates:
  - id: go-no-go
    before: deploy
    decider: {lead}
    criteria: [Pre-launch checklist complete, No open sev1 or sev2 incident]
steps:
  - id: freeze
    title: Announce the change freeze
    owner: {lead}
    duration: 10m
  - id: deploy
    title: Deploy the release
    owner: {lead}
    duration: 30m
    point_of_no_return: true
  - id: verify
    title: Verify with smoke tests
    owner: {lead}
    duration: 20m
    verify: All smoke tests green
rollback:
  owner: {lead}
  triggers:
    - Error rate above 1% for 5 minutes
  steps:
    - id: rb-redeploy
      title: Redeploy the previous release
      owner: {lead}
      duration: 20m
"""


class ScaffoldError(GoliveError):
    """The draft cannot be created; the message says why."""


def new_plan(root: Path, plan_id: str, today: dt.date) -> Path:
    """Write plans/<plan_id>/plan.yaml as a valid draft; refuse an existing or invalid id."""
    if not re.fullmatch(SLUG_PATTERN, plan_id):
        raise ScaffoldError(
            f"'{plan_id}' is not a valid plan id: use lowercase letters, digits and hyphens, "
            "starting with a letter or digit, at most 63 characters"
        )
    folder = root / PLANS_DIR / plan_id
    if os.path.lexists(folder):
        raise ScaffoldError(f"{PLANS_DIR}/{plan_id} already exists")
    # Through a link, the new plan would be written outside the repository.
    refused = refused_entries(root, PLANS_DIR)
    if refused:
        raise ScaffoldError(f"{refused[0].file}: {refused[0].message} ({refused[0].hint})")
    project, _ = load_project(root)
    people = project.people.model.people if project.people else []
    if not people:
        raise ScaffoldError(f"add at least one person to {PLANS_DIR}/{PEOPLE_FILE} first")
    lead = people[0]
    # The next Saturday evening: a common quiet slot for a go-live.
    days = (5 - today.weekday()) % 7 or 7
    start = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(22, 0))
    text = DRAFT_TEMPLATE.format(
        title=plan_id.replace("-", " ").capitalize(),
        plan_id=plan_id,
        timezone=lead.timezone or "UTC",
        start=start,
        end=start + dt.timedelta(hours=4),
        lead=lead.id,
    )
    folder.mkdir(parents=True)
    path = folder / PLAN_FILE
    path.write_text(text, encoding="utf-8")
    return path
