"""What series add to `golive build`; run by hand, not by `make test`.

    PYTHONPATH=. .venv/bin/python bench/bench_series.py [N] [SERIES] [--repeat K]   # default: 1000 50, K = 2

bench/generate.py writes N plans; their step ids are made the same across plans (step-00 ...
step-59, as a plan run again keeps its steps), so that each series compares like with like.
Two copies of that project differ only in `series:`: in one, plan i belongs to series
s-(i mod SERIES); in the other, to none. `golive build` runs on each copy in turn, K times,
each in a fresh process; the table gives wall and CPU seconds (the process's user + system
time, steadier than wall time on a busy machine), peak memory, and the series pages written.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
# generate.py's step ids: a verb and the step's number.
STEP_ID = re.compile(r"\b(?:deploy|migrate|verify|snapshot|scale|drain|enable|warm|announce|check)-(\d\d)\b")


def same_steps(root: Path) -> None:
    """Give every plan the step ids step-00 ... (rollback steps keep their prefix) in every file."""
    for path in sorted(root.glob("plans/*/*.yaml")):
        path.write_text(STEP_ID.sub(r"step-\1", path.read_text()))


def add_series(root: Path, count: int) -> None:
    """Plan i joins series s-(i mod count): a `series:` line after its title."""
    for index, path in enumerate(sorted(root.glob("plans/golive-*/plan.yaml"))):
        text = path.read_text()
        path.write_text(text.replace("\n", f"\nseries: s-{index % count:02d}\n", 1))


def build(root: Path) -> tuple[float, float, float]:
    """`golive build` on root in a fresh process: wall seconds, CPU seconds, peak MiB."""
    shutil.rmtree(root / "site_src", ignore_errors=True)
    shutil.rmtree(root / "site", ignore_errors=True)
    started = time.perf_counter()
    args = [sys.executable, "-m", "generator", "build", "--root", str(root)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        assert process.stderr is not None
        raise SystemExit(f"golive build failed:\n{process.stderr.read().decode()[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("plans", nargs="?", type=int, default=1000)
    parser.add_argument("series", nargs="?", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=2)
    options = parser.parse_args()
    from generate import generate

    with tempfile.TemporaryDirectory(prefix="golive-bench-series-") as scratch:
        plain, series = Path(scratch) / "plain", Path(scratch) / "series"
        plain.mkdir()
        generate(plain, options.plans)
        same_steps(plain)
        shutil.copy(REPO / "mkdocs.yml", plain)
        shutil.copytree(plain, series)
        add_series(series, options.series)
        rows = []
        for attempt in range(options.repeat):
            for name, root in (("no series", plain), (f"{options.series} series", series)):
                print(f"[{time.strftime('%H:%M:%S')}] {name}, run {attempt + 1}", file=sys.stderr, flush=True)
                rows.append((name, *build(root)))
        pages = len(list((series / "site_src" / "series").glob("*.md")))
    print(f"{options.plans} plans; {pages} series pages written\n")
    print(f"{'build':<12} | {'wall s':>7} | {'CPU s':>7} | {'peak MiB':>8}")
    for name, wall, cpu, peak in rows:
        print(f"{name:<12} | {wall:>7.1f} | {cpu:>7.1f} | {peak:>8.0f}")
    for label, column in (("wall", 1), ("CPU", 2)):
        base = min(row[column] for row in rows if row[0] == "no series")
        with_series = min(row[column] for row in rows if row[0] != "no series")
        print(f"best {label}: {100 * (with_series / base - 1):+.1f}% with series")


if __name__ == "__main__":
    main()
