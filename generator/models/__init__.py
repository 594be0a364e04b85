"""Pydantic models, one module per source kind."""

from __future__ import annotations

from generator.models.checklist import Checklist
from generator.models.log import Log
from generator.models.people import PeopleFile
from generator.models.plan import Plan
from generator.models.postmortem import Postmortem

__all__ = ["Checklist", "Log", "PeopleFile", "Plan", "Postmortem"]
