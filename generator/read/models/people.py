"""plans/people.yaml: the directory of people shared by all plans."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from generator.read.models.common import ENTRIES_MAX, Email, Name, Slug, Source, TimeZoneName


class Person(Source):
    id: Slug
    """How plans name this person: lowercase letters, digits and dashes, e.g. ana-souza."""
    name: Name
    """Their name as every page shows it."""
    role: Name | None = None
    """Their job, shown beside their name on contact sheets."""
    team: Name | None = None
    """Their team, shown on the people page."""
    email: Email | None = None
    """Their email address (a mailto: link on the pages)."""
    phone: Name | None = None
    """The number to call during the go-live, in international form (a tap-to-call link); quote it in YAML."""
    chat: Name | None = None
    """Their chat handle, e.g. @ana."""
    timezone: TimeZoneName | None = None
    """Their IANA time zone, e.g. Europe/London: contact sheets show their local time."""
    backup: Slug | None = None
    """Who takes over when they cannot: another person's id in this file."""


class PeopleFile(Source):
    people: Annotated[list[Person], Field(max_length=ENTRIES_MAX)]
    """Everyone the plans name: step owners, stakeholders, deciders and their backups."""
