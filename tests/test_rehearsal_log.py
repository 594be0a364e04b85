"""`golive log --rehearsal NAME`: entries go to plans/<id>/rehearsals/NAME.yaml, through log.yaml's checks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from conftest import copy_shipped_project, golive
from generator.call.calllog import rehearsal_schedule
from generator.call.logbook import LogError, NewEntry, append_entry
from generator.check.validate import validate_project
from generator.read.models.log import Rehearsal
from generator.schedule.timetable import moved_schedule

PLAN = "learning-platform-launch"  # a draft, Asia/Kolkata (UTC+05:30), window 2027-06-12 20:00 to 04:00
BY = ("--by", "vikram-rao")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_shipped_project(tmp_path / "project")


def rehearsal_path(root: Path, name: str = "mock-3") -> Path:
    return root / "plans" / PLAN / "rehearsals" / f"{name}.yaml"


def kolkata(text: str) -> dt.datetime:
    """A wall-clock time in Asia/Kolkata as UTC."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))


def test_first_entry_makes_the_rehearsal_with_its_start_and_log_yaml_is_untouched(root: Path) -> None:
    log_before = (root / "plans" / PLAN / "log.yaml").exists()
    result = golive(
        "log", PLAN, "--rehearsal", "mock-3", "--kind", "step-started", "--step", "open-bridge",
        "--at", "2026-06-01 09:00", *BY, "--root", str(root),
    )  # fmt: skip
    assert result.code == 0, result.err
    started, logged, forecast = result.out.splitlines()
    assert started == "golive: started rehearsal mock-3 at 2026-06-01 09:00"
    assert logged == (
        f"golive: logged 2026-06-01 09:00 step-started open-bridge by vikram-rao in plans/{PLAN}/rehearsals/mock-3.yaml"
    )
    # The forecast counts from the rehearsal's start (planned 20:00 to 01:55 on the night), and
    # long after it, as of its last entry.
    assert forecast.startswith("golive: rehearsal mock-3: as of the last entry (09:00): forecast end 14:55, on time")
    assert rehearsal_path(root).read_text() == (
        "# yaml-language-server: $schema=../../../schemas/rehearsal.schema.json\n"
        "started: 2026-06-01 09:00\n"
        "entries:\n"
        "  - at: 2026-06-01 09:00\n"
        "    by: vikram-rao\n"
        "    kind: step-started\n"
        "    step: open-bridge\n"
    )
    assert (root / "plans" / PLAN / "log.yaml").exists() == log_before
    validation = validate_project(root)
    assert validation.ok
    assert "mock-3" in validation.project.plans[PLAN].rehearsals


def test_later_entries_are_appended_in_time_order_keeping_comments(root: Path) -> None:
    path = rehearsal_path(root)
    path.parent.mkdir()
    path.write_text(
        "# Mock cutover 3, on the staging copy\n"
        "started: 2026-12-01 09:00\n"
        "entries:\n"
        "  - at: 2026-12-01 09:00\n"
        "    by: ananya-iyer\n"
        "    kind: step-started\n"
        "    step: open-bridge\n"
        "  # the bridge took long\n"
        "  - at: 2026-12-01 09:30\n"
        "    by: ananya-iyer\n"
        "    kind: step-done\n"
        "    step: open-bridge\n"
    )
    result = golive("log", PLAN, "Bridge up, 12 people", "--rehearsal", "mock-3", "--at", "2026-12-01 09:20", *BY,
                    "--root", str(root))  # fmt: skip
    assert result.code == 0, result.err
    assert "started rehearsal" not in result.out
    text = path.read_text()
    assert text.startswith("# Mock cutover 3, on the staging copy\nstarted: 2026-12-01 09:00\n")
    assert '    text: "Bridge up, 12 people"\n  # the bridge took long\n  - at: 2026-12-01 09:30\n' in text
    data = yaml.safe_load(text)
    assert [e["at"] for e in data["entries"]] == ["2026-12-01 09:00", "2026-12-01 09:20", "2026-12-01 09:30"]
    # A time of day alone is the first at or after the last entry: 09:20 is the next day's.
    result = golive("log", PLAN, "again", "--rehearsal", "mock-3", "--at", "09:20", *BY, "--root", str(root))
    assert result.code == 0, result.err
    assert yaml.safe_load(path.read_text())["entries"][-1]["at"] == "2026-12-02 09:20"


def test_time_of_day_is_the_first_after_the_previous_entry(root: Path) -> None:
    golive("log", PLAN, "go", "--rehearsal", "r1", "--at", "2026-12-01 23:50", *BY, "--root", str(root))
    result = golive("log", PLAN, "midnight", "--rehearsal", "r1", "--at", "00:10", *BY, "--root", str(root))
    assert result.code == 0, result.err
    entries = yaml.safe_load(rehearsal_path(root, "r1").read_text())["entries"]
    assert [e["at"] for e in entries] == ["2026-12-01 23:50", "2026-12-02 00:10"]


def test_a_new_rehearsal_takes_the_time_of_day_closest_to_now(root: Path) -> None:
    entry = NewEntry("go", by="vikram-rao", at="23:55")
    appended = append_entry(root, PLAN, entry, kolkata("2026-12-02 00:05"), rehearsal="late-night")
    assert appended.fields["at"] == "2026-12-01 23:55"  # ten minutes ago, not tomorrow night
    assert appended.started == "2026-12-01 23:55"
    entry = NewEntry("go", by="vikram-rao", at="00:15")
    appended = append_entry(root, PLAN, entry, kolkata("2026-12-01 23:50"), rehearsal="other")
    assert appended.fields["at"] == "2026-12-02 00:15"


def test_now_starts_a_new_rehearsal_anywhere_but_is_refused_far_from_an_existing_one(root: Path) -> None:
    now = kolkata("2026-12-01 09:00")
    appended = append_entry(root, PLAN, NewEntry("go", by="vikram-rao"), now, rehearsal="mock-1")
    assert appended.started == "2026-12-01 09:00" and appended.rehearsal == "mock-1"
    later = append_entry(root, PLAN, NewEntry("on", by="vikram-rao"), now + dt.timedelta(hours=9), rehearsal="mock-1")
    assert later.started is None and later.fields["at"] == "2026-12-01 18:00"
    with pytest.raises(LogError) as refused:
        append_entry(root, PLAN, NewEntry("late", by="vikram-rao"), now + dt.timedelta(days=5), rehearsal="mock-1")
    assert refused.value.message == (
        "now (2026-12-06 09:00) is more than a day after rehearsal mock-1 (2026-12-01 09:00 to 2026-12-01 18:00);"
        ' if this is meant, give the date and time, e.g. --at "2026-12-06 09:00"'
    )


def test_rehearsal_entries_get_the_log_checks_and_name_the_option(root: Path) -> None:
    result = golive("log", PLAN, "--rehearsal", "mock-3", "--kind", "step-done", "--step", "no-such-step",
                    "--at", "2026-12-01 09:00", *BY, "--root", str(root))  # fmt: skip
    assert result.code == 1
    assert "golive log: error: --step: unknown step 'no-such-step'" in result.err
    assert result.err.rstrip().endswith(f"the entry was not logged; rehearsal mock-3 of {PLAN} is unchanged")
    assert not (root / "plans" / PLAN / "rehearsals").exists()  # no folder left behind


@pytest.mark.parametrize("name", ["Mock 3", "../log", "mock_3", "Mock-3"])
def test_a_rehearsal_name_is_a_slug(root: Path, name: str) -> None:
    result = golive("log", PLAN, "x", "--rehearsal", name, *BY, "--root", str(root))
    assert result.code == 2
    assert f"argument --rehearsal: {name!r} is not a rehearsal name" in result.err
    with pytest.raises(LogError, match="is not a rehearsal name"):
        append_entry(root, PLAN, NewEntry("x", by="vikram-rao"), kolkata("2026-12-01 09:00"), rehearsal=name)


def test_a_symlinked_rehearsals_folder_or_file_is_refused(root: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = root / "plans" / PLAN / "rehearsals"
    os.symlink(elsewhere, folder)
    result = golive("log", PLAN, "x", "--rehearsal", "mock-3", "--at", "2026-12-01 09:00", *BY, "--root", str(root))
    assert result.code == 1
    assert f"plans/{PLAN}/rehearsals is a symlink; golive log writes only into a real folder" in result.err
    assert list(elsewhere.iterdir()) == []
    folder.unlink()
    folder.mkdir()
    target = elsewhere / "outside.yaml"
    target.write_text("started: 2026-12-01 09:00\nentries: []\n")
    os.symlink(target, folder / "mock-3.yaml")
    result = golive("log", PLAN, "x", "--rehearsal", "mock-3", "--at", "2026-12-01 09:00", *BY, "--root", str(root))
    assert result.code == 1
    assert result.err == (
        f"golive log: plans/{PLAN}/rehearsals/mock-3.yaml:1:1: symbolic links are not read (replace the link with"
        f" the file itself); rehearsal mock-3 of {PLAN} is unchanged\n"
    )
    assert target.read_text() == "started: 2026-12-01 09:00\nentries: []\n"


def test_the_schedule_moved_to_a_rehearsal_keeps_every_gap() -> None:
    from generator.read.sources import load_project
    from generator.schedule.timetable import schedule_plan

    project, _ = load_project(Path(__file__).parent.parent)
    schedule = schedule_plan(project.plans[PLAN].plan.model)
    origin = kolkata("2026-12-01 09:00").astimezone(dt.UTC)
    moved = moved_schedule(schedule, origin)
    shift = origin - schedule.window_start
    assert moved.window_start == origin and moved.window_end == schedule.window_end + shift
    assert [(s.start - shift, s.end - shift) for s in moved.steps] == [(s.start, s.end) for s in schedule.steps]
    assert moved.rollback_start == schedule.rollback_start + shift
    # The fixed start "20:15" is 15 minutes after T+0:00 in the rehearsal too, not the next 20:15.
    fixed = moved.step("legacy-read-only")
    assert fixed.start == origin + dt.timedelta(minutes=15)
    rehearsal = Rehearsal.model_validate({"started": "2026-12-01 09:00", "entries": []})
    assert rehearsal_schedule(rehearsal, schedule) == moved
