"""plans/people.yaml: the directory of people shared by all plans."""

from __future__ import annotations

from generator.models.common import Email, Slug, Source, Text, TimeZoneName


class Person(Source):
    id: Slug
    name: Text
    role: Text | None = None
    team: Text | None = None
    email: Email | None = None
    phone: Text | None = None
    chat: Text | None = None
    timezone: TimeZoneName | None = None
    backup: Slug | None = None


class PeopleFile(Source):
    people: list[Person]
