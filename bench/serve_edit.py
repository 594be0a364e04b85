"""How long an edit takes to show in the browser under `golive serve`; run by hand.

    PYTHONPATH=. .venv/bin/python bench/serve_edit.py [N]    # default: 200 plans

Generates N plans (bench/generate.py) in a scratch project, starts `golive serve`, opens
one plan's runbook in headless Chromium, then, a few times, renames one of its steps in
plan.yaml and times how long it takes until the open page (reloaded by MkDocs' live
reload) shows the new title. Also prints what golive and MkDocs logged for each rebuild.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests")]
from generate import generate  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (the browser as the tests launch it)

EDITS = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = generate(Path(scratch) / "project", count)
        (root / "mkdocs.yml").write_bytes((REPO / "mkdocs.yml").read_bytes())
        port = free_port()
        log_path = Path(scratch) / "serve.log"
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "generator", "serve", "--root", str(root), "--dev-addr", f"127.0.0.1:{port}"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            plan_id = f"golive-{count // 2:04d}"
            url = f"http://127.0.0.1:{port}/plans/{plan_id}/runbook.html"
            started = time.perf_counter()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                while True:
                    try:
                        page.goto(url, timeout=5000)
                        break
                    except Exception:  # the first build is still running
                        if server.poll() is not None or time.perf_counter() - started > 900:
                            raise SystemExit(log_path.read_text()) from None
                        time.sleep(1)
                print(f"{count} plans: first build and page open after {time.perf_counter() - started:.1f} s")
                plan = root / "plans" / plan_id / "plan.yaml"
                times = []
                for edit in range(EDITS):
                    title = f"Renamed step {edit}"
                    text = plan.read_text()
                    text = re.sub(r"(?m)^  title: .*$", f"  title: {title}", text, count=1)
                    time.sleep(1.5)  # let the watcher settle after the previous rebuild
                    edited = time.perf_counter()
                    plan.write_text(text)
                    page.locator(f"h3:has-text('{title}')").wait_for(timeout=60_000)
                    times.append(time.perf_counter() - edited)
                    print(f"edit {edit + 1}: shown after {times[-1]:.2f} s")
                browser.close()
            print(f"median {sorted(times)[len(times) // 2]:.2f} s, worst {max(times):.2f} s over {EDITS} edits")
        finally:
            server.terminate()
            server.wait(timeout=30)
        for line in log_path.read_text().splitlines():
            if "golive:" in line or "built in" in line:
                print("  " + line.strip())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
