"""What every cross-file rule reads and reports into: the project, its people, the diagnostics so far."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.diagnostics import Diagnostic, ValuePath, shorten
from generator.read.document import Document
from generator.read.models.people import Person
from generator.read.sources import Project


@dataclass
class CheckContext:
    """The project being checked; each rule appends what it finds to `out`."""

    project: Project
    out: list[Diagnostic]
    people: dict[str, Person] = field(init=False)
    # Without a readable people.yaml, "unknown person" errors would only repeat that failure.
    check_people_refs: bool = field(init=False)

    def __post_init__(self) -> None:
        self.people = self.project.people_by_id
        self.check_people_refs = self.project.people is not None

    def person_ref(self, document: Document, path: ValuePath, person_id: str | None) -> None:
        """An error when `person_id` names nobody in people.yaml."""
        if person_id is None or not self.check_people_refs or person_id in self.people:
            return
        self.out.append(document.error(path, f"unknown person '{person_id}'", person_hint(person_id, self.people)))

    def unique(self, document: Document, items: Iterable[tuple[ValuePath, str]], what: str) -> None:
        """An error for each id given a second time, pointing at the first."""
        seen: dict[str, ValuePath] = {}
        for path, item_id in items:
            if item_id in seen:
                first = document.mark_of(seen[item_id])
                self.out.append(document.error(path, f"{what} '{item_id}' is used twice; first on line {first.line}"))
            else:
                seen[item_id] = path


def person_hint(typed: str, people: dict[str, Person]) -> str:
    """ "did you mean 'arun-kumar' (Arun Kumar)?" for an unknown person id.

    A person is suggested when the typed text is their name or first name written as an id
    (arun, arun-kumar, arunkumar) or the first part of their id; else when it is close to
    their id or to their name.
    """
    if len(typed) > 100:  # nothing long is a typo of a name
        return ""
    wanted = _name_key(typed)
    matches = [person for person in people.values() if wanted and wanted in _name_keys(person)]
    if not matches:
        by_name = {_name_key(person.name): person for person in people.values()}
        if close := difflib.get_close_matches(typed, list(people), n=1, cutoff=0.6):
            matches = [people[close[0]]]
        elif close := difflib.get_close_matches(wanted, list(by_name), n=1, cutoff=0.6):
            matches = [by_name[close[0]]]
    shown = [f"'{person.id}' ({shorten(person.name, 40)})" for person in matches[:3]]
    return f"did you mean {' or '.join(shown)}?" if shown else ""


def _name_keys(person: Person) -> set[str]:
    """What a person's id may be mistaken for: their name, first name and first part of their id."""
    first_name = (person.name.split() or [""])[0]
    return {_name_key(person.name), _name_key(first_name), _name_key(person.id.split("-")[0])}


def _name_key(text: str) -> str:
    """A name or id reduced to lowercase letters and digits: 'Arun Kumar', arun-kumar -> arunkumar."""
    return "".join(c for c in text.casefold() if c.isalnum())
