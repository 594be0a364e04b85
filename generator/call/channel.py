"""The call's live state: a plan's log as the pages need it, and every open page told of each change.

log.yaml (or, for a rehearsal, rehearsals/<name>.yaml) stays the one record. The state is read
back from it (through the same readers as `golive validate`), whoever appended: the call's own
POSTs or `golive log` in a terminal. A watcher thread looks at the file's stat every 0.2 s; a POST
re-reads it before it is answered.

Each re-read gets a new generation when the entries or the status changed. Listeners (one
thread per open page) wait for the next generation and are sent the entries from the first
one that changed: usually the end of the list, earlier when an entry was logged with a time
before the last one (golive keeps the log in time order).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from generator.call.calllog import forecast_from_log, read_log, rehearsal_schedule
from generator.call.logbook import log_display, log_path
from generator.check.validate import ValidationCache, validate_project
from generator.read.models.log import LogEntry
from generator.read.models.plan import Gate
from generator.read.sources import FileSignature
from generator.schedule.timefmt import format_iso_utc
from generator.schedule.timetable import Schedule, localize, moved_schedule

Clock = Callable[[], dt.datetime]
LOGGER = logging.getLogger("golive.call")  # the command line shows it on stderr
Json = dict[str, Any]

WATCH_INTERVAL = 0.2  # seconds between two looks at log.yaml's stat
STATUS_INTERVAL = 30.0  # seconds between two recomputations of the status (the forecast moves with the clock)
_ENTRY_FIELDS = ("by", "kind", "step", "severity", "id", "resolves", "text")


@dataclass(frozen=True)
class CallPerson:
    """Someone the plan names, as the pages show them."""

    id: str
    name: str
    initials: str  # the short name of the plan's pages, unique on the plan
    phone: str | None


@dataclass(frozen=True)
class Roster:
    """What the built pages show and the log does not change: their revision and the plan's people."""

    revision: str
    people: tuple[CallPerson, ...]


@dataclass(frozen=True)
class Snapshot:
    """The plan and its log as read at one moment."""

    plan: Json  # plan, title, timezone, revision, window, people, steps: what does not come from the log
    entries: tuple[Json, ...]
    status: Json


def _entry_json(index: int, entry: LogEntry, written: Any, schedule: Schedule) -> Json:
    at = written.get("at") if isinstance(written, dict) else None
    shown = at if isinstance(at, str) else f"{entry.at:%Y-%m-%d %H:%M}"
    item: Json = {"index": index, "at": shown, "at_utc": format_iso_utc(localize(entry.at, schedule.zone))}
    return item | {name: getattr(entry, name) for name in _ENTRY_FIELDS}


def _steps_json(schedule: Schedule) -> list[Json]:
    return [
        {
            "id": s.id,
            "title": s.step.title,
            "owner": s.step.owner,
            "duration_minutes": round((s.end - s.start).total_seconds() / 60),
            "planned_start": format_iso_utc(s.start),
            "planned_end": format_iso_utc(s.end),
            "depends_on": list(s.depends_on),
            "critical": s.critical,
        }
        for s in schedule.steps
    ]


def _status_json(
    entries: Sequence[LogEntry], schedule: Schedule, gates: Sequence[Gate], now: dt.datetime, started: bool = True
) -> Json:
    """Each step's logged start and end, and the forecast (none for a rehearsal not started yet)."""
    call_log = read_log(entries, schedule)
    steps = {
        actual.scheduled.id: {
            "started": format_iso_utc(actual.started) if actual.started else None,
            "done": format_iso_utc(actual.done) if actual.done else None,
        }
        for actual in call_log.steps
    }
    forecast = forecast_from_log(call_log, schedule, now).as_json(gates) if started else None
    # T+0:00: the window start, or the rehearsal's start (None until its first entry)
    origin = format_iso_utc(schedule.window_start) if started else None
    return {"steps": steps, "forecast": forecast, "origin": origin}


class LogReader:
    """Reads one plan's log (or one of its rehearsals) against its schedule, re-reading only the
    files that changed. A rehearsal is read against the schedule moved to its start; before its
    first entry, to the time of reading (and then has no forecast)."""

    def __init__(self, root: Path, plan_id: str, roster: Roster, rehearsal: str | None = None) -> None:
        self.root, self.plan_id, self.roster, self.rehearsal = root, plan_id, roster, rehearsal
        self._cache = ValidationCache()
        self._log_shown = log_display(plan_id, rehearsal)

    @property
    def path(self) -> Path:
        """The file this reader follows."""
        return log_path(self.root, self.plan_id, self.rehearsal)

    def read(self, now: dt.datetime) -> Snapshot | None:
        """The plan and its log as they are now; None when they cannot be read as valid."""
        validation = validate_project(self.root, cache=self._cache)
        sources = validation.project.plans.get(self.plan_id)
        schedule = validation.schedules.get(self.plan_id)
        if sources is None or schedule is None or any(d.file == self._log_shown for d in validation.errors):
            return None
        plan = sources.plan.model
        log = sources.log if self.rehearsal is None else sources.rehearsals.get(self.rehearsal)
        entries = log.model.entries if log is not None else []
        data = log.document.data if log is not None else None
        started = self.rehearsal is None or log is not None
        if self.rehearsal is not None:
            rehearsal = sources.rehearsals.get(self.rehearsal)
            moved = rehearsal_schedule(rehearsal.model, schedule) if rehearsal is not None else None
            schedule = moved or moved_schedule(schedule, now)
        written = data.get("entries") if isinstance(data, dict) else None
        written = written if isinstance(written, list) and len(written) == len(entries) else [None] * len(entries)
        return Snapshot(
            plan={
                "plan": self.plan_id,
                "title": plan.title,
                "timezone": plan.timezone,
                "revision": self.roster.revision,
                "window_start": format_iso_utc(schedule.window_start),
                "window_end": format_iso_utc(schedule.window_end),
                "rehearsal": self._rehearsal_json(schedule, started),
                "people": [vars(person) for person in self.roster.people],
                "steps": _steps_json(schedule),
            },
            entries=tuple(_entry_json(i, *pair, schedule) for i, pair in enumerate(zip(entries, written, strict=True))),
            status=_status_json(entries, schedule, plan.gates, now, started),
        )

    def _rehearsal_json(self, schedule: Schedule, started: bool) -> Json | None:
        """The rehearsal this call is (None: the real call), its start and the file it writes."""
        if self.rehearsal is None:
            return None
        start = format_iso_utc(schedule.window_start) if started else None
        return {"name": self.rehearsal, "started": start, "file": self._log_shown}


@dataclass(frozen=True)
class Update:
    """What one listener is sent: the entries from `start` on, and the status."""

    generation: int
    start: int
    entries: tuple[Json, ...]
    status: Json

    @property
    def count(self) -> int:
        return self.start + len(self.entries)

    def event_data(self) -> Json:
        return {"from": self.start, "entries": list(self.entries), "status": self.status}


class _Change(NamedTuple):
    generation: int
    size: int  # entries in that generation
    first_changed: int  # the first entry that differs from the generation before


HISTORY_KEPT = 1000  # changes remembered; a listener further behind is sent everything again


@dataclass
class Channel:
    """The latest snapshot and the history of changes; listeners wait on it for the next one."""

    reader: LogReader
    clock: Clock
    latest: Snapshot | None = None
    history: list[_Change] = field(default_factory=list)
    closed: bool = False

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._reading = threading.Lock()  # one re-read at a time, so generations follow the file
        self._stopped = threading.Event()

    # -- the state ----------------------------------------------------------------------------------

    def refresh(self, status_due: bool = False) -> bool:
        """Re-read the log; publish a new generation when the entries changed, or only the status
        when `status_due` (the forecast moves with the clock). True when one was published."""
        with self._reading:
            try:
                snapshot = self.reader.read(self.clock())
            except Exception as error:  # a bug must not stop the call: the last good state stays served
                LOGGER.error("cannot read the log: %s: %s", type(error).__name__, error)
                return False
            if snapshot is None:
                return False
            with self._changed:
                old = self.latest.entries if self.latest else ()
                first = _first_difference(old, snapshot.entries)
                unchanged = first == len(snapshot.entries) == len(old)
                if self.latest is not None and unchanged and (not status_due or self.latest.status == snapshot.status):
                    return False
                # unchanged entries stay the same objects: a snapshot costs only its new entries
                entries = old[:first] + snapshot.entries[first:]
                self.latest = Snapshot(snapshot.plan, entries, snapshot.status)
                generation = self.history[-1].generation + 1 if self.history else 1
                self.history.append(_Change(generation, len(entries), first))
                del self.history[:-HISTORY_KEPT]
                self._changed.notify_all()
            return True

    def state_json(self) -> Json | None:
        """GET /_golive/state: the plan, every entry and the status; None before the log was read."""
        with self._changed:
            latest = self.latest
        if latest is None:
            return None
        return latest.plan | {"entries": list(latest.entries), "status": latest.status}

    # -- listeners ----------------------------------------------------------------------------------

    def catch_up(self, count: int) -> Update | None:
        """What a page that reconnects holding `count` entries (its Last-Event-ID) lacks, with the
        status now; everything when this server never had that many (it restarted, say)."""
        with self._changed:
            held = next((c.generation for c in reversed(self.history) if c.size == count), None)
            return self._update_since(self.latest, held) if self.latest is not None else None

    def next_update(self, after: int | None, timeout: float) -> Update | None:
        """What a listener that has seen generation `after` (None: nothing) is to be sent next,
        waiting up to `timeout` seconds for it; None when nothing changed or the channel closed."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self._newer_than(after), timeout)
            if self.closed or self.latest is None or not self._newer_than(after):
                return None
            return self._update_since(self.latest, after)

    def _update_since(self, latest: Snapshot, after: int | None) -> Update:
        """The latest snapshot from the first entry changed since generation `after` (lock held)."""
        entries = latest.entries
        if after is None or self.history[0].generation > after + 1:
            start = 0  # a listener further behind than the history is sent everything
        else:
            start = min((c.first_changed for c in self.history if c.generation > after), default=len(entries))
        start = min(start, len(entries))
        return Update(self.history[-1].generation, start, entries[start:], latest.status)

    def _newer_than(self, generation: int | None) -> bool:
        return bool(self.history) and (generation is None or self.history[-1].generation > generation)

    # -- watching the file --------------------------------------------------------------------------

    def watch(self) -> None:
        """Re-read the log whenever its stat changes, and the status every STATUS_INTERVAL, until closed."""
        path = self.reader.path
        seen = _signature(path)
        status_read = time.monotonic()
        while not self._stopped.wait(WATCH_INTERVAL):
            now = _signature(path)
            status_due = time.monotonic() - status_read >= STATUS_INTERVAL
            if now != seen or status_due:
                seen = now
                if status_due:
                    status_read = time.monotonic()
                self.refresh(status_due)

    def close(self) -> None:
        """Wake every listener and the watcher, for good."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()
        self._stopped.set()


def _first_difference(old: Sequence[Json], new: Sequence[Json]) -> int:
    for index, (before, after) in enumerate(zip(old, new, strict=False)):
        if before != after:
            return index
    return min(len(old), len(new))


def _signature(path: Path) -> FileSignature | None:
    try:
        found = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return FileSignature(found.st_mtime_ns, found.st_size, found.st_ino)
