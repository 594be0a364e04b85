"""Data-driven validation cases: tests/data/valid/* and tests/data/invalid/*.

Each invalid case states, in expected.txt, exactly the lines `golive validate`
prints for it (file:line:col: severity: path: message).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, make_project
from generator.check.validate import validate_project
from generator.report import format_text

INVALID = sorted(p for p in (DATA / "invalid").iterdir() if p.is_dir())
VALID = sorted(p for p in (DATA / "valid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_case_reports_expected_lines(case: Path, tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", case)
    validation = validate_project(root)
    expected = (case / "expected.txt").read_text(encoding="utf-8").strip()
    assert format_text(validation.diagnostics) == expected
    assert validation.diagnostics


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_case_has_no_errors(case: Path, tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", case)
    validation = validate_project(root)
    expected_file = case / "expected.txt"
    expected = expected_file.read_text(encoding="utf-8").strip() if expected_file.exists() else ""
    assert validation.ok, format_text(validation.diagnostics)
    assert format_text(validation.diagnostics) == expected


def test_there_are_enough_invalid_cases() -> None:
    assert len(INVALID) >= 40


def test_base_project_is_valid(tmp_path: Path) -> None:
    validation = validate_project(make_project(tmp_path / "project"))
    assert validation.diagnostics == []
