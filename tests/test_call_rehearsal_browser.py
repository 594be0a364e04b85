"""`golive call --rehearsal NAME` in Chromium: the now panel says it is a rehearsal, and its first
entry (a Start click) starts it: the banner then gives its start and T counts from it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
import yaml
from playwright.sync_api import Page, expect

from conftest import REPO, build_project, make_project
from generator import api
from generator.call.server import CallServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLAN = "shop"


@pytest.fixture(scope="module")
def rehearsal_call(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallServer]:
    root = make_project(tmp_path_factory.mktemp("rehearsal-call") / "project")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    build_project(root)
    server = api.call(root, PLAN, port=0, rehearsal="mock-1")
    server.start()
    yield server
    server.close()


def test_the_banner_says_it_is_a_rehearsal(rehearsal_call: CallServer, page: Page) -> None:
    log = rehearsal_call.root / "plans" / PLAN / "log.yaml"
    log_before = log.read_bytes()
    page.goto(rehearsal_call.join_link)
    expect(page).to_have_url(re.compile(rf"/plans/{PLAN}/runbook\.html$"))
    panel = page.locator("#golive-now")
    expect(panel.locator(".golive-call__connection")).to_have_text("● live")
    banner = panel.locator(".golive-call__rehearsal")
    expect(banner).to_be_visible()
    expect(banner).to_have_text(
        f"Rehearsal mock-1, not the real call: entries go to plans/{PLAN}/rehearsals/mock-1.yaml; "
        "its first entry starts it (T+0:00)."
    )
    expect(panel.locator(".golive-call__label")).to_have_text("Rehearsal mock-1")
    expect(panel.locator(".golive-call__offset")).to_have_text("")

    page.select_option("#golive-call-by", "ana")
    page.locator('[data-start-step="freeze"]').click()
    expect(banner).to_contain_text("; T+0:00 is its start, ")
    expect(panel.locator(".golive-call__offset")).to_have_text(re.compile(r"^T\+0:0\d$"))
    expect(page.locator('[data-start-step="freeze"]')).to_have_text("Started")
    written = yaml.safe_load((rehearsal_call.root / "plans" / PLAN / "rehearsals" / "mock-1.yaml").read_text())
    assert [(e["kind"], e["step"]) for e in written["entries"]] == [("step-started", "freeze")]
    assert written["started"] == written["entries"][0]["at"]
    assert log.read_bytes() == log_before
