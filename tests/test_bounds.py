"""Bounded cost: every hostile source under the size limit is refused, or read, in a few seconds.

Each case (tests/hostile_sources.py) is written over a copy of the base project and validated by
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
from hostile_sources import CASES

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


def test_messages_are_filled_without_str_format() -> None:
    from generator.site.views.plan import fill_message

    # validation refuses these; filling must not run them either ({title:>1000000000} would make 1 GB)
    values = {"title": "Shop", "version": "3"}
    assert fill_message("v{version:d} {title:>1000000000} {title!r} {{x}}", values) == "v3 Shop Shop {x}"


def test_reporters_print_control_characters_as_escapes() -> None:
    import json

    from generator.diagnostics import Diagnostic
    from generator.report import format_github, format_json, format_text

    diagnostic = Diagnostic("plans/a.yaml", 2, 3, "error", "steps[0]", "unknown key 'x\x1b[2J\u202e\n'", "h\x85")
    assert format_text([diagnostic]) == (
        "plans/a.yaml:2:3: error: steps[0]: unknown key 'x\\x1b[2J\\u202e\\n' (h\\x85)"
    )
    assert format_github([diagnostic]).endswith("::unknown key 'x\\x1b[2J\\u202e%0A' (h\\x85)")
    printed = format_json([diagnostic])
    assert printed.isascii() or all(c.isprintable() or c == "\n" for c in printed)
    assert "\\u202e" in printed and "\\u0085" in printed
    assert json.loads(printed)[0]["message"] == diagnostic.message
