"""How long `golive validate` and `golive log` take to start: two checkouts timed in pairs; run by hand.

    .venv/bin/python bench/startup.py OLD NEW [--root DIR] [--rounds 20]

OLD and NEW are folders holding a `generator/` package, e.g. a checkout of an earlier commit made with
`git archive <commit> generator | tar -x -C /tmp/old` and this repository. Each round runs every command
once with OLD and once with NEW on PYTHONPATH (which one first alternates from round to round, so that
a machine growing busier or quieter weighs on both alike), each in a fresh process started from an empty
folder, so that no checkout is picked up from the working directory. The table gives, per command and
side, the median wall-clock and CPU (user + system) time and their spread (lowest, highest), and the
median of the paired differences NEW - OLD; CPU time is the steadier on a busy machine.
`log` is timed as refused (no such plan): the same imports, nothing written.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _commands(root: Path) -> dict[str, list[str]]:
    return {
        "validate": ["validate", "--root", str(root)],
        "log": ["log", "no-such-plan", "a note", "--by", "bench", "--root", str(root)],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_once(package_dir: Path, arguments: list[str], cwd: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `python -m generator ...` with package_dir first on the import path."""
    environment = {**os.environ, "PYTHONPATH": str(package_dir)}
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "generator", *arguments],
        cwd=cwd,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started, _children_cpu() - cpu


def _spread(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:6.0f} ms  ({min(times) * 1000:.0f}-{max(times) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=Path, help="folder holding the old generator/ package")
    parser.add_argument("new", type=Path, help="folder holding the new generator/ package")
    parser.add_argument("--root", type=Path, default=REPO, help="plans repository to validate (default: this one)")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    sides = {"old": args.old.resolve(), "new": args.new.resolve()}
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as empty:
        for name, arguments in _commands(args.root.resolve()).items():
            for package_dir in sides.values():  # warm the file cache and the bytecode of both
                _run_once(package_dir, arguments, empty)
            for round_number in range(args.rounds):
                order = list(sides) if round_number % 2 == 0 else list(reversed(sides))
                for side in order:
                    times.setdefault((name, side), []).append(_run_once(sides[side], arguments, empty))
                print(f"{name}: round {round_number + 1}/{args.rounds}", file=sys.stderr)
    print(f"{args.rounds} paired rounds; median (lowest-highest)")
    for name in _commands(args.root):
        for measure, index in (("wall", 0), ("cpu", 1)):
            old = [run[index] for run in times[(name, "old")]]
            new = [run[index] for run in times[(name, "new")]]
            difference = statistics.median(n - o for o, n in zip(old, new, strict=True))
            print(
                f"golive {name:9} {measure:4}  old {_spread(old)}   new {_spread(new)}"
                f"   paired new - old: {difference * 1000:+.0f} ms"
            )


if __name__ == "__main__":
    main()
