"""Time the whole build, split into golive's own work and `mkdocs build`.

python bench/bench_build.py            # the shipped plans and 200 generated plans
python bench/bench_build.py 50 200     # generated plans only, for each N
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate as generate_plans

from generator.build import build_html, write
from generator.render import render_site
from generator.validate import validate_project

REPO = Path(__file__).resolve().parent.parent


def measure(root: Path, label: str) -> None:
    started = time.perf_counter()
    validation = validate_project(root)
    assert validation.ok, validation.errors[:3]
    validated = time.perf_counter()
    site = render_site(validation)
    rendered = time.perf_counter()
    write(root, site)
    written = time.perf_counter()
    build_html(root)
    built = time.perf_counter()
    pages = sum(1 for p in site.files if p.endswith(".md"))
    golive_s = written - started
    mkdocs_s = built - written
    print(
        f"{label:>10} {len(validation.project.plans):>6} {pages:>6} {validated - started:>9.2f} "
        f"{rendered - validated:>7.2f} {written - rendered:>6.2f} {golive_s:>7.2f} {mkdocs_s:>7.2f} "
        f"{built - started:>7.2f} {1000 * (built - started) / pages:>8.1f}"
    )


def main(counts: list[int]) -> None:
    print(
        f"{'project':>10} {'plans':>6} {'pages':>6} {'validate':>9} {'render':>7} {'write':>6} "
        f"{'golive':>7} {'mkdocs':>7} {'total':>7} {'ms/page':>8}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        if not counts:
            shipped = Path(scratch) / "shipped"
            shipped.mkdir()
            shutil.copytree(REPO / "plans", shipped / "plans")
            shutil.copy(REPO / "mkdocs.yml", shipped)
            measure(shipped, "shipped")
        for count in counts or [200]:
            root = Path(scratch) / f"n{count}"
            generate_plans(root, count)
            shutil.copy(REPO / "mkdocs.yml", root)
            measure(root, f"N={count}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]])
