"""Live mode for a rehearsal (assets/golive-live.js) in headless Chromium: a name in the bar keeps the
rehearsal's ticks apart, counts T from its first tick, and exports a whole rehearsals/<name>.yaml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Locator, Page, expect

from conftest import SiteServer, build_project, copy_shipped_project
from generator.check.validate import validate_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOP = "shop-checkout-relaunch"  # Europe/London
RUNBOOK = f"plans/{SHOP}/runbook.html"
START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # 09:00 in London (GMT): the rehearsal's first tick


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """The shipped plans, with the shop relaunch still to run (approved): the live bar is on."""
    root = copy_shipped_project(tmp_path_factory.mktemp("live-rehearsal") / "project")
    plan = root / "plans" / SHOP / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("\nstatus: completed\n", "\nstatus: in-progress\n"), encoding="utf-8")
    build_project(root)
    served = SiteServer(root / "site")
    yield served
    served.close()


def box(page: Page, step: str) -> Locator:
    row = page.locator(".golive-schedule tbody tr").filter(has=page.locator(f'a[href="#step-{step}"]'))
    return row.locator("input.golive-live__done")


def name_rehearsal(page: Page, name: str) -> None:
    field = page.get_by_label("Rehearsal", exact=True)
    field.fill(name)
    field.press("Tab")  # a change event


def test_a_rehearsal_keeps_its_ticks_apart_and_exports_its_whole_file(
    page: Page, site: SiteServer, tmp_path: Path
) -> None:
    page.clock.install(time=START - dt.timedelta(minutes=5))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site.url(RUNBOOK))
    bar = page.locator(".golive-live__bar")
    expect(bar.locator(".golive-live__label")).to_have_text("Live")
    page.get_by_label("Your id").select_option("raj-patel")

    name_rehearsal(page, "Mock 3")
    expect(page.get_by_label("Rehearsal", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(bar.locator(".golive-live__status")).to_have_text(
        "A rehearsal's name is lowercase letters, digits and '-' (e.g. mock-3)"
    )
    name_rehearsal(page, "mock-3")
    expect(bar.locator(".golive-live__label")).to_have_text("Rehearsal mock-3")
    expect(bar.locator(".golive-live__offset")).to_have_text("T?")  # T+0:00 is its first tick

    page.clock.set_system_time(START)
    box(page, "open-bridge").check()
    page.clock.set_system_time(START + dt.timedelta(minutes=25))
    box(page, "provider-keys").check()
    page.clock.run_for(2000)
    expect(bar.locator(".golive-live__offset")).to_have_text("T+0:25")  # from the first tick, not the window
    expect(bar.locator(".golive-live__status")).to_contain_text("Rehearsal mock-3: 2 of ")

    bar.get_by_role("button", name="Copy log entries").click()
    expect(bar.locator(".golive-live__status")).to_contain_text(f"save it as plans/{SHOP}/rehearsals/mock-3.yaml")
    text = page.evaluate("() => window.goliveLive.exportYaml()")
    assert isinstance(text, str)
    assert text.splitlines()[:4] == [
        "# yaml-language-server: $schema=../../../schemas/rehearsal.schema.json",
        "started: 2026-11-20 09:00",
        "entries:",
        "  - at: 2026-11-20 09:00",
    ]
    expect(page.locator("textarea.golive-live__export")).to_have_value(text)

    # The file as exported is a valid rehearsal of the plan.
    root = copy_shipped_project(tmp_path / "p")
    saved = root / "plans" / SHOP / "rehearsals" / "mock-3.yaml"
    saved.parent.mkdir()
    saved.write_text(text, encoding="utf-8")
    validation = validate_project(root)
    assert validation.ok, validation.errors
    assert [e["step"] for e in yaml.safe_load(text)["entries"]] == ["open-bridge", "provider-keys"]

    # The real call's ticks are another set: none yet; the rehearsal's come back with its name.
    name_rehearsal(page, "")
    expect(bar.locator(".golive-live__label")).to_have_text("Live")
    expect(page.locator("input.golive-live__done:checked")).to_have_count(0)
    assert not page.evaluate("() => window.goliveLive.exportYaml()")
    name_rehearsal(page, "mock-3")
    expect(page.locator("input.golive-live__done:checked")).to_have_count(2)
    page.reload()
    expect(page.get_by_label("Rehearsal", exact=True)).to_have_value("mock-3")  # remembered for the plan
    expect(page.locator("input.golive-live__done:checked")).to_have_count(2)
    assert not errors, errors
