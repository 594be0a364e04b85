"""`golive import RUNSHEET.(csv|xlsx) --plan ID`: a plan made from a team's run sheet.

Each row under the header becomes a step; owners are matched to people.yaml by id, name or
email. Every problem is reported with its cell, and nothing is written unless the whole sheet
reads and the plan it makes validates.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.authoring.runsheet_read import CellValue, RunSheetError, Table, find_header, read_table
from generator.authoring.scaffold import check_new_plan_folder
from generator.check.validate import validate_project
from generator.read.layout import PLAN_FILE, PLANS_DIR
from generator.read.models.common import SLUG_MAX, SLUG_PATTERN
from generator.read.models.people import Person
from generator.read.sources import load_project
from generator.schedule.timefmt import format_duration
from generator.schedule.timetable import DependencyCycle, dependency_order

_DURATION_TEXT = re.compile(r"(?i)(?:(\d+)\s*h(?:ours?|rs?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?|s)?)?)?")
_CLOCK_TEXT = re.compile(r"(\d{1,3}):([0-5]\d)(?::[0-5]\d)?")
_PREDECESSOR = re.compile(r"(?i)(\d+)\s*(?:FS|SS|FF|SF)?")
# Excel counts days from 1899-12-30 (day 1 is 1900-01-01, its leap-year bug included)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_EXCEL_DAY_ONE = dt.datetime(1900, 1, 1)
_LAG = re.compile(r"(?i)\d+\s*(?:FS|SS|FF|SF)?\s*[+-].*")
_YES = {"yes", "y", "x", "true", "1", "✓", "✔", "ponr"}
_NO = {"no", "n", "false", "0", "-"}


@dataclass(frozen=True)
class ImportOptions:
    title: str | None = None
    timezone: str | None = None
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None
    sheet: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportedPlan:
    path: Path
    steps: int
    window_end: dt.datetime


@dataclass
class _Row:
    """One step as read from its row; `index` is the row in the table (0-based)."""

    index: int
    number: str
    title: str
    values: dict[str, Any]
    depends_on: list[str] | None = None
    start: dt.datetime | dt.time | None = None


def import_run_sheet(root: Path, plan_id: str, sheet_path: Path, options: ImportOptions) -> ImportedPlan:
    """Write plans/<plan_id>/plan.yaml from a run sheet; RunSheetError names every problem."""
    check_new_plan_folder(root, plan_id)
    if options.timezone is None or options.window_start is None:
        missing = " and ".join(
            o for o, v in (("--timezone", options.timezone), ("--window-start", options.window_start)) if v is None
        )
        raise RunSheetError(
            f'give the go-live\'s {missing} (e.g. --timezone Europe/London --window-start "2027-03-06 22:00")'
        )
    table = read_table(sheet_path, options.sheet)
    header, columns = find_header(table, options.mapping)
    if "title" not in columns.values():
        raise RunSheetError(
            f"{table.where.rstrip(':')}: no step column in the header row {header + 1}"
            " (Task, Step, Activity or Title); name it with --map COLUMN=title"
        )
    project, _ = load_project(root)
    problems: list[str] = []
    rows = _read_rows(table, header, columns, project.people_by_id, problems)
    if not rows and not problems:
        problems.append(f"{table.where.rstrip(':')}: no steps under the header row {header + 1}")
    ids = _step_ids(rows)
    _resolve_dependencies(table, rows, ids, columns, problems)
    if problems:
        raise RunSheetError(f"{len(problems)} problem(s) in {sheet_path}; nothing written", details=problems)
    planned_end = _planned_end(rows, ids, options.window_start)
    window_end = options.window_end or planned_end
    title = options.title or _title_above(table, header) or sheet_path.stem
    plan = _plan(title, options.timezone, (options.window_start, window_end), rows, ids)
    path = root / PLANS_DIR / plan_id / PLAN_FILE
    shown = f"{PLANS_DIR}/{plan_id}/{PLAN_FILE}"
    written = _yaml(plan, sheet_path)
    errors = [d for d in validate_project(root, {path: written}).errors if d.file == shown]
    if errors:
        details = [
            _at_row(table, rows, d.path) + f"{d.file}:{d.line}:{d.column}: {d.path}: {d.message}" for d in errors
        ]
        raise RunSheetError(f"the plan made from {sheet_path} would not validate; nothing written", details=details)
    os.makedirs(path.parent)
    path.write_bytes(written)
    return ImportedPlan(path, len(rows), window_end)


def _at_row(table: Table, rows: list[_Row], value_path: str) -> str:
    """`runsheet.csv row 7: ` for a problem in steps[5], so that it can be fixed in the sheet."""
    step = re.match(r"steps\[(\d+)\]", value_path)
    if step is None or int(step.group(1)) >= len(rows):
        return ""
    return f"{table.where.rstrip(':!')} row {rows[int(step.group(1))].index + 1}: "


def _read_rows(
    table: Table, header: int, columns: dict[int, str], people: dict[str, Person], problems: list[str]
) -> list[_Row]:
    owners = _owner_lookup(people)
    rows: list[_Row] = []
    for index in range(header + 1, len(table.rows)):
        cells = {name: table.rows[index][c] for c, name in columns.items() if c < len(table.rows[index])}
        if all(v is None or v == "" for v in cells.values()):
            continue  # blank rows and rows of hidden or empty columns only
        title_column = next(c for c, name in columns.items() if name == "title")
        title = _text(cells.get("title"))
        if not title:
            problems.append(f"{table.cell(index, title_column)}: a row without a step title")
            continue
        row = _Row(index, _text(cells.get("number")) or str(len(rows) + 1), title, {})
        failed: set[str] = set()
        for column, name in columns.items():
            value = cells.get(name)
            if value is None or value == "" or name in ("number", "title", "depends_on"):
                continue
            if name == "owner" and cells.get("owner_id") not in (None, ""):
                continue  # the Owner id column says it better than the name
            try:
                _read_value(row, name, value, owners)
            except ValueError as error:
                failed.add("owner" if name == "owner_id" else name)
                problems.append(f"{table.cell(index, column)}: {error}")
        for required in ("owner", "duration"):
            named = ("owner_id", "owner") if required == "owner" else (required,)
            column = next((c for c, name in columns.items() if name in named), title_column)
            if required not in row.values and required not in failed:
                problems.append(f"{table.cell(index, column)}: step '{title}' has no {required}")
        rows.append(row)
    return rows


def _read_value(row: _Row, name: str, value: CellValue, owners: dict[str, str]) -> None:
    if name in ("owner", "owner_id"):
        row.values["owner"] = _owner(_text(value), owners)
    elif name == "duration":
        row.values["duration"] = format_duration(_duration(value))
    elif name == "start":
        row.start = _start(value)
    elif name == "point_of_no_return":
        row.values["point_of_no_return"] = _yes(value)
    elif name == "commands":
        row.values["commands"] = [line.strip() for line in _text(value).splitlines() if line.strip()]
    elif name == "id":
        row.values["id"] = _text(value)
    else:
        row.values[name] = _text(value)


def _text(value: CellValue) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _owner_lookup(people: dict[str, Person]) -> dict[str, str]:
    """Each person's id, name and email, lowercase, to their id."""
    lookup: dict[str, str] = {}
    for person in people.values():
        for key in (person.id, person.name, person.email or ""):
            if key:
                lookup.setdefault(" ".join(key.lower().split()), person.id)
    return lookup


def _owner(text: str, owners: dict[str, str]) -> str:
    found = owners.get(" ".join(text.lower().split()))
    if found:
        return found
    close = difflib.get_close_matches(text.lower(), list(owners), n=1, cutoff=0.5)
    hint = f" (did you mean '{owners[close[0]]}'?)" if close else " (add them to plans/people.yaml)"
    raise ValueError(f"unknown owner '{text}'{hint}")


def _duration(value: CellValue) -> dt.timedelta:
    """Minutes as a number, a fraction of a day (Excel's times), 1:30, 90m or 1h30m."""
    if isinstance(value, dt.timedelta):
        minutes = value.total_seconds() / 60
    elif isinstance(value, dt.time):
        minutes = value.hour * 60 + value.minute + value.second / 60
    elif isinstance(value, dt.datetime) and value < _EXCEL_DAY_ONE + dt.timedelta(days=8):
        # 25:00 typed in a cell: Excel keeps 1.0417 days, read back as 1900-01-01 01:00
        minutes = (value - _EXCEL_DAY_ONE + dt.timedelta(days=1)).total_seconds() / 60
    elif isinstance(value, bool | dt.date):
        raise ValueError(f"'{value}' is not a duration; write minutes (90), 1:30, 90m or 1h30m")
    elif isinstance(value, int | float):
        minutes = _number_minutes(float(value))
    else:
        minutes = _duration_text(str(value))
    if not math.isfinite(minutes) or minutes <= 0 or minutes > 7 * 24 * 60:
        raise ValueError(f"duration '{value}' must be more than zero and at most a week")
    return dt.timedelta(minutes=round(minutes))


def _number_minutes(number: float) -> float:
    # Excel stores a time such as 0:45 as a fraction of a day; a whole number is minutes
    return number * 24 * 60 if 0 < number < 1 else number


def _duration_text(text: str) -> float:
    text = text.strip()
    clock = _CLOCK_TEXT.fullmatch(text)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    try:
        return _number_minutes(float(text.replace(",", ".")))  # a number stored as text
    except ValueError:
        pass
    words = _DURATION_TEXT.fullmatch(text) if len(text) <= 40 else None
    if text and words and any(words.groups()):
        return int(words.group(1) or 0) * 60 + int(words.group(2) or 0)
    raise ValueError(f"'{text[:40]}' is not a duration; write minutes (90), 1:30, 90m or 1h30m")


def _start(value: CellValue) -> dt.datetime | dt.time:
    if isinstance(value, dt.datetime):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60) % (24 * 60)  # Excel's time of day
        return dt.time(minutes // 60, minutes % 60)
    if isinstance(value, int | float) and not isinstance(value, bool) and 20_000 < value < 100_000:
        moment = _EXCEL_EPOCH + dt.timedelta(minutes=round(value * 24 * 60))  # a date and time as Excel counts them
        return moment
    text = _text(value)
    if re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", text):
        return dt.time.fromisoformat(text.zfill(5) if len(text) in (4, 7) else text).replace(second=0)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2})?", text):
        try:
            return dt.datetime.fromisoformat(text).replace(second=0)
        except ValueError:
            pass
    raise ValueError(f"'{text[:40]}' is not a start time; write 23:30 or 2027-03-06 23:30")


def _yes(value: CellValue) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _YES:
        return True
    if text in _NO or not text:
        return False
    raise ValueError(f"'{text[:40]}' does not say yes or no; mark the point of no return with yes or x")


def _slug(title: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[: SLUG_MAX - 4].rstrip("-") or "step"


def _step_ids(rows: list[_Row]) -> list[str]:
    """A unique id per row: the sheet's step id when valid, else a slug of the title."""
    ids: list[str] = []
    taken: set[str] = set()
    for row in rows:
        given = row.values.pop("id", "")
        base = given if re.fullmatch(SLUG_PATTERN, given) and given not in taken else _slug(row.title)
        candidate, suffix = base, 2
        while candidate in taken:
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(candidate)
        ids.append(candidate)
    return ids


def _resolve_dependencies(
    table: Table, rows: list[_Row], ids: list[str], columns: dict[int, str], problems: list[str]
) -> None:
    """Turn each Depends-on cell (row numbers, `3FS`, or step ids) into step ids."""
    column = next((c for c, name in columns.items() if name == "depends_on"), None)
    if column is None:
        return
    by_number: dict[str, str] = {}
    for row, step_id in zip(rows, ids, strict=True):
        if row.number in by_number:
            number_column = next(c for c, name in columns.items() if name == "number")
            problems.append(f"{table.cell(row.index, number_column)}: row number '{row.number}' is used twice")
        by_number.setdefault(row.number, step_id)
    known = set(ids)
    for row, step_id in zip(rows, ids, strict=True):
        value = table.rows[row.index][column] if column < len(table.rows[row.index]) else None
        text = _text(value)
        if not text:
            continue
        found: list[str] = []
        for token in (t.strip() for t in re.split(r"[,;]", text)):
            number = _PREDECESSOR.fullmatch(token)
            target = by_number.get(number.group(1)) if number else token if token in known else None
            if not token:
                continue
            if target is None and _LAG.fullmatch(token):
                problems.append(f"{table.cell(row.index, column)}: '{token}': lags are not supported; add a step")
            elif target is None:
                names = list(by_number) if number else list(known)
                close = difflib.get_close_matches(token, names, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                what = "no row numbered" if number else "no step"
                problems.append(f"{table.cell(row.index, column)}: depends on '{token}': {what} '{token}'{hint}")
            elif target == step_id:
                problems.append(f"{table.cell(row.index, column)}: step '{row.title}' depends on itself")
            elif target not in found:
                found.append(target)
        row.depends_on = found


def _planned_end(rows: list[_Row], ids: list[str], window_start: dt.datetime) -> dt.datetime:
    """Keep the starts the dependencies do not already give; return the last planned end, rounded up to the hour."""
    by_id = dict(zip(ids, rows, strict=True))
    dependencies: dict[str, tuple[str, ...]] = {}
    for position, (row, step_id) in enumerate(zip(rows, ids, strict=True)):
        if row.depends_on is not None:
            dependencies[step_id] = tuple(row.depends_on)
        elif row.start is None and position > 0:
            dependencies[step_id] = (ids[position - 1],)
        else:
            dependencies[step_id] = ()
    try:
        order = dependency_order(dependencies)
    except DependencyCycle as error:
        raise RunSheetError(f"the steps depend on each other in a circle: {error}") from None
    ends: dict[str, dt.datetime] = {}
    for step_id in order:
        row = by_id[step_id]
        start = max([window_start, *(ends[d] for d in dependencies[step_id])])
        fixed = _local(row.start, window_start) if row.start is not None else None
        first_without_dependencies = row.depends_on is None and step_id == ids[0]
        if fixed is not None and (fixed > start or (row.depends_on is None and not first_without_dependencies)):
            row.values["start"] = f"{row.start:%H:%M}" if isinstance(row.start, dt.time) else f"{fixed:%Y-%m-%d %H:%M}"
            start = max(start, fixed)
        ends[step_id] = start + _duration_text_minutes(row.values.get("duration", "1m"))
    last = max(ends.values(), default=window_start)
    return last + (-(last - dt.datetime.min) % dt.timedelta(hours=1))


def _duration_text_minutes(text: str) -> dt.timedelta:
    return dt.timedelta(minutes=_duration_text(text))


def _local(value: dt.datetime | dt.time, window_start: dt.datetime) -> dt.datetime:
    """A start as a local date and time: a time of day is its first occurrence from the window start."""
    if isinstance(value, dt.datetime):
        return value
    moment = dt.datetime.combine(window_start.date(), value)
    return moment if moment >= window_start else moment + dt.timedelta(days=1)


def _title_above(table: Table, header: int) -> str:
    """The first text above the header row: a run sheet's title row."""
    for row in table.rows[:header]:
        for value in row:
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _plan(
    title: str,
    timezone: str,
    window: tuple[dt.datetime, dt.datetime],
    rows: list[_Row],
    ids: list[str],
) -> dict[str, Any]:
    owners = list(dict.fromkeys(row.values["owner"] for row in rows if "owner" in row.values))
    steps: list[dict[str, Any]] = []
    for row, step_id in zip(rows, ids, strict=True):
        step: dict[str, Any] = {"id": step_id, "title": row.title, "owner": row.values.get("owner", "")}
        step["duration"] = row.values.get("duration", "")
        if row.depends_on is not None:
            step["depends_on"] = row.depends_on
        for name in ("start", "instructions", "commands", "verify", "point_of_no_return"):
            if row.values.get(name):
                step[name] = row.values[name]
        steps.append(step)
    return {
        "title": title[:200],
        "version": 1,
        "status": "draft",
        "timezone": timezone,
        "window": {"start": f"{window[0]:%Y-%m-%d %H:%M}", "end": f"{window[1]:%Y-%m-%d %H:%M}"},
        "stakeholders": [{"person": owner, "role": "Step owner"} for owner in owners],
        "steps": steps,
    }


def _yaml(plan: dict[str, Any], sheet_path: Path) -> bytes:
    head = (
        "# yaml-language-server: $schema=../../schemas/plan.schema.json\n"
        f"# Imported from {sheet_path.name} by `golive import`: check every step, then add gates and a rollback.\n"
    )
    body = yaml.safe_dump(plan, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return (head + body).encode("utf-8")
