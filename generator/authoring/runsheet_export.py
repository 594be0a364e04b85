"""`golive export PLAN --format csv|xlsx`: the computed run sheet for people who live in spreadsheets.

One row per step in the plan's order, with its planned start in the plan's zone, what it waits
for as row numbers, and empty columns to tick off on the night. `golive import` reads it back.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from generator.check.validate import validate_project
from generator.diagnostics import Diagnostic
from generator.errors import GoliveError
from generator.read.models.people import Person
from generator.read.models.plan import Gate
from generator.schedule.timetable import Schedule

FORMATS = ("csv", "xlsx")
HEADER = (
    "No.",
    "Day",
    "Planned start",
    "T-offset",
    "Duration",
    "Step",
    "Step id",
    "Owner",
    "Owner id",
    "Phone",
    "Depends on",
    "Critical path",
    "Gate",
    "Point of no return",
    "Done",
    "Actual start",
    "Actual end",
    "Initials",
    "Notes",
)


class ExportError(GoliveError):
    """The run sheet cannot be written; the message says why."""


@dataclass(frozen=True)
class RunSheet:
    """The rows of a plan's run sheet, and what to show above them."""

    title: str
    revision: str  # version, status and window: which plan the printed sheet is
    rows: list[list[str]]


def run_sheet(root: Path, plan_id: str) -> RunSheet:
    """The run sheet of a valid plan; ExportError (with the diagnostics) when it does not validate."""
    validation = validate_project(root)
    sources = validation.project.plans.get(plan_id)
    if sources is None:
        raise ExportError(f"no plan '{plan_id}' under plans/", validation.errors)
    errors = [d for d in validation.errors if _concerns(d, plan_id)]
    schedule = validation.schedules.get(plan_id)
    if errors or schedule is None:
        raise ExportError(f"plan '{plan_id}' does not validate; fix it first", errors)
    plan = sources.plan.model
    window = f"{plan.window.start:%Y-%m-%d %H:%M} to {plan.window.end:%Y-%m-%d %H:%M} {plan.timezone}"
    revision = f"Version {plan.version}, {plan.status}; window {window}"
    return RunSheet(plan.title, revision, _rows(schedule, validation.project.people_by_id, plan.gates))


def _concerns(diagnostic: Diagnostic, plan_id: str) -> bool:
    # people.yaml and the shared checklists (no plan of their own) can break a plan too; other plans cannot
    return diagnostic.plan in (None, plan_id)


def _rows(schedule: Schedule, people: dict[str, Person], gates: list[Gate]) -> list[list[str]]:
    number = {s.id: str(i) for i, s in enumerate(schedule.steps, start=1)}
    gate_before = {gate.before: gate.id for gate in gates}
    rows: list[list[str]] = []
    for scheduled in schedule.steps:
        step = scheduled.step
        start = scheduled.start.astimezone(schedule.zone)
        person = people.get(step.owner)
        minutes = int(step.duration.total_seconds() // 60)
        rows.append(
            [
                number[step.id],
                f"{start:%a}",
                f"{start:%Y-%m-%d %H:%M}",
                schedule.t_offset(scheduled.start),
                f"{minutes // 60}:{minutes % 60:02d}",
                step.title,
                step.id,
                person.name if person else step.owner,
                step.owner,
                (person.phone or "") if person else "",
                ", ".join(number[d] for d in scheduled.depends_on),
                "yes" if scheduled.critical else "",
                gate_before.get(step.id, ""),
                "yes" if step.point_of_no_return else "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return rows


def default_output(plan_id: str, file_format: str) -> Path:
    return Path(f"{plan_id}-runsheet.{file_format}")


def write_run_sheet(sheet: RunSheet, output: Path, file_format: str) -> None:
    """Write the run sheet as CSV or XLSX; never over an existing file."""
    if file_format not in FORMATS:
        raise ExportError(f"unknown format '{file_format}': use csv or xlsx")
    data = _csv_bytes(sheet) if file_format == "csv" else _xlsx_bytes(sheet)
    try:
        # O_EXCL: refuse an existing file (or link) even if it appears after a check
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ExportError(f"{output} already exists; remove it or pass --output FILE") from None
    except OSError as error:
        raise ExportError(f"cannot write {output}: {error.strerror}") from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _csv_bytes(sheet: RunSheet) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(sheet.rows)
    # a BOM so that Excel reads the names in UTF-8
    return text.getvalue().encode("utf-8-sig")


def _xlsx_bytes(sheet: RunSheet) -> bytes:
    # openpyxl is only needed here: imported late so that `golive validate` never loads it
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    table = book.active
    assert table is not None
    table.title = "Run sheet"
    table.append([sheet.title])
    table["A1"].font = Font(bold=True, size=14)
    table.append([sheet.revision])
    table.append([])
    table.append(list(HEADER))
    for cell in table[4]:
        cell.font = Font(bold=True)
    for row in sheet.rows:
        table.append(row)
    table.freeze_panes = "A5"  # the header stays in view while scrolling
    for index, name in enumerate(HEADER, start=1):
        longest = max([len(name), *(len(row[index - 1]) for row in sheet.rows)])
        table.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 6), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
