"""`golive log`: append one checked entry to a plan's log.yaml during the call.

The file is only ever extended: earlier bytes, comments included, are kept as
written. Appends are serialised with a lock, checked against the plan before
anything is written, and land through an atomic replace, so concurrent
scribes and a killed process never leave a half-written log.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.diagnostics import Diagnostic
from generator.load import SourceError, load_document
from generator.models.common import parse_datetime_or_time
from generator.models.plan import Plan, Stakeholder
from generator.schedule import fixed_start, format_utc_offset, localize
from generator.sources import LOG_FILE, PLAN_FILE, PLANS_DIR, model_document
from generator.validate import validate_project

LOG_HEADER = "# yaml-language-server: $schema=../../schemas/log.schema.json\nentries:\n"
BY_VARIABLE = "GOLIVE_BY"
FIELD_ORDER = ("at", "by", "kind", "step", "id", "severity", "resolves", "text")
_ITEM_INDENT = re.compile(r"^( *)- (?:at|by|kind):", re.MULTILINE)


class LogError(Exception):
    """The entry was not appended; `diagnostics` (if any) say why."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics or []


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


def log_path(root: Path, plan_id: str) -> Path:
    return root / PLANS_DIR / plan_id / LOG_FILE


def append_entry(root: Path, plan_id: str, entry: NewEntry, now: dt.datetime) -> Appended:
    """Check `entry` against the plan and append it to its log; raise LogError if it is refused."""
    plan_file = root / PLANS_DIR / plan_id / PLAN_FILE
    if not plan_file.exists():
        raise LogError(f"no plan '{plan_id}': {PLANS_DIR}/{plan_id}/{PLAN_FILE} does not exist")
    path = log_path(root, plan_id)
    with _locked(path):
        current = path.read_bytes() if path.exists() else b""
        plan = _read_plan(plan_file, f"{PLANS_DIR}/{plan_id}/{PLAN_FILE}")
        zone = ZoneInfo(plan.timezone)
        fields = _fields(entry, plan.stakeholders, plan.window.start, zone, now)
        updated = extend(current.decode("utf-8") if current else "", fields)
        checked = validate_project(root, {path: updated.encode("utf-8")})
        display = f"{PLANS_DIR}/{plan_id}/{LOG_FILE}"
        errors = [d for d in checked.errors if d.file == display]
        if errors:
            raise LogError("the entry was not logged", _as_options(errors, current.count(b"\n")))
        _replace(path, updated.encode("utf-8"))
    return Appended(path, fields)


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


def _fields(
    entry: NewEntry,
    stakeholders: Sequence[Stakeholder],
    window_start: dt.datetime,
    zone: ZoneInfo,
    now: dt.datetime,
) -> dict[str, str]:
    people = [s.person for s in stakeholders]
    by = entry.by or os.environ.get(BY_VARIABLE)
    if not by:
        raise LogError(f"who is logging? pass --by or set {BY_VARIABLE}; this plan's people: {', '.join(people)}")
    fields: dict[str, str | None] = {
        "at": _when(entry.at, window_start, zone, now),
        "by": by,
        "kind": entry.kind,
        "step": entry.step,
        "id": entry.id,
        "severity": entry.severity,
        "resolves": entry.resolves,
        "text": entry.text,
    }
    return {key: value for key, value in fields.items() if value}


def _when(at: str | None, window_start: dt.datetime, zone: ZoneInfo, now: dt.datetime) -> str:
    """The entry's time in the plan's zone: now, a time of day during the window, or a full datetime."""
    if at is None or at == "now":
        moment = now.astimezone(zone)
    else:
        try:
            written = parse_datetime_or_time(at)
        except ValueError as error:
            raise LogError(f"--at: {error}") from None
        if isinstance(written, dt.time):
            moment = fixed_start(written, localize(window_start, zone), zone).astimezone(zone)
        elif written.tzinfo is None:
            return f"{written:%Y-%m-%d %H:%M}"
        else:
            moment = written.astimezone(zone)
    return local_text(moment)


def local_text(moment: dt.datetime) -> str:
    """YYYY-MM-DD HH:MM in the moment's zone, with the UTC offset when the clocks go back and
    that wall-clock time happens twice (otherwise it would be read as the first one)."""
    other = moment.replace(fold=1 - moment.fold)
    if other.utcoffset() != moment.utcoffset():
        offset = format_utc_offset(moment.utcoffset())
        return f"{moment:%Y-%m-%d %H:%M}{offset}"
    return f"{moment:%Y-%m-%d %H:%M}"


def extend(text: str, fields: dict[str, str]) -> str:
    """The log's text with one entry added at the end; earlier text is kept byte for byte."""
    if not text.strip():
        text = LOG_HEADER
    elif re.search(r"^entries:\s*\[\]\s*$", text, re.MULTILINE):
        # An empty flow list cannot take a block item: the one line "entries: []" becomes "entries:".
        text = re.sub(r"^entries:\s*\[\]\s*$", "entries:", text, count=1, flags=re.MULTILINE)
    elif not re.search(r"^entries:", text, re.MULTILINE):
        text = text + ("" if text.endswith("\n") else "\n") + "entries:\n"
    if not text.endswith("\n"):
        text += "\n"
    match = _ITEM_INDENT.search(text)
    indent = match.group(1) if match else "  "
    return text + entry_yaml(fields, indent)


def entry_yaml(fields: dict[str, str], indent: str = "  ") -> str:
    """One log entry as a block mapping in a list, with every text safely quoted."""
    lines: list[str] = []
    for key in FIELD_ORDER:
        if key not in fields:
            continue
        value = fields[key]
        # at, by, kind and ids are checked slugs or times; free text is quoted as JSON, which YAML reads.
        shown = json.dumps(value, ensure_ascii=False) if key == "text" else value
        prefix = f"{indent}- " if not lines else f"{indent}  "
        lines.append(f"{prefix}{key}: {shown}")
    return "\n".join(lines) + "\n"


def _as_options(errors: list[Diagnostic], old_lines: int) -> list[Diagnostic]:
    """Errors in the new entry name the command-line option, not a line that is not written."""
    options = {"at": "--at", "by": "--by", "kind": "--kind", "step": "--step", "id": "--id"}
    options |= {"severity": "--severity", "resolves": "--resolves", "text": "TEXT"}
    result = []
    for error in errors:
        if error.line <= old_lines:
            result.append(error)
            continue
        field = error.path.rsplit(".", 1)[-1] if "." in error.path else ""
        result.append(Diagnostic("golive log", 0, 0, "error", options.get(field, "entry"), error.message, error.hint))
    return result


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _replace(path: Path, data: bytes) -> None:
    """Write the whole file beside the old one, sync it, then swap it in."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
