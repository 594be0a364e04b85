"""Read a run sheet (CSV or XLSX) into cells, and find its header row.

Spreadsheets come as their programs save them: title rows (merged cells) above the header,
blank rows, numbers stored as text, hidden columns. Every cell keeps its place, so that each
problem can be reported as `runsheet.xlsx:Cutover!C14`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from generator.errors import GoliveError

MAX_BYTES = 20_000_000  # a run sheet is a few hundred rows; refuse anything far larger
MAX_ROWS = 5_000
MAX_COLUMNS = 100
MAX_SCANNED_ROWS = 100_000  # rows read from an .xlsx sheet, most of them empty ones

CellValue = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None

# The plan fields a column can fill, and the names spreadsheets give such columns (compared lowercase).
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "number": ("no", "#", "id", "number", "nr", "row", "step no", "task id"),
    "title": ("task", "task name", "step", "activity", "title", "name", "step title"),
    "id": ("step id",),
    "owner": ("owner", "assignee", "assigned to", "responsible", "who"),
    "owner_id": ("owner id",),  # golive's own export has both: the id wins over the name
    "duration": ("duration", "dur", "duration (min)", "duration (mins)", "duration (minutes)", "minutes"),
    "start": ("start", "planned start", "start time", "planned start time", "begin"),
    "depends_on": ("predecessors", "predecessor", "depends on", "dependencies", "depends", "after"),
    "instructions": ("notes", "instructions", "note", "comments", "details", "description"),
    "commands": ("command", "commands"),
    "verify": ("verify", "verification", "check"),
    "point_of_no_return": ("ponr", "point of no return", "no return", "point-of-no-return"),
}
FIELDS = (*FIELD_NAMES, "ignore")


class RunSheetError(GoliveError):
    """The run sheet cannot be read or imported; the details name each problem's cell."""


@dataclass(frozen=True)
class Table:
    """The cells of one sheet, row by row; `where` names the file (and sheet) in messages."""

    where: str
    rows: list[list[CellValue]]

    def cell(self, row: int, column: int) -> str:
        """`runsheet.csv:C14`: a cell by its 0-based row and column."""
        return f"{self.where}{column_letter(column)}{row + 1}"


def column_letter(column: int) -> str:
    letters = ""
    number = column + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_table(path: Path, sheet: str | None) -> Table:
    """The cells of a .csv file, or of one sheet (default: the first) of an .xlsx file."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise RunSheetError(f"{path}: a run sheet is a .csv or .xlsx file")
    if path.is_symlink() or not path.is_file():
        raise RunSheetError(f"{path}: no such file (links are not followed)")
    if path.stat().st_size > MAX_BYTES:
        raise RunSheetError(f"{path}: larger than {MAX_BYTES // 1_000_000} MB; this is not a run sheet")
    if suffix == ".csv":
        if sheet is not None:
            raise RunSheetError("--sheet goes with an .xlsx file; a CSV file has one sheet")
        return _read_csv(path)
    return _read_xlsx(path, sheet)


def _read_csv(path: Path) -> Table:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what Excel writes as "CSV" on Windows
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[CellValue]] = []
    for row in csv.reader(io.StringIO(text), dialect):
        if len(rows) >= MAX_ROWS:
            raise RunSheetError(f"{path}: more than {MAX_ROWS} rows; this is not a run sheet")
        rows.append([value.strip() or None for value in row[:MAX_COLUMNS]])
    return Table(f"{path}:", rows)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    # openpyxl is only needed here: imported late so that `golive validate` never loads it
    from openpyxl import load_workbook

    try:
        # read-only: rows are streamed; data_only: a formula's last computed value, not its text
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise RunSheetError(f"{path}: not a readable .xlsx file ({error})") from None
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise RunSheetError(f"{path}: no sheet '{sheet}'; it has {', '.join(names)}")
        table = book[sheet if sheet is not None else names[0]]
        rows: list[list[CellValue]] = []
        filled = 0
        for values in table.iter_rows(max_row=MAX_SCANNED_ROWS, max_col=MAX_COLUMNS, values_only=True):
            row = [_xlsx_value(value) for value in values]
            # sheets often carry thousands of formatted but empty rows: only filled ones count
            filled += any(value is not None for value in row)
            if filled > MAX_ROWS:
                raise RunSheetError(f"{path}: more than {MAX_ROWS} rows; this is not a run sheet")
            rows.append(row if any(value is not None for value in row) else [])
        return Table(f"{path}:{table.title}!", rows)
    finally:
        book.close()


def _xlsx_value(value: object) -> CellValue:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta):
        return value
    return None if value is None else str(value)


def header_name(value: CellValue) -> str:
    """A header cell as compared with FIELD_NAMES: lowercase, single spaces, no trailing dot or colon."""
    return re.sub(r"\s+", " ", str(value)).strip().rstrip(".:").strip().lower() if value is not None else ""


def find_header(table: Table, mapping: dict[str, str]) -> tuple[int, dict[int, str]]:
    """The header row (the first with two recognised names) and the field each of its columns fills.

    `mapping` (from --map) names a column by its header text or letter and gives its field.
    """
    by_name = {name: field for field, names in FIELD_NAMES.items() for name in names}
    wanted = {header_name(column): field for column, field in mapping.items()}
    for index, row in enumerate(table.rows):
        fields: dict[int, str] = {}
        for column, value in enumerate(row):
            name = header_name(value)
            field = wanted.get(name) or wanted.get(column_letter(column).lower()) or by_name.get(name)
            if field and field != "ignore" and field not in fields.values():
                fields[column] = field  # the first column named for a field wins
        if len(fields) >= 2:
            return index, fields
    raise RunSheetError(
        f"{table.where.rstrip(':')}: no header row found (a row naming at least two of: step, owner, duration,"
        " depends on, ...); name the columns with --map COLUMN=FIELD"
    )
