from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from generator.cli.main import main
from generator.read.models import Plan

TESTS = Path(__file__).parent
DATA = TESTS / "data"
BASE_PROJECT = DATA / "base"
REPO = TESTS.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
# Only a test repository's own git configuration counts: no global hooks, signing or identity.
GIT_ISOLATION = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
GIT_ENV = {**os.environ, **GIT_ISOLATION}


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


# Plans and times for schedule arithmetic (test_schedule.py, test_forecast.py).


def plan(steps: list[dict[str, Any]], *, start: str, end: str, zone: str = "Europe/London", **extra: Any) -> Plan:
    """A plan model with these steps, led by "ana", who owns every step unless a step says otherwise."""
    return Plan.model_validate(
        {
            "title": "Test",
            "timezone": zone,
            "window": {"start": start, "end": end},
            "stakeholders": [{"person": "ana", "role": "Go-live lead"}],
            "steps": [{"owner": "ana", "title": s["id"], **s} for s in steps],
            **extra,
        }
    )


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A valid project folder (the base case) to modify in a test."""
    return make_project(tmp_path / "project")


def copy_shipped_project(target: Path) -> Path:
    """A copy of the repository's own project: plans/ and mkdocs.yml."""
    target.mkdir(parents=True)
    shutil.copytree(REPO / "plans", target / "plans")
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target


def build_project(root: Path) -> Path:
    """Run the whole pipeline (validate, write site_src, mkdocs build --strict); return site/."""
    from generator.api import generate, write
    from generator.mkdocs.build import build_html

    generated = generate(root)
    assert generated.site is not None, [d for d in generated.validation.errors]
    write(root, generated.site)
    return build_html(root, views=generated.site.plans)


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped plans built into a real MkDocs site, once per test run; returns the project root."""
    root = copy_shipped_project(tmp_path_factory.mktemp("shipped") / "project")
    build_project(root)
    return root


@dataclass(frozen=True)
class Run:
    """What one golive command line did: its exit code and what it printed."""

    code: int
    out: str
    err: str


def golive(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run `golive ARGS...` in this process (main() of the console script), its output captured.

    cwd: the folder to run in; env: the whole environment for the call, as subprocess.run takes it
    (default: this process's). Any git golive runs sees only the test repository's configuration.
    """
    environment = {**(os.environ if env is None else env), **GIT_ISOLATION}
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        stack.enter_context(mock.patch.dict(os.environ, environment, clear=True))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            code = main([str(arg) for arg in args])
        except SystemExit as usage:  # argparse exits on a usage error, --help and --version
            code = usage.code if isinstance(usage.code, int) else 1
    return Run(code, out.getvalue(), err.getvalue())


# Marks that follow from a test's fixtures; other tests carry their marks explicitly.
FIXTURE_MARKS = {"browser": "browser", "page": "browser", "tab": "browser", "pdfs": "pdf"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, mark in FIXTURE_MARKS.items():
            if fixture in names:
                item.add_marker(mark)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current rendering (review the diff before committing)",
    )


# -- serving and browsing: Debian's chromium through Playwright ---------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser that goes to the next page drops what it was still fetching: no error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SiteServer:
    """A built site served from a background thread on a free port of 127.0.0.1."""

    def __init__(self, site: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(site))
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "") -> str:
        return f"{self.origin}/{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def server(shipped_site: Path) -> Iterator[SiteServer]:
    served = SiteServer(shipped_site / "site")
    yield served
    served.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A tab in a browser context of its own: for tests that keep something in the browser
    (storage, a clock, routes or handlers of the context)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="module")
def shared_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def tab(shared_context: BrowserContext) -> Iterator[Page]:
    """A new tab in a context shared by the module's tests, for tests that keep nothing in the
    browser but local storage (cleared afterwards): the context's cache is warm, which makes a
    test about half as costly in CPU as one in a fresh context."""
    opened = shared_context.new_page()
    yield opened
    if opened.url.startswith("http"):
        opened.evaluate("() => localStorage.clear()")
    opened.close()


def git(repo: Path, *args: str) -> str:
    """Run git in a test repository; return its output."""
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True, env=GIT_ENV)
    return result.stdout.strip()


def commit_all(repo: Path, message: str) -> None:
    """Make `repo` a git repository on main (if it is not yet) and commit everything in it."""
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
        git(repo, "config", "user.name", "Test")
        git(repo, "config", "user.email", "test@example.com")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


@contextmanager
def golive_serve(root: Path) -> Iterator[int]:
    """`golive serve` on the project at root, on a free port of 127.0.0.1, once it takes
    connections; yields the port and stops the server afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    golive = str(Path(sys.executable).with_name("golive"))
    server = subprocess.Popen(
        [golive, "serve", "--root", str(root), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "golive serve never answered"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
