"""Schedule arithmetic against hand-computed timetables."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import plan, utc
from generator.schedule.timefmt import format_t_offset
from generator.schedule.timetable import DependencyCycle, NonexistentTime, schedule_plan

UTC = dt.UTC


def test_parallel_branches_join_at_the_later_end() -> None:
    # Window 22:00 GMT. a (10m) and b (20m) both start at once; c waits for both.
    schedule = schedule_plan(
        plan(
            [
                {"id": "a", "duration": "10m", "depends_on": []},
                {"id": "b", "duration": "20m", "depends_on": []},
                {"id": "c", "duration": "5m", "depends_on": ["a", "b"]},
                {"id": "d", "duration": "15m", "depends_on": ["a"]},
            ],
            start="2026-12-05 22:00",
            end="2026-12-06 02:00",
        )
    )
    times = {s.id: (schedule.clock(s.start), schedule.clock(s.end)) for s in schedule.steps}
    assert times == {
        "a": ("Sat 22:00", "Sat 22:10"),
        "b": ("Sat 22:00", "Sat 22:20"),
        "c": ("Sat 22:20", "Sat 22:25"),
        "d": ("Sat 22:10", "Sat 22:25"),
    }
    # c and d both end at 22:25; the first listed wins, and its binding dependency is b.
    assert schedule.critical_path == ("b", "c")
    assert [s.id for s in schedule.steps if s.critical] == ["b", "c"]
    assert schedule.clock(schedule.end) == "Sat 22:25"
    assert schedule.fits_window


def test_step_without_depends_on_follows_the_one_listed_before() -> None:
    schedule = schedule_plan(
        plan(
            [
                {"id": "a", "duration": "1h30m"},
                {"id": "b", "duration": "PT45M"},
                {"id": "c", "duration": "45s", "depends_on": []},
            ],
            start="2026-12-05 22:00",
            end="2026-12-06 02:00",
        )
    )
    assert [(s.id, schedule.t_offset(s.start), schedule.t_offset(s.end)) for s in schedule.steps] == [
        ("a", "T+0:00", "T+1:30"),
        ("b", "T+1:30", "T+2:15"),
        ("c", "T+0:00", "T+0:00"),
    ]
    assert schedule.step("c").end == utc("2026-12-05 22:00:45")


def test_fixed_start_waits_but_never_starts_before_dependencies() -> None:
    schedule = schedule_plan(
        plan(
            [
                {"id": "prep", "duration": "25m"},
                {"id": "deploy", "duration": "30m", "start": "23:00"},
                {"id": "late", "duration": "10m", "depends_on": ["deploy"], "start": "23:10"},
                {"id": "after", "duration": "10m", "depends_on": ["late"]},
            ],
            start="2026-12-05 22:00",
            end="2026-12-06 02:00",
        )
    )
    # deploy has a fixed start and no depends_on: it does not follow prep, it waits for 23:00.
    assert schedule.step("deploy").depends_on == ()
    assert schedule.clock(schedule.step("deploy").start) == "Sat 23:00"
    # late's fixed 23:10 is earlier than deploy's end (23:30): the dependency wins.
    assert schedule.clock(schedule.step("late").start) == "Sat 23:30"
    assert schedule.clock(schedule.end) == "Sat 23:50"
    assert schedule.critical_path == ("deploy", "late", "after")


def test_window_across_midnight_places_time_of_day_on_the_next_day() -> None:
    schedule = schedule_plan(
        plan(
            [
                {"id": "a", "duration": "30m"},
                {"id": "b", "duration": "20m", "start": "01:00", "depends_on": ["a"]},
                {"id": "c", "duration": "15m", "start": "23:30", "depends_on": []},
            ],
            start="2026-12-05 23:00",
            end="2026-12-06 03:00",
        )
    )
    assert schedule.step("b").start == utc("2026-12-06 01:00")
    assert schedule.t_offset(schedule.step("b").start) == "T+2:00"
    assert schedule.step("c").start == utc("2026-12-05 23:30")
    assert schedule.clock(schedule.end) == "Sun 01:20"


def test_end_of_daylight_saving_counts_elapsed_time() -> None:
    # Europe/London, 25 October 2026: at 02:00 BST the clocks go back to 01:00 GMT.
    # The window 00:00-04:00 local lasts five real hours (23:00-04:00 UTC).
    schedule = schedule_plan(
        plan(
            [
                {"id": "a", "duration": "1h30m"},
                {"id": "b", "duration": "1h"},
                {"id": "c", "duration": "1h"},
                {"id": "d", "duration": "30m", "start": "03:00"},
            ],
            start="2026-10-25 00:00",
            end="2026-10-25 04:00",
        )
    )
    assert schedule.window_end - schedule.window_start == dt.timedelta(hours=5)
    assert schedule.crosses_dst_change
    rows = [(s.id, schedule.clock(s.start), schedule.clock(s.end), schedule.t_offset(s.end)) for s in schedule.steps]
    assert rows == [
        ("a", "00:00 +01:00", "01:30 +01:00", "T+1:30"),
        ("b", "01:30 +01:00", "01:30 +00:00", "T+2:30"),
        ("c", "01:30 +00:00", "02:30 +00:00", "T+3:30"),
        ("d", "03:00 +00:00", "03:30 +00:00", "T+4:30"),
    ]
    assert schedule.step("b").end == utc("2026-10-25 01:30")
    assert schedule.fits_window


def test_start_of_daylight_saving_shortens_the_night() -> None:
    # Europe/London, 28 March 2027: at 01:00 GMT the clocks jump to 02:00 BST.
    schedule = schedule_plan(
        plan(
            [{"id": "a", "duration": "2h"}, {"id": "b", "duration": "1h30m"}],
            start="2027-03-28 00:00",
            end="2027-03-28 04:00",
        )
    )
    assert schedule.window_end - schedule.window_start == dt.timedelta(hours=3)
    assert schedule.clock(schedule.step("a").end) == "03:00 +01:00"
    # Three and a half real hours of work in a three-hour night: b ends 04:30 BST.
    assert schedule.clock(schedule.end) == "04:30 +01:00"
    assert not schedule.fits_window
    assert schedule.overrun == dt.timedelta(minutes=30)


def test_time_skipped_by_the_clocks_is_refused() -> None:
    with pytest.raises(NonexistentTime):
        schedule_plan(plan([{"id": "a", "duration": "1h"}], start="2027-03-28 01:30", end="2027-03-28 04:00"))


def test_explicit_offset_overrides_the_plan_zone() -> None:
    schedule = schedule_plan(
        plan(
            [{"id": "a", "duration": "1h"}],
            start="2026-12-05T22:00-05:00",
            end="2026-12-06T04:00-05:00",
        )
    )
    assert schedule.window_start == utc("2026-12-06 03:00")
    assert schedule.clock(schedule.window_start) == "03:00"  # shown in the plan's zone (London)


def test_rollback_is_scheduled_from_the_point_of_no_return() -> None:
    schedule = schedule_plan(
        plan(
            [
                {"id": "freeze", "duration": "10m"},
                {"id": "deploy", "duration": "30m", "point_of_no_return": True},
                {"id": "verify", "duration": "20m"},
            ],
            start="2026-12-05 22:00",
            end="2026-12-06 00:00",
            rollback={
                "owner": "ana",
                "triggers": ["errors"],
                "steps": [
                    {"id": "rb-dns", "title": "DNS", "owner": "ana", "duration": "10m"},
                    {
                        "id": "rb-db",
                        "title": "DB",
                        "owner": "ana",
                        "duration": "40m",
                        "depends_on": ["rb-dns"],
                    },
                    {
                        "id": "rb-cache",
                        "title": "Cache",
                        "owner": "ana",
                        "duration": "15m",
                        "depends_on": ["rb-dns"],
                    },
                ],
            },
        )
    )
    assert schedule.point_of_no_return is not None
    assert schedule.clock(schedule.point_of_no_return.start) == "Sat 22:10"
    assert schedule.rollback_duration == dt.timedelta(minutes=50)
    assert schedule.clock(schedule.latest_rollback_start) == "Sat 23:10"
    assert [schedule.clock(s.start) for s in schedule.rollback_steps] == ["Sat 22:10", "Sat 22:20", "Sat 22:20"]
    assert schedule.rollback_fits_after_point_of_no_return


def test_cycle_is_reported_in_dependency_order() -> None:
    with pytest.raises(DependencyCycle) as error:
        schedule_plan(
            plan(
                [
                    {"id": "a", "duration": "1m", "depends_on": ["c"]},
                    {"id": "b", "duration": "1m", "depends_on": ["a"]},
                    {"id": "c", "duration": "1m", "depends_on": ["b"]},
                ],
                start="2026-12-05 22:00",
                end="2026-12-06 02:00",
            )
        )
    cycle = error.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"} and len(cycle) == 4


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "T+0:00"), (40, "T+0:40"), (125, "T+2:05"), (-10, "T-0:10"), (1500, "T+25:00")],
)
def test_t_offset_format(minutes: int, text: str) -> None:
    assert format_t_offset(dt.timedelta(minutes=minutes)) == text
