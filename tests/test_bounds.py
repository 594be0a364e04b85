"""Bounded cost: every hostile source under the size limit is refused, or read, in a few seconds.

Each case (tests/hostile.py) is written over a copy of the base project and validated by
`golive validate` in its own process; the bound of 10 s is generous (most take 1-4 s), so
that a regression to the old minutes and gigabytes fails, never a busy machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from hostile import CASES

BOUND_SECONDS = 10
SLOW = {"alias-fanout", "million-keys", "big-list-one-alias", "many-unknown-keys"}


def golive_validate(root: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    return done, time.perf_counter() - start


@pytest.mark.parametrize(
    "case", [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in CASES]
)
def test_hostile_source_is_refused_quickly_with_a_clear_error(case: str, project: Path) -> None:
    expected = CASES[case](project)
    done, seconds = golive_validate(project)
    assert "Traceback" not in done.stderr and "internal error" not in done.stdout + done.stderr
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "\n".join(lines[:-1]) == expected
    assert seconds < BOUND_SECONDS
