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
    plan_file.write_text(yaml.safe_dump(plan))
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
