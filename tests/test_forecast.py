"""The call's forecast (schedule/forecast.py) against hand-computed re-schedules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import REPO, golive, make_project, plan, utc
from generator.call.calllog import forecast_from_log, read_log
from generator.call.logbook import NewEntry, append_entry
from generator.read.models.log import LogEntry
from generator.schedule.forecast import forecast
from generator.schedule.timetable import schedule_plan

# Window Sat 22:00-Sun 02:00 GMT. The critical path is a -> b -> d (22:00-23:30); c (15m) hangs off
# a with 45 minutes of slack (it ends 22:45, the plan at 23:30).
BRANCHES = plan(
    [
        {"id": "a", "duration": "30m", "depends_on": []},
        {"id": "b", "duration": "40m", "depends_on": ["a"]},
        {"id": "c", "duration": "15m", "depends_on": ["a"]},
        {"id": "d", "duration": "20m", "depends_on": ["b"]},
    ],
    start="2026-12-05 22:00",
    end="2026-12-06 02:00",
)


def test_before_anything_is_logged_the_forecast_is_the_plan() -> None:
    schedule = schedule_plan(BRANCHES)
    seen = forecast(schedule, {}, {}, utc("2026-12-05 21:30"))
    assert seen.end == utc("2026-12-05 23:30") and seen.slip == dt.timedelta(0)
    assert seen.line() == "forecast end Sat 23:30, on time"
    assert [s.id for s in seen.next_steps] == ["a"] and seen.in_progress == ()


def test_a_slip_on_the_critical_path_moves_the_end() -> None:
    schedule = schedule_plan(BRANCHES)
    # a took 45 minutes instead of 30: b starts 22:45, ends 23:25; d ends 23:45.
    seen = forecast(schedule, {"a": utc("2026-12-05 22:00")}, {"a": utc("2026-12-05 22:45")}, utc("2026-12-05 22:45"))
    assert seen.step("b").start == utc("2026-12-05 22:45")
    assert seen.end == utc("2026-12-05 23:45")
    assert seen.slip == dt.timedelta(minutes=15)
    assert seen.line() == "forecast end Sat 23:45, 15 min late"
    assert [s.id for s in seen.next_steps] == ["b", "c"]


def test_a_slip_off_the_critical_path_moves_nothing_until_its_slack_is_used_up() -> None:
    schedule = schedule_plan(BRANCHES)
    started = {"a": utc("2026-12-05 22:00"), "b": utc("2026-12-05 22:30"), "c": utc("2026-12-05 22:30")}
    done = {"a": utc("2026-12-05 22:30")}
    # At 23:00, c (planned 15m) has run 30 minutes: late itself, but the end stays 23:30.
    at_23 = forecast(schedule, started, done, utc("2026-12-05 23:00"))
    assert at_23.step("c").late and at_23.step("c").end == utc("2026-12-05 23:00")
    assert at_23.end == utc("2026-12-05 23:30") and at_23.slip == dt.timedelta(0)
    assert [s.id for s in at_23.in_progress] == ["b", "c"]
    # At 23:40, with b done at 23:10 and d done at 23:30, c still running: c now ends the plan.
    done |= {"b": utc("2026-12-05 23:10"), "d": utc("2026-12-05 23:30")}
    started |= {"d": utc("2026-12-05 23:10")}
    at_2340 = forecast(schedule, started, done, utc("2026-12-05 23:40"))
    assert at_2340.end == utc("2026-12-05 23:40") and at_2340.slip == dt.timedelta(minutes=10)


def test_a_step_in_progress_past_its_duration_pushes_its_successors() -> None:
    schedule = schedule_plan(BRANCHES)
    # b started on time at 22:30 (40m, due 23:10) and is still running at 23:20: d waits for it.
    started = {"a": utc("2026-12-05 22:00"), "b": utc("2026-12-05 22:30")}
    seen = forecast(schedule, started, {"a": utc("2026-12-05 22:30")}, utc("2026-12-05 23:20"))
    assert seen.step("b").late
    assert seen.step("d").start == utc("2026-12-05 23:20") and seen.end == utc("2026-12-05 23:40")
    assert seen.slip == dt.timedelta(minutes=10)
    # A step not started cannot start in the past: c (due 22:30) starts now, at 23:20.
    assert seen.step("c").start == utc("2026-12-05 23:20")


def test_across_the_clock_change_the_forecast_is_in_local_time() -> None:
    # Clocks go back at 02:00 BST (01:00 GMT) on 25 Oct 2026. Window 00:30 BST to 03:00 GMT.
    schedule = schedule_plan(
        plan(
            [{"id": "a", "duration": "1h", "depends_on": []}, {"id": "b", "duration": "1h", "depends_on": ["a"]}],
            start="2026-10-25 00:30",
            end="2026-10-25 03:00",
        )
    )
    # a started 00:30 BST (23:30 UTC) and ran 90 minutes: b ends 01:00 GMT + 60 = 02:00 GMT,
    # 30 minutes after its planned 01:30 GMT. Times across the change carry their UTC offset.
    seen = forecast(schedule, {"a": utc("2026-10-24 23:30")}, {"a": utc("2026-10-25 01:00")}, utc("2026-10-25 01:00"))
    assert seen.end == utc("2026-10-25 02:00")
    assert seen.slip == dt.timedelta(minutes=30)
    assert seen.line() == "forecast end 02:00 +00:00, 30 min late"


def test_the_alarms() -> None:
    schedule = schedule_plan(
        plan(
            [
                {"id": "a", "duration": "1h", "depends_on": []},
                {"id": "cutover", "duration": "30m", "depends_on": ["a"], "point_of_no_return": True},
            ],
            start="2026-12-05 22:00",
            end="2026-12-06 00:00",
            rollback={"owner": "ana", "steps": [{"id": "undo", "title": "Undo", "owner": "ana", "duration": "40m"}]},
        )
    )
    # Latest rollback start: 00:00 - 40m = 23:20. At 22:50, a running: 30 minutes left, no alarm.
    calm = forecast(schedule, {"a": utc("2026-12-05 22:00")}, {}, utc("2026-12-05 22:50"))
    assert calm.alarm is None
    assert calm.line() == "forecast end Sat 23:30, on time; latest rollback start in 30 min"
    # At 23:10, a still running (late): 10 minutes to the latest rollback start, before the point of no return.
    tight = forecast(schedule, {"a": utc("2026-12-05 22:00")}, {}, utc("2026-12-05 23:10"))
    assert tight.alarm == "latest rollback start Sat 23:20 (in 10 min), before the point of no return"
    # At 23:40 a is still running: the forecast end passes the window end.
    late = forecast(schedule, {"a": utc("2026-12-05 22:00")}, {}, utc("2026-12-05 23:40"))
    assert late.alarm == "forecast end Sun 00:10 is 10 min past the window end Sun 00:00"
    assert late.as_json([])["past_window"] is True
    # Once the point of no return has started, the rollback is no longer counted down.
    started = {"a": utc("2026-12-05 22:00"), "cutover": utc("2026-12-05 23:00")}
    past = forecast(schedule, started, {"a": utc("2026-12-05 23:00")}, utc("2026-12-05 23:15"))
    assert past.alarm is None and past.line() == "forecast end Sat 23:30, on time"


def test_the_next_gate_is_before_the_step_expected_to_start_soonest() -> None:
    gated = plan(
        [{"id": "a", "duration": "30m", "depends_on": []}, {"id": "b", "duration": "30m", "depends_on": ["a"]}],
        start="2026-12-05 22:00",
        end="2026-12-06 00:00",
        gates=[{"id": "go", "before": "b", "decider": "ana"}],
    )
    seen = forecast(schedule_plan(gated), {"a": utc("2026-12-05 22:00")}, {}, utc("2026-12-05 22:40"))
    gate = seen.next_gate(gated.gates)
    assert gate is not None and gate.gate.id == "go" and gate.at == utc("2026-12-05 22:40")
    assert seen.as_json(gated.gates)["next_gate"] == {"id": "go", "before": "b", "at": "2026-12-05T22:40:00Z"}


def test_each_appended_entry_comes_with_the_forecast(tmp_path: Path) -> None:
    # The base shop plan: freeze 22:00-22:10, backup-db 25m, deploy-app 30m not before 23:00 (the
    # point of no return), smoke 15m: planned end 23:45. Rollback 10m + 40m before the window end
    # 02:00: latest start 01:10. Its log has freeze started at 22:01.
    root = make_project(tmp_path / "project")
    now = utc("2026-12-05 22:55")
    appended = append_entry(root, "shop", NewEntry(None, kind="step-done", step="freeze", by="ana"), now)
    assert appended.forecast is not None
    # freeze done 22:55: backup-db to 23:20, deploy-app 23:20 (past its 23:00) to 23:50, smoke to 00:05.
    assert appended.forecast.line() == "forecast end Sun 00:05, 20 min late; latest rollback start in 2 h 15 min"


def test_golive_log_prints_the_forecast_after_the_entry(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    run = golive("log", "shop", "a note", "--by", "ana", "--at", "2026-12-05 22:30", "--root", root)
    assert run.code == 0, run.err
    logged, forecast_line = run.out.splitlines()
    assert logged.startswith("golive: logged 2026-12-05 22:30 note by ana")
    # The forecast is for the time now, whatever day the test runs.
    assert forecast_line.startswith("golive: ") and "forecast end" in forecast_line


def test_long_after_the_window_the_forecast_is_the_one_at_the_last_entry() -> None:
    schedule = schedule_plan(BRANCHES)
    entry = LogEntry.model_validate({"at": "2026-12-05 22:40", "by": "ana", "kind": "step-done", "step": "a"})
    log = read_log([entry], schedule)
    for now in (None, utc("2026-12-09 10:00")):
        seen = forecast_from_log(log, schedule, now)
        # a done 22:40: b to 23:20, d to 23:40, from the last entry's 22:40.
        assert seen.at_last_entry and seen.now == utc("2026-12-05 22:40")
        assert seen.line() == "as of the last entry (Sat 22:40): forecast end Sat 23:40, 10 min late"
    # During the call it is the forecast at the time now: b cannot start before 23:30.
    during = forecast_from_log(log, schedule, utc("2026-12-05 23:30"))
    assert not during.at_last_entry and during.end == utc("2026-12-06 00:30")


def test_the_log_page_of_a_call_under_way_shows_the_forecast_at_its_last_entry() -> None:
    # site_src/ is the shipped plans' rendering (test_site checks it is current).
    running = (REPO / "site_src/plans/mobile-banking-4-2/log.md").read_text(encoding="utf-8")
    assert (
        "<tr><td>Forecast</td><td>as of the last entry (Thu 22:31): forecast end Fri 00:50, on time;"
        " latest rollback start in 1 h 54 min</td></tr>" in running
    )
    # The shop relaunch is completed: its log stops before its last step, and no forecast is shown.
    completed = (REPO / "site_src/plans/shop-checkout-relaunch/log.md").read_text(encoding="utf-8")
    assert "<td>Forecast</td>" not in completed
