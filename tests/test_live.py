"""Live mode of the runbook (assets/golive-live.js) in headless Chromium.

Ticks are kept in the browser's localStorage, which starts empty for every test: tests that set
the browser's clock get a fresh browser context, the others a tab whose storage is cleared after.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, Dialog, Locator, Page, Route, expect

from conftest import SiteServer, build_project, copy_shipped_project
from generator.check.validate import validate_project
from generator.site.render import render_plan
from generator.site.views.people import Contact, short_names
from generator.site.views.plan import build_plan_view

SHOP = "shop-checkout-relaunch"
RUNBOOK = f"plans/{SHOP}/runbook.html"
TICKED = ("open-bridge", "provider-keys", "deploy-payments-service")
# The shop's window runs Saturday night into Sunday: the clock says which day it is.
CLOCK = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d:\d\d$")
OFFSET = re.compile(r"^T[+-]\d+:\d\d$")
LOG_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """The shipped plans, with the shop relaunch's call still running (in progress): ticks are on."""
    root = copy_shipped_project(tmp_path_factory.mktemp("live") / "project")
    plan = root / "plans" / SHOP / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "\nstatus: completed\n" in text
    plan.write_text(text.replace("\nstatus: completed\n", "\nstatus: in-progress\n"), encoding="utf-8")
    build_project(root)
    served = SiteServer(root / "site")
    yield served
    served.close()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """The shipped plans as they are: the shop relaunch is completed and has a log."""
    root = copy_shipped_project(tmp_path_factory.mktemp("shipped-live") / "project")
    served = SiteServer(build_project(root))
    yield served
    served.close()


def open_runbook(page: Page, site: SiteServer) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site.url(RUNBOOK))
    expect(page.locator(".golive-live__bar")).to_be_visible()
    assert not errors, errors


def row(page: Page, step: str) -> Locator:
    return page.locator(".golive-schedule tbody tr").filter(has=page.locator(f'a[href="#step-{step}"]'))


def box(page: Page, step: str) -> Locator:
    return row(page, step).locator("input.golive-live__done")


def actual(page: Page, step: str) -> Locator:
    return row(page, step).locator("td").nth(8)


def initials(page: Page, step: str) -> Locator:
    return row(page, step).locator("td").nth(9)


def export(page: Page) -> str:
    text = page.evaluate("() => window.goliveLive.exportYaml()")
    assert isinstance(text, str)
    return text


def stored_keys(page: Page) -> list[str]:
    keys = page.evaluate("() => Object.keys(localStorage)")
    assert isinstance(keys, list)
    return sorted(keys)


def test_ticks_show_time_and_initials_and_survive_a_reload(tab: Page, site: SiteServer) -> None:
    open_runbook(tab, site)
    bar = tab.locator(".golive-live__bar")
    expect(bar.locator(".golive-live__clock")).to_have_text(CLOCK)
    expect(bar.locator(".golive-live__offset")).to_have_text(OFFSET)
    # Every step row has a labelled box instead of the printed ☐.
    rows = tab.locator(".golive-schedule tbody tr")
    expect(tab.locator(".golive-schedule input.golive-live__done")).to_have_count(rows.count())
    expect(tab.locator(".golive-schedule td", has_text="☐")).to_have_count(0)
    expect(tab.get_by_role("checkbox", name="Done: Open the bridge, roll call and plan review")).to_be_visible()

    tab.get_by_label("Your id").select_option("raj-patel")
    for step in TICKED:
        box(tab, step).check()
    times = {}
    for step in TICKED:
        expect(box(tab, step)).to_be_checked()
        expect(actual(tab, step)).to_have_text(re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d$"))
        expect(initials(tab, step)).to_have_text("RP")
        times[step] = actual(tab, step).inner_text()
    expect(bar.locator(".golive-live__status")).to_have_text(f"3 of {rows.count()} steps done")

    tab.reload()
    expect(tab.locator(".golive-live__bar")).to_be_visible()
    expect(tab.get_by_label("Your id")).to_have_value("raj-patel")
    for step in TICKED:
        expect(box(tab, step)).to_be_checked()
        expect(actual(tab, step)).to_have_text(times[step])
        expect(initials(tab, step)).to_have_text("RP")
    expect(tab.locator("input.golive-live__done:checked")).to_have_count(len(TICKED))
    expect(bar.locator(".golive-live__clock")).to_have_text(CLOCK)
    expect(bar.locator(".golive-live__offset")).to_have_text(OFFSET)

    # Unticking forgets the step, also after a reload.
    box(tab, TICKED[1]).uncheck()
    expect(actual(tab, TICKED[1])).to_have_text("")
    expect(initials(tab, TICKED[1])).to_have_text("")
    tab.reload()
    expect(tab.locator("input.golive-live__done:checked")).to_have_count(len(TICKED) - 1)
    expect(box(tab, TICKED[1])).not_to_be_checked()


def test_export_appends_to_the_log_and_validates(tab: Page, site: SiteServer, tmp_path: Path) -> None:
    open_runbook(tab, site)
    first = tab.locator("#golive-live").get_attribute("data-people")
    names = tab.locator("#golive-live").get_attribute("data-people-names")
    assert first and names
    first = first.split()[0]
    tab.get_by_label("Your id").select_option(first)
    for step in TICKED:
        box(tab, step).check()
        expect(initials(tab, step)).to_have_text(json.loads(names)[first][1])

    tab.locator(".golive-live__bar").get_by_role("button", name="Copy log entries").click()
    area = tab.locator("textarea.golive-live__export")
    expect(area).to_be_visible()
    text = export(tab)
    expect(area).to_have_value(text)
    assert text.startswith("  - at: ") and text.endswith("\n")
    # The spec's shape, line by line.
    lines = text.splitlines()
    assert len(lines) == 4 * len(TICKED)
    for index, step in enumerate(TICKED):
        at, by, kind, named = lines[4 * index : 4 * index + 4]
        assert re.fullmatch(r"  - at: \d{4}-\d\d-\d\d \d\d:\d\d", at), at
        assert by == f"    by: {first}"
        assert kind == "    kind: step-done"
        assert named == f"    step: {step}"

    root = copy_shipped_project(tmp_path / "p")
    log = root / "plans" / SHOP / "log.yaml"
    original = log.read_text(encoding="utf-8")
    log.write_text(original + text, encoding="utf-8")
    validation = validate_project(root)
    assert validation.ok, validation.errors

    entries: list[dict[str, Any]] = yaml.safe_load(log.read_text(encoding="utf-8"))["entries"]
    added = entries[len(yaml.safe_load(original)["entries"]) :]
    assert [entry["step"] for entry in added] == list(TICKED)
    assert {entry["kind"] for entry in added} == {"step-done"}
    for entry in added:
        assert LOG_TIME.fullmatch(str(entry["at"])), entry


def test_export_is_in_time_order_and_carries_the_offset_when_the_clocks_go_back(
    page: Page, site: SiteServer, tmp_path: Path
) -> None:
    # 01:00-01:59 happens twice in London on 25 Oct 2026. A tick at 01:40 BST and a later one at
    # 01:10 GMT: without the offset, golive would read 01:10 as BST and find the log out of order.
    bst = dt.datetime(2026, 10, 25, 0, 40, tzinfo=dt.UTC)  # 01:40 BST
    page.clock.install(time=bst)
    open_runbook(page, site)
    page.get_by_label("Your id").select_option("raj-patel")
    box(page, "smoke-test").check()
    page.clock.set_system_time(bst + dt.timedelta(minutes=30))  # 01:10 GMT, 30 min later
    box(page, "open-bridge").check()
    expect(actual(page, "open-bridge")).to_have_text("Sun 01:10")
    expect(actual(page, "smoke-test")).to_have_text("Sun 01:40")
    text = export(page)
    assert text.splitlines()[0] == "  - at: 2026-10-25 01:40+01:00"
    assert text.splitlines()[4] == "  - at: 2026-10-25 01:10+00:00"
    assert [line.split(": ")[1] for line in text.splitlines() if "step:" in line] == [
        "smoke-test",
        "open-bridge",
    ]

    root = copy_shipped_project(tmp_path / "p")
    log = root / "plans" / SHOP / "log.yaml"
    log.write_text(log.read_text(encoding="utf-8") + text, encoding="utf-8")
    validation = validate_project(root)
    assert validation.ok, validation.errors


def other_revision(page: Page, site: SiteServer, revision: str) -> None:
    """Serve the runbook as another revision of the plan would be (another published version, a copy)."""

    def rewrite(route: Route) -> None:
        html = route.fetch().text()
        route.fulfill(
            body=re.sub(r'data-revision="[0-9a-f]+"', f'data-revision="{revision}"', html), content_type="text/html"
        )

    page.route(site.url(RUNBOOK), rewrite)


def record(step: str, by: str, at: dt.datetime) -> list[dict[str, Any]]:
    # GMT in London in November: the same wall time as UTC.
    return [
        {"step": step, "kind": "step-done", "at": f"{at:%Y-%m-%d %H:%M}", "by": by, "t": int(at.timestamp() * 1000)}
    ]


def test_another_revision_keeps_its_ticks_and_revisions_go_after_30_days(page: Page, site: SiteServer) -> None:
    now = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    page.clock.install(time=now)
    open_runbook(page, site)
    revision = page.locator("#golive-live").get_attribute("data-revision")
    assert revision and re.fullmatch(r"[0-9a-f]{12}", revision)
    page.get_by_label("Your id").select_option("raj-patel")
    box(page, "open-bridge").check()

    # Opening another revision starts with no ticks, and keeps this one's.
    other = "000000000000"
    other_revision(page, site, other)
    page.reload()
    expect(page.locator("input.golive-live__done")).not_to_have_count(0)
    expect(page.locator("input.golive-live__done:checked")).to_have_count(0)
    assert export(page) == ""
    box(page, "smoke-test").check()
    assert stored_keys(page) == ["golive:by", f"golive:live:{SHOP}:{other}", f"golive:live:{SHOP}:{revision}"]

    # Going back shows this revision's ticks as they were; the other revision's stay too.
    page.unroute(site.url(RUNBOOK))
    page.reload()
    expect(box(page, "open-bridge")).to_be_checked()
    expect(initials(page, "open-bridge")).to_have_text("RP")
    expect(page.locator("input.golive-live__done:checked")).to_have_count(1)
    assert f"golive:live:{SHOP}:{other}" in stored_keys(page)

    # Revisions of any plan whose ticks last changed over 30 days ago are dropped, at the next visit.
    month_old = f"golive:live:{SHOP}:111111111111"
    old_list = f"golive:live:{SHOP}:222222222222"  # a list of ticks, as stored before `changed` was kept
    recent_list = f"golive:live:{SHOP}:333333333333"
    other_plan = "golive:live:mobile-banking-4-2:000000000000"
    before = {
        month_old: {"changed": int((now - dt.timedelta(days=31)).timestamp() * 1000), "events": []},
        old_list: record("open-bridge", "ana-souza", now - dt.timedelta(days=40)),
        recent_list: record("open-bridge", "ana-souza", now - dt.timedelta(days=29)),
        other_plan: record("open-bridge", "ana-souza", now - dt.timedelta(days=31)),
    }
    page.evaluate(
        "(items) => { for (const [k, v] of Object.entries(items)) localStorage.setItem(k, JSON.stringify(v)); }",
        before,
    )
    page.reload()
    expect(box(page, "open-bridge")).to_be_checked()
    assert stored_keys(page) == [
        "golive:by",
        f"golive:live:{SHOP}:{other}",
        recent_list,
        f"golive:live:{SHOP}:{revision}",
    ]

    # A list of ticks stored under the current revision is still read.
    current = f"golive:live:{SHOP}:{revision}"
    page.evaluate("([key, value]) => localStorage.setItem(key, JSON.stringify(value))", [current, before[recent_list]])
    page.reload()
    expect(box(page, "open-bridge")).to_be_checked()
    expect(actual(page, "open-bridge")).to_have_text("Wed 10:00")  # ticked 29 days before
    expect(initials(page, "open-bridge")).to_have_text("AS")


def test_a_tick_before_anyone_picked_an_id_asks_who_is_ticking(page: Page, site: SiteServer) -> None:
    at = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)  # GMT in London: the same wall time
    page.clock.install(time=at)
    open_runbook(page, site)
    picker = page.get_by_label("Your id")
    expect(picker).to_have_value("")
    box(page, "open-bridge").click()
    # Not recorded, and nobody signed for it: the page asks who is ticking.
    expect(box(page, "open-bridge")).not_to_be_checked()
    page.clock.set_system_time(at + dt.timedelta(minutes=1))
    box(page, "provider-keys").click()
    expect(box(page, "provider-keys")).not_to_be_checked()
    expect(initials(page, "open-bridge")).to_have_text("")
    expect(picker).to_be_focused()
    expect(picker).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".golive-live__status")).to_have_text(re.compile("^Who is ticking"))
    assert export(page) == ""
    assert stored_keys(page) == []

    # Once someone is picked, the ticks are recorded with them, at the time of each click.
    page.clock.set_system_time(at + dt.timedelta(minutes=3))
    picker.select_option("raj-patel")
    expect(box(page, "open-bridge")).to_be_checked()
    expect(initials(page, "open-bridge")).to_have_text("RP")
    expect(actual(page, "open-bridge")).to_have_text("Thu 10:00")
    expect(actual(page, "provider-keys")).to_have_text("Thu 10:01")
    expect(picker).not_to_have_attribute("aria-invalid", "true")
    assert export(page) == (
        "  - at: 2026-11-26 10:00\n    by: raj-patel\n    kind: step-done\n    step: open-bridge\n"
        "  - at: 2026-11-26 10:01\n    by: raj-patel\n    kind: step-done\n    step: provider-keys\n"
    )
    # The next ticks sign with the id picked.
    box(page, "smoke-test").check()
    expect(initials(page, "smoke-test")).to_have_text("RP")


def test_clear_asks_first(tab: Page, site: SiteServer) -> None:
    open_runbook(tab, site)
    tab.get_by_label("Your id").select_option("raj-patel")
    box(tab, "open-bridge").check()
    # Ticks kept for another revision of this plan go too (and the question says so); other plans' stay.
    other = f"golive:live:{SHOP}:000000000000"
    other_plan = "golive:live:mobile-banking-4-2:000000000000"
    recent = json.dumps({"changed": int(time.time() * 1000), "events": []})
    tab.evaluate(
        "([a, b, value]) => { localStorage.setItem(a, value); localStorage.setItem(b, value); }",
        [other, other_plan, recent],
    )
    questions: list[str] = []

    def answer(accept: bool) -> Callable[[Dialog], None]:
        def handle(dialog: Dialog) -> None:
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    tab.once("dialog", answer(False))
    tab.locator(".golive-live__bar").get_by_role("button", name="Clear").click()
    expect(box(tab, "open-bridge")).to_be_checked()
    assert other in stored_keys(tab)
    tab.once("dialog", answer(True))
    tab.locator(".golive-live__bar").get_by_role("button", name="Clear").click()
    expect(box(tab, "open-bridge")).not_to_be_checked()
    expect(actual(tab, "open-bridge")).to_have_text("")
    assert questions[-1] == (
        "Clear every tick of this runbook in this browser? "
        "This also clears the ticks kept for 1 other revision of this plan."
    )
    assert other not in stored_keys(tab) and other_plan in stored_keys(tab)
    tab.reload()
    expect(tab.locator("input.golive-live__done:checked")).to_have_count(0)


def test_pages_without_a_live_div_are_untouched(tab: Page, site: SiteServer) -> None:
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    for path in (
        "",
        f"plans/{SHOP}/index.html",
        f"plans/{SHOP}/rollback.html",
        f"plans/{SHOP}/contacts.html",
    ):
        tab.goto(site.url(path))
        expect(tab.locator("article")).to_be_visible()
        expect(tab.locator(".golive-live__bar, input.golive-live__done")).to_have_count(0)
        assert tab.evaluate("() => window.goliveLive === undefined")
    assert not errors, errors


def test_the_clock_of_a_single_date_window_has_no_day(tab: Page, site: SiteServer) -> None:
    tab.goto(site.url("plans/social-stories-launch/runbook.html"))  # Tue 07:00-15:00 Los Angeles
    expect(tab.locator(".golive-live__clock")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))


def test_the_clock_of_a_window_across_midnight_says_the_day(page: Page, site: SiteServer) -> None:
    page.clock.install(time=dt.datetime(2026, 10, 17, 23, 30, tzinfo=dt.UTC))  # Sun 00:30 BST
    open_runbook(page, site)
    expect(page.locator(".golive-live__clock")).to_have_text(re.compile(r"^Sun 00:30:\d\d$"))


def test_initials_show_a_short_name_and_fit_their_cell(browser: Browser, site: SiteServer) -> None:
    for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        open_runbook(page, site)
        picker = page.get_by_label("Your id")
        # The picker names people; the page records their id.
        expect(picker.locator("option[value='raj-patel']")).to_have_text("Raj Patel (RP)")
        picker.select_option("raj-patel")
        box(page, "deploy-payments-service").check()
        cell = initials(page, "deploy-payments-service")
        expect(cell).to_have_text("RP")
        expect(cell).to_have_attribute("title", "Raj Patel")
        assert "by: raj-patel" in export(page)
        # Nothing of it is cut off, on a laptop or on a phone.
        fits = cell.evaluate(
            "td => { const r = td.getBoundingClientRect();"
            " return td.scrollWidth <= td.clientWidth && r.left >= 0 && r.right <= innerWidth; }"
        )
        assert fits, viewport
        context.close()


def test_two_people_with_the_same_initials_get_short_names() -> None:
    contacts = [
        Contact("raj-patel", "Raj Patel", None, None, None, None, None),
        Contact("rita-patel", "Rita Patel", None, None, None, None, None),
        Contact("ana-souza", "Ana Souza", None, None, None, None, None),
        Contact("ana-souza-2", "Ana Souza", None, None, None, None, None),
        Contact("tan", "Tan Wei Ling", None, None, None, None, None),
        Contact("jan", "Jan van der Berg", None, None, None, None, None),
        Contact("lucia", "Lúcia Ferreira", None, None, None, None, None),
    ]
    assert short_names(contacts) == {
        "raj-patel": "Raj P.",
        "rita-patel": "Rita P.",
        "ana-souza": "ana-souza",  # the same name twice: only the id tells them apart
        "ana-souza-2": "ana-souza-2",
        "tan": "TWL",
        "jan": "JB",
        "lucia": "LF",
    }


def logged_result(plan_dir: Path) -> str:
    """What the live bar should say of a finished plan, worked out from its plan.yaml and log.yaml."""
    plan = yaml.safe_load((plan_dir / "plan.yaml").read_text(encoding="utf-8"))
    entries = yaml.safe_load((plan_dir / "log.yaml").read_text(encoding="utf-8"))["entries"]
    steps = {step["id"] for step in plan["steps"]}
    done = {e["step"] for e in entries if e["kind"] == "step-done" and e.get("step") in steps}
    last = max(dt.datetime.fromisoformat(str(e["at"])) for e in entries)
    return f"{len(done)} of {len(steps)} steps done, ended {last:%a %H:%M}"  # the window spans two dates


def test_a_completed_plan_shows_its_logged_result_not_a_clock(tab: Page, shipped: SiteServer) -> None:
    plan_dir = Path(__file__).parent.parent / "plans" / SHOP
    assert yaml.safe_load((plan_dir / "plan.yaml").read_text(encoding="utf-8"))["status"] == "completed"
    open_runbook(tab, shipped)
    bar = tab.locator(".golive-live__bar")
    expect(bar.locator(".golive-live__label")).to_have_text("Completed")
    expect(bar.locator(".golive-live__result")).to_have_text(logged_result(plan_dir))
    # No running clock, no T+ offset, no "0 of N done" and no boxes to tick: the call is over.
    expect(bar.locator(".golive-live__clock, .golive-live__offset, .golive-live__status")).to_have_count(0)
    expect(bar).not_to_contain_text("T+")
    expect(tab.locator("input.golive-live__done")).to_have_count(0)
    expect(bar.get_by_role("link", name="Log")).to_have_attribute("href", "log.html")


def test_a_rolled_back_plan_shows_when_the_rollback_ran(tmp_path: Path) -> None:
    root = copy_shipped_project(tmp_path / "p")
    plan = root / "plans" / SHOP / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("\nstatus: completed\n", "\nstatus: rolled-back\n"), encoding="utf-8"
    )
    log = root / "plans" / SHOP / "log.yaml"
    log.write_text(
        log.read_text(encoding="utf-8")
        + "  - at: 2026-10-18 02:20\n    by: raj-patel\n    kind: rollback-started\n"
        + "  - at: 2026-10-18 02:45\n    by: raj-patel\n    kind: rollback-done\n",
        encoding="utf-8",
    )
    validation = validate_project(root)
    assert validation.ok, validation.errors
    view = build_plan_view(validation, SHOP)
    assert view.live_result is not None
    assert view.live_result.outcome == "rolled-back"
    assert view.live_result.text == "20 of 24 steps done, rollback started Sun 02:20, done Sun 02:45, ended Sun 02:45"
    runbook = render_plan(view)[f"plans/{SHOP}/runbook.md"]
    assert 'data-outcome="rolled-back"' in runbook
    assert 'data-result="20 of 24 steps done, rollback started Sun 02:20, done Sun 02:45, ended Sun 02:45"' in runbook


def test_a_plan_still_to_run_has_no_logged_result(tmp_path: Path) -> None:
    validation = validate_project(copy_shipped_project(tmp_path / "p"))
    for plan_id in ("mobile-banking-4-2", "learning-platform-launch"):  # in progress with a log; a draft
        view = build_plan_view(validation, plan_id)
        assert view.live_result is None
        assert "data-outcome" not in render_plan(view)[f"plans/{plan_id}/runbook.md"]
