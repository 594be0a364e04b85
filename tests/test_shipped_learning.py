"""The shipped examples of issue 16 hold the figures worked out by hand from their files.

Series `payments-monthly`: the payments hub's monthly release, the same 16 steps each time
(17 in December). Actual minutes, from the logs (step-started to step-done; confirm-freeze has
only its done logged, so it starts when open-bridge was done):

| step               | planned        | Sep 27    | Oct 25 (clocks) | Nov 29 (rolled back) | median | worst | late |
| open-bridge        | 10             | 9         | 12              | 10                   | 10     | 12    | 0/3  |
| backup-payments-db | 20             | 24        | 22              | 27 (late)            | 24     | 27    | 1/3  |
| drain-queues       | 15             | 21 (late) | 26 (late)       | 24 (late)            | 24     | 26    | 3/3  |
| migrate-schema     | 15             | 12        | 31 (late)       | 14                   | 14     | 31    | 1/3  |
| smoke-payments     | 20, 20, 30, 30 | 31 (late) | 30 (late)       | not finished         | 30.5   | 31    | 2/2  |
| reconcile-payments | 20             | 34 (late) | 41 (late)       | not reached          | 37.5   | 41    | 2/2  |

Planned ends 03:50 BST, 02:50 GMT (T+2:50 on the night of four real hours from 01:00 BST to
04:00 GMT), 04:00 GMT, 04:10 GMT (December has one step more); close-call logged done at 04:01
BST, 03:32 GMT, 04:09 GMT: slips +11, +42, +9 min. On estimate 13 of 16, 12 of 16, 9 of 11 (the
rolled-back run measured 11 steps): 34 of 43. Excess over plan: reconcile 14 + 21 = 35, drain
6 + 11 + 9 = 26, smoke 11 + 10 = 21, backup 4 + 2 + 7 = 13, migrate -3 + 16 - 1 = 12: the chart
plots reconcile, drain and smoke. December (approved) plans drain 15m (median 24m) and
reconcile 20m (median 37.5m): two series warnings.

ERP move rehearsals: mock-1 (5 Dec) stopped at the reconciliation (#26): final-backup took
1h52m against 1h30m (late by more than 18 min); mock-2 (12 Dec) reached every step in 35h29m
against 35h40m, technical-checks 1h37m against 1h (late). Two rehearsal warnings.
"""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import REPO
from generator.check.rules.learning import rehearsal_runs
from generator.check.validate import Validation, validate_project
from generator.schedule.timetable import localize

SERIES_RUNS = ["pay-2026-09", "pay-2026-10", "pay-2026-11", "pay-2026-12"]


def minutes(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 60


@pytest.fixture(scope="module")
def validation() -> Validation:
    return validate_project(REPO)


def test_the_series_has_four_runs_three_with_logs_one_rolled_back(validation: Validation) -> None:
    series = validation.series["payments-monthly"]
    assert [run.plan_id for run in series.runs] == SERIES_RUNS
    assert [run.status for run in series.runs] == ["completed", "completed", "rolled-back", "approved"]
    assert [run.actuals is not None for run in series.runs] == [True, True, True, False]
    assert [minutes(run.slip) for run in series.runs] == [11, 42, 9, None]
    zone = series.runs[0].schedule.zone
    ends = [run.planned_end.astimezone(zone).strftime("%H:%M %Z") for run in series.runs]
    assert ends == ["03:50 BST", "02:50 GMT", "04:00 GMT", "04:10 GMT"]


def test_the_october_run_crosses_the_clock_change(validation: Validation) -> None:
    schedule = validation.schedules["pay-2026-10"]
    start, end = (t.astimezone(schedule.zone) for t in (schedule.window_start, schedule.window_end))
    assert (start.strftime("%H:%M %Z"), end.strftime("%H:%M %Z")) == ("01:00 BST", "04:00 GMT")
    assert schedule.window_end - schedule.window_start == dt.timedelta(hours=4)


def test_series_figures_equal_the_hand_figures(validation: Validation) -> None:
    series = validation.series["payments-monthly"]
    steps = {step.id: step for step in series.steps}
    expected = {  # actual per run, median, worst, times late
        "open-bridge": ([9, 12, 10, None], 10, 12, 0),
        "backup-payments-db": ([24, 22, 27, None], 24, 27, 1),
        "drain-queues": ([21, 26, 24, None], 24, 26, 3),
        "migrate-schema": ([12, 31, 14, None], 14, 31, 1),
        "smoke-payments": ([31, 30, None, None], 30.5, 31, 2),
        "reconcile-payments": ([34, 41, None, None], 37.5, 41, 2),
    }
    for step_id, (actual, median, worst, late) in expected.items():
        step = steps[step_id]
        found = ([minutes(a) for a in step.actual], minutes(step.median_actual), minutes(step.worst_actual))
        assert found == (actual, median, worst), step_id
        assert step.times_late == late, step_id
    assert [minutes(p) for p in steps["smoke-payments"].planned] == [20, 20, 30, 30]
    assert [minutes(p) for p in steps["bacs-validation"].planned] == [None, None, None, 10]  # new in December
    assert [step.id for step in series.charted_steps] == ["reconcile-payments", "drain-queues", "smoke-payments"]
    assert [run.actuals.accuracy for run in series.runs[:3] if run.actuals] == [(13, 16), (12, 16), (9, 11)]
    assert series.accuracy == (34, 43)


def test_the_rolled_back_run_never_reached_the_steps_after_its_penny_tests(validation: Validation) -> None:
    run = validation.runs["pay-2026-11"]
    assert [s.id for s in run.steps if not s.reached] == [
        "release-outbound",
        "resume-schedulers",
        "reconcile-payments",
        "watch-traffic",
    ]
    assert [s.id for s in run.steps if s.reached and s.actual is None] == ["smoke-payments"]


def test_every_logged_time_of_the_series_is_inside_its_window(validation: Validation) -> None:
    for plan_id in SERIES_RUNS[:3]:
        schedule = validation.schedules[plan_id]
        entries = validation.project.plans[plan_id].log.model.entries  # type: ignore[union-attr]
        times = [localize(entry.at, schedule.zone) for entry in entries]
        assert times == sorted(times), plan_id
        assert schedule.window_start <= times[0] and times[-1] <= schedule.window_end, plan_id


def test_the_erp_rehearsals_equal_the_hand_figures(validation: Validation) -> None:
    plan_id = "erp-datacentre-migration"
    runs = rehearsal_runs(validation.project.plans[plan_id], validation.schedules[plan_id])
    assert list(runs) == ["mock-1", "mock-2"]
    mock1, mock2 = runs["mock-1"], runs["mock-2"]
    assert mock1.total is None and mock1.accuracy == (24, 25)
    assert [s.id for s in mock1.steps if s.reached and s.actual is None] == ["regression-suite"]
    assert len([s for s in mock1.steps if not s.reached]) == 11
    assert mock1.slipped_most is not None
    assert (mock1.slipped_most.id, minutes(mock1.slipped_most.excess)) == ("final-backup", 22)
    assert mock2.complete and minutes(mock2.total) == 35 * 60 + 29 and mock2.accuracy == (36, 37)
    assert mock2.slipped_most is not None
    assert (mock2.slipped_most.id, minutes(mock2.slipped_most.excess)) == ("technical-checks", 37)


def test_the_learning_warnings_of_the_examples(validation: Validation) -> None:
    found = sorted(
        (d.plan, d.subject.split(",")[0], d.message)
        for d in validation.warnings
        if d.plan in ("erp-datacentre-migration", "pay-2026-12")
    )
    assert [(plan, step) for plan, step, _ in found] == [
        ("erp-datacentre-migration", "final-backup"),
        ("erp-datacentre-migration", "technical-checks"),
        ("pay-2026-12", "drain-queues"),
        ("pay-2026-12", "reconcile-payments"),
    ]
    messages = [message for _, _, message in found]
    assert messages[0] == "planned 1h30m; rehearsal mock-1 took 1h52m"
    assert messages[1] == "planned 1h; rehearsal mock-2 took 1h37m"
    assert messages[2].startswith("planned 15m, below the series' median of 24m: the last 3 runs")
    assert messages[3].startswith("planned 20m, below the series' median of 38m: the last 2 runs")
