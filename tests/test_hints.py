"""Hints that name what was meant: people by id and name, zones by city, steps by id and title."""

from __future__ import annotations

import pytest

from generator.check.context import person_hint
from generator.diagnostics import step_subject
from generator.read.models.common import timezone_hint
from generator.read.models.people import Person

PEOPLE = {
    p.id: p
    for p in (
        Person(id="arun-kumar", name="Arun Kumar"),
        Person(id="arun-menon", name="Arun Menon"),
        Person(id="wei-ling-tan", name="Tan Wei Ling"),
        Person(id="dev", name="Devi Raman"),
        Person(id="rob", name="Rob Lee"),
    )
}


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("arun", "did you mean 'arun-kumar' (Arun Kumar) or 'arun-menon' (Arun Menon)?"),
        ("arunkumar", "did you mean 'arun-kumar' (Arun Kumar)?"),
        ("tan", "did you mean 'wei-ling-tan' (Tan Wei Ling)?"),
        ("wei", "did you mean 'wei-ling-tan' (Tan Wei Ling)?"),
        ("devi", "did you mean 'dev' (Devi Raman)?"),
        ("devi-raman", "did you mean 'dev' (Devi Raman)?"),
        ("bob", "did you mean 'rob' (Rob Lee)?"),
        ("zed", ""),
    ],
)
def test_an_unknown_person_is_suggested_by_id_and_by_name(typed: str, hint: str) -> None:
    assert person_hint(typed, PEOPLE) == hint


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Frankfurt", "Europe/Berlin"),
        ("Munich", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("Bangalore", "Asia/Kolkata"),
        ("Asia/Bengaluru", "Asia/Kolkata"),
        ("Mumbai", "Asia/Kolkata"),
        ("Delhi", "Asia/Kolkata"),
        ("Boston", "America/New_York"),
        ("San Francisco", "America/Los_Angeles"),
        ("America/Seattle", "America/Los_Angeles"),
        ("Sydney", "Australia/Sydney"),
        ("new york", "America/New_York"),
        ("Europe/Lodon", "Europe/London"),  # a misspelling still gets the closest name
    ],
)
def test_an_unknown_zone_is_suggested_by_its_city(typed: str, zone: str) -> None:
    assert timezone_hint(typed).startswith(f"did you mean '{zone}'")


def test_a_step_is_named_from_the_values_even_when_its_plan_has_no_model() -> None:
    data = {"steps": [{"id": "freeze", "title": "Announce code freeze", "duration": "ten"}], "rollback": "oops"}
    assert step_subject(data, "steps[0].duration") == 'freeze, "Announce code freeze"'
    assert step_subject(data, "steps[0]") == 'freeze, "Announce code freeze"'
    assert step_subject(data, "steps[1].owner") == ""  # no such step
    assert step_subject(data, "rollback.steps[0]") == ""  # rollback is not a mapping
    assert step_subject({"steps": [{"id": "x", "title": "t" * 80}]}, "steps[0]") == f'x, "{"t" * 47}..."'
