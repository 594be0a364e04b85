"""People as the pages show them: how to reach someone, their own clock, their short name."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.read.models.people import Person
from generator.schedule.timefmt import wall_clock
from generator.schedule.timetable import Schedule


def tel_link(phone: str | None) -> str | None:
    """tel: URI of a written phone number (digits, with a leading + kept)."""
    if not phone:
        return None
    digits = re.sub(r"[^\d+]", "", phone)
    digits = digits[0] + digits[1:].replace("+", "") if digits else ""
    return f"tel:{digits}" if digits.strip("+") else None


@dataclass(frozen=True, slots=True)
class Contact:
    """A person as the call needs them: how to reach them."""

    id: str
    name: str
    phone: str | None
    tel: str | None
    email: str | None
    chat: str | None
    timezone: str | None


def contact(person: Person | None, person_id: str) -> Contact:
    """A person of people.yaml as a contact; one missing from it is shown by id."""
    if person is None:
        return Contact(person_id, person_id, None, None, None, None, None)
    return Contact(
        person.id,
        person.name,
        person.phone,
        tel_link(person.phone),
        person.email,
        person.chat,
        person.timezone,
    )


class ContactBook:
    """The people of people.yaml as one plan's pages show them, each contact made once."""

    def __init__(self, people: dict[str, Person]) -> None:
        self.people = people
        self._contacts: dict[str, Contact] = {}

    def contact(self, person_id: str) -> Contact:
        found = self._contacts.get(person_id)
        if found is None:
            found = self._contacts[person_id] = contact(self.people.get(person_id), person_id)
        return found

    def zone_of(self, person_id: str) -> ZoneInfo | None:
        """Their own time zone, when people.yaml gives one."""
        person = self.people.get(person_id)
        return ZoneInfo(person.timezone) if person is not None and person.timezone else None


def zone_label(zone: ZoneInfo) -> str:
    """A zone as people say it: "Europe/Berlin" is "Berlin", "America/New_York" "New York"."""
    return zone.key.rsplit("/", 1)[-1].replace("_", " ")


def local_clock(schedule: Schedule, moment: dt.datetime, zone: ZoneInfo) -> str:
    """A moment on someone's own clock, in the plan's form (Schedule.clock): the weekday, or the
    date on a window of more than a week, whenever the plan's times carry one, and also when
    their date is not the plan's at that moment. The one place a person's local time is formatted."""
    local, day_style = moment.astimezone(zone), schedule.day_style
    if day_style == "date":
        return wall_clock(local, "date")
    if day_style or local.date() != moment.astimezone(schedule.zone).date():
        return wall_clock(local, "weekday")
    return wall_clock(local)


def local_span(schedule: Schedule, start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> str:
    """A step's times on someone's own clock, "Sun 03:40\u201304:05 Kolkata": the end's weekday
    only when it falls on another day than the start."""
    local_end = end.astimezone(zone)
    same_day = start.astimezone(zone).date() == local_end.date()
    end_text = wall_clock(local_end) if same_day else local_clock(schedule, end, zone)
    return f"{local_clock(schedule, start, zone)}\u2013{end_text} {zone_label(zone)}"


def local_time_at_start(schedule: Schedule, zone: ZoneInfo | None) -> str:
    """Someone's wall clock when the window opens, "Sat 17 Oct 23:00" (the plan's without a zone)."""
    local = schedule.window_start.astimezone(zone or schedule.zone)
    return f"{local:%a %d %b %H:%M}"


def differs(schedule: Schedule, moment: dt.datetime, zone: ZoneInfo | None) -> bool:
    """Whether a person in `zone` reads another wall-clock time than the plan at `moment`."""
    if zone is None or zone.key == schedule.zone.key:
        return False
    return moment.astimezone(zone).replace(tzinfo=None) != moment.astimezone(schedule.zone).replace(tzinfo=None)


def initials(name: str) -> str:
    """Initials, "RP" for Raj Patel: the first letter or digit of each word (first and last of four or more)."""
    words = name.split()
    if len(words) > 3:
        words = [words[0], words[-1]]
    return "".join(next((c for c in word if c.isalnum()), "") for word in words).upper()


def short_names(contacts: Sequence[Contact]) -> dict[str, str]:
    """What a narrow Initials cell shows for each person: initials unique on the plan, else the
    first name and last initial ("Raj P."), else the full name, else the id; never a cut-off id."""
    names = {c.id: c.name for c in contacts}

    def first_and_initial(person_id: str) -> str:
        words = names[person_id].split()
        return f"{words[0]} {initials(words[-1])}." if len(words) > 1 else names[person_id]

    labels = {person_id: initials(name) or name for person_id, name in names.items()}
    for fallback in (first_and_initial, names.__getitem__, str):
        seen: dict[str, int] = {}
        for label in labels.values():
            seen[label] = seen.get(label, 0) + 1
        labels = {i: fallback(i) if seen[label] > 1 else label for i, label in labels.items()}
    return labels
