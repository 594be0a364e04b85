"""The generated site: golden Markdown, the built HTML of every page kind, check and write."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import icalendar
import pytest

from conftest import REPO, TESTS, copy_shipped_project, golive, golive_serve
from generator.api import generate, write
from generator.check.validate import validate_project
from generator.site import write as write_module
from generator.site.render import render_site

GOLIVE = str(Path(sys.executable).with_name("golive"))
GOLDEN = TESTS / "golden/library-cutover"
SHOP = "shop-checkout-relaunch"


def html(root: Path, page: str) -> str:
    """The built HTML of a page given as in the nav: "" or "plans/x/" for an index, else "plans/x/runbook"."""
    path = f"{page}index.html" if page.endswith("/") or not page else f"{page}.html"
    return (root / "site" / path).read_text(encoding="utf-8")


def text_of(markup: str) -> str:
    """Visible text of an HTML page, roughly: tags removed, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


# -- Markdown: golden files and determinism -------------------------------------------


# The pages of a small hand-made project (tests/data/golden: a plan with a gate, a fixed start, a rollback,
# a log and a post-mortem), which no edit of the shipped examples can change. The shipped plans' pages are
# checked by test_committed_site_src_is_current: site_src/ is their golden copy.
GOLDEN_PROJECT = TESTS / "data/golden"


def test_golden_markdown_of_a_hand_made_project(request: pytest.FixtureRequest) -> None:
    site = render_site(validate_project(GOLDEN_PROJECT))
    pages = {p: d for p, d in site.files.items() if not p.startswith("assets/")}
    assert len([p for p in pages if p.startswith("plans/library-cutover/")]) >= 8
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, data in pages.items():
            target = GOLDEN / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in sorted(GOLDEN.rglob("*")) if p.is_file()}
    assert sorted(pages) == sorted(expected)
    for path, data in pages.items():
        assert data.decode() == expected[path].decode(), f"{path} differs from tests/golden (use --update-golden)"


def test_rendering_is_deterministic_across_runs_time_zones_and_folders(tmp_path: Path) -> None:
    copy = copy_shipped_project(tmp_path / "elsewhere")
    first = render_site(validate_project(REPO)).files
    again = render_site(validate_project(copy)).files
    assert first == again
    # in a process of its own: the time zone is read once, at start-up
    env = {**os.environ, "TZ": "Pacific/Auckland", "LANG": "C"}
    done = subprocess.run([GOLIVE, "check", "--root", str(REPO)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout


def test_committed_site_src_is_current() -> None:
    result = golive("check", "--root", str(REPO))
    count = len(render_site(validate_project(REPO)).files)
    assert (result.code, result.out.splitlines()[-1]) == (
        0,
        f"golive: site_src/ is up to date ({count} files)",
    )


# -- the built HTML of each page kind ---------------------------------------------------


def test_dashboard_lists_every_plan_by_status(shipped_site: Path) -> None:
    page = html(shipped_site, "")
    headings = re.findall(r'<h2 id="[^"]*">([^<]+)', page)
    # the plans by status, then the series
    assert headings == ["In progress", "Approved", "Draft", "Rolled back", "Completed", "Series"]
    assert 'href="series/payments-monthly.html"' in page
    for plan_id in (
        "mobile-banking-4-2",
        "social-stories-launch",
        "erp-datacentre-migration",
        "learning-platform-launch",
        "shop-checkout-relaunch",
        "pay-2026-09",
        "pay-2026-10",
        "pay-2026-11",
        "pay-2026-12",
    ):
        assert f'href="plans/{plan_id}/index.html"' in page
        assert f'href="plans/{plan_id}/runbook.html"' in page


def test_runbook_shows_schedule_values(shipped_site: Path) -> None:
    page = html(shipped_site, f"plans/{SHOP}/runbook")
    text = text_of(page)
    # Step 12, the schema migration, starts at 23:15 (T+1:15), 20 minutes, after steps 11, 7, 6 and 8.
    assert "12 Sat 23:15 T+1:15 20m ◆ Run orders schema migration 0147 (point of no return)" in text
    assert "Dev Malhotra +91 80 5555 0187 #11, #7, #6, #8 ☐" in text
    assert '<a href="tel:+918055550187">+91 80 5555 0187</a>' in page
    assert "1 Sat 22:00 T+0:00 10m Open the bridge, roll call and plan review" in text
    # 13 steps are on the critical path, ending with the call closed at 02:00.
    assert text.count("◆ ") - text.count("◆ critical path") == 13
    assert page.count('class="golive-timeline__row is-critical') == 13
    assert "critical path: 13 steps ending at Sun 02:00" in text
    assert "Point of no return at Sat 23:15" in text
    # each step's instructions are a block of their own, not swallowed by the line above them
    assert page.count('<div class="golive-text"') > 10
    assert not re.search(r'</a>\s*<div class="golive-text"', page)
    assert "latest rollback start that still ends inside the window is Sun 01:15" in text
    # commands are code blocks (the copy button on them is checked in the browser)
    assert "<pre><span></span><code>pg_dump" in page


def test_contact_sheet_shows_people_and_local_times(shipped_site: Path) -> None:
    page = html(shipped_site, f"plans/{SHOP}/contacts")
    text = text_of(page)
    # The lead comes first; Priya Nair works from Bengaluru, 04:30 IST when the 22:00 BST window opens.
    assert re.search(r"1 Go-live lead Ana Souza owns #1, #2, #23, #24; [^+]* \+44 20 7946 0018", text)
    assert "Sun 18 Oct 02:30 Asia/Kolkata" in text
    assert '<a href="tel:+442079460018">+44 20 7946 0018</a>' in page
    assert 'href="mailto:' in page


def test_rollback_page_shows_point_of_no_return_and_latest_start(shipped_site: Path) -> None:
    text = text_of(html(shipped_site, f"plans/{SHOP}/rollback"))
    assert "Point of no return Sat 23:15 (T+1:15), step #12 Run orders schema migration 0147" in text
    assert "Rollback takes 1h45m" in text
    assert "Latest rollback start Sun 01:15" in text
    assert "R+0:00" in text


def test_checklists_and_communications_pages(shipped_site: Path) -> None:
    checklists = html(shipped_site, f"plans/{SHOP}/checklists")
    assert checklists.count('type="checkbox"') >= 10
    communications = text_of(html(shipped_site, f"plans/{SHOP}/communications"))
    assert "{title}" not in communications and "{bridge}" not in communications
    assert "Shop relaunch with checkout 2.0" in communications


def test_every_plan_page_carries_title_version_status_and_revision(shipped_site: Path) -> None:
    site = render_site(validate_project(shipped_site))
    for view in site.plans:
        for page in ("", "runbook", "contacts", "rollback", "checklists", "communications"):
            text = text_of(html(shipped_site, f"plans/{view.id}/{page}"))
            assert view.title in text
            assert f"Version {view.version}" in text
            assert f"Revision {view.fingerprint}" in text


def test_calendar_has_every_window(shipped_site: Path) -> None:
    calendar = icalendar.Calendar.from_ical((shipped_site / "site/golive.ics").read_bytes())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"{p.name}@golive" for p in (REPO / "plans").iterdir() if (p / "plan.yaml").exists()}
    shop = events[f"{SHOP}@golive"]
    assert shop.decoded("dtstart").isoformat() == "2026-10-17T21:00:00+00:00"
    assert shop.decoded("dtend").isoformat() == "2026-10-18T02:00:00+00:00"
    assert "Lead: Ana Souza" in str(shop["description"])
    assert "Bridge: https://" in str(shop["description"])


def test_built_site_references_no_outside_host(shipped_site: Path) -> None:
    for path in (shipped_site / "site").rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        sources = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', page)
        assert not [s for s in sources if re.match(r"(https?:)?//", s)], path


# -- writing site_src/ -------------------------------------------------------------------


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = copy_shipped_project(tmp_path / "project")
    generated = generate(root)
    assert generated.site is not None
    write(root, generated.site)
    return root


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_rebuild_without_change_rewrites_nothing(built: Path) -> None:
    before = snapshot(built / "site_src")
    generated = generate(built)
    assert generated.site is not None
    changes = write(built, generated.site)
    assert not changes.any
    assert snapshot(built / "site_src") == before


def test_check_passes_after_build_and_fails_after_a_change(built: Path) -> None:
    assert golive("check", "--root", str(built)).code == 0
    plan = built / "plans/social-stories-launch/plan.yaml"
    plan.write_text(plan.read_text().replace("version: 12", "version: 13"))
    (built / "site_src/stray.md").write_text("# left over\n")
    result = golive("check", "--root", str(built))
    assert result.code == 1
    lines = result.out.splitlines()
    assert "site_src/stray.md: would be deleted" in lines
    assert "site_src/plans/social-stories-launch/runbook.md: differs" in lines
    assert "site_src/index.md: differs" in lines
    assert "site_src/plans/shop-checkout-relaunch/runbook.md: differs" not in lines


def test_deleted_plan_pages_are_removed(built: Path) -> None:
    shutil.rmtree(built / "plans/learning-platform-launch")
    generated = generate(built)
    assert generated.site is not None
    changes = write(built, generated.site)
    assert "plans/learning-platform-launch/runbook.md" in changes.removed
    assert not (built / "site_src/plans/learning-platform-launch").exists()


def test_invalid_sources_write_nothing(built: Path) -> None:
    before = snapshot(built / "site_src")
    plan = built / "plans/shop-checkout-relaunch/plan.yaml"
    plan.write_text(plan.read_text().replace("owner: ana-souza", "owner: ana-suza", 1))
    result = golive("build", "--root", str(built))
    assert result.code == 1
    assert "unknown person 'ana-suza' (did you mean 'ana-souza' (Ana Souza)?)" in result.out
    assert "nothing written" in result.err
    assert snapshot(built / "site_src") == before
    assert not (built / "site").exists()


def test_interrupted_write_leaves_site_src_as_it_was(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(built / "site_src")
    for plan in (built / "plans").glob("*/plan.yaml"):
        plan.write_text(plan.read_text().replace("version:", "version: 9  # was", 1).replace("# was ", "# was v"))
    generated = generate(built)
    assert generated.site is not None, generated.validation.errors
    calls = 0
    real_mkdir = Path.mkdir

    def failing_mkdir(path: Path, *args: Any, **kwargs: Any) -> None:  # called before each staged file
        nonlocal calls
        calls += 1
        if calls == 5:
            raise KeyboardInterrupt  # the user pressed Ctrl-C halfway through
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(write_module.Path, "mkdir", failing_mkdir)
    with pytest.raises(KeyboardInterrupt):
        write(built, generated.site)
    assert snapshot(built / "site_src") == before
    assert not [p.name for p in built.iterdir() if p.name.startswith(".site_src")]


def test_build_command_writes_and_builds(built: Path) -> None:
    result = golive("build", "--root", str(built))
    assert result.code == 0, result.err
    count = len(render_site(validate_project(built)).files)
    # after the shipped plans' warnings (rehearsals and series)
    [written] = [line for line in result.out.splitlines() if line.startswith("golive: site_src/")]
    assert written == f"golive: site_src/: 0 added, 0 changed, 0 removed, {count} unchanged"
    assert (built / "site/index.html").exists()
    assert (built / "site/plans/shop-checkout-relaunch/runbook.html").exists()


def test_serve_regenerates_pages_when_a_plan_changes(tmp_path: Path) -> None:
    import time
    import urllib.request

    root = copy_shipped_project(tmp_path / "project")

    def page_when(url: str, predicate: object, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                body = urllib.request.urlopen(url, timeout=2).read().decode()
                if predicate(body):  # type: ignore[operator]
                    return body
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{url} never matched")

    with golive_serve(root) as port:
        url = f"http://127.0.0.1:{port}/plans/social-stories-launch/runbook.html"
        page_when(url, lambda body: "Version <strong>12</strong>" in body)
        plan = root / "plans/social-stories-launch/plan.yaml"
        plan.write_text(plan.read_text().replace("version: 12", "version: 13"))
        page_when(url, lambda body: "Version <strong>13</strong>" in body)
        assert "version: 13" not in (root / "site_src/plans/social-stories-launch/runbook.md").read_text()
        assert "<strong>13</strong>" in (root / "site_src/plans/social-stories-launch/runbook.md").read_text()


def test_calendar_is_what_icalendar_makes_of_all_the_events() -> None:
    from generator.site.calendar import calendar_event

    site = render_site(validate_project(REPO))
    whole = icalendar.Calendar()
    whole.add("prodid", "-//golive//go-live windows//EN")
    whole.add("version", "2.0")
    whole.add("x-wr-calname", "Go-lives")
    for view in sorted(site.plans, key=lambda v: (v.window_start, v.id)):
        whole.add_component(icalendar.Event.from_ical(calendar_event(view)))
    # golive.ics is put together from each plan's event, cached by `golive serve`.
    assert site.files["golive.ics"] == whole.to_ical()


def http_status(port: int, host: str | None) -> str:
    """The status line that the server on 127.0.0.1:port answers to a GET with this Host header (None: none)."""
    import socket

    header = f"Host: {host}\r\n" if host is not None else ""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(f"GET /index.html HTTP/1.1\r\n{header}Connection: close\r\n\r\n".encode())
        answer = b""
        while b"\r\n" not in answer and (chunk := connection.recv(4096)):
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


def test_serve_answers_only_requests_addressed_to_it(tmp_path: Path) -> None:
    import time

    root = copy_shipped_project(tmp_path / "project")
    with golive_serve(root) as port:
        deadline = time.monotonic() + 120
        while True:  # until the first build is served
            try:
                if http_status(port, f"127.0.0.1:{port}") == "HTTP/1.0 200 OK":
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "golive serve never built the site"
            time.sleep(0.2)
        # DNS rebinding: a page at evil.example, its name now resolving to 127.0.0.1.
        assert http_status(port, f"evil.example:{port}") == "HTTP/1.0 403 Forbidden"
        assert http_status(port, "evil.example") == "HTTP/1.0 403 Forbidden"
        assert http_status(port, f"127.0.0.1.evil.example:{port}") == "HTTP/1.0 403 Forbidden"
        assert http_status(port, f"127.0.0.1:{port + 1}") == "HTTP/1.0 403 Forbidden"
        assert http_status(port, None) == "HTTP/1.0 403 Forbidden"
        assert http_status(port, f"localhost:{port}") == "HTTP/1.0 200 OK"
        assert http_status(port, f"LocalHost:{port}") == "HTTP/1.0 200 OK"
        assert http_status(port, f"[::1]:{port}") == "HTTP/1.0 200 OK"


@pytest.mark.parametrize(
    ("header", "host", "allowed"),
    [
        ("127.0.0.1:8000", "127.0.0.1", True),
        ("localhost:8000", "127.0.0.1", True),
        ("localhost.:8000", "127.0.0.1", True),
        ("[::1]:8000", "::1", True),
        ("localhost:8000", "::1", True),
        ("localhost", "127.0.0.1", False),  # port 80 implied
        ("evil.example:8000", "127.0.0.1", False),
        ("127.0.0.1:8000:8000", "127.0.0.1", False),
        ("127.0.0.1:80x", "127.0.0.1", False),
        ("", "127.0.0.1", False),
        ("192.168.1.5:8000", "192.168.1.5", True),
        ("localhost:8000", "192.168.1.5", False),
        ("192.168.1.5:8000", "0.0.0.0", True),  # bound to every address: any IP address
        ("evil.example:8000", "0.0.0.0", False),
    ],
)
def test_host_header_check(header: str, host: str, allowed: bool) -> None:
    from generator.hosts import host_allowed

    assert host_allowed(header, host, 8000) is allowed


def test_overview_names_the_step_a_warning_is_about(tmp_path: Path) -> None:
    from conftest import DATA, make_project

    root = make_project(tmp_path / "project", DATA / "invalid/warning-step-owner-without-phone")
    overview = render_site(validate_project(root)).files["plans/shop/index.md"]
    assert isinstance(overview, bytes)
    assert (
        "- steps\\[3\\].owner (smoke, \"Run checkout smoke tests\"): step owner 'mia' has no phone number"
        in overview.decode()
    )
