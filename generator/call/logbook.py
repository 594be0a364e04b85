"""`golive log`: append one checked entry to a plan's log.yaml during the call, or to a rehearsal's
rehearsals/<name>.yaml (made, with its `started:`, by its first entry).

The file is only ever extended: earlier bytes, comments included, are kept as
written. Appends are serialised with a lock, checked against the plan before
anything is written, and land through an atomic replace, so concurrent
scribes and a killed process never leave a half-written log.

Every value comes from the command line or the environment, so from anyone:
ids and people must be slugs, anything else is quoted (logtext.py), and the new text is read
back before it replaces the log (exactly one more entry, equal to the one asked).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import fcntl
import os
import re
import stat
import typing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.call.calllog import forecast_from_log, read_log, rehearsal_forecast
from generator.call.entrytime import LogError, RehearsalClock, rehearsal_time, window_time
from generator.call.logtext import entry_yaml, insert, rehearsal_header
from generator.check.validate import Validation, validate_project
from generator.diagnostics import Diagnostic
from generator.read.document import Document, SourceError
from generator.read.layout import LOG_FILE, PLAN_FILE, PLANS_DIR, REHEARSALS_DIR, rehearsal_file
from generator.read.load import decode_source, load_document, parse_document, read_source
from generator.read.model_errors import model_document
from generator.read.models.common import SLUG_PATTERN, parse_datetime
from generator.read.models.log import EntryKind, Severity
from generator.read.models.plan import Plan, Stakeholder
from generator.schedule.forecast import Forecast
from generator.schedule.timetable import localize

BY_VARIABLE = "GOLIVE_BY"
_SLUG = re.compile(SLUG_PATTERN)


@dataclass(frozen=True)
class NewEntry:
    """What the scribe asked to log; `at` is None for now."""

    text: str | None
    kind: str = "note"
    by: str | None = None
    step: str | None = None
    severity: str | None = None
    id: str | None = None
    resolves: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class Appended:
    path: Path
    fields: dict[str, str]
    forecast: Forecast | None = None  # the plan's forecast with this entry in the log (the rehearsal's)
    rehearsal: str | None = None  # the rehearsal it was logged in; None: the call's log.yaml
    started: str | None = None  # set when this entry started the rehearsal: its `started:` as written


def log_path(root: Path, plan_id: str, rehearsal: str | None = None) -> Path:
    """The call's log.yaml, or the rehearsal's rehearsals/<name>.yaml."""
    if rehearsal is not None:
        return rehearsal_file(root, plan_id, rehearsal)
    return root / PLANS_DIR / plan_id / LOG_FILE


def log_display(plan_id: str, rehearsal: str | None = None) -> str:
    """The log's path as messages show it."""
    if rehearsal is not None:
        return f"{PLANS_DIR}/{plan_id}/{REHEARSALS_DIR}/{rehearsal}.yaml"
    return f"{PLANS_DIR}/{plan_id}/{LOG_FILE}"


def append_entry(root: Path, plan_id: str, entry: NewEntry, now: dt.datetime, rehearsal: str | None = None) -> Appended:
    """Check `entry` against the plan and append it to its log (or to rehearsal `rehearsal`'s, made
    when it is the first entry); raise LogError if it is refused."""
    folder = root / PLANS_DIR / plan_id
    plan_file = folder / PLAN_FILE
    if not plan_file.exists():
        raise LogError(f"no plan '{plan_id}': {PLANS_DIR}/{plan_id}/{PLAN_FILE} does not exist")
    path, display = log_path(root, plan_id, rehearsal), log_display(plan_id, rehearsal)
    if folder.is_symlink():
        raise LogError(f"{PLANS_DIR}/{plan_id} is a symlink; golive log writes only into a real folder")
    if rehearsal is not None:
        _check_rehearsal(plan_id, rehearsal, path.parent)
    try:
        with _locked(folder):
            old_text = _read_current(path, display)
            current = old_text.encode("utf-8")
            plan = _read_plan(plan_file, f"{PLANS_DIR}/{plan_id}/{PLAN_FILE}")
            zone = ZoneInfo(plan.timezone)
            document = _read_log_document(current, display)
            times = _entry_times(document, zone)
            previous = max((t for t in times if t is not None), default=None)
            fields = _fields(entry, plan.stakeholders, _timing(plan, zone, now, previous, rehearsal, document))
            started = fields["at"] if rehearsal is not None and not old_text.strip() else None
            base = rehearsal_header(started) if started is not None else old_text
            text, position = insert(base, fields, document, times, zone)
            updated = text.encode("utf-8")
            checked = validate_project(root, {path: updated})
            errors = [d for d in checked.errors if d.file == display]
            if errors:
                raise LogError("the entry was not logged", _as_options(errors, updated, text, position, fields))
            _check_read_back(base.encode("utf-8"), updated, fields, display, position)
            if rehearsal is not None:
                _check_rehearsal(plan_id, rehearsal, path.parent, make=True)
            _replace(path, updated)
    except OSError as error:
        raise LogError(_os_problem(error, display, f"{PLANS_DIR}/{plan_id}/")) from None
    return Appended(path, fields, _forecast(checked, plan_id, now, rehearsal), rehearsal, started)


def _timing(
    plan: Plan,
    zone: ZoneInfo,
    now: dt.datetime,
    previous: dt.datetime | None,
    rehearsal: str | None,
    document: Document | None,
) -> Callable[[str | None], str]:
    """What turns --at into the entry's time: placed in the call's window, or after the rehearsal's start."""
    window = (localize(plan.window.start, zone), localize(plan.window.end, zone))
    if rehearsal is None:
        return lambda at: window_time(at, window, zone, now, previous)
    clock = RehearsalClock(rehearsal, _rehearsal_start(document, zone), window[1] - window[0])
    return lambda at: rehearsal_time(at, clock, zone, now, previous)


def _rehearsal_start(document: Document | None, zone: ZoneInfo) -> dt.datetime | None:
    """The rehearsal's `started:` in UTC; None when the file is new (or says no start: validation tells)."""
    data = document.data if document is not None else None
    try:
        return localize(parse_datetime(data.get("started") if isinstance(data, dict) else None), zone)
    except (ValueError, TypeError):
        return None


def _check_rehearsal(plan_id: str, name: str, folder: Path, make: bool = False) -> None:
    """A rehearsal name is a slug, and its folder a real one (made when `make` and missing): never a link."""
    if not _SLUG.fullmatch(name):
        raise LogError(f"{name!r} is not a rehearsal name: use lowercase letters, digits and '-'")
    shown = f"{PLANS_DIR}/{plan_id}/{REHEARSALS_DIR}"
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        if make:
            os.mkdir(folder)
        return
    if stat.S_ISLNK(mode):
        raise LogError(f"{shown} is a symlink; golive log writes only into a real folder")
    if not stat.S_ISDIR(mode):
        raise LogError(f"{shown} is not a folder")


def _forecast(checked: Validation, plan_id: str, now: dt.datetime, rehearsal: str | None) -> Forecast | None:
    """The forecast from the log as just written (the validation read it with the new entry);
    for a rehearsal, against the schedule moved to its start."""
    sources, schedule = checked.project.plans.get(plan_id), checked.schedules.get(plan_id)
    if sources is None or schedule is None:
        return None
    if rehearsal is not None:
        written = sources.rehearsals.get(rehearsal)
        return rehearsal_forecast(written.model, schedule, now) if written is not None else None
    if sources.log is None:
        return None
    return forecast_from_log(read_log(sources.log.model.entries, schedule), schedule, now)


def _read_current(path: Path, display: str) -> str:
    """The log's text (empty when there is none yet), read as every source is (load.read_source):
    a symlink, a non-file or a file over 16 MiB is refused, never read or replaced."""
    try:
        return decode_source(read_source(path, display), display)
    except FileNotFoundError:
        return ""
    except SourceError as error:
        problem = error.diagnostics[0]
        hint = f" ({problem.hint})" if problem.hint else ""
        raise LogError(f"{problem.file}:{problem.line}:{problem.column}: {problem.message}{hint}") from None


def _os_problem(error: OSError, display: str, folder: str) -> str:
    """One line: what the system refused, and what to do about it."""
    reason = error.strerror or str(error)
    if isinstance(error, PermissionError):
        return f"cannot write {display}: {reason} (check that you may write to {folder})"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write {display}: {reason} (free some disk space, then log again)"
    return f"cannot write {display}: {reason}"


def _check_read_back(old: bytes, new: bytes, fields: dict[str, str], display: str, position: int) -> None:
    """The new text must read as the old one plus exactly the asked entry at `position` (its place in
    time order): no value may add an entry or a key, and no earlier entry may change or move."""
    try:
        before = parse_document(old, display).data if old.strip() else {}
        after = parse_document(new, display).data
    except SourceError as error:
        raise LogError(f"{display} would not read back: {error}") from None
    before = before if isinstance(before, dict) else {}
    earlier = before.get("entries") or []
    if not isinstance(after, dict) or not isinstance(earlier, list):
        raise LogError(f"{display} would not read back as a log")
    expected = {**before, "entries": [*earlier[:position], fields, *earlier[position:]]}
    if after != expected:
        raise LogError("the entry would not read back as given (a bug in golive: please report it)")


def _read_plan(path: Path, shown: str) -> Plan:
    """Only the plan itself: its zone, window and people time the entry; the full check comes after."""
    problems: list[Diagnostic] = []
    try:
        plan = model_document(load_document(path, shown), Plan, problems)
    except SourceError as error:
        problems, plan = error.diagnostics, None
    if plan is None:
        raise LogError(f"{shown} has errors; fix them first", problems)
    return plan


def _read_log_document(current: bytes, display: str) -> Document | None:
    """The log as it stands, to time and place the new entry; None when empty or unreadable
    (validation then says what is wrong with it)."""
    if not current.strip():
        return None
    try:
        return parse_document(current, display)
    except SourceError:
        return None


def _entries(document: Document | None) -> list[Any]:
    data = document.data if document is not None else None
    entries = data.get("entries") if isinstance(data, dict) else None
    return entries if isinstance(entries, list) else []


def _entry_times(document: Document | None, zone: ZoneInfo) -> list[dt.datetime | None]:
    """Each existing entry's time in UTC, None where it does not read as one."""
    times: list[dt.datetime | None] = []
    for item in _entries(document):
        try:
            times.append(localize(parse_datetime(item.get("at") if isinstance(item, dict) else None), zone))
        except (ValueError, TypeError):
            times.append(None)
    return times


def _fields(
    entry: NewEntry, stakeholders: Sequence[Stakeholder], timing: Callable[[str | None], str]
) -> dict[str, str]:
    people = [s.person for s in stakeholders]
    by = entry.by or os.environ.get(BY_VARIABLE)
    if not by:
        raise LogError(f"who is logging? pass --by or set {BY_VARIABLE}; this plan's people: {', '.join(people)}")
    fields: dict[str, str | None] = {
        "by": by,
        "kind": entry.kind,
        "step": entry.step,
        "id": entry.id,
        "severity": entry.severity,
        "resolves": entry.resolves,
        "text": entry.text,
    }
    present = {key: value for key, value in fields.items() if value}
    _check_kinds(present, by_option="--by" if entry.by else f"${BY_VARIABLE}")
    return {"at": timing(entry.at), **present}


_OPTIONS = {"step": "--step", "id": "--id", "resolves": "--resolves"}


def _check_kinds(fields: dict[str, str], by_option: str) -> None:
    """Each value is what its option takes, before anything is written."""
    for key, option in {"by": by_option, **_OPTIONS}.items():
        value = fields.get(key)
        if value is not None and not _SLUG.fullmatch(value):
            raise LogError(
                f"{option}: {value!r} is not an id (lowercase letters, digits and '-', "
                "at most 63, starting with a letter or digit)"
            )
    if fields["kind"] not in typing.get_args(EntryKind):
        raise LogError(f"--kind: {fields['kind']!r} is not a kind of entry")
    if "severity" in fields and fields["severity"] not in typing.get_args(Severity):
        raise LogError(f"--severity: {fields['severity']!r} is not a severity")
    text = fields.get("text")
    if text is not None:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise LogError(
                "TEXT is not valid UTF-8 (the terminal or script passed other bytes); give it as UTF-8"
            ) from None


def _as_options(
    errors: list[Diagnostic], updated: bytes, text: str, position: int, fields: dict[str, str]
) -> list[Diagnostic]:
    """Errors in the new entry name the command-line option, not a line that is not written;
    errors elsewhere keep the line they have in the log as it stands."""
    options = {"at": "--at", "by": "--by", "kind": "--kind", "step": "--step", "id": "--id"}
    options |= {"severity": "--severity", "resolves": "--resolves", "text": "TEXT"}
    added = entry_yaml(fields).count("\n")
    first = _new_entry_line(updated, position)
    result = []
    for error in errors:
        if first is None or error.line < first:
            result.append(error)
            continue
        if error.line >= first + added:
            result.append(dataclasses.replace(error, line=error.line - added))
            continue
        field = error.path.rsplit(".", 1)[-1] if "." in error.path else ""
        result.append(Diagnostic("golive log", 0, 0, "error", options.get(field, "entry"), error.message, error.hint))
    return result


def _new_entry_line(updated: bytes, position: int) -> int | None:
    """The line of the new entry's first key in the updated log."""
    try:
        return parse_document(updated, "log").mark_of(("entries", position)).line
    except SourceError:
        return None


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Serialise appends with a lock on the plan's folder itself: no lock file is left in plans/
    (the log is replaced by rename, so a lock on its own inode would not hold)."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def _replace(path: Path, data: bytes) -> None:
    """Write the whole file beside the old one, sync it, then swap it in (the lock is held)."""
    # Temporary files left by a writer killed mid-write: nobody else writes while the lock is held.
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            _inside_write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    try:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError:
        pass  # the entry is in: syncing the folder only hastens its way to disk, and must not say otherwise


def _inside_write(temporary: Path) -> None:
    """Called once the temporary file is complete, before it replaces the log; does nothing.

    Test hook: tests/test_log.py replaces it, in a child process, by one that says so and
    waits to be killed, so that a kill lands inside the write for certain.
    """
