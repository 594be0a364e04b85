"""Every plan page is readable on a laptop (1280x800) and on a phone (390x844), in headless Chromium.

Nothing scrolls sideways: not the page, not a table's scroll box. Step titles and phone numbers
are inside the screen and not clipped by any box around them. On a phone, the schedule, rollback
steps and contact sheet are one card per row; messages wrap clear of their copy button.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from conftest import REPO, TIMEOUT_MS, SiteServer, build_project, copy_shipped_project

PLANS = sorted(p.name for p in (REPO / "plans").iterdir() if (p / "plan.yaml").is_file())
PAGES = ("runbook", "rollback", "contacts", "log", "communications")
# The runs of the payments-monthly series share one plan: a few of their pages stand for them, to keep
# the browser's work small. The clock-change night's runbook and log (times with their UTC offset),
# the rolled-back run's log, the upcoming run's runbook.
SERIES_PAGES = {
    "pay-2026-10": ("runbook", "log"),
    "pay-2026-11": ("log",),
    "pay-2026-12": ("runbook",),
}
SCREENED = [
    (plan, SERIES_PAGES.get(plan, PAGES)) for plan in PLANS if plan in SERIES_PAGES or not plan.startswith("pay-2026-")
]
LAPTOP = {"width": 1280, "height": 800}
SMALL_LAPTOP = {"width": 1024, "height": 768}  # or a tablet held sideways
PHONE = {"width": 390, "height": 844}
SCREENS = {"laptop": LAPTOP, "small laptop": SMALL_LAPTOP, "phone": PHONE}

# What overflows, as a list of readable findings (empty when the page fits).
MEASURE = """() => {
  const found = [];
  const de = document.documentElement;
  if (de.scrollWidth > innerWidth) found.push(`page ${de.scrollWidth} > ${innerWidth}`);
  for (const box of document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset__table")) {
    if (box.scrollWidth > box.clientWidth) {
      found.push(`${box.className} ${box.scrollWidth} > ${box.clientWidth}: ${box.textContent.trim().slice(0, 40)}`);
    }
  }
  // Is this element inside the screen and inside every box that clips it?
  const clipped = (el) => {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) return "not shown";
    if (r.left < -0.5 || r.right > innerWidth + 0.5) return `outside the screen (${r.left}..${r.right})`;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === "visible" && style.overflowY === "visible") continue;
      const b = up.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5) return `clipped by ${up.tagName}.${up.className}`;
    }
    return "";
  };
  const wanted = [
    ".golive-cards--runbook tbody td:nth-child(5) a",
    ".golive-cards--rollback tbody td:nth-child(5)",
    ".golive-cards a[href^='tel:']",
    ".golive-cards--contacts tbody td:nth-child(4)",
  ];
  for (const el of document.querySelectorAll(wanted.join(", "))) {
    const why = clipped(el);
    if (why && el.textContent.trim()) found.push(`${el.textContent.trim()}: ${why}`);
  }
  for (const cell of document.querySelectorAll(".golive-cards td")) {
    if (cell.scrollWidth > cell.clientWidth + 1) found.push(`cell cut off: ${cell.textContent.trim().slice(0, 40)}`);
  }
  return found;
}"""

# Messages: no sideways scroll inside, and the copy button covers no line of text.
MESSAGES = """() => {
  const found = [];
  for (const code of document.querySelectorAll(".golive-message pre > code")) {
    if (code.scrollWidth > code.clientWidth) found.push(`scrolls: ${code.textContent.slice(0, 40)}`);
    const button = code.parentElement.querySelector(".md-code__button, .md-clipboard");
    if (!button) { found.push("no copy button"); continue; }
    const b = button.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(code);
    for (const line of range.getClientRects()) {
      if (line.width && line.right > b.left && line.left < b.right && line.bottom > b.top && line.top < b.bottom) {
        found.push(`copy button over text: ${code.textContent.slice(0, 40)}`);
        break;
      }
    }
  }
  return found;
}"""

# The day and range a time cell may show ("Sun 14:00" to "15:30", en dash): the layout has room for it.
LONG_TIMES = """() => {
  const put = (selector, text) => { for (const c of document.querySelectorAll(selector)) c.textContent = text; };
  put(".golive-cards--runbook tbody td:nth-child(2)", "Sun 14:00");
  put(".golive-cards--rollback tbody td:nth-child(3)", "Sun 14:00\\u201315:30");
  put(".golive-cards--log-steps tbody td:nth-child(n+3):nth-child(-n+6)", "Sun 14:00");
  put(".golive-cards--timeline tbody td:nth-child(1), .golive-cards--issues tbody td:nth-child(1)", "Sun 14:00");
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """The shipped plans built by this code (the session's shipped site may be rebuilt by `golive pdf` tests)."""
    root = copy_shipped_project(tmp_path_factory.mktemp("screens") / "project")
    served = SiteServer(build_project(root))
    yield served
    served.close()


# One tab for the whole module: its tests only open pages and measure them, and each starts
# with a page load. A new browser context costs more than a page load.
@pytest.fixture(scope="module")
def screen(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


# Material answers a resize in its next animation frames (sidebars, header): measure after them.
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def settle(page: Page) -> None:
    """Wait until Material has wrapped the tables (its script runs after load)."""
    page.wait_for_function(
        "() => (!document.querySelector('article table') || document.querySelector('.md-typeset__table'))"
        " && (!document.querySelector('.golive-message')"
        " || document.querySelector('.golive-message .md-code__button, .golive-message .md-clipboard'))"
    )


@pytest.mark.parametrize(("plan", "pages"), SCREENED, ids=[plan for plan, _ in SCREENED])
def test_no_page_of_a_plan_scrolls_sideways(
    screen: Page, server: SiteServer, plan: str, pages: tuple[str, ...]
) -> None:
    # Each page is loaded once and measured at every screen size: the layout follows the width
    # (CSS media queries, Material's resize handlers) as it would after a load at that size.
    problems: dict[str, Any] = {}
    for name in pages:
        screen.set_viewport_size(LAPTOP)
        screen.goto(server.url(f"plans/{plan}/{name}.html"))
        settle(screen)
        for check in ("as built", "with day-and-time cells"):
            if check != "as built":
                screen.evaluate(LONG_TIMES)
            for size, viewport in SCREENS.items():
                screen.set_viewport_size(viewport)
                screen.evaluate(NEXT_FRAMES)
                found = screen.evaluate(MEASURE)
                if check == "as built":
                    found += screen.evaluate(MESSAGES)
                if found:
                    problems[f"{name} on a {size} {check}"] = found
    assert not problems, problems


def test_on_a_phone_rows_are_cards(screen: Page, server: SiteServer) -> None:
    page = screen
    page.set_viewport_size(PHONE)
    plan = "shop-checkout-relaunch"
    for name, card in (("runbook", "runbook"), ("rollback", "rollback"), ("contacts", "contacts")):
        page.goto(server.url(f"plans/{plan}/{name}.html"))
        settle(page)
        rows = page.locator(f".golive-cards--{card} tbody tr")
        assert rows.count() > 1
        # Still a table for screen readers; on screen each row is a box as wide as the content.
        assert page.locator(f".golive-cards--{card} thead th").count() > 4
        first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
        assert first and second
        assert second["y"] >= first["y"] + first["height"], "rows are stacked"
        assert first["width"] > PHONE["width"] * 0.8, "a row takes the width of the screen"
        assert rows.nth(0).evaluate("tr => getComputedStyle(tr).display") == "flex"
        head = page.locator(f".golive-cards--{card} thead").bounding_box()
        assert head is None or head["height"] <= 1, "the column heads are hidden from sight"
    # A card: number, time, title, owner with a tap-to-call link, the done box on the first line.
    page.goto(server.url("plans/mobile-banking-4-2/runbook.html"))  # in progress: live mode has tick boxes
    settle(page)
    card = page.locator(".golive-cards--runbook tbody tr").first
    texts = card.locator("td").all_inner_texts()
    assert texts[0] == "1" and texts[1]
    tel = card.locator("a[href^='tel:']")
    assert tel.count() == 1 and tel.is_visible()
    box = tel.bounding_box()
    assert box and box["height"] >= 20, "the phone link is big enough to tap"
    done = card.locator("input.golive-live__done")
    number = card.locator("td").first.bounding_box()
    done_box = done.bounding_box()
    assert number and done_box and abs(done_box["y"] - number["y"]) < 30, "the done box is on the first line"
