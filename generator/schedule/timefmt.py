"""How golive writes times and spans: clock times, T+ offsets, UTC offsets, durations, gaps and slips."""

from __future__ import annotations

import datetime as dt
from typing import Literal

# What a time of day shows of its date: nothing, the weekday ("Sun 14:00") or the date ("Sun 3 Jan 14:00").
DayStyle = Literal["", "weekday", "date"]

# What strftime's %a and %b give in the C locale (golive never sets another).
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_clock(local: dt.datetime, first: dt.date, last: dt.date, with_day: bool | None, *, with_offset: bool) -> str:
    """A local moment of a window whose times fall on dates `first` to `last` (see Schedule.clock):
    HH:MM, with the weekday ("Sun 14:00") when `with_day` (None: when the window covers several
    dates or the moment falls on another), the date too ("Sun 3 Jan 14:00") when the dates span
    more than 6 days, and the UTC offset when `with_offset`."""
    if with_day is None:
        with_day = first != last or local.date() != first
    day: DayStyle = ""
    if with_day:
        # Weekday names repeat after a week: beyond that, the date says which one.
        weeks = (max(last, local.date()) - min(first, local.date())).days > 6
        day = "date" if weeks else "weekday"
    text = wall_clock(local, day)
    if with_offset:
        text += f" {format_utc_offset(local.utcoffset())}"
    return text


def wall_clock(local: dt.datetime, day: DayStyle = "") -> str:
    """A local moment as "14:00"; `day` "weekday": "Sun 14:00", "date": "Sun 3 Jan 14:00".

    Not strftime, which costs more than the rest of a page's formatting: the pages show tens
    of thousands of times. The names are the C locale's, as strftime gives them in golive."""
    text = f"{local.hour:02d}:{local.minute:02d}"
    if day == "date":
        return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {text}"
    return f"{_WEEKDAYS[local.weekday()]} {text}" if day == "weekday" else text


def format_t_offset(delta: dt.timedelta) -> str:
    sign = "-" if delta < dt.timedelta(0) else "+"
    minutes = int(abs(delta).total_seconds() // 60)
    return f"T{sign}{minutes // 60}:{minutes % 60:02d}"


def format_utc_offset(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def format_span(delta: dt.timedelta | None) -> str:
    """A gap in words, whichever its sign: 35 min, 1 h 05 min; a dash for None."""
    if delta is None:
        return "—"
    minutes = round(abs(delta).total_seconds() / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def format_duration(delta: dt.timedelta) -> str:
    """1h30m, 45m, 2h, 45s: the way durations are written in plans."""
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{seconds}s" if seconds else "",
    ]
    return "".join(parts) or "0m"


def format_slip(delta: dt.timedelta | None) -> str:
    """+12 min, -3 min, on plan, or a dash when nothing was logged."""
    if delta is None:
        return "—"
    minutes = round(delta.total_seconds() / 60)
    return "on plan" if minutes == 0 else f"{minutes:+d} min"


def format_iso_utc(moment: dt.datetime) -> str:
    """2026-12-05T22:00:00Z: a moment for scripts (the pages' JavaScript, JSON), to the second."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
