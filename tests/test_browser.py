"""The built site in a real browser: Debian's headless chromium driven by Playwright.

The site is served over HTTP on 127.0.0.1 (MkDocs search fetches its index, which
file:// does not allow). One browser for the whole session; tests that only read pages share a context (warm cache),
the others each get a fresh one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import (
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    Request,
    Response,
    Route,
    expect,
)
from playwright.sync_api import Error as PlaywrightError

from conftest import REPO, SiteServer, build_project
from hostile import VECTORS, Field, make_hostile_project, normalise

SHOP = "shop-checkout-relaunch"
# Dashboard sections in their order, and the shipped plan under each.
DASHBOARD_GROUPS = {
    "In progress": ["mobile-banking-4-2"],
    "Approved": ["pay-2026-12", "erp-datacentre-migration", "social-stories-launch"],  # soonest first
    "Draft": ["learning-platform-launch"],
    "Rolled back": ["pay-2026-11"],
    "Completed": ["pay-2026-10", SHOP, "pay-2026-09"],  # latest first
}
REVISION = re.compile(r"[0-9a-f]{12}")


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def shipped_plan(plan_id: str) -> dict[str, Any]:
    return load_yaml(REPO / "plans" / plan_id / "plan.yaml")


def tel(phone: str) -> str:
    return "tel:" + re.sub(r"[^+0-9]", "", phone)


# --- helpers -------------------------------------------------------------------------


def content(page: Page) -> Locator:
    """The article of a Material page (not the navigation or header)."""
    return page.locator("article.md-content__inner")


def search(page: Page, query: str) -> None:
    """Type into Material's search box and wait for its results."""
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query)
    expect(page.locator(".md-search-result__item").first).to_be_visible()


# Per section of the dashboard (h2), the first link of each table row: the plan's overview.
DASHBOARD_JS = """() => {
  const groups = [];
  for (const h2 of document.querySelectorAll("article.md-content__inner h2")) {
    const heading = h2.firstChild.textContent.trim();
    const rows = [];
    for (let el = h2.nextElementSibling; el && el.tagName !== "H2"; el = el.nextElementSibling) {
      for (const tr of el.querySelectorAll("tbody tr")) {
        const a = tr.querySelector("td:first-child a");
        rows.push({
          title: a ? a.textContent.trim() : null,
          href: a ? a.getAttribute("href") : null,
          revision: (tr.querySelector("code") || {}).textContent || null,
        });
      }
    }
    groups.push({heading, rows});
  }
  return groups;
}"""


def dashboard_groups(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(DASHBOARD_JS)


# --- the shipped site ----------------------------------------------------------------------


def test_dashboard_lists_every_plan_under_its_status(tab: Page, server: SiteServer) -> None:
    tab.goto(server.url())
    groups = dashboard_groups(tab)

    # the plans by status, then the series, each linked to its page
    assert [group["heading"] for group in groups] == [*DASHBOARD_GROUPS, "Series"]
    series = groups.pop()
    assert [(row["title"], row["href"]) for row in series["rows"]] == [
        ("payments-monthly", "series/payments-monthly.html")
    ]
    for group in groups:
        plan_ids = DASHBOARD_GROUPS[group["heading"]]
        titles = [shipped_plan(plan_id)["title"] for plan_id in plan_ids]
        assert [(row["title"], row["href"]) for row in group["rows"]] == [
            (title, f"plans/{plan_id}/index.html") for title, plan_id in zip(titles, plan_ids, strict=True)
        ]
        for title in titles:
            expect(content(tab).get_by_role("link", name=title, exact=True)).to_be_visible()

    shop_title = shipped_plan(SHOP)["title"]
    content(tab).get_by_role("link", name=shop_title, exact=True).click()
    expect(tab).to_have_url(server.url(f"plans/{SHOP}/index.html"))
    expect(content(tab).locator("h1")).to_contain_text(shop_title)


def test_runbook_schedule_timeline_and_revision(tab: Page, server: SiteServer) -> None:
    steps = shipped_plan(SHOP)["steps"]
    tab.goto(server.url(f"plans/{SHOP}/runbook.html"))

    rows = tab.locator(".golive-schedule table tbody tr")
    expect(rows).to_have_count(len(steps))
    # every command block has Material's copy button
    commands = sum(len(step.get("commands", [])) for step in steps)
    copy_buttons = tab.locator('article .highlight button[data-md-type="copy"]')
    expect(copy_buttons.first).to_be_attached()
    assert copy_buttons.count() == commands
    first = rows.first.locator("td")
    expect(first.nth(1)).to_have_text("Sat 22:00")
    expect(first.nth(2)).to_have_text("T+0:00")
    expect(first.nth(4)).to_contain_text(steps[0]["title"])

    bars = tab.locator(".golive-timeline .golive-timeline__bar")
    expect(bars).to_have_count(len(steps))
    critical = tab.locator(".golive-timeline__row.is-critical .golive-timeline__bar")
    assert critical.count() >= 1
    plain = tab.locator(".golive-timeline__row:not(.is-critical) .golive-timeline__bar")
    # The bars are drawn (golive.css is loaded) and the critical path looks different.
    for bar in (critical.first, plain.first):
        box = bar.bounding_box()
        assert box is not None
        assert box["width"] > 0 and box["height"] > 0
    colour = "el => getComputedStyle(el).backgroundColor"
    assert critical.first.evaluate(colour) != plain.first.evaluate(colour)

    revision = tab.locator(".golive-revision code").inner_text()
    assert REVISION.fullmatch(revision), revision

    tab.goto(server.url())
    on_dashboard = [
        row["revision"]
        for group in dashboard_groups(tab)
        for row in group["rows"]
        if row["href"] == f"plans/{SHOP}/index.html"
    ]
    assert on_dashboard == [revision]


def test_rollback_commands_are_code_blocks_with_a_copy_button(tab: Page, server: SiteServer) -> None:
    commands = [c for step in shipped_plan(SHOP)["rollback"]["steps"] for c in step.get("commands", [])]
    assert commands
    tab.goto(server.url(f"plans/{SHOP}/rollback.html"))
    blocks = content(tab).locator(".highlight")
    expect(blocks).to_have_count(len(commands))
    expect(blocks.locator('button[data-md-type="copy"]')).to_have_count(len(commands))
    assert [block.locator("code").inner_text() for block in blocks.all()] == commands


def test_contact_sheet_has_a_row_with_a_phone_link_per_stakeholder(tab: Page, server: SiteServer) -> None:
    stakeholders = shipped_plan(SHOP)["stakeholders"]
    people = {person["id"]: person for person in load_yaml(REPO / "plans/people.yaml")["people"]}
    tab.goto(server.url(f"plans/{SHOP}/contacts.html"))

    # every job in this plan is a stakeholder's, so that no one else follows them
    rows = tab.locator(".golive-contacts table tbody tr")
    expect(rows).to_have_count(len(stakeholders))
    for index, stakeholder in enumerate(stakeholders):
        person = people[stakeholder["person"]]
        cells = rows.nth(index).locator("td")
        expect(cells.nth(1)).to_have_text(stakeholder["role"])
        expect(cells.nth(2)).to_have_text(person["name"])
        phone = cells.nth(4).locator("a")
        expect(phone).to_have_text(person["phone"])
        expect(phone).to_have_attribute("href", tel(person["phone"]))

    # Two numbers checked by literal value, independent of the tel() helper above.
    assert people["ana-souza"]["phone"] == "+44 20 7946 0018"
    expect(rows.nth(0).locator('a[href="tel:+442079460018"]')).to_have_text("+44 20 7946 0018")
    assert people["priya-nair"]["phone"] == "+91 80 5555 0142"
    expect(rows.nth(3).locator('a[href="tel:+918055550142"]')).to_have_text("+91 80 5555 0142")


def test_search_finds_a_step_by_its_title(tab: Page, server: SiteServer) -> None:
    step = next(s for s in shipped_plan(SHOP)["steps"] if s["id"] == "reconcile-first-orders")
    assert "Reconcile" in step["title"]
    tab.goto(server.url())
    search(tab, "Reconcile")

    target = server.url(f"plans/{SHOP}/runbook.html")
    # Material lists the page, then its matching sections: the step's own section links to its anchor.
    hit = tab.locator(f'.md-search-result__item a.md-search-result__link[href^="{target}"][href$="#step-{step["id"]}"]')
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text(step["title"])
    hit.click()
    expect(tab).to_have_url(re.compile(re.escape(target) + r".*#step-" + step["id"] + "$"))
    expect(content(tab).locator("h1")).to_contain_text("Runbook")


def test_pages_only_talk_to_the_local_server(page: Page, server: SiteServer) -> None:
    requests: list[str] = []
    errors: list[str] = []
    broken: list[str] = []

    def outside_host(route: Route) -> None:
        route.abort()  # never leave the machine; the request is still recorded below

    page.context.route(re.compile(r"^(?!" + re.escape(server.origin) + r"/)(?!data:).*"), outside_host)
    page.on("request", lambda request: requests.append(request.url))
    cancelled: list[str] = []

    def on_failed(request: Request) -> None:
        # Going to the next page cancels what the last one was still loading (Material starts its
        # search worker after the page's load; on a busy machine the worker's script can still be
        # on its way): net::ERR_ABORTED from this server. That is no broken link; it is fetched
        # again below, and must be served.
        if request.failure == "net::ERR_ABORTED" and request.url.startswith(server.origin + "/"):
            cancelled.append(request.url)
        else:
            broken.append(f"{request.url} {request.failure}")

    page.on("requestfailed", on_failed)

    def on_response(response: Response) -> None:
        if response.status >= 400:
            broken.append(f"{response.url} {response.status}")

    page.on("response", on_response)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} at {message.location}")

    page.on("console", on_console)

    for path in ("", f"plans/{SHOP}/runbook.html", f"plans/{SHOP}/contacts.html"):
        page.goto(server.url(path), wait_until="networkidle")
    page.goto(server.url())
    search(page, "Reconcile")
    page.wait_for_load_state("networkidle")

    assert requests, "no request recorded"
    assert any(url.endswith("search/search_index.json") for url in requests), requests
    outside = [url for url in requests if not url.startswith(server.origin + "/") and not url.startswith("data:")]
    assert outside == []
    assert broken == []
    assert [url for url in cancelled if not page.request.get(url).ok] == []
    assert errors == []


# --- hostile input -------------------------------------------------------------------------
#
# tests/hostile.py writes a payload into every author-written field of a plan tree (people,
# checklists, plan, steps, rollback, channels, monitoring, communications, log, post-mortem):
# HOSTILE_FIELDS fields, each carrying every one of the HOSTILE_VECTORS vectors. One site is
# built from it; every page is opened and every link on it clicked.

HOSTILE_FIELDS = 58
HOSTILE_VECTORS = len(VECTORS) + 1  # and golive's block markers around a script, on lines of their own


@dataclass
class HostileSite:
    server: SiteServer
    fields: list[Field]
    pages: list[str]  # every page of the built site, relative to its root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileSite]:
    root, fields = make_hostile_project(tmp_path_factory.mktemp("hostile") / "p")
    site = build_project(root)
    pages = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    served = SiteServer(site)
    yield HostileSite(served, fields, pages)
    served.close()


def _outside(server: SiteServer) -> re.Pattern[str]:
    """Any URL but the local server's (and data: URLs, which Material's stylesheets use for icons)."""
    return re.compile(r"^(?!" + re.escape(server.origin) + r"/)(?!data:).*")


def _open_hostile(page: Page, hostile: SiteServer, path: str) -> list[str]:
    """Open a page of the hostile site (nothing may leave the machine); return its uncaught errors."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(_outside(hostile), lambda route: route.abort())
    page.goto(hostile.url(path))  # "load": inline scripts and image errors have happened by then
    return errors


# Everything the hostile fields could have turned into, listed so that a failure shows all of it.
ACTIVE_CONTENT_JS = """() => {
  const where = el => {
    const path = [];
    for (let e = el.parentElement; e && path.length < 4; e = e.parentElement) {
      path.push(e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : ""));
    }
    return el.outerHTML.slice(0, 120) + " in " + path.join(" < ");
  };
  const all = selector => [...document.querySelectorAll(selector)];
  const local = url => new URL(url, location.href).origin === location.origin;
  return {
    scripts: all("script").filter(s => /alert|evil/.test(s.textContent)).map(where),
    handlers: all("*").filter(el => [...el.attributes].some(a => /^on/i.test(a.name))).map(where),
    autofocus: all("[autofocus]").map(where),
    svg: all("article svg, main svg").filter(el => !el.closest(".md-icon, .twemoji, label")).map(where),
    frames: all("iframe, frame, object, embed").map(where),
    remote: all("[src]").filter(el => !local(el.getAttribute("src"))).map(where),
    links: all("a[href]")
      .filter(a => !["http:", "https:", "mailto:", "tel:"].includes(a.protocol) || /^mailto:.*[?&]/.test(a.href))
      .map(where),
    hosts: document.body.innerText.includes("localhost"),  // --8<-- "/etc/hosts" was not included
  };
}"""
NOTHING_ACTIVE: dict[str, object] = {
    "scripts": [],
    "handlers": [],
    "autofocus": [],
    "svg": [],
    "frames": [],
    "remote": [],
    "links": [],
    "hosts": False,
}
# The links of a page, each as the browser resolved it.
LINKS_JS = """() => [...document.querySelectorAll("a[href]")].map(a => a.href)"""
# Click the links that keep the page (anchors, and what a browser does not fetch: javascript:,
# data:, mailto:, tel:); the others are clicked one by one, each from a fresh copy of the page.
CLICK_IN_PLACE_JS = """() => {
  const here = location.href.split("#")[0];
  let clicked = 0;
  for (const a of document.querySelectorAll("a[href]")) {
    const http = a.protocol === "http:" || a.protocol === "https:";
    if (!http || (a.hash && a.href.split("#")[0] === here)) { a.click(); clicked++; }
  }
  return clicked;
}"""
# After the evaluation has returned: the click leaves the page.
CLICK_JS = """href => {
  const a = [...document.querySelectorAll("a[href]")].find(a => a.href === href);
  setTimeout(() => a.click());
}"""
NEW_TAB_JS = """href => [...document.querySelectorAll("a[href]")].find(a => a.href === href).target === "_blank" """
PAGE_TEXT_JS = """() => (document.querySelector("article") || document.querySelector("main")).innerText"""


def test_hostile_tree_runs_loads_and_links_nothing_and_shows_every_payload_as_text(
    page: Page, hostile: HostileSite
) -> None:
    assert len(hostile.fields) == HOSTILE_FIELDS and HOSTILE_VECTORS == 12  # 12 vectors x 58 fields
    server = hostile.server
    dialogs: list[str] = []
    errors: list[str] = []
    requests: list[Request] = []
    context = page.context

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.page and dialog.page.url}: {dialog.message}")
        dialog.dismiss()

    context.on("dialog", on_dialog)
    context.on("weberror", lambda error: errors.append(f"{error.page and error.page.url}: {error.error}"))
    context.on("request", lambda request: requests.append(request))
    # Nothing leaves the machine: another host's answer is made here (a page, so that a click
    # on a link to it ends like any other click).
    context.route(_outside(server), lambda route: route.fulfill(content_type="text/plain", body="another host"))

    texts: dict[str, str] = {}
    active: dict[str, object] = {}
    clicked_away: set[str] = set()  # links that leave the page: each destination clicked once
    clicks = 0

    opened = {"url": ""}

    def stay(route: Route) -> None:
        """The tab goes only to the page being read. A click that would take it elsewhere is
        answered "204 No Content", so the tab stays where it is and the next link is clicked
        without loading the page again; the pages it would have gone to are read in turn anyway."""
        request = route.request
        if request.is_navigation_request() and request.frame.parent_frame is None and request.url != opened["url"]:
            route.fulfill(status=204)
        else:
            route.fallback()

    view = context.new_page()
    view.route(re.compile(".*"), stay)
    for path in hostile.pages:
        url = opened["url"] = server.url(path)
        try:
            view.goto(url)
        except PlaywrightError as error:
            # A tel: or mailto: link clicked on the page before may still be handing itself to the
            # system, which aborts this opening on a busy machine: open the page again.
            if "net::ERR_ABORTED" not in error.message:
                raise
            view.goto(url)
        found = view.evaluate(ACTIVE_CONTENT_JS)
        if found != NOTHING_ACTIVE:
            active[path] = found
        texts[path] = normalise(view.evaluate(PAGE_TEXT_JS))
        links = view.evaluate(LINKS_JS)
        for href in links:
            in_place = not href.startswith(("http:", "https:")) or ("#" in href and href.split("#")[0] == url)
            if in_place or href in clicked_away:
                continue
            clicked_away.add(href)
            if view.evaluate(NEW_TAB_JS, href):  # Material's footer link opens a new tab
                with context.expect_page() as tab:
                    view.evaluate(CLICK_JS, href)
                tab.value.wait_for_load_state("domcontentloaded")
                tab.value.close()
            else:
                with view.expect_event("request", lambda request: request.is_navigation_request()):
                    view.evaluate(CLICK_JS, href)
            assert view.url == url, f"{href} left the page it was clicked on"
            clicks += 1
        clicks += view.evaluate(CLICK_IN_PLACE_JS)
    view.close()

    # Requests over the network to another host (tel: and mailto: clicks ask the system for an
    # application, which a browser does not do unless a person clicks).
    network = ("http", "https", "ws", "wss", "ftp")
    outside = [r for r in requests if urlsplit(r.url).scheme in network and not r.url.startswith(server.origin + "/")]
    loads = [f"{r.resource_type} {r.url}" for r in outside if not r.is_navigation_request()]
    # Going where a link the author wrote points, when it is clicked, is what a link is for.
    unclicked = [r.url for r in outside if r.is_navigation_request() and r.url not in clicked_away]
    missing = [f.path for f in hostile.fields if f.shown and not any(f.shown in text for text in texts.values())]
    print(
        f"\nhostile site: {HOSTILE_VECTORS} vectors x {len(hostile.fields)} fields, {len(texts)} pages opened,"
        f" {clicks} links clicked; {len(dialogs)} dialogs, {len(loads)} outside loads,"
        f" {len(outside) - len(loads)} outside navigations (all from clicked author links: {not unclicked})"
    )
    assert active == {}
    assert dialogs == []
    assert loads == []
    assert unclicked == []
    assert missing == []
    assert errors == []
    assert len(texts) >= 14 and clicks > 100


def test_hostile_step_title_keeps_the_schedule_table_intact(tab: Page, hostile: HostileSite) -> None:
    title = next(f for f in hostile.fields if f.path == "plan.yaml steps[0].title")
    _open_hostile(tab, hostile.server, "plans/shop/runbook.html")
    table = tab.locator(".golive-schedule table")
    columns = table.locator("thead th").count()
    assert columns == 10
    row = table.locator("tbody tr").first
    expect(row.locator("td")).to_have_count(columns)
    assert normalise(row.locator("td").nth(4).inner_text()) == title.shown
    expect(row.locator("td").nth(5)).to_contain_text("f01 ")  # people.yaml name of the owner


def test_hostile_plan_title_in_the_dashboard_and_the_navigation(tab: Page, hostile: HostileSite) -> None:
    title = next(f for f in hostile.fields if f.path == "plan.yaml title")
    _open_hostile(tab, hostile.server, "")
    link = content(tab).locator('a[href="plans/shop/index.html"]').first
    assert normalise(link.inner_text()) == title.shown
    tab.goto(hostile.server.url("plans/shop/index.html"))
    # The navigation (pruned to the active go-live) names the plan by its title too: as text,
    # neither run nor escaped twice.
    nav_titles = tab.locator("nav.md-nav--primary .md-nav__link").all_text_contents()
    assert title.shown in [normalise(text) for text in nav_titles]


def test_hostile_channel_and_dashboard_names_are_link_labels_as_written(tab: Page, hostile: HostileSite) -> None:
    _open_hostile(tab, hostile.server, "plans/shop/index.html")
    for path, href in (
        ("plan.yaml channels[0].name", "plan.yaml channels[0].link"),
        ("plan.yaml monitoring[0].name", "plan.yaml monitoring[0].link"),
    ):
        name = next(f for f in hostile.fields if f.path == path)
        link = next(f for f in hostile.fields if f.path == href)
        label = content(tab).locator("a", has_text=name.shown.split()[0])
        expect(label).to_have_count(1)
        assert normalise(label.inner_text()) == name.shown
        assert label.get_attribute("href") == link.value
        assert label.locator("*").count() == 0  # no link, image or emphasis inside


def test_hostile_search_results_show_the_markup_as_text(tab: Page, hostile: HostileSite) -> None:
    _open_hostile(tab, hostile.server, "")
    search(tab, "wzxhzdk")
    results = tab.locator(".md-search-result")
    expect(results).to_contain_text("<img src=x")
    assert results.locator("img, [onerror], script, iframe, svg:not(.md-icon svg)").count() == 0
