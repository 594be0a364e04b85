"""`golive log`: appends that keep earlier bytes, refuse bad entries, and survive concurrency."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import copy_shipped_project
from generator.validate import validate_project

GOLIVE = str(Path(sys.executable).with_name("golive"))
PLAN = "mobile-banking-4-2"  # in progress, with a partial log


def golive(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GOLIVE, *args], capture_output=True, text=True, check=False, env=env)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_shipped_project(tmp_path / "project")


def log_file(root: Path) -> Path:
    return root / "plans" / PLAN / "log.yaml"


def entries(root: Path) -> list[dict[str, object]]:
    return yaml.safe_load(log_file(root).read_text())["entries"]


def test_append_keeps_every_earlier_byte_and_comment(root: Path) -> None:
    before = log_file(root).read_bytes()
    assert b"#" in before  # the shipped log has comments
    result = golive(
        "log", PLAN, "Pool size fixed: | pipes & <tags> \"quotes\"", "--kind", "resolution",
        "--by", "arjun-menon", "--at", "2026-11-26 22:45", "--root", str(root),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"golive: logged 2026-11-26 22:45 resolution by arjun-menon in plans/{PLAN}/log.yaml\n"
    after = log_file(root).read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode() == (
        "  - at: 2026-11-26 22:45\n"
        "    by: arjun-menon\n"
        "    kind: resolution\n"
        '    text: "Pool size fixed: | pipes & <tags> \\"quotes\\""\n'
    )
    assert entries(root)[-1]["text"] == 'Pool size fixed: | pipes & <tags> "quotes"'
    assert validate_project(root).ok


def test_time_of_day_is_read_in_the_window_and_by_comes_from_the_environment(root: Path) -> None:
    env = {**os.environ, "GOLIVE_BY": "kai-lim"}
    result = golive(
        "log",
        PLAN,
        "--kind",
        "step-started",
        "--step",
        "release-apps",
        "--at",
        "23:30",
        "--root",
        str(root),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert entries(root)[-1] == {
        "at": "2026-11-26 23:30",
        "by": "kai-lim",
        "kind": "step-started",
        "step": "release-apps",
    }


def test_log_is_created_when_missing(root: Path) -> None:
    plan = "social-stories-launch"
    assert not (root / "plans" / plan / "log.yaml").exists()
    result = golive("log", plan, "Bridge open", "--by", "jordan-blake", "--at", "07:00", "--root", str(root))
    assert result.returncode == 0, result.stderr
    text = (root / "plans" / plan / "log.yaml").read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=../../schemas/log.schema.json\nentries:\n  - at: 2027-02-23 07:00\n"
    )
    assert validate_project(root).ok


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--kind", "step-done", "--step", "release-appz"),
            "golive log: error: --step: unknown step 'release-appz'",
        ),
        (("--kind", "issue", "--severity", "sev2"), "golive log: error: entry: an issue entry needs 'text'"),
        (("--at", "21:00"), "golive log: error: --at: entry is earlier than the entry before it"),
        (("--by", "nobody"), "golive log: error: --by: unknown person 'nobody'"),
        (("--at", "25:99"), "golive log: --at: '25:99' is not a time"),
    ],
)
def test_invalid_entry_leaves_the_file_untouched(root: Path, args: tuple[str, ...], message: str) -> None:
    before = log_file(root).read_bytes()
    full = ("log", PLAN, *(() if "issue" in args else ("Some text",)), *args, "--root", str(root))
    if "--by" not in args:
        full = (*full, "--by", "ana-souza")
    result = golive(*full)
    assert result.returncode == 1
    assert result.stderr.startswith(message), result.stderr
    assert result.stderr.rstrip().endswith(f"{PLAN}'s log is unchanged")
    assert log_file(root).read_bytes() == before


def test_by_is_required(root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GOLIVE_BY"}
    result = golive("log", PLAN, "hello", "--root", str(root), env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("golive log: who is logging? pass --by or set GOLIVE_BY; this plan's people: ")


def start_writer(root: Path, text: str, stderr: int) -> subprocess.Popen[str]:
    """A scribe appending one note at the same minute as everyone else."""
    command = [GOLIVE, "log", PLAN, text, "--by", "ben-okafor", "--at", "2026-11-27 00:30", "--root", str(root)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, text=True)


def test_twenty_concurrent_appends_give_twenty_entries(root: Path) -> None:
    count_before = len(entries(root))
    writers = [start_writer(root, f"concurrent note {n}", subprocess.PIPE) for n in range(20)]
    errors = [writer.communicate(timeout=120)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * 20, errors
    logged = entries(root)
    assert len(logged) == count_before + 20
    assert sorted(str(e["text"]) for e in logged[count_before:]) == sorted(f"concurrent note {n}" for n in range(20))
    assert validate_project(root).ok


def test_killed_writers_never_corrupt_the_log(root: Path) -> None:
    before = log_file(root).read_bytes()
    rng = random.Random(7)
    writers = [start_writer(root, f"note {n}", subprocess.DEVNULL) for n in range(12)]
    deadline = time.monotonic() + 60
    for writer in writers:
        time.sleep(rng.uniform(0, 0.4))
        if rng.random() < 0.5:
            writer.send_signal(signal.SIGKILL)
    for writer in writers:
        writer.wait(timeout=max(1, deadline - time.monotonic()))
    after = log_file(root).read_bytes()
    assert after.startswith(before)
    finished = sum(1 for w in writers if w.returncode == 0)
    added = [str(e["text"]) for e in entries(root)[len(yaml.safe_load(before)["entries"]) :]]
    # A writer killed after its atomic replace has logged its entry; none is half there or twice.
    assert finished <= len(added) <= len(writers)
    assert len(set(added)) == len(added) and set(added) <= {f"note {n}" for n in range(12)}
    assert validate_project(root).ok
    assert not list((root / "plans" / PLAN).glob("*.tmp"))


def test_times_in_the_repeated_hour_keep_their_offset(tmp_path: Path) -> None:
    from conftest import make_project

    root = make_project(tmp_path / "dst")
    (root / "plans/shop/log.yaml").unlink()
    (root / "plans/shop/postmortem.yaml").unlink()
    plan = root / "plans/shop/plan.yaml"
    text = (
        plan.read_text().replace("2026-12-05 22:00", "2026-10-25 00:00").replace("2026-12-06 02:00", "2026-10-25 04:00")
    )
    plan.write_text(text.replace('start: "23:00"', 'start: "02:30"'))
    # 01:40 BST, then 01:10 GMT half an hour later: the same wall-clock hour twice.
    for moment in ("2026-10-25T00:40:00+00:00", "2026-10-25T01:10:00+00:00"):
        result = golive("log", "shop", "note", "--by", "ana", "--at", moment, "--root", str(root))
        assert result.returncode == 0, result.stderr
    logged = yaml.safe_load((root / "plans/shop/log.yaml").read_text())["entries"]
    assert [e["at"] for e in logged] == ["2026-10-25 01:40+01:00", "2026-10-25 01:10+00:00"]
    assert validate_project(root).ok
