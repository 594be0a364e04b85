"""plans/people.yaml: the directory of people shared by all plans."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from generator.read.models.common import ENTRIES_MAX, Email, Name, Slug, Source, TimeZoneName


class Person(Source):
    id: Slug
    name: Name
    role: Name | None = None
    team: Name | None = None
    email: Email | None = None
    phone: Name | None = None
    chat: Name | None = None
    timezone: TimeZoneName | None = None
    backup: Slug | None = None


class PeopleFile(Source):
    people: Annotated[list[Person], Field(max_length=ENTRIES_MAX)]
