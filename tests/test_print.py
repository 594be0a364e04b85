"""Printing from the browser: no site chrome, and a contact sheet of 20 people on one page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml
from playwright.sync_api import Browser

from conftest import REPO, SiteServer, build_project, make_project


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.fixture(scope="module")
def twenty_people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """The base plan with 20 stakeholders with long names, roles and addresses."""
    root = make_project(tmp_path_factory.mktemp("print") / "project")
    (root / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text())
    people_file = root / "plans/people.yaml"
    people = yaml.safe_load(people_file.read_text())
    for i in range(20):
        people["people"].append(
            {
                "id": f"p{i:02d}",
                "name": f"Alexandra Longname-Example {i}",
                "role": "Senior site reliability engineer",
                "email": f"alexandra.longname{i}@example.com",
                "phone": f"+44 20 7946 {i:04d}",
                "chat": f"@alexandra{i}",
                "timezone": "America/Los_Angeles",
                "backup": "ana",
            }
        )
    people_file.write_text(yaml.safe_dump(people))
    plan_file = root / "plans/shop/plan.yaml"
    plan = yaml.safe_load(plan_file.read_text())
    plan["stakeholders"] = [
        {
            "person": f"p{i:02d}",
            "role": "Go-live lead" if i == 0 else "Database administrator on call",
            "responsibilities": ["Runs the database part of the call", "Restores the snapshot on rollback"],
        }
        for i in range(20)
    ]
    # Every job goes to them, so that the sheet has 20 people, the first seven with jobs and the
    # steps in both clocks; the shared checklists name the lead by role.
    for number, step in enumerate(plan["steps"], start=1):
        step["owner"] = f"p{number:02d}"
    plan["gates"][0]["decider"] = plan["rollback"]["owner"] = "p00"
    for step in plan["rollback"]["steps"]:
        step["owner"] = "p05"
    plan["checklists"]["items"][0]["owner"] = "p06"
    plan_file.write_text(yaml.safe_dump(plan))
    for name in ("standard-pre-launch", "standard-post-launch"):
        checklist_file = root / f"plans/checklists/{name}.yaml"
        checklist = yaml.safe_load(checklist_file.read_text())
        for item in checklist["items"]:
            item.pop("owner", None)
            item["owner_role"] = "Go-live lead"
        checklist_file.write_text(yaml.safe_dump(checklist))
    server = SiteServer(build_project(root))
    yield server
    server.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_contact_sheet_of_twenty_people_prints_on_one_page(
    browser: Browser, twenty_people: SiteServer, paper: str
) -> None:
    page = browser.new_page()
    page.goto(twenty_people.url("plans/shop/contacts.html"))
    assert page.locator(".golive-contacts tbody tr").count() == 20
    assert pdf_pages(page.pdf(format=paper)) == 1
    page.close()


def test_printed_contact_sheet_shows_jobs_and_both_clocks(browser: Browser, twenty_people: SiteServer) -> None:
    page = browser.new_page()
    page.goto(twenty_people.url("plans/shop/print.html"))
    page.emulate_media(media="print")
    sheet = page.locator(".golive-contact-sheet tbody tr")
    assert sheet.count() == 20
    lead, second = sheet.nth(0).inner_text(), sheet.nth(1).inner_text()
    assert "decides gate go-no-go; owns the rollback; checklist items: 2 pre-launch, 1 post-launch" in lead
    # step #1 at 22:00 in London is 14:00 in Los Angeles, where everyone on this sheet lives
    assert re.search(r"owns #1\n#1 Sat 22:00 London = Sat 14:00 Los Angeles", second)
    assert sheet.nth(1).is_visible()
    page.close()


def test_printed_runbook_has_no_site_chrome(browser: Browser, twenty_people: SiteServer) -> None:
    page = browser.new_page()
    page.goto(twenty_people.url("plans/shop/runbook.html"))
    page.emulate_media(media="print")
    chrome_parts = (
        ".md-header",
        ".md-sidebar--primary",
        ".md-sidebar--secondary",
        ".md-footer",
        ".md-search",
    )
    for chrome in chrome_parts:
        assert not page.locator(chrome).first.is_visible(), chrome
    assert page.locator("h1").is_visible()
    assert page.locator(".golive-schedule table").is_visible()
    page.close()
