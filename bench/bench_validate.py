"""Time `golive validate` on generated plans: python bench/bench_validate.py [N ...]."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate

from generator.validate import validate_project


def main(counts: list[int]) -> None:
    print(f"{'plans':>6} {'steps':>6} {'in-process s':>13} {'CLI s':>7} {'ms/plan':>8}")
    for count in counts:
        with tempfile.TemporaryDirectory() as scratch:
            root = generate(Path(scratch), count)
            started = time.perf_counter()
            validation = validate_project(root)
            in_process = time.perf_counter() - started
            assert validation.ok, validation.errors[:3]
            started = time.perf_counter()
            subprocess.run(
                [str(Path(sys.executable).with_name("golive")), "validate", "--root", str(root)],
                check=True,
                capture_output=True,
            )
            cli = time.perf_counter() - started
            print(f"{count:>6} {count * 60:>6} {in_process:>13.2f} {cli:>7.2f} {1000 * in_process / count:>8.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [50, 200])
