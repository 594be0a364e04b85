"""`golive new ID --from OTHER --adjust-durations`: durations raised to the medians of a hand-computed series."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import golive, make_project
from generator.check.validate import validate_project

BASE_PLAN = Path(__file__).parent / "data" / "base" / "plans" / "shop" / "plan.yaml"
STEPS = ("freeze", "backup-db", "deploy-app", "smoke")  # planned 10m, 25m, 30m, 15m

# Each run's actual minutes per step (None: not reached). By hand, over the four completed runs:
#   freeze     10 10 12 11 -> median 10.5 -> 11m (rounded up)      planned 10m: raised
#   backup-db  38 44 41 41 -> median 41   -> 41m                   planned 25m: raised
#   deploy-app 31 29 35 33 -> median 32   -> 32m                   planned 30m: raised
#   smoke      14 15 16 -  -> median 15 (3 runs)                   planned 15m: kept
# The rolled-back run is not a completed run: its much longer times count for nothing.
RUNS: dict[str, tuple[str, str, tuple[int | None, ...]]] = {
    "nightly-1": ("completed", "2026-11-07", (10, 38, 31, 14)),
    "nightly-2": ("completed", "2026-11-14", (10, 44, 29, 15)),
    "nightly-3": ("completed", "2026-11-21", (12, 41, 35, 16)),
    "nightly-4": ("completed", "2026-11-28", (11, 41, 33, None)),
    "nightly-x": ("rolled-back", "2026-10-31", (30, 90, 60, 40)),
}


def plan_text(status: str, day: str, series: str | None = "nightly") -> str:
    text = BASE_PLAN.read_text(encoding="utf-8")
    text = text.replace("status: approved", f"status: {status}")
    text = text.replace("start: 2026-12-05 22:00", f"start: {day} 20:00")
    text = text.replace("end: 2026-12-06 02:00", f"end: {day} 23:59")
    if series is not None:
        text = text.replace("system: shop-web\n", f"system: shop-web\nseries: {series}\n")
    return text


def log_text(day: str, minutes: tuple[int | None, ...]) -> str:
    lines = ["entries:"]
    at = 20 * 60
    for step, taken in zip(STEPS, minutes, strict=True):
        if taken is None:
            continue
        for kind, moment in (("step-started", at), ("step-done", at + taken)):
            lines += [f"  - at: {day} {moment // 60:02d}:{moment % 60:02d}", "    by: ana", f"    kind: {kind}"]
            lines.append(f"    step: {step}")
        at += taken
    return "\n".join(lines) + "\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    for plan_id, (status, day, minutes) in RUNS.items():
        folder = root / "plans" / plan_id
        folder.mkdir()
        text = plan_text(status, day)
        if plan_id == "nightly-4":  # a quoted duration is rewritten too
            text = text.replace("    duration: 25m\n", '    duration: "25m"\n')
        (folder / "plan.yaml").write_text(text, encoding="utf-8")
        (folder / "log.yaml").write_text(log_text(day, minutes), encoding="utf-8")
    assert validate_project(root).ok, validate_project(root).errors
    return root


def test_durations_become_the_medians_of_the_completed_runs(root: Path) -> None:
    result = golive("new", "nightly-5", "--from", "nightly-4", "--adjust-durations", "--root", str(root))
    assert result.code == 0, result.err
    assert result.out.splitlines()[1:] == [
        "durations: 3 steps raised to the median of the 4 completed runs of series nightly:",
        "  freeze: 10m -> 11m (median of 4 runs)",
        "  backup-db: 25m -> 41m (median of 4 runs)",
        "  deploy-app: 30m -> 32m (median of 4 runs)",
    ]
    written = (root / "plans" / "nightly-5" / "plan.yaml").read_text(encoding="utf-8")
    assert "    duration: 11m  # was 10m: median of the series' runs\n" in written
    assert "    duration: 41m  # was 25m: median of the series' runs\n" in written
    assert "    duration: 32m  # was 30m: median of the series' runs\n" in written
    assert "    duration: 15m\n" in written  # smoke: the median is not longer
    assert "# Durations marked '# was' are the medians of series nightly's 4 completed runs.\n" in written
    data = yaml.safe_load(written)
    assert data["status"] == "draft" and data["series"] == "nightly"
    # Everything else is the copied plan's text, as `golive new --from` keeps it.
    source = (root / "plans" / "nightly-4" / "plan.yaml").read_text(encoding="utf-8")
    kept = [
        line for line in source.splitlines() if "duration:" not in line and not line.startswith(("status", "version"))
    ]
    kept = [
        line
        for line in kept
        if "approvals" not in line and not line.startswith(("  - person: mia", "    decision", "    date"))
    ]
    assert all(line in written.splitlines() for line in kept)
    assert validate_project(root).ok


def test_without_changes_it_says_so(root: Path) -> None:
    first = golive("new", "nightly-5", "--from", "nightly-4", "--adjust-durations", "--root", str(root))
    assert first.code == 0, first.err
    again = golive("new", "nightly-6", "--from", "nightly-5", "--adjust-durations", "--root", str(root))
    assert again.code == 0, again.err
    assert again.out.splitlines()[1] == (
        "durations: none changed: no step is planned below the median of the 4 completed runs of series nightly"
    )


def test_a_plan_without_a_series_is_a_usage_error(root: Path) -> None:
    result = golive("new", "shop-2", "--from", "shop", "--adjust-durations", "--root", str(root))
    assert result.code == 2
    assert result.err.strip() == (
        "golive new: --adjust-durations: plan 'shop' has no series (add `series: <id>` to its plan.yaml"
        " to learn from the go-lives that ran it before)"
    )
    assert not (root / "plans" / "shop-2").exists()


def test_adjust_durations_goes_with_from(root: Path) -> None:
    result = golive("new", "shop-2", "--adjust-durations", "--root", str(root))
    assert result.code == 2
    assert result.err.strip() == "golive new: --adjust-durations goes with --from OTHER"
