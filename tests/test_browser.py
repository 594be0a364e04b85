"""The built site in a real browser: Debian's headless chromium driven by Playwright.

The site is served over HTTP on 127.0.0.1 (MkDocs search fetches its index, which
file:// does not allow). One browser for the whole session, a fresh context per test.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import (
    ConsoleMessage,
    Locator,
    Page,
    Response,
    Route,
    expect,
)

from conftest import REPO, SiteServer, build_project, make_project

SHOP = "shop-checkout-relaunch"
# Dashboard sections in their order, and the shipped plan under each.
DASHBOARD_GROUPS = {
    "In progress": "mobile-banking-4-2",
    "Approved": "social-stories-launch",
    "Draft": "learning-platform-launch",
    "Completed": SHOP,
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


def test_dashboard_lists_every_plan_under_its_status(page: Page, server: SiteServer) -> None:
    page.goto(server.url())
    groups = dashboard_groups(page)

    assert [group["heading"] for group in groups] == list(DASHBOARD_GROUPS)
    for group in groups:
        plan_id = DASHBOARD_GROUPS[group["heading"]]
        title = shipped_plan(plan_id)["title"]
        assert [(row["title"], row["href"]) for row in group["rows"]] == [(title, f"plans/{plan_id}/index.html")]
        expect(content(page).get_by_role("link", name=title, exact=True)).to_be_visible()

    shop_title = shipped_plan(SHOP)["title"]
    content(page).get_by_role("link", name=shop_title, exact=True).click()
    expect(page).to_have_url(server.url(f"plans/{SHOP}/index.html"))
    expect(content(page).locator("h1")).to_contain_text(shop_title)


def test_runbook_schedule_timeline_and_revision(page: Page, server: SiteServer) -> None:
    steps = shipped_plan(SHOP)["steps"]
    page.goto(server.url(f"plans/{SHOP}/runbook.html"))

    rows = page.locator(".golive-schedule table tbody tr")
    expect(rows).to_have_count(len(steps))
    # every command block has Material's copy button
    commands = sum(len(step.get("commands", [])) for step in steps)
    copy_buttons = page.locator('article .highlight button[data-md-type="copy"]')
    expect(copy_buttons.first).to_be_attached()
    assert copy_buttons.count() == commands
    first = rows.first.locator("td")
    expect(first.nth(1)).to_have_text("22:00")
    expect(first.nth(2)).to_have_text("T+0:00")
    expect(first.nth(4)).to_contain_text(steps[0]["title"])

    bars = page.locator(".golive-timeline .golive-timeline__bar")
    expect(bars).to_have_count(len(steps))
    critical = page.locator(".golive-timeline__row.is-critical .golive-timeline__bar")
    assert critical.count() >= 1
    plain = page.locator(".golive-timeline__row:not(.is-critical) .golive-timeline__bar")
    # The bars are drawn (golive.css is loaded) and the critical path looks different.
    for bar in (critical.first, plain.first):
        box = bar.bounding_box()
        assert box is not None
        assert box["width"] > 0 and box["height"] > 0
    colour = "el => getComputedStyle(el).backgroundColor"
    assert critical.first.evaluate(colour) != plain.first.evaluate(colour)

    revision = page.locator(".golive-revision code").inner_text()
    assert REVISION.fullmatch(revision), revision

    page.goto(server.url())
    on_dashboard = [
        row["revision"]
        for group in dashboard_groups(page)
        for row in group["rows"]
        if row["href"] == f"plans/{SHOP}/index.html"
    ]
    assert on_dashboard == [revision]


def test_contact_sheet_has_a_row_with_a_phone_link_per_stakeholder(page: Page, server: SiteServer) -> None:
    stakeholders = shipped_plan(SHOP)["stakeholders"]
    people = {person["id"]: person for person in load_yaml(REPO / "plans/people.yaml")["people"]}
    page.goto(server.url(f"plans/{SHOP}/contacts.html"))

    rows = page.locator(".golive-contacts table tbody tr")
    expect(rows).to_have_count(len(stakeholders))
    for index, stakeholder in enumerate(stakeholders):
        person = people[stakeholder["person"]]
        cells = rows.nth(index).locator("td")
        expect(cells.nth(1)).to_have_text(stakeholder["role"])
        expect(cells.nth(2)).to_have_text(person["name"])
        phone = cells.nth(3).locator("a")
        expect(phone).to_have_text(person["phone"])
        expect(phone).to_have_attribute("href", tel(person["phone"]))

    # Two numbers checked by literal value, independent of the tel() helper above.
    assert people["ana-souza"]["phone"] == "+44 20 7946 0018"
    expect(rows.nth(0).locator('a[href="tel:+442079460018"]')).to_have_text("+44 20 7946 0018")
    assert people["priya-nair"]["phone"] == "+91 80 5555 0142"
    expect(rows.nth(3).locator('a[href="tel:+918055550142"]')).to_have_text("+91 80 5555 0142")


def test_search_finds_a_step_by_its_title(page: Page, server: SiteServer) -> None:
    step = next(s for s in shipped_plan(SHOP)["steps"] if s["id"] == "reconcile-first-orders")
    assert "Reconcile" in step["title"]
    page.goto(server.url())
    search(page, "Reconcile")

    target = server.url(f"plans/{SHOP}/runbook.html")
    # Material lists the page, then its matching sections: the step's own section links to its anchor.
    hit = page.locator(
        f'.md-search-result__item a.md-search-result__link[href^="{target}"][href$="#step-{step["id"]}"]'
    )
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text(step["title"])
    hit.click()
    expect(page).to_have_url(re.compile(re.escape(target) + r".*#step-" + step["id"] + "$"))
    expect(content(page).locator("h1")).to_contain_text("Runbook")


def test_pages_only_talk_to_the_local_server(page: Page, server: SiteServer) -> None:
    requests: list[str] = []
    errors: list[str] = []
    broken: list[str] = []

    def outside_host(route: Route) -> None:
        route.abort()  # never leave the machine; the request is still recorded below

    page.context.route(re.compile(r"^(?!" + re.escape(server.origin) + r"/)(?!data:).*"), outside_host)
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: broken.append(f"{request.url} {request.failure}"))

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
    assert errors == []


# --- hostile input -------------------------------------------------------------------------

HOSTILE_TITLE = "<script>window.__pwned=1</script> Launch | pipes"
HOSTILE_STEP = 'Snapshot | orders <img src=x onerror="window.__pwned=2"> db'
HOSTILE_ROLE = "Lead <b>bold</b>"
HOSTILE_INSTRUCTIONS = "\n\n".join(
    [
        "Post the freeze notice.",
        "<script>window.__pwned=3</script>",
        "[click](javascript:window.__pwned=4)",
        '<iframe src="https://evil.example/">',
        '--8<-- "/etc/passwd"',
        "{{ config }}",
    ]
)
HOSTILE_PAGES = ["plans/shop/runbook.html", "plans/shop/index.html", "plans/shop/contacts.html", ""]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """The base project with markup, scripts, includes and pipes in its fields, built and served."""
    root = make_project(tmp_path_factory.mktemp("hostile") / "p")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    plan_file = root / "plans/shop/plan.yaml"
    plan = load_yaml(plan_file)
    plan["title"] = HOSTILE_TITLE
    backup_db = next(step for step in plan["steps"] if step["id"] == "backup-db")
    backup_db["title"] = HOSTILE_STEP
    freeze = next(step for step in plan["steps"] if step["id"] == "freeze")
    freeze["instructions"] = HOSTILE_INSTRUCTIONS
    dba = next(s for s in plan["stakeholders"] if s["person"] == "dev")
    dba["role"] = HOSTILE_ROLE
    plan_file.write_text(yaml.safe_dump(plan, sort_keys=False, allow_unicode=True), encoding="utf-8")

    served = SiteServer(build_project(root))
    yield served
    served.close()


def _open_hostile(page: Page, hostile: SiteServer, path: str) -> list[str]:
    """Open a page of the hostile site (nothing may leave the machine); return its uncaught errors."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.context.route(re.compile(r"^(?!" + re.escape(hostile.origin) + r"/)(?!data:).*"), lambda route: route.abort())
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
  return {
    pwned: typeof window.__pwned === "undefined" ? null : String(window.__pwned),
    scripts: all("script").filter(s => s.textContent.includes("__pwned")).map(where),
    onerror: all("[onerror]").map(where),
    iframes: all("iframe").map(where),
    images: all("img[src='x']").map(where),
    javascript_links: all("a[href]")
      .filter(a => /^javascript:/i.test(a.getAttribute("href").replace(/[\\x00-\\x20]/g, "")))
      .map(where),
    passwd: document.body.innerText.includes("root:x:0:0"),
    config: document.body.innerText.includes("site_name"),
  };
}"""
NOTHING_ACTIVE: dict[str, object] = {
    "pwned": None,
    "scripts": [],
    "onerror": [],
    "iframes": [],
    "images": [],
    "javascript_links": [],
    "passwd": False,  # --8<-- "/etc/passwd" was not included
    "config": False,  # {{ config }} was not expanded into the MkDocs config
}


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_input_stays_inert(page: Page, hostile: SiteServer, path: str) -> None:
    errors = _open_hostile(page, hostile, path)
    assert page.evaluate(ACTIVE_CONTENT_JS) == NOTHING_ACTIVE
    assert errors == []


def test_hostile_runbook_shows_the_markup_as_text(page: Page, hostile: SiteServer) -> None:
    _open_hostile(page, hostile, "plans/shop/runbook.html")
    expect(content(page).locator("h1")).to_contain_text(HOSTILE_TITLE)
    text = content(page).inner_text()
    for literal in (
        "<script>window.__pwned=1</script>",
        HOSTILE_STEP,
        "<script>window.__pwned=3</script>",
        '<iframe src="https://evil.example/">',
        '--8<-- "/etc/passwd"',
        "{{ config }}",
        "Devi Raman (Lead <b>bold</b>)",
    ):
        assert literal in text, literal
    # The javascript: link keeps its text but is no link.
    expect(content(page).get_by_text("click", exact=True)).to_be_visible()
    expect(content(page).get_by_role("link", name="click", exact=True)).to_have_count(0)


def test_hostile_step_title_keeps_the_schedule_table_intact(page: Page, hostile: SiteServer) -> None:
    _open_hostile(page, hostile, "plans/shop/runbook.html")
    table = page.locator(".golive-schedule table")
    columns = table.locator("thead th").count()
    assert columns == 10
    row = table.locator("tbody tr", has_text="Snapshot")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_count(columns)
    expect(row.locator("td").nth(4)).to_have_text(HOSTILE_STEP)
    expect(row.locator("td").nth(5)).to_contain_text("Devi Raman")


def test_hostile_dashboard_nav_overview_and_contacts_show_the_markup_as_text(page: Page, hostile: SiteServer) -> None:
    _open_hostile(page, hostile, "")
    expect(content(page).get_by_role("link", name=HOSTILE_TITLE, exact=True)).to_have_attribute(
        "href", "plans/shop/index.html"
    )
    page.goto(hostile.url("plans/shop/index.html"))
    expect(content(page).locator("h1")).to_contain_text(HOSTILE_TITLE)
    # The navigation (pruned to the active go-live) names the plan by its title too: as text,
    # neither run nor escaped twice.
    nav_titles = page.locator("nav.md-nav--primary .md-nav__link").all_text_contents()
    assert HOSTILE_TITLE in [title.strip() for title in nav_titles]

    page.goto(hostile.url("plans/shop/contacts.html"))
    row = page.locator(".golive-contacts table tbody tr", has_text="Devi Raman")
    expect(row.locator("td").nth(1)).to_have_text(HOSTILE_ROLE)
    expect(row.locator("b")).to_have_count(0)
    expect(row.locator("td")).to_have_count(page.locator(".golive-contacts table thead th").count())


def test_hostile_search_results_show_the_markup_as_text(page: Page, hostile: SiteServer) -> None:
    _open_hostile(page, hostile, "")
    search(page, "Snapshot")
    results = page.locator(".md-search-result")
    expect(results).to_contain_text("<img src=x")
    assert results.locator("img, [onerror], script, iframe").count() == 0
