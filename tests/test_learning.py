"""Rehearsals and series: actual durations, series figures and the warnings, against hand figures.

The series `pay` has four runs of the same five steps (freeze 10m, snapshot 25m, deploy 30m,
smoke 15m, announce 5m; one after the other, planned end T+1:25) and a fifth still to run:

| run    | window (Europe/London)        | freeze | snapshot      | deploy        | smoke | announce | end    | slip |
| pay-01 | 2026-08-05 22:00              | 10     | 38 (late)     | 32            | 15    | 7 (*)    | 23:42  | +17  |
| pay-02 | 2026-09-02 22:00              | 12     | 44 (late)     | 44 (late)     | 12    | 5        | 23:57  | +32  |
| pay-03 | 2026-10-07 22:00, rolled back | 9      | 41 (late)     | not finished  | —     | —        | —      | —    |
| pay-04 | 2026-10-25 00:30 BST, clocks  | 10     | 40 (30m plan, | 55 (late)     | 15    | 6 (*)    | 01:36  | +36  |
|        | go back at 02:00 BST          |        |  late)        |               |       |          | GMT    |      |

(*) only step-done logged: it started when smoke was done. pay-04's deploy starts 01:20 BST and
ends 01:15 GMT: 55 minutes, not minus five; the run was planned to end at 01:00 GMT (T+1:30).
Per step over the runs: freeze 9, 10, 10, 12 (median
10, worst 12, late 0 of 4); snapshot 38, 40, 41, 44 (median 40m30s, worst 44, late 4 of 4);
deploy 32, 44, 55 (median 44, worst 55, late 2 of 3); smoke 15, 12, 15 (median 15, late 0 of 3);
announce 7, 5, 6 (median 6). On estimate: 4 of 5, 3 of 5, 1 of 2, 3 of 5 = 11 of 17. Excess over
plan: snapshot 13+19+16+10 = 58 min, deploy 2+14+25 = 41, announce 2+0+1 = 3, freeze 0+2-1+0 = 1,
smoke 0-3+0 = -3: the chart plots snapshot, deploy and announce.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from conftest import golive, make_project
from generator.check.validate import validate_project
from generator.schedule.actuals import on_estimate, overran

STEPS = [("freeze", "10m"), ("snapshot", "25m"), ("deploy", "30m"), ("smoke", "15m"), ("announce", "5m")]


def plan_yaml(start: str, end: str, status: str, durations: dict[str, str] | None = None) -> str:
    durations = {**dict(STEPS), **(durations or {})}
    steps = "".join(
        f"  - id: {step}\n    title: {step.capitalize()} step\n    owner: ana\n    duration: {durations[step]}\n"
        for step, _ in STEPS
    )
    rollback = "rollback:\n  owner: ana\n  triggers: [Payments fail]\n  steps:\n"
    rollback += "    - {id: restore, title: Restore the snapshot, owner: ana, duration: 20m}\n"
    return (
        f"title: Monthly payments release\nseries: pay\nstatus: {status}\ntimezone: Europe/London\n"
        f"window:\n  start: {start}\n  end: {end}\n"
        f"stakeholders:\n  - person: ana\n    role: Go-live lead\n"
        f"approvals:\n  - {{person: ben, decision: approved}}\nsteps:\n{steps}{rollback}"
    )


def log_yaml(*entries: tuple[str, str, str]) -> str:
    """Entries as (time, kind, step)."""
    lines = ["entries:"]
    for at, kind, step in entries:
        lines.append(f"  - {{at: '{at}', by: ana, kind: {kind}, step: {step}}}")
    return "\n".join(lines) + "\n"


def steps_log(day: str, *spans: tuple[str, str | None, str | None]) -> list[tuple[str, str, str]]:
    """(step, started HH:MM or None, done HH:MM or None) on `day` -> log entries."""
    entries = []
    for step, started, done in spans:
        if started:
            entries.append((f"{day} {started}" if len(started) == 5 else started, "step-started", step))
        if done:
            entries.append((f"{day} {done}" if len(done) == 5 else done, "step-done", step))
    return entries


RUNS = {
    "pay-01": (
        plan_yaml("2026-08-05 22:00", "2026-08-06 01:00", "completed"),
        steps_log(
            "2026-08-05",
            ("freeze", "22:00", "22:10"),
            ("snapshot", "22:10", "22:48"),
            ("deploy", "22:48", "23:20"),
            ("smoke", "23:20", "23:35"),
            ("announce", None, "23:42"),
        ),
    ),
    "pay-02": (
        plan_yaml("2026-09-02 22:00", "2026-09-03 01:00", "completed"),
        steps_log(
            "2026-09-02",
            ("freeze", "22:00", "22:12"),
            ("snapshot", "22:12", "22:56"),
            ("deploy", "22:56", "23:40"),
            ("smoke", "23:40", "23:52"),
            ("announce", "23:52", "23:57"),
        ),
    ),
    "pay-03": (
        plan_yaml("2026-10-07 22:00", "2026-10-08 01:00", "rolled-back"),
        [
            *steps_log("2026-10-07", ("freeze", "22:00", "22:09"), ("snapshot", "22:09", "22:50")),
            ("2026-10-07 22:50", "step-started", "deploy"),
            ("2026-10-07 23:30", "rollback-started", "restore"),
            ("2026-10-07 23:50", "rollback-done", "restore"),
        ],
    ),
    "pay-04": (
        plan_yaml("2026-10-25 00:30", "2026-10-25 03:30", "completed", {"snapshot": "30m"}),
        steps_log(
            "2026-10-25",
            ("freeze", "00:30", "00:40"),
            ("snapshot", "00:40", "2026-10-25 01:20+01:00"),
            ("deploy", "2026-10-25 01:20+01:00", "2026-10-25 01:15+00:00"),
            ("smoke", "2026-10-25 01:15+00:00", "2026-10-25 01:30+00:00"),
            ("announce", None, "2026-10-25 01:36+00:00"),
        ),
    ),
}
MINUTES = dt.timedelta(minutes=1)


def write_series(root: Path, upcoming: str | None = None) -> None:
    """The four runs of series `pay`, and pay-05 (approved, 2026-12-02 22:00 to 23:30) when given its plan."""
    for plan_id, (plan_text, entries) in RUNS.items():
        folder = root / "plans" / plan_id
        folder.mkdir()
        (folder / "plan.yaml").write_text(plan_text, encoding="utf-8")
        (folder / "log.yaml").write_text(log_yaml(*entries), encoding="utf-8")
    if upcoming is not None:
        (root / "plans" / "pay-05").mkdir()
        (root / "plans" / "pay-05" / "plan.yaml").write_text(upcoming, encoding="utf-8")


UPCOMING = plan_yaml("2026-12-02 22:00", "2026-12-02 23:30", "approved")


@pytest.fixture
def series_project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    write_series(root, UPCOMING)
    return root


def test_the_tolerance_is_twenty_percent_and_five_minutes() -> None:
    assert not overran(25 * MINUTES, 30 * MINUTES)  # +5: the 5-minute floor
    assert overran(25 * MINUTES, 31 * MINUTES)
    assert not overran(60 * MINUTES, 72 * MINUTES)  # +12 is 20%
    assert overran(60 * MINUTES, 73 * MINUTES)
    assert on_estimate(60 * MINUTES, 48 * MINUTES) and not on_estimate(60 * MINUTES, 47 * MINUTES)


def test_each_run_measures_its_steps_as_worked_out_by_hand(series_project: Path) -> None:
    validation = validate_project(series_project)
    assert validation.errors == []
    minutes = {
        plan_id: [None if s.actual is None else s.actual / MINUTES for s in validation.runs[plan_id].steps]
        for plan_id in RUNS
    }
    assert minutes == {
        "pay-01": [10, 38, 32, 15, 7],
        "pay-02": [12, 44, 44, 12, 5],
        "pay-03": [9, 41, None, None, None],
        "pay-04": [10, 40, 55, 15, 6],  # across the clock change: 55, not -5
    }
    reached = [s.reached for s in validation.runs["pay-03"].steps]
    assert reached == [True, True, True, False, False]
    assert {p: validation.runs[p].accuracy for p in RUNS} == {
        "pay-01": (4, 5),
        "pay-02": (3, 5),
        "pay-03": (1, 2),
        "pay-04": (3, 5),
    }


def test_the_series_figures_equal_the_hand_figures(series_project: Path) -> None:
    series = validate_project(series_project).series["pay"]
    assert [run.plan_id for run in series.runs] == ["pay-01", "pay-02", "pay-03", "pay-04", "pay-05"]
    slips = [None if run.slip is None else run.slip / MINUTES for run in series.runs]
    assert slips == [17, 32, None, 36, None]  # pay-04 planned to end at 01:00 UTC (snapshot 30m)
    assert series.runs[3].actual_end == dt.datetime(2026, 10, 25, 1, 36, tzinfo=dt.UTC)
    by_id = {step.id: step for step in series.steps}
    assert [step.id for step in series.steps] == [s for s, _ in STEPS]
    figures = {
        step_id: (
            step.median_actual / MINUTES if step.median_actual else None,
            step.worst_actual / MINUTES if step.worst_actual else None,
            step.times_late,
            len(step.measured),
        )
        for step_id, step in by_id.items()
    }
    assert figures == {
        "freeze": (10, 12, 0, 4),
        "snapshot": (40.5, 44, 4, 4),
        "deploy": (44, 55, 2, 3),
        "smoke": (15, 15, 0, 3),
        "announce": (6, 7, 0, 3),
    }
    assert by_id["snapshot"].planned == (25 * MINUTES, 25 * MINUTES, 25 * MINUTES, 30 * MINUTES, 25 * MINUTES)
    assert series.accuracy == (11, 17)
    assert [step.id for step in series.charted_steps] == ["snapshot", "deploy", "announce"]
    assert by_id["snapshot"].total_excess == 58 * MINUTES


def warnings_of(root: Path, plan_id: str) -> list[str]:
    validation = validate_project(root)
    assert validation.errors == [], validation.errors
    return [f"{w.path} {w.message}" for w in validation.warnings if w.plan == plan_id]


def test_a_plan_still_to_run_is_warned_by_its_series(series_project: Path) -> None:
    assert warnings_of(series_project, "pay-05") == [
        "steps[1].duration planned 25m, below the series' median of 41m: "
        "the last 4 runs (pay-01, pay-02, pay-03, pay-04) took 38m to 44m",
        "steps[2].duration planned 30m, below the series' median of 44m: "
        "the last 3 runs (pay-01, pay-02, pay-04) took 32m to 55m",
    ]
    # Runs that took place are not warned by the runs before them: their own log says how it went.
    assert warnings_of(series_project, "pay-04") == []


def test_the_series_warning_names_the_step_and_points_at_its_duration(series_project: Path) -> None:
    validation = validate_project(series_project)
    warning = next(w for w in validation.warnings if w.plan == "pay-05")
    assert (warning.file, warning.subject) == ("plans/pay-05/plan.yaml", 'snapshot, "Snapshot step"')
    text = (series_project / "plans/pay-05/plan.yaml").read_text().splitlines()
    assert text[warning.line - 1][warning.column - 1 :].startswith("25m")


def test_a_plan_planned_at_the_median_is_not_warned(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    write_series(
        root, plan_yaml("2026-12-02 22:00", "2026-12-03 01:00", "approved", {"snapshot": "41m", "deploy": "40m"})
    )
    assert warnings_of(root, "pay-05") == []  # 44m is within 20% of 40m


MOCK_1 = "started: 2026-11-20 10:00\n" + log_yaml(
    *steps_log(
        "2026-11-20",
        ("freeze", "10:00", "10:10"),
        ("snapshot", "10:10", "10:52"),
        ("deploy", "10:52", "11:20"),
    )
)


def rehearsed_project(tmp_path: Path, **rehearsals: str) -> Path:
    root = make_project(tmp_path / "project")
    folder = root / "plans" / "pay-05" / "rehearsals"
    folder.mkdir(parents=True)
    (folder.parent / "plan.yaml").write_text(UPCOMING, encoding="utf-8")
    for name, text in rehearsals.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


def test_rehearsals_are_read_against_the_plan_moved_to_their_start(tmp_path: Path) -> None:
    root = rehearsed_project(tmp_path, **{"mock-1": MOCK_1})
    assert warnings_of(root, "pay-05") == [
        # the pace of mock-1: done to deploy at T+1:20, then smoke and announce as planned: 23:40
        "window.end at the pace of rehearsal mock-1 the plan would end at 23:40, 10 min after the window",
        "steps[1].duration planned 25m; rehearsal mock-1 took 42m",
        "steps[3] no rehearsal reached this step (mock-1)",
        "steps[4] no rehearsal reached this step (mock-1)",
    ]


def test_a_step_reached_by_any_rehearsal_is_not_warned(tmp_path: Path) -> None:
    mock_2 = "started: 2026-11-27 10:00\n" + log_yaml(
        *steps_log(
            "2026-11-27",
            ("freeze", "10:00", "10:10"),
            ("snapshot", "10:10", "10:35"),
            ("deploy", "10:35", "11:05"),
            ("smoke", "11:05", "11:20"),
            ("announce", "11:20", "11:25"),
        )
    )
    root = rehearsed_project(tmp_path, **{"mock-1": MOCK_1, "mock-2": mock_2})
    validation = validate_project(root)
    runs = validation.project.plans["pay-05"].rehearsals
    assert list(runs) == ["mock-1", "mock-2"]
    assert warnings_of(root, "pay-05") == [
        "window.end at the pace of rehearsal mock-1 the plan would end at 23:40, 10 min after the window",
        "steps[1].duration planned 25m; rehearsal mock-1 took 42m",
    ]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("mock-1", "entries: []\n", "started"),
        ("mock-1", MOCK_1.replace("step: deploy", "step: deploi"), "unknown step 'deploi'"),
        ("mock-1", MOCK_1.replace("by: ana", "by: nobody", 1), "unknown person 'nobody'"),
        ("Mock_1", MOCK_1, "is not a valid id"),
    ],
)
def test_a_bad_rehearsal_is_an_error_naming_its_file(tmp_path: Path, name: str, text: str, expected: str) -> None:
    root = rehearsed_project(tmp_path, **{name: text})
    errors = validate_project(root).errors
    assert errors, "expected an error"
    assert all(e.file == f"plans/pay-05/rehearsals/{name}.yaml" for e in errors), errors
    assert any(expected in e.message for e in errors), errors


def test_a_rehearsal_start_the_clocks_skip_is_an_error(tmp_path: Path) -> None:
    root = rehearsed_project(tmp_path, **{"mock-1": "started: 2027-03-28 01:30\nentries: []\n"})
    errors = validate_project(root).errors
    assert [(e.file, e.path) for e in errors] == [("plans/pay-05/rehearsals/mock-1.yaml", "started")]


def test_a_linked_or_misnamed_rehearsal_file_is_refused(tmp_path: Path) -> None:
    root = rehearsed_project(tmp_path)
    folder = root / "plans" / "pay-05" / "rehearsals"
    (tmp_path / "outside.yaml").write_text(MOCK_1, encoding="utf-8")
    os.symlink(tmp_path / "outside.yaml", folder / "mock-1.yaml")
    (folder / "mock-2.yml").write_text(MOCK_1, encoding="utf-8")
    messages = {(e.file, e.message) for e in validate_project(root).errors}
    assert ("plans/pay-05/rehearsals/mock-1.yaml", "symbolic links are not read") in messages
    assert ("plans/pay-05/rehearsals/mock-2.yml", "not a golive source file in this place") in messages


def test_validate_counts_rehearsal_files_among_the_files_read(tmp_path: Path) -> None:
    root = rehearsed_project(tmp_path, **{"mock-1": MOCK_1})
    before = golive("validate", "--root", root).out.splitlines()[-1]
    (root / "plans/pay-05/rehearsals/mock-2.yaml").write_text(MOCK_1, encoding="utf-8")
    after = golive("validate", "--root", root).out.splitlines()[-1]
    count = int(before.split(", ")[1].split()[0])
    assert after.startswith(f"golive: 2 plans, {count + 1} files read"), (before, after)
