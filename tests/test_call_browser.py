"""`golive call` in Chromium: two people on one call see each other's entries within 2 seconds,
hostile text stays text, entries from a terminal show up too, and the now panel says where we are.

One call server (on a free port of 127.0.0.1, from a background thread) serves a copy of the base
project whose window started half an hour ago, so that "now" is inside it for the log and the page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, expect

from conftest import REPO, TIMEOUT_MS, build_project, make_project
from generator import api
from generator.call.logbook import NewEntry, append_entry
from generator.call.server import CallServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLAN = "shop"
ZONE = ZoneInfo("Europe/London")
SHOWN_WITHIN_MS = 2_000  # every open page shows an entry within 2 s (issue 14)
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
SHOTS = Path("/tmp/call-shots")


def call_project(root: Path) -> Path:
    """The base project, its window moved to start 30 minutes ago, with an empty log."""
    make_project(root)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    folder = root / "plans" / PLAN
    (folder / "log.yaml").unlink()
    (folder / "postmortem.yaml").unlink()  # it speaks of the old window
    start = dt.datetime.now(ZONE).replace(second=0, microsecond=0, tzinfo=None) - dt.timedelta(minutes=30)
    plan = (folder / "plan.yaml").read_text(encoding="utf-8")
    plan = plan.replace("start: 2026-12-05 22:00", f"start: {start:%Y-%m-%d %H:%M}")
    plan = plan.replace("end: 2026-12-06 02:00", f"end: {start + dt.timedelta(hours=4):%Y-%m-%d %H:%M}")
    plan = plan.replace('start: "23:00"', f'start: "{start + dt.timedelta(hours=1):%H:%M}"')
    (folder / "plan.yaml").write_text(plan, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def call(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallServer]:
    root = call_project(tmp_path_factory.mktemp("call") / "project")
    build_project(root)
    server = api.call(root, PLAN, port=0)
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="module")
def people(browser: Browser) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    """Two people on the call: each their own browser context (cookies, storage)."""
    first = browser.new_context(viewport={"width": 1280, "height": 800})
    second = browser.new_context(viewport={"width": 1280, "height": 800})
    for context in (first, second):
        context.set_default_timeout(TIMEOUT_MS)
    yield first, second
    first.close()
    second.close()


def join(context: BrowserContext, server: CallServer) -> tuple[Page, list[str]]:
    """Open the join link in `context`; return the runbook page and the dialogs it opened."""
    page = context.new_page()
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(server.join_link)
    expect(page).to_have_url(re.compile(rf"/plans/{PLAN}/runbook\.html$"))
    expect(page.locator("#golive-now .golive-call__connection")).to_have_text("● live")
    return page, dialogs


def logged(server: CallServer) -> list[dict[str, object]]:
    path = server.root / "plans" / PLAN / "log.yaml"
    if not path.exists():
        return []
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("entries") or []


def row(page: Page, step: str) -> Locator:
    """The schedule's row of `step`, found by its done control."""
    return page.locator(f'tr:has([data-step="{step}"])')


def test_two_people_on_one_call(call: CallServer, people: tuple[BrowserContext, BrowserContext]) -> None:
    a, _ = join(people[0], call)
    b, b_dialogs = join(people[1], call)
    now_a, now_b = a.locator("#golive-now"), b.locator("#golive-now")

    # Nothing logged yet: the first step is next, with its owner and a number to tap.
    next_b = now_b.locator(".golive-call__next")
    expect(next_b).to_contain_text("#1 Announce code freeze")
    expect(next_b).to_contain_text("Ana Souza")
    expect(next_b.locator('a[href="tel:+442079460018"]')).to_have_count(1)
    expect(now_b.locator(".golive-call__progress")).to_have_text("No step in progress")

    # Nobody picked: the action is refused politely, and nothing is written.
    a.locator('[data-step="freeze"]').click()
    expect(row(a, "freeze")).to_contain_text("Pick who you are first")
    assert logged(call) == []

    # A starts the first step: B sees it in progress.
    a.select_option("#golive-call-by", "ana")
    a.locator('[data-start-step="freeze"]').click()
    progress_b = now_b.locator(".golive-call__progress")
    expect(progress_b).to_contain_text("#1 Announce code freeze", timeout=SHOWN_WITHIN_MS)
    expect(progress_b).to_contain_text("Ana Souza · started")
    expect(row(b, "freeze")).to_have_class(re.compile("golive-call__row--started"))

    # A marks it done: B shows it done, without a reload; the log holds it once; the next step is next.
    a.locator('[data-step="freeze"]').click()
    expect(row(b, "freeze")).to_have_class(re.compile("golive-call__row--done"), timeout=SHOWN_WITHIN_MS)
    expect(b.locator('[data-step="freeze"]')).to_have_text("Done ✓")
    expect(row(b, "freeze").locator("td").nth(9)).to_have_text("AS")
    done = [e for e in logged(call) if e.get("kind") == "step-done" and e.get("step") == "freeze"]
    assert len(done) == 1 and done[0]["by"] == "ana"
    expect(next_b).to_contain_text("#2 Snapshot the orders database")
    expect(next_b.locator('a[href="tel:+912255501234"]')).to_have_count(1)

    # A logs an issue in hostile words: B shows them as text, runs nothing, adds no element.
    a.select_option(".golive-call__kind", "issue")
    a.select_option(".golive-call__severity", "sev2")
    a.fill(".golive-call__text", HOSTILE)
    a.locator(".golive-call__send").click()
    expect(a.locator(".golive-call__text")).to_have_value("")  # cleared once the server took it
    entry_b = now_b.locator(".golive-call__entry-text", has_text=HOSTILE)
    expect(entry_b).to_have_text(HOSTILE, timeout=SHOWN_WITHIN_MS)
    assert now_b.locator("img, script").count() == 0
    assert b_dialogs == []
    issue = [e for e in logged(call) if e.get("kind") == "issue"]
    assert len(issue) == 1 and issue[0]["text"] == HOSTILE and issue[0]["severity"] == "sev2"

    # A terminal's `golive log` (the same append): both pages show it. It is timed 40 minutes
    # ago, so it lands first in log.yaml and every later entry moves: still nothing twice.
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=40)
    at = start.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    append_entry(
        call.root, PLAN, NewEntry(None, "step-started", "dev", step="backup-db", at=at), dt.datetime.now(dt.UTC)
    )
    append_entry(call.root, PLAN, NewEntry("Bridge moved to room 2", "note", "raj"), dt.datetime.now(dt.UTC))
    for page in (a, b):
        now = page.locator("#golive-now")
        expect(now.locator(".golive-call__entry-text", has_text="Bridge moved to room 2")).to_have_count(
            1, timeout=SHOWN_WITHIN_MS
        )
        # Started 40 minutes ago, planned for 25: in progress, and late.
        late = now.locator(".golive-call__progress li", has_text="#2 Snapshot the orders database")
        expect(late).to_contain_text("Devi Raman")
        expect(late).to_have_class("golive-call__late")
        expect(late).to_contain_text("late by")
        expect(now.locator(".golive-call__entry")).to_have_count(len(logged(call)))
    assert now_a.locator(".golive-call__entry-text", has_text=HOSTILE).count() == 1

    # A resolves the issue: the form offers the open issue, and it is gone from the list afterwards.
    a.select_option(".golive-call__kind", "resolution")
    a.select_option(".golive-call__resolves", str(issue[0]["id"]))
    a.fill(".golive-call__text", "Rolled the key")
    a.locator(".golive-call__send").click()
    expect(now_b.locator(".golive-call__entry-text", has_text="Rolled the key")).to_have_count(
        1, timeout=SHOWN_WITHIN_MS
    )
    expect(a.locator(".golive-call__resolves option")).to_have_count(1)

    # A refusal shows the server's words and keeps what was typed (a person the plan does not know).
    count = len(logged(call))
    a.evaluate("""() => {
        const picker = document.getElementById("golive-call-by");
        picker.append(new Option("Nobody", "nobody"));
        picker.value = "nobody";
    }""")
    a.select_option(".golive-call__kind", "note")
    a.fill(".golive-call__text", "Not from here")
    a.locator(".golive-call__send").click()
    expect(a.locator(".golive-call__form-message")).to_contain_text("Not logged: ")
    expect(a.locator(".golive-call__form-message")).to_contain_text("nobody")
    expect(a.locator(".golive-call__text")).to_have_value("Not from here")
    assert len(logged(call)) == count


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_runbook_with_the_panel_on_screens(call: CallServer, browser: Browser, width: int, height: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, timezone_id="America/New_York")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page, _ = join(context, call)
        expect(page.locator("#golive-now .golive-call__next li").first).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"runbook-{width}x{height}.png"))
        page.locator("#golive-now").screenshot(path=str(SHOTS / f"panel-{width}x{height}.png"))
        page.locator(".golive-schedule").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"runbook-{width}x{height}-schedule.png"))
        # The viewer's own clock is shown beside the plan's when the zones differ.
        expect(page.locator(".golive-call__own")).to_contain_text("America/New_York")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        for control in page.locator(
            ".golive-call__button:visible, #golive-now select:visible, .golive-call__tel"
        ).all():
            box = control.bounding_box()
            assert box is not None and box["height"] >= 40, control.evaluate("e => e.outerHTML")
        page.emulate_media(media="print")
        expect(page.locator("#golive-now")).to_be_hidden()
        expect(page.locator(".golive-call-controls").first).to_be_hidden()
    finally:
        context.close()


def test_log_page_shows_the_panel_and_new_entries(
    call: CallServer, people: tuple[BrowserContext, BrowserContext]
) -> None:
    page = people[1].new_page()
    page.goto(call.origin + f"/plans/{PLAN}/log.html")
    now = page.locator("#golive-now")
    expect(now.locator(".golive-call__connection")).to_have_text("● live")
    append_entry(call.root, PLAN, NewEntry("Checked from the log page", "note", "mia"), dt.datetime.now(dt.UTC))
    expect(now.locator(".golive-call__entry-text", has_text="Checked from the log page")).to_have_count(
        1, timeout=SHOWN_WITHIN_MS
    )
    page.close()


def test_forecast_alarm_and_countdowns(call: CallServer, browser: Browser) -> None:
    """The forecast as the server pushes it (here routed, with an alarm): its line, the alarm as an
    alert, and countdowns that run with the clock; an update sent twice shows its entries once."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def iso(minutes: int) -> str:
        return (now + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")

    alarm = "latest rollback start 14:12 (in 12 min), before the point of no return"
    forecast = {
        "line": f"forecast end 15:33, 15 min late; latest rollback start in 12 min; ALARM: {alarm}",
        "end": iso(90),
        "slip_minutes": 15,
        "window_end": iso(200),
        "past_window": False,
        "point_of_no_return": iso(40),
        "latest_rollback_start": iso(12),
        "next_gate": {"id": "go-no-go", "before": "deploy-app", "at": iso(-1)},  # its step not started yet
        "alarm": alarm,
        "in_progress": [],
        "next": [],
    }
    try:
        page = context.new_page()
        page.goto(call.join_link)
        state = page.evaluate("() => fetch('/_golive/state').then((r) => r.json())")
        update = {"from": 0, "entries": state["entries"], "status": {**state["status"], "forecast": forecast}}
        event = f"event: update\ndata: {json.dumps(update)}\n\n"
        page.route(
            "**/_golive/events",
            lambda route: route.fulfill(
                status=200, headers={"Content-Type": "text/event-stream"}, body="retry: 60000\n\n" + event * 2
            ),
        )
        page.reload()
        now_panel = page.locator("#golive-now")
        expect(now_panel.get_by_role("alert")).to_have_text(alarm)
        expect(now_panel.locator(".golive-call__forecast")).to_have_text(
            "forecast end 15:33, 15 min late; latest rollback start in 12 min"
        )
        countdowns = now_panel.locator(".golive-call__countdowns li")
        expect(countdowns).to_have_count(3)
        expect(countdowns.nth(0)).to_contain_text("Gate go-no-go (before #3 Deploy checkout 2.0)")
        # A gate whose time has come is due, not passed: its step has not started.
        expect(countdowns.nth(0).locator(".golive-call__countdown")).to_have_text("due now")
        expect(countdowns.nth(2)).to_have_text(re.compile(r"^Latest rollback start \d\d:\d\d in 1[12]:\d\d$"))
        first = countdowns.nth(2).locator(".golive-call__countdown").inner_text()
        expect(countdowns.nth(2).locator(".golive-call__countdown")).not_to_have_text(first)  # it runs
        expect(now_panel.locator(".golive-call__entry")).to_have_count(len(state["entries"]))
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "runbook-forecast-1280x800.png"))
    finally:
        context.close()
