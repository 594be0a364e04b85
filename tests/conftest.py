from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
DATA = TESTS / "data"
BASE_PROJECT = DATA / "base"
REPO = TESTS.parent


def make_project(target: Path, overlay: Path | None = None) -> Path:
    """Copy the base project to target and lay a case's files over it.

    A case folder holds replacement or extra files under plans/, and may list
    base files to delete (one path per line) in remove.txt.
    """
    shutil.copytree(BASE_PROJECT, target)
    if overlay is not None:
        removals = overlay / "remove.txt"
        if removals.exists():
            for line in removals.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    (target / line.strip()).unlink()
        if (overlay / "plans").is_dir():
            shutil.copytree(overlay / "plans", target / "plans", dirs_exist_ok=True)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A valid project folder (the base case) to modify in a test."""
    return make_project(tmp_path / "project")
