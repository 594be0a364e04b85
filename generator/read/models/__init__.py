"""Pydantic models, one module per source kind."""

from __future__ import annotations

from generator.read.models.checklist import Checklist
from generator.read.models.log import Log, Rehearsal
from generator.read.models.people import PeopleFile
from generator.read.models.plan import Plan
from generator.read.models.postmortem import Postmortem

__all__ = ["Checklist", "Log", "PeopleFile", "Plan", "Postmortem", "Rehearsal"]
