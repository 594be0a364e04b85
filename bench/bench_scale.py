"""How the build scales with the number of go-lives; run by hand, not by `make test`.

    PYTHONPATH=. .venv/bin/python bench/bench_scale.py [N ...] [--no-stock] [--git [--edits K]]  # default: 50 200 1000

For each N, bench/generate.py writes N plans (60 steps, 15 stakeholders, a log of 100 entries
and a post-mortem for the plans that took place, about half) into a scratch copy of the
project. Every measurement runs in a fresh process, so peak memory is that process's own.
Rows of the table:

- load+validate, schedule, render, write site_src, mkdocs build: the pipeline's stages in
  sequence, in one process (`schedule` recomputes every plan's schedule, which validation
  also does); peak MiB is that process's peak at the end of the stage.
- golive build: `golive build` on a scratch with no site_src/ or site/ yet; its peak MiB is that
  of the process with its children (the history reader), summed, as the machine sees it.
- no-change rebuild: `golive build` again; the label says how many site_src/ files it rewrote.
- stock material / stock + prune (N <= 200 unless --no-stock): `mkdocs build` of the same
  site_src/ with mkdocs-material and no golive plugin: its default navigation (every page on
  every page) and search, then with only `navigation.prune`. No history pages: fewer pages.
- one-plan regen: the path `golive serve` takes: generator.site.incremental.Regenerator runs once,
  one plan.yaml changes, the second run() is timed; the label says how many files it wrote.

- golive check: what CI runs on a pull request (no MkDocs), on the site_src/ just written.

With --git, bench/git_history.py first commits the project with a realistic history (each plan
added, its plan.yaml edited about K times, default 12, its call's log and its post-mortem
committed; every 40th commit touches a fifth of the plans): about 2K commits per plan. The
stages then include `history` (every plan's history read from git, as the plugin reads it),
and the build is measured three times side by side, on the same files: `golive build (git)` (no
history stored yet: a fresh clone), `golive build (git, history stored)` (the same build again:
the history is kept in .git/golive between builds) and `golive build (no .git)`, with .git moved aside.

pages counts the HTML pages MkDocs wrote (not 404.html); ms/page = seconds / pages.
Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
GOLIVE = [sys.executable, "-m", "generator", "build", "--root"]
Row = tuple[int, str, float | None, int | None, float | None]  # N, stage, seconds, pages, peak MiB


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(args: list[str], tree: bool = False) -> tuple[float, float, str]:
    """Run a command in a fresh process; return its wall seconds, its peak MiB and its output.

    The peak is the process's own, or with `tree` the highest sum, sampled every 0.2 s, of the
    proportional set sizes of the process and all its descendants (golive build reads the
    history in a child process: its own peak leaves that child out).
    """
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, env=ENV)
        sampler = TreeMemory(process.pid) if tree else None
        _, status, usage = os.wait4(process.pid, 0)  # this child's rusage, not all children's
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode(errors="replace")
    if process.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{text[-3000:]}")
    return seconds, sampler.stop() if sampler else usage.ru_maxrss / 1024, text


class TreeMemory:
    """The peak of a process tree's summed PSS (shared pages counted once), sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kib, self._done = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak_kib / 1024

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            self.peak_kib = max(self.peak_kib, sum(map(_pss_kib, _descendants(self.pid))))


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rpartition(")")[2].split()[1])
    found, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pages(site: Path) -> int:
    return sum(1 for page in site.rglob("*.html") if page.name != "404.html")


def mtimes(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


def child_stages(root: Path) -> None:
    """Time each stage of the pipeline in this process; print [stage, seconds, peak MiB] rows as JSON."""
    from generator.api import write
    from generator.check.validate import validate_project
    from generator.mkdocs.build import build_html
    from generator.schedule.timetable import schedule_plan
    from generator.site.render import render_site

    rows = []
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        rows.append((stage, time.perf_counter() - started, peak_mib()))
        started = time.perf_counter()

    validation = validate_project(root)
    if not validation.ok:
        raise SystemExit("\n".join(map(str, validation.errors[:5])))
    lap("load+validate")
    for plan_id in validation.schedules:
        schedule_plan(validation.project.plans[plan_id].plan.model)
    lap("schedule")
    site = render_site(validation)
    lap("render")
    write(root, site)
    lap("write site_src")
    if (root / ".git").exists():
        from generator.review.history import histories

        histories(root, [view.id for view in site.plans])
        lap("history")
    build_html(root, views=site.plans)
    lap("mkdocs build (history stored)" if (root / ".git").exists() else "mkdocs build")
    print(json.dumps(rows))


def child_regen(root: Path) -> None:
    """Time the second Regenerator.run() after one plan changed; print JSON (null without the module)."""
    try:
        from generator.site.incremental import Regenerator
    except ImportError:
        print("null")
        return
    regenerator = Regenerator(root)
    regenerator.run()
    plan = root / "plans/golive-0000/plan.yaml"
    plan.write_text(plan.read_text().replace("\n", " (changed)\n", 1))  # the first line is the title
    started = time.perf_counter()
    result = regenerator.run()
    seconds = time.perf_counter() - started
    changes = result.changes
    written = len(changes.added) + len(changes.changed) + len(changes.removed)
    print(json.dumps({"seconds": seconds, "written": written, "rendered": len(result.rendered), "peak": peak_mib()}))


def stock_config(root: Path, name: str, features: list[str]) -> Path:
    """An mkdocs.yml for the same site_src/ with plain mkdocs-material: no golive plugin, no nav."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: None)
    ours = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=Loader)
    config = {
        "site_name": "Stock",
        "docs_dir": "site_src",
        "site_dir": f"site-{name}",
        "use_directory_urls": False,
        # custom_dir only supplies golive's print-page template, which the print pages name.
        "theme": {"name": "material", "custom_dir": str(REPO / "generator/site/theme"), "features": features},
        "plugins": ["search"],
        "markdown_extensions": ours["markdown_extensions"],
    }
    path = root / f"mkdocs-{name}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def bench(count: int, stock: bool, edits: int | None = None) -> list[Row]:
    """The rows for N = count; with `edits`, in a git repository of that many plan edits per plan."""
    from generate import generate

    def progress(message: str) -> None:
        print(f"[N={count} {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix=f"golive-bench-{count}-") as scratch:
        root = Path(scratch)
        progress("generating plans")
        generate(root, count)
        ran = len(list(root.glob("plans/*/log.yaml")))
        progress(f"{ran} of {count} plans took place: each has a log and a post-mortem")
        if edits is not None:
            # In a process of its own: a child forked from a large process reports that size as its peak.
            progress("committing a history")
            _, _, output = run([sys.executable, str(REPO / "bench/git_history.py"), "--commit", str(root), str(edits)])
            figures = json.loads(output.splitlines()[-1])
            progress(f"{figures['commits']} commits, {figures['commits per plan']:.1f} commits per plan on average")
        shutil.copy(REPO / "mkdocs.yml", root)
        progress("stages, one process")
        _, _, output = run([sys.executable, __file__, "--child-stages", str(root)])
        built = pages(root / "site")
        rows += [(count, stage, seconds, built, peak) for stage, seconds, peak in json.loads(output.splitlines()[-1])]
        shutil.rmtree(root / "site_src")
        shutil.rmtree(root / "site")
        progress("golive build")
        shutil.rmtree(root / ".git/golive", ignore_errors=True)  # the history the stages' run stored
        seconds, peak, _ = run([*GOLIVE, str(root)], tree=True)
        rows.append(
            (count, "golive build" if edits is None else "golive build (git)", seconds, pages(root / "site"), peak)
        )
        if edits is not None:
            progress("golive build again, the history stored")
            shutil.rmtree(root / "site_src")
            shutil.rmtree(root / "site")
            seconds, peak, _ = run([*GOLIVE, str(root)], tree=True)
            rows.append((count, "golive build (git, history stored)", seconds, pages(root / "site"), peak))
            progress("golive build without .git")
            (root / ".git").rename(root / ".git-aside")
            shutil.rmtree(root / "site_src")
            shutil.rmtree(root / "site")
            seconds, peak, _ = run([*GOLIVE, str(root)], tree=True)
            rows.append((count, "golive build (no .git)", seconds, pages(root / "site"), peak))
            (root / ".git-aside").rename(root / ".git")
        progress("golive check")
        seconds, peak, _ = run([sys.executable, "-m", "generator", "check", "--root", str(root)])
        rows.append((count, "golive check", seconds, None, peak))
        progress("no-change rebuild")
        before = mtimes(root / "site_src")
        seconds, peak, _ = run([*GOLIVE, str(root)])
        after = mtimes(root / "site_src")
        rewritten = sum(before.get(path) != mtime for path, mtime in after.items()) + len(before.keys() - after)
        rows.append((count, f"no-change rebuild: {rewritten} files rewritten", seconds, pages(root / "site"), peak))
        for name, features in [("stock material", []), ("stock + prune", ["navigation.prune"])] if stock else []:
            progress(name)
            config = stock_config(root, name.replace(" ", "-").replace("+", "plus"), features)
            seconds, peak, _ = run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)])
            rows.append((count, name, seconds, pages(root / yaml.safe_load(config.read_text())["site_dir"]), peak))
        progress("one-plan regen")
        _, _, output = run([sys.executable, __file__, "--child-regen", str(root)])
        regen = json.loads(output.splitlines()[-1])
        if regen is None:
            rows.append((count, "one-plan regen (no generator.site.incremental)", None, None, None))
        else:
            stage = f"one-plan regen: {regen['written']} files written, {regen['rendered']} re-rendered"
            rows.append((count, stage, regen["seconds"], None, regen["peak"]))
    return rows


def table(rows: list[Row]) -> str:
    width = max(len(row[1]) for row in rows)
    lines = [f"{'N plans':>7} | {'stage':<{width}} | {'seconds':>8} | {'pages':>6} | {'ms/page':>8} | {'peak MiB':>8}"]
    lines.append("-" * len(lines[0]))
    for count, stage, seconds, page_count, peak in rows:
        if seconds is None or peak is None:
            lines.append(f"{count:>7} | {stage:<{width}} | {'n/a':>8} | {'':>6} | {'':>8} | {'n/a':>8}")
            continue
        shown = f"{page_count:>6} | {1000 * seconds / page_count:>8.1f}" if page_count else f"{'':>6} | {'':>8}"
        lines.append(f"{count:>7} | {stage:<{width}} | {seconds:>8.2f} | {shown} | {peak:>8.0f}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child-stages"]:
        return child_stages(Path(argv[1]))
    if argv[:1] == ["--child-regen"]:
        return child_regen(Path(argv[1]))
    edits = 12
    if "--edits" in argv:
        at = argv.index("--edits")
        edits = int(argv.pop(at + 1))
        argv.pop(at)
    counts = [int(arg) for arg in argv if arg.isdigit()] or [50, 200, 1000]
    in_git = edits if "--git" in argv else None
    rows = [row for count in counts for row in bench(count, count <= 200 and "--no-stock" not in argv, in_git)]
    print(table(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
