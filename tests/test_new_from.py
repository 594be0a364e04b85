"""`golive new ID --from OTHER`: the next go-live from the last one's plan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import copy_shipped_project, golive
from generator.check.validate import validate_project

SOURCE = "shop-checkout-relaunch"  # completed, approved by 4, with a log and a post-mortem


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_shipped_project(tmp_path / "project")


def test_a_copy_is_a_draft_with_the_same_steps_and_its_window_moved(root: Path) -> None:
    run = golive("new", "shop-relaunch-2", "--from", SOURCE, "--window-start", "2027-03-06 22:00", "--root", root)
    assert run.code == 0, run.err
    assert run.out == (
        f"created plans/shop-relaunch-2/plan.yaml from {SOURCE}: a draft, version 1, window from 2027-03-06 22:00,"
        " every date and time 140 days later; 4 approvals dropped; no log, no post-mortem\n"
    )
    source_text = (root / "plans" / SOURCE / "plan.yaml").read_text(encoding="utf-8")
    copy_text = (root / "plans/shop-relaunch-2/plan.yaml").read_text(encoding="utf-8")
    source, copy = yaml.safe_load(source_text), yaml.safe_load(copy_text)
    # The old window was 2026-10-17 22:00 to 2026-10-18 03:00 (BST): 22:00 stays 22:00 in March (GMT).
    assert copy["window"] == {"start": "2027-03-06 22:00", "end": "2027-03-07 03:00"}
    assert (copy["status"], copy["version"], "approvals" in copy) == ("draft", 1, False)
    for key in ("steps", "gates", "rollback", "checklists", "stakeholders"):
        assert _without_dates(copy[key]) == _without_dates(source[key]), key
    # Comments stay; the source is named under the schema line.
    lines = copy_text.splitlines()
    assert lines[0].startswith("# yaml-language-server:")
    assert lines[1] == f"# Made from plans/{SOURCE}/plan.yaml (version 7) by `golive new --from`: check every step."
    assert (
        sum(line.lstrip().startswith("#") for line in lines)
        == sum(line.lstrip().startswith("#") for line in source_text.splitlines()) + 1
    )
    # A date and time written in a command moves too; no log, no post-mortem, and the copy validates.
    assert "created_at >= '2027-03-06 23:15'" in copy_text and "2026-10-17 23:15" in source_text
    assert sorted(p.name for p in (root / "plans/shop-relaunch-2").iterdir()) == ["plan.yaml"]
    assert validate_project(root).errors == []


def test_without_a_window_start_the_dates_stay(root: Path) -> None:
    run = golive("new", "again", "--from", SOURCE, "--root", root)
    assert run.code == 0, run.err
    assert "window from 2026-10-17 22:00; 4 approvals dropped" in run.out
    copy = yaml.safe_load((root / "plans/again/plan.yaml").read_text(encoding="utf-8"))
    assert copy["window"]["start"] == "2026-10-17 22:00" and copy["status"] == "draft"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "x", "--from", "nope"), "no plan 'nope': plans/nope/plan.yaml does not exist"),
        (("new", SOURCE, "--from", SOURCE), f"plans/{SOURCE} already exists"),
        (("new", "x", "--window-start", "2027-03-06 22:00"), "--window-start goes with --from OTHER"),
        (("new", "x", "--from", SOURCE, "--window-start", "06/03/2027"), "is not a date and time"),
    ],
)
def test_refused_copies_write_nothing(root: Path, args: tuple[str, ...], message: str) -> None:
    before = sorted(p.name for p in (root / "plans").iterdir())
    run = golive(*args, "--root", root)
    assert run.code != 0 and message in run.err, run.err
    assert sorted(p.name for p in (root / "plans").iterdir()) == before


def test_a_copy_that_would_not_validate_is_refused_and_nothing_is_written(root: Path) -> None:
    source = root / "plans" / SOURCE / "plan.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace("owner: raj-patel", "owner: raj-patell", 1))
    run = golive("new", "again", "--from", SOURCE, "--root", root)
    assert run.code == 1
    assert "the copy would not validate, nothing written: plans/again/plan.yaml:" in run.err
    assert "unknown person 'raj-patell'" in run.err
    assert not (root / "plans/again").exists()


def _without_dates(value: object) -> object:
    """The value with every full date and time blanked (they move with the window)."""
    text = yaml.safe_dump(value, sort_keys=True)
    return yaml.safe_load(re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", "<when>", text))
