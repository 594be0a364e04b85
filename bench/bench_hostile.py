"""Time and peak memory of `golive validate` on hostile sources; run by hand, not by `make test`.

    PYTHONPATH=. .venv/bin/python bench/bench_hostile.py [CASE ...]    # default: every case

Each case (tests/hostile_sources.py) is written over a scratch copy of tests/data/base and validated
in a fresh process under /usr/bin/time (killed after 120 s); the table gives wall seconds,
the process's peak RSS and the first line it printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from conftest import make_project  # noqa: E402
from hostile_sources import CASES  # noqa: E402


def measure(name: str) -> tuple[float, float, str]:
    with tempfile.TemporaryDirectory() as scratch:
        root = make_project(Path(scratch) / "project")
        CASES[name](root)
        start = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        code = "import sys; from generator.cli.main import main; sys.exit(main())"
        try:
            done = subprocess.run(
                [
                    "/usr/bin/time",
                    "-f",
                    "%M",
                    "-o",
                    f"{scratch}/rss",
                    sys.executable,
                    "-c",
                    code,
                    "validate",
                    "--root",
                    str(root),
                ],
                capture_output=True,
                text=True,
                timeout=120,
                env=env,
            )
            first = (done.stdout or done.stderr).splitlines()[0][:110] if (done.stdout or done.stderr) else ""
            if "Traceback" in done.stderr:
                first = "TRACEBACK: " + done.stderr.strip().splitlines()[-1][:100]
        except subprocess.TimeoutExpired:
            first = "killed after 120 s"
        seconds = time.perf_counter() - start
        rss = Path(scratch, "rss")
        lines = rss.read_text().split() if rss.exists() else []
        peak = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else float("nan")
        return seconds, peak, first


def main() -> None:
    names = sys.argv[1:] or list(CASES)
    print("| case | seconds | peak MiB | first line |\n| --- | ---: | ---: | --- |")
    for name in names:
        seconds, mib, first = measure(name)
        print(f"| {name} | {seconds:.1f} | {mib:.0f} | {first} |", flush=True)


if __name__ == "__main__":
    main()
