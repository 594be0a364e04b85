"""Run sheets out of and into plans: `golive export` and `golive import` (CSV and XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import REPO, copy_shipped_project, golive
from generator.authoring.runsheet_export import HEADER
from generator.check.validate import validate_project
from generator.schedule.timetable import Schedule

SHOP = "shop-checkout-relaunch"
WINDOW = ["--timezone", "Europe/London", "--window-start", "2027-03-06 22:00"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_shipped_project(tmp_path / "project")


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def test_export_csv_has_a_row_per_step_with_numbers_and_owners(root: Path, tmp_path: Path) -> None:
    run = golive("export", SHOP, "--format", "csv", "--root", root, cwd=tmp_path)
    assert run.code == 0, run.err
    rows = _csv_rows(tmp_path / f"{SHOP}-runsheet.csv")
    schedule = validate_project(root).schedules[SHOP]
    assert rows[0] == list(HEADER)
    assert len(rows) == 1 + len(schedule.steps)
    first, second = dict(zip(HEADER, rows[1], strict=True)), dict(zip(HEADER, rows[2], strict=True))
    assert first["No."] == "1" and first["Planned start"] == "2026-10-17 22:00" and first["T-offset"] == "T+0:00"
    assert first["Duration"] == "0:10" and first["Owner"] == "Ana Souza" and first["Owner id"] == "ana-souza"
    assert first["Phone"].startswith("+44")
    assert second["Depends on"] == "1" and second["Planned start"] == "2026-10-17 22:10"
    ponr = [r for r in rows[1:] if r[HEADER.index("Point of no return")] == "yes"]
    assert [r[HEADER.index("Step id")] for r in ponr] == [schedule.point_of_no_return.id]  # type: ignore[union-attr]
    assert {r[HEADER.index("Step id")] for r in rows[1:] if r[HEADER.index("Critical path")]} == set(
        schedule.critical_path
    )
    assert all(r[HEADER.index("Done") :] == [""] * 5 for r in rows[1:])
    # deterministic, and never over an existing file
    again = golive("export", SHOP, "--format", "csv", "--output", tmp_path / "b.csv", "--root", root, cwd=tmp_path)
    assert again.code == 0 and (tmp_path / "b.csv").read_bytes() == (tmp_path / f"{SHOP}-runsheet.csv").read_bytes()
    refused = golive("export", SHOP, "--format", "csv", "--root", root, cwd=tmp_path)
    assert refused.code == 1 and "already exists" in refused.err


def test_export_xlsx_has_title_above_a_frozen_header(root: Path, tmp_path: Path) -> None:
    output = tmp_path / "sheet.xlsx"
    assert golive("export", SHOP, "--format", "xlsx", "--output", output, "--root", root).code == 0
    table = openpyxl.load_workbook(output).active
    assert table is not None
    assert table["A1"].value == "Shop relaunch with checkout 2.0 and the new payment provider"
    assert table["A2"].value == "Version 7, completed; window 2026-10-17 22:00 to 2026-10-18 03:00 Europe/London"
    assert [c.value for c in table[4]] == list(HEADER)
    assert table.freeze_panes == "A5"
    assert table.column_dimensions["F"].width > 40  # the step titles
    assert table["H5"].value == "Ana Souza"


def test_export_refuses_an_invalid_plan(root: Path, tmp_path: Path) -> None:
    plan = root / "plans" / SHOP / "plan.yaml"
    plan.write_text(plan.read_text().replace("owner: ana-souza", "owner: nobody-here", 1))
    run = golive("export", SHOP, "--format", "csv", "--root", root, cwd=tmp_path)
    assert run.code == 1 and "does not validate" in run.err and "nobody-here" in run.err
    assert not list(tmp_path.glob("*.csv"))


def test_export_is_refused_for_a_broken_people_file_but_not_for_another_broken_plan(root: Path, tmp_path: Path) -> None:
    other = root / "plans/erp-datacentre-migration/plan.yaml"
    other.write_text(other.read_text().replace("owner: ", "owner: nobody-", 1))  # an unknown person
    run = golive("export", SHOP, "--format", "csv", "--root", root, cwd=tmp_path)
    assert run.code == 0, run.err  # another plan's error is that plan's business
    people = root / "plans/people.yaml"
    people.write_text(people.read_text().replace("  - id: ana-souza", "  - id: Ana Souza", 1))
    run = golive("export", SHOP, "--format", "csv", "--root", root, "--output", tmp_path / "again.csv")
    assert run.code == 1 and "does not validate" in run.err and "plans/people.yaml" in run.err


HAND_WRITTEN = (
    "Owner;Task;Duration;#;Predecessors;Notes;PONR\r\n"
    "ana-souza;Open the bridge;10;1;;Roll call first;\r\n"
    "Ben Okafor;Scale the café servers;1:30;2;1FS;;\r\n"
    "priya.nair@example.com;Run the migration;1h30m;3;2FS, 1;;x\r\n"
    "ANA SOUZA;Open the café;45m;4;3;;\r\n"
)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_import_a_hand_written_csv(root: Path, tmp_path: Path, encoding: str) -> None:
    sheet = tmp_path / "runsheet.csv"
    sheet.write_bytes(HAND_WRITTEN.encode(encoding))
    run = golive("import", sheet, "--plan", "night", "--title", "Night", *WINDOW, "--root", root)
    assert run.code == 0, run.err
    assert "4 steps" in run.out
    validation = validate_project(root)
    assert not validation.errors
    plan = validation.project.plans["night"].plan.model
    assert [s.id for s in plan.steps] == [
        "open-the-bridge",
        "scale-the-cafe-servers",
        "run-the-migration",
        "open-the-cafe",
    ]
    assert [s.title for s in plan.steps][1] == "Scale the café servers"
    assert [s.owner for s in plan.steps] == ["ana-souza", "ben-okafor", "priya-nair", "ana-souza"]
    assert [s.duration for s in plan.steps] == [dt.timedelta(minutes=m) for m in (10, 90, 90, 45)]
    assert [s.depends_on for s in plan.steps] == [
        None,
        ["open-the-bridge"],
        ["scale-the-cafe-servers", "open-the-bridge"],
        ["run-the-migration"],
    ]
    assert [s.point_of_no_return for s in plan.steps] == [False, False, True, False]
    assert plan.steps[0].instructions == "Roll call first"
    assert plan.window.end == dt.datetime(2027, 3, 7, 2, 0)  # the last step ends 01:55, rounded up to the hour
    assert plan.status == "draft" and plan.timezone == "Europe/London"


def test_import_reports_each_problem_with_its_cell_and_writes_nothing(root: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "runsheet.csv"
    text = HAND_WRITTEN.replace("Ben Okafor;", "B. Okafor;").replace("1h30m;3;2FS, 1", "soon;3;2FS, 9")
    sheet.write_bytes(text.encode("cp1252"))
    run = golive("import", sheet, "--plan", "night", *WINDOW, "--root", root)
    assert run.code == 1
    assert f"{sheet}:A3: unknown owner 'B. Okafor' (did you mean 'ben-okafor'?)" in run.err
    assert f"{sheet}:C4: 'soon' is not a duration" in run.err
    assert f"{sheet}:E4: depends on '9': no row numbered '9'" in run.err
    assert "3 problem(s)" in run.err and "nothing written" in run.err
    assert not (root / "plans" / "night").exists()


def test_import_asks_for_the_window(root: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "runsheet.csv"
    sheet.write_text(HAND_WRITTEN)
    run = golive("import", sheet, "--plan", "night", "--timezone", "Europe/London", "--root", root)
    assert run.code == 1 and "--window-start" in run.err
    assert not (root / "plans" / "night").exists()


def _saved_like_a_spreadsheet_program(path: Path) -> None:
    """A workbook as people keep them: a merged title row, blank rows, a hidden column, numbers as text,
    durations and times as fractions of a day, a datetime."""
    book = openpyxl.Workbook()
    table = book.active
    assert table is not None
    table.title = "Cutover"
    table["A1"] = "Warehouse cutover: run sheet"
    table.merge_cells("A1:F1")
    table.append([])  # row 2 blank
    table.append(["ID", "Activity", "Internal", "Assignee", "Duration", "Start", "Depends on", "Point of no return"])
    table.append(["1", "Stop the scanners", "secret", "ana-souza", 0.0625, 0.9375, None, None])  # 1:30, 22:30
    table.append([2, "Copy the stock database", None, "Ben Okafor", "45", None, "1", None])
    table.append([3.0, "Switch the DNS", None, "ana.souza@example.com", dt.time(0, 20), None, "2FS", "yes"])
    table.append([None, None, None, None, None, None, None, None])  # a blank row inside the table
    table.append(["4", "Reopen", None, "ana-souza", "30m", dt.datetime(2027, 3, 7, 3, 0), None, None])
    table["E4"].number_format = "[h]:mm"
    table.column_dimensions["G"].hidden = True  # the dependencies, hidden: read all the same
    book.save(path)


def test_import_xlsx_saved_by_a_spreadsheet_program(root: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "runsheet.xlsx"
    _saved_like_a_spreadsheet_program(sheet)
    run = golive("import", sheet, "--plan", "warehouse", *WINDOW, "--root", root)
    assert run.code == 0, run.err
    validation = validate_project(root)
    assert not validation.errors
    plan = validation.project.plans["warehouse"].plan.model
    assert plan.title == "Warehouse cutover: run sheet"  # the title row above the header
    assert [s.id for s in plan.steps] == ["stop-the-scanners", "copy-the-stock-database", "switch-the-dns", "reopen"]
    assert [s.owner for s in plan.steps] == ["ana-souza", "ben-okafor", "ana-souza", "ana-souza"]
    assert [s.duration for s in plan.steps] == [dt.timedelta(minutes=m) for m in (90, 45, 20, 30)]
    assert [s.depends_on for s in plan.steps] == [None, ["stop-the-scanners"], ["copy-the-stock-database"], None]
    assert plan.steps[0].start == dt.time(22, 30) and plan.steps[3].start == dt.datetime(2027, 3, 7, 3, 0)
    assert plan.steps[2].point_of_no_return
    starts = [s.start for s in validation.schedules["warehouse"].steps]
    assert starts[0] == dt.datetime(2027, 3, 6, 22, 30, tzinfo=dt.UTC)


def test_import_xlsx_names_the_sheet_and_cell(root: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "runsheet.xlsx"
    _saved_like_a_spreadsheet_program(sheet)
    book = openpyxl.load_workbook(sheet)
    book["Cutover"]["D5"] = "B. Okafor"
    book["Cutover"]["E6"] = "two hours"
    book.save(sheet)
    run = golive("import", sheet, "--plan", "warehouse", *WINDOW, "--root", root)
    assert run.code == 1
    assert f"{sheet}:Cutover!D5: unknown owner 'B. Okafor' (did you mean 'ben-okafor'?)" in run.err
    assert f"{sheet}:Cutover!E6: 'two hours' is not a duration" in run.err
    assert not (root / "plans" / "warehouse").exists()
    wrong = golive("import", sheet, "--plan", "warehouse", "--sheet", "Nope", *WINDOW, "--root", root)
    assert wrong.code == 1 and "no sheet 'Nope'; it has Cutover" in wrong.err


def test_import_with_a_column_map(root: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "runsheet.csv"
    sheet.write_text("What,Who,Mins\nFirst,ana-souza,5\nSecond,ben-okafor,10\n")
    run = golive(
        "import",
        sheet,
        "--plan",
        "mapped",
        "--map",
        "What=title",
        "--map",
        "c=duration",
        "--map",
        "who=owner",
        *WINDOW,
        "--root",
        root,
    )
    assert run.code == 0, run.err
    plan = validate_project(root).project.plans["mapped"].plan.model
    assert [(s.title, s.owner, s.duration) for s in plan.steps] == [
        ("First", "ana-souza", dt.timedelta(minutes=5)),
        ("Second", "ben-okafor", dt.timedelta(minutes=10)),
    ]


def _shape(schedule: Schedule) -> list[tuple[object, ...]]:
    """A schedule without its ids: titles, owners, durations, dependencies by position, starts."""
    position = {s.id: i for i, s in enumerate(schedule.steps)}
    return [
        (s.step.title, s.step.owner, s.step.duration, sorted(position[d] for d in s.depends_on), s.start, s.end)
        for s in schedule.steps
    ]


@pytest.mark.parametrize("plan_id", sorted(p.parent.name for p in (REPO / "plans").glob("*/plan.yaml")))
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_round_trip_gives_back_the_same_schedule(root: Path, tmp_path: Path, plan_id: str, file_format: str) -> None:
    sheet = tmp_path / f"sheet.{file_format}"
    assert golive("export", plan_id, "--format", file_format, "--output", sheet, "--root", root).code == 0
    source = yaml.safe_load((root / "plans" / plan_id / "plan.yaml").read_text())
    window = ["--window-start", str(source["window"]["start"]), "--window-end", str(source["window"]["end"])]
    run = golive(
        "import",
        sheet,
        "--plan",
        "copy",
        "--title",
        source["title"],
        "--timezone",
        source["timezone"],
        *window,
        "--root",
        root,
    )
    assert run.code == 0, run.err + run.out
    validation = validate_project(root)
    assert not [d for d in validation.errors if "plans/copy/" in d.file]
    assert _shape(validation.schedules["copy"]) == _shape(validation.schedules[plan_id])
    # the Step id and Owner id columns are read back too
    assert [s.id for s in validation.schedules["copy"].steps] == [s.id for s in validation.schedules[plan_id].steps]


def test_import_refuses_a_plan_that_would_not_validate(root: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "runsheet.csv"
    sheet.write_text(f"Task,Owner,Duration\nFirst,ana-souza,5\n{'x' * 600},ana-souza,10\n")
    run = golive("import", sheet, "--plan", "night", *WINDOW, "--root", root)
    assert run.code == 1
    assert f"{sheet} row 3: plans/night/plan.yaml:" in run.err and "steps[1].title" in run.err
    assert "would not validate; nothing written" in run.err
    early = golive("import", sheet.with_name("x.csv"), "--plan", "night", *WINDOW, "--root", root)
    assert early.code == 1 and "no such file" in early.err
    sheet.write_text("Task,Owner,Duration\nFirst,ana-souza,5\n")
    ends_first = golive("import", sheet, "--plan", "night", *WINDOW, "--window-end", "2027-03-06 21:00", "--root", root)
    assert ends_first.code == 1 and "window.end: the window ends before it starts" in ends_first.err
    assert not (root / "plans" / "night").exists()
    (root / "plans" / "night").mkdir()
    exists = golive("import", sheet, "--plan", "night", *WINDOW, "--root", root)
    assert exists.code == 1 and "plans/night already exists" in exists.err


def test_import_excel_numbers_lags_and_repeated_row_numbers(root: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "runsheet.xlsx"
    book = openpyxl.Workbook()
    table = book.active
    assert table is not None
    table.append(["No.", "Task", "Owner", "Duration", "Planned start", "Predecessors"])
    table.append([1, "Freeze", "ana-souza", dt.datetime(1900, 1, 1, 1, 0), 46452.9375, None])  # 25:00; 2027-03-06 22:30
    table.append([2, "Copy", "ana-souza", 30, None, "1FS+2d"])
    table.append([2, "Check", "ana-souza", 30, None, "1"])
    book.save(sheet)
    run = golive("import", sheet, "--plan", "numbers", *WINDOW, "--root", root)
    assert run.code == 1
    assert f"{sheet}:Sheet!F3: '1FS+2d': lags are not supported; add a step" in run.err
    assert f"{sheet}:Sheet!A4: row number '2' is used twice" in run.err
    table["F3"] = "1"
    table["A4"] = 3
    book.save(sheet)
    run = golive("import", sheet, "--plan", "numbers", *WINDOW, "--root", root)
    assert run.code == 0, run.err
    plan = validate_project(root).project.plans["numbers"].plan.model
    assert plan.steps[0].duration == dt.timedelta(hours=25)
    assert plan.steps[0].start == dt.datetime(2027, 3, 6, 22, 30)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.xlsx", b"hello", "bad.xlsx: not a readable .xlsx file"),
        ("nohead.csv", b"a,b\n1,2\n", "nohead.csv: no header row found"),
        ("notes.txt", b"Task,Owner\n", "notes.txt: a run sheet is a .csv or .xlsx file"),
    ],
)
def test_import_refuses_what_is_not_a_run_sheet(
    root: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    sheet = tmp_path / name
    sheet.write_bytes(content)
    run = golive("import", sheet, "--plan", "night", *WINDOW, "--root", root)
    assert run.code == 1 and message in run.err
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "elsewhere.csv")
    (tmp_path / "elsewhere.csv").write_text(HAND_WRITTEN)
    followed = golive("import", link, "--plan", "night", *WINDOW, "--root", root)
    assert followed.code == 1 and "links are not followed" in followed.err
    assert not (root / "plans" / "night").exists()
