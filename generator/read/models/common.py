"""Field types shared by every source kind."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)

from generator.diagnostics import shorten

# The one rule for every id, and so for plan folder and checklist file names.
SLUG_MAX = 63
SLUG_PATTERN = rf"^[a-z0-9][a-z0-9-]{{0,{SLUG_MAX - 1}}}$"
SLUG_RULE = "lowercase letters, digits and hyphens, starting with a letter or digit"
SLUG_HINT = f"ids are {SLUG_RULE}, at most {SLUG_MAX} characters"
LINK_SCHEMES = ("https", "http", "mailto", "tel")


class Source(BaseModel):
    """Base of every model read from YAML: strict about keys, lenient about numbers as text."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        coerce_numbers_to_str=True,
        str_strip_whitespace=False,
        # The docstring under a field is its description: the JSON Schemas and docs/reference.md show it.
        use_attribute_docstrings=True,
    )


# Length limits, in characters: far above what a careful team writes, low enough that no
# field can make a page, a terminal line or a calendar entry unreadable or slow to make.
NAME_MAX = 200  # names, roles, teams, contact details, channels
TEXT_MAX = 500  # titles and one-line texts: objectives, criteria, triggers, checklist items
LONG_TEXT_MAX = 5_000  # commands, messages, log entries, post-mortem bullets
MARKDOWN_MAX = 50_000  # summary, instructions, post-mortem sections
LINK_MAX = 2_000
# Entries in a list: steps and log entries may be many, the rest are short lists.
LIST_MAX = 1_000
STEPS_MAX = 5_000
ENTRIES_MAX = 10_000

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=LONG_TEXT_MAX)]
# A field written in Markdown; rendered with raw HTML escaped and unsafe links dropped.
Markdown = Annotated[
    str,
    StringConstraints(max_length=MARKDOWN_MAX),
    WithJsonSchema({"type": "string", "description": "Markdown", "maxLength": MARKDOWN_MAX}),
]


def shown(value: Any) -> str:
    """A value quoted in a message: cut short when long."""
    return shorten(str(value), 60)


def _parse_link(value: Any) -> Any:
    if isinstance(value, str):
        scheme = urlsplit(value).scheme.lower()
        if scheme not in LINK_SCHEMES:
            allowed = ", ".join(f"{s}:" for s in LINK_SCHEMES)
            raise ValueError(f"link '{shown(value)}' must start with one of {allowed}")
        if scheme == "mailto":
            _no_mailto_query(value, "link")
    return value


# In a mailto: link, "?" starts headers for the mail client (?bcc=, ?subject=, ?body=) and
# "&" adds more: an address that carries them could copy someone in or write the mail.
MAILTO_QUERY = re.compile(r"[?&]")


def _no_mailto_query(value: str, what: str) -> None:
    if MAILTO_QUERY.search(value):
        raise ValueError(
            f"{what} '{shown(value)}' must not contain '?' or '&' (a mail link reads them as ?bcc=, ?subject=)"
        )


Link = Annotated[
    str,
    StringConstraints(max_length=LINK_MAX),
    AfterValidator(_parse_link),
    WithJsonSchema({"type": "string", "pattern": "^(https?|mailto|tel):", "maxLength": LINK_MAX}),
]


def _parse_email(value: Any) -> Any:
    if isinstance(value, str):
        _no_mailto_query(value, "email")
    return value


# Plain text that becomes a mailto: link; 254 characters is the most an address can have.
EMAIL_MAX = 254
Email = Annotated[str, StringConstraints(min_length=1, max_length=EMAIL_MAX), AfterValidator(_parse_email)]


def _parse_timezone(value: Any) -> Any:
    if isinstance(value, str):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{shown(value)}'") from None
    return value


TimeZoneName = Annotated[
    str,
    StringConstraints(max_length=NAME_MAX),
    AfterValidator(_parse_timezone),
    WithJsonSchema({"type": "string", "description": "IANA time zone, e.g. Europe/London"}),
]


# Cities people write as a zone whose IANA zone bears another city's name.
ZONE_ALIASES = {
    "frankfurt": "Europe/Berlin",
    "munich": "Europe/Berlin",
    "münchen": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "geneva": "Europe/Zurich",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new_delhi": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "pune": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "osaka": "Asia/Tokyo",
    "boston": "America/New_York",
    "washington": "America/New_York",
    "atlanta": "America/New_York",
    "miami": "America/New_York",
    "austin": "America/Chicago",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "san_francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san_diego": "America/Los_Angeles",
    "canberra": "Australia/Sydney",
    "wellington": "Pacific/Auckland",
}


@functools.cache
def _zones_by_city() -> dict[str, str]:
    """Each canonical-looking zone by its city, lowercase: berlin -> Europe/Berlin."""
    by_city: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        area, _, city = zone.rpartition("/")
        # Europe/Berlin over Etc/... or a bare legacy link name
        if area and area not in ("Etc", "SystemV", "US") and not area.startswith("posix"):
            by_city.setdefault(city.casefold(), zone)
    return by_city


def timezone_hint(value: str) -> str:
    """The IANA zone for a misspelt zone or a city: Europe/Frankfurt -> Europe/Berlin, Berlin -> Europe/Berlin."""
    import difflib

    # The city as the zone database writes it: the last part, with underscores for spaces.
    written = value.strip().rpartition("/")[2]
    city = written.replace(" ", "_").replace("-", "_").casefold()
    if city in ZONE_ALIASES:
        return f"did you mean '{ZONE_ALIASES[city]}', the zone of {shown(written.replace('_', ' '))}?"
    if city in _zones_by_city():
        return f"did you mean '{_zones_by_city()[city]}'?"
    close = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
    return f"did you mean '{close[0]}'?" if close else "use an IANA name such as Europe/London"


_DURATION = re.compile(r"(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
_ISO_DURATION = re.compile(r"PT(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?")


def parse_duration(value: Any) -> dt.timedelta:
    """Read 45s, 10m, 2h, 1h30m or PT1H30M."""
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("expected a duration such as 10m, 1h30m or PT1H30M")
    if isinstance(value, int):
        raise ValueError(f"duration {value} has no unit; write {value}m for minutes")
    return _parse_duration_text(value)


# Plans repeat a handful of durations many times over; reading one is a pure function of its text.
@functools.lru_cache(maxsize=1024)
def _parse_duration_text(value: str) -> dt.timedelta:
    text = value.strip()
    # the length first: the patterns backtrack over a long run of digits
    match = (_DURATION.fullmatch(text) or _ISO_DURATION.fullmatch(text)) if len(text) <= 40 else None
    if not text or match is None or not any(match.groupdict().values()):
        raise ValueError(f"'{shown(value)}' is not a duration; write 45s, 10m, 2h, 1h30m or PT1H30M")
    parts = {k: int(v or 0) for k, v in match.groupdict().items()}
    seconds = parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    if seconds > 7 * 24 * 3600:
        raise ValueError(f"'{shown(value)}' is longer than a week")
    return dt.timedelta(seconds=seconds)


Duration = Annotated[
    dt.timedelta,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(\d+h)?(\d+m)?(\d+s)?$|^PT(\d+H)?(\d+M)?(\d+S)?$",
            "examples": ["45s", "10m", "1h30m", "PT1H30M"],
        }
    ),
]

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_TIME_OF_DAY = re.compile(r"([01]?\d|2[0-3]):[0-5]\d")


# Far enough for any go-live, near enough that a mistyped year is caught and no
# arithmetic on the value can overflow.
YEARS = range(1970, 3000)


def parse_datetime(value: Any) -> dt.datetime:
    """Read 2026-12-05 22:00, optionally with seconds and a UTC offset."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATETIME.fullmatch(value.strip()):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(f"'{shown(value)}' is not a date and time: {error}") from None
        return _in_range(parsed, value)
    raise ValueError(f"'{shown(value)}' is not a date and time; write 2026-12-05 22:00")


def parse_date(value: Any) -> dt.date:
    """Read 2026-12-05."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            parsed = dt.date.fromisoformat(value.strip())
        except ValueError as error:
            raise ValueError(f"'{shown(value)}' is not a date: {error}") from None
        return _in_range(parsed, value)
    raise ValueError(f"'{shown(value)}' is not a date; write 2026-12-05")


def _in_range(parsed: Any, value: Any) -> Any:
    if parsed.year not in YEARS:
        raise ValueError(
            f"'{shown(value)}' is out of range: the year must be between {YEARS.start} and {YEARS.stop - 1}"
        )
    return parsed


def parse_datetime_or_time(value: Any) -> dt.datetime | dt.time:
    """Read a time of day (23:00) or a full date and time."""
    if isinstance(value, dt.datetime | dt.time):
        return value
    if isinstance(value, str) and _TIME_OF_DAY.fullmatch(value.strip()):
        hour, minute = value.strip().split(":")
        return dt.time(int(hour), int(minute))
    if isinstance(value, str) and _DATETIME.fullmatch(value.strip()):
        return parse_datetime(value)
    raise ValueError(f"'{shown(value)}' is not a time; write 23:00 or 2026-12-05 23:00")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_TIME = re.compile(r"(?i)(mon|tue|wed|thu|fri|sat|sun) +(([01]?\d|2[0-3]):[0-5]\d)")


@dataclass(frozen=True)
class WeekdayTime:
    """A weekday and time of day (Sun 18:30): its first moment at or after the window start."""

    weekday: int  # Monday is 0, as in datetime.weekday()
    time: dt.time

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday].capitalize()} {self.time:%H:%M}"


def parse_start(value: Any) -> dt.datetime | dt.time | WeekdayTime:
    """Read a step's fixed start: a time of day (23:00), a weekday and time (Sun 18:30) or a date and time."""
    if isinstance(value, WeekdayTime):
        return value
    match = _WEEKDAY_TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match:
        time = parse_datetime_or_time(match.group(2))
        assert isinstance(time, dt.time)
        return WeekdayTime(WEEKDAYS.index(match.group(1).lower()), time)
    try:
        return parse_datetime_or_time(value)
    except ValueError:
        raise ValueError(f"'{shown(value)}' is not a time; write 23:00, Sun 23:00 or 2026-12-05 23:00") from None


def start_text(value: dt.datetime | dt.time | WeekdayTime) -> str:
    """A fixed start as it is written in a plan."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


DATETIME_SCHEMA = {"type": "string", "examples": ["2026-12-05 22:00", "2026-12-05T22:00+01:00"]}
LocalDateTime = Annotated[dt.datetime, BeforeValidator(parse_datetime), WithJsonSchema(DATETIME_SCHEMA)]
Date = Annotated[dt.date, BeforeValidator(parse_date), WithJsonSchema({"type": "string", "format": "date"})]
TimeOrDateTime = Annotated[
    dt.datetime | dt.time | WeekdayTime,
    PlainValidator(parse_start),
    PlainSerializer(lambda value: start_text(value), return_type=str),
    WithJsonSchema({"type": "string", "examples": ["23:00", "Sun 23:00", "2026-12-05 23:00"]}),
]
