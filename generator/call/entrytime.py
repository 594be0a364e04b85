"""When a new log entry happened: `--at` (or now) read against the call's window or a rehearsal's start.

The result is the entry's `at` as log.yaml writes it: YYYY-MM-DD HH:MM in the plan's zone, with
the UTC offset only when the clocks go back and that wall-clock time happens twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.errors import GoliveError
from generator.read.models.common import parse_datetime_or_time
from generator.schedule.timefmt import format_utc_offset
from generator.schedule.timetable import NonexistentTime, next_occurrence


class LogError(GoliveError):
    """The entry was not appended; `diagnostics` (if any) say why."""


# How far from the window an entry may lie before only a full date and time is taken for it.
LOG_MARGIN = dt.timedelta(days=1)


def window_time(
    at: str | None,
    window: tuple[dt.datetime, dt.datetime],
    zone: ZoneInfo,
    now: dt.datetime,
    previous: dt.datetime | None = None,
) -> str:
    """A call entry's time in the plan's zone: now, a time of day placed in the window, or a full datetime.

    A time of day that occurs on several dates of the window is the one closest to now while
    the window runs, else the first at or after the previous entry. Only a full date and time
    may lie more than LOG_MARGIN before the window or after its end.
    """
    if at is None or at == "now":
        moment = now.astimezone(zone)
        _near_window(moment, window, zone, "now")
        return local_text(moment)
    written = _written(at, zone)
    if isinstance(written, str):
        return written
    moment = _place(written, window, zone, now, previous).astimezone(zone)
    return local_text(moment)


def _written(at: str, zone: ZoneInfo) -> str | dt.time:
    """--at as typed: a full date and time as the log writes it, or a time of day still to place."""
    try:
        written = parse_datetime_or_time(at)
    except ValueError as error:
        raise LogError(f"--at: {error}") from None
    if isinstance(written, dt.datetime):
        if written.tzinfo is None:
            return f"{written:%Y-%m-%d %H:%M}"
        return local_text(written.astimezone(zone))
    return written


def _place(
    time: dt.time,
    window: tuple[dt.datetime, dt.datetime],
    zone: ZoneInfo,
    now: dt.datetime,
    previous: dt.datetime | None,
) -> dt.datetime:
    """The occurrence of a time of day inside the window that the scribe means (see _when)."""
    start, end = window
    occurrences: list[dt.datetime] = []
    try:
        moment = next_occurrence(time, start, zone)
        while moment <= end:
            occurrences.append(moment)
            moment = next_occurrence(time, moment + dt.timedelta(minutes=1), zone)
    except NonexistentTime as error:
        raise LogError(f"--at: {error}") from None
    shown = f"{time:%H:%M}"
    if not occurrences:
        near = next_occurrence(time, start - LOG_MARGIN, zone).astimezone(zone)
        raise LogError(
            f'--at {shown} does not occur in the window; give the date and time, e.g. --at "{near:%Y-%m-%d %H:%M}"'
        )
    if start <= now <= end:
        return min(occurrences, key=lambda o: abs(o - now))  # the earlier one on a tie
    if previous is None:
        return occurrences[0]
    after = [o for o in occurrences if o >= previous]
    if not after:
        last = occurrences[-1].astimezone(zone)
        raise LogError(
            f"--at {shown}: every {shown} of the window is before the log's last entry "
            f"({local_text(previous.astimezone(zone))}); give the date and time, "
            f'e.g. --at "{last:%Y-%m-%d %H:%M}"'
        )
    return after[0]


def _near_window(moment: dt.datetime, window: tuple[dt.datetime, dt.datetime], zone: ZoneInfo, what: str) -> None:
    """Refuse a time far from the window unless it was typed in full (a scribe logging into the wrong plan)."""
    start, end = window
    if start - LOG_MARGIN <= moment <= end + LOG_MARGIN:
        return
    side = "before the window starts" if moment < start else "after the window ends"
    raise LogError(
        f"{what} ({local_text(moment)}) is more than a day {side}; "
        f'if this is meant, give the date and time, e.g. --at "{moment:%Y-%m-%d %H:%M}"'
    )


def local_text(moment: dt.datetime) -> str:
    """YYYY-MM-DD HH:MM in the moment's zone, with the UTC offset when the clocks go back and
    that wall-clock time happens twice (otherwise it would be read as the first one)."""
    other = moment.replace(fold=1 - moment.fold)
    if other.utcoffset() != moment.utcoffset():
        offset = format_utc_offset(moment.utcoffset())
        return f"{moment:%Y-%m-%d %H:%M}{offset}"
    return f"{moment:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class RehearsalClock:
    """What places an entry of a rehearsal in time: it has no window, only its own start."""

    name: str
    started: dt.datetime | None  # UTC; None: this entry starts the rehearsal
    length: dt.timedelta  # the plan's window length: how long the rehearsal may be expected to run


def rehearsal_time(
    at: str | None, clock: RehearsalClock, zone: ZoneInfo, now: dt.datetime, previous: dt.datetime | None
) -> str:
    """A rehearsal entry's time in the plan's zone: now, a time of day, or a full datetime.

    A time of day is its first occurrence at or after the previous entry (or the start); for
    the entry that starts the rehearsal, the occurrence closest to now. "now" more than a day
    before the start or after the rehearsal's expected end (start + the window's length, or its
    last entry) is refused unless typed in full (a scribe logging into the wrong rehearsal).
    """
    if at is None or at == "now":
        moment = now.astimezone(zone)
        if clock.started is not None:
            end = max(clock.started + clock.length, previous or clock.started)
            _near_rehearsal(moment, clock, end, zone)
        return local_text(moment)
    written = _written(at, zone)
    if isinstance(written, str):
        return written
    try:
        if clock.started is None:
            # The occurrence closest to now: the first at or after 12 hours before it.
            moment = next_occurrence(written, now - dt.timedelta(hours=12), zone)
        else:
            moment = next_occurrence(written, previous or clock.started, zone)
    except NonexistentTime as error:
        raise LogError(f"--at: {error}") from None
    return local_text(moment.astimezone(zone))


def _near_rehearsal(moment: dt.datetime, clock: RehearsalClock, end: dt.datetime, zone: ZoneInfo) -> None:
    assert clock.started is not None
    if clock.started - LOG_MARGIN <= moment <= end + LOG_MARGIN:
        return
    side = "before" if moment < clock.started else "after"
    span = f"{local_text(clock.started.astimezone(zone))} to {local_text(end.astimezone(zone))}"
    raise LogError(
        f"now ({local_text(moment)}) is more than a day {side} rehearsal {clock.name} ({span}); "
        f'if this is meant, give the date and time, e.g. --at "{moment:%Y-%m-%d %H:%M}"'
    )
