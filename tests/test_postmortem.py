"""The log page, post-mortems (command and page), and the dashboard's post-mortem column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import copy_shipped_project, golive
from generator.check.validate import validate_project

SHOP = "shop-checkout-relaunch"  # completed, with log and final post-mortem


def text_of(root: Path, page: str) -> str:
    path = f"{page}.html" if page else "index.html"
    html = (root / "site" / path).read_text(encoding="utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&").split())


def test_log_page_shows_planned_against_actual_and_issues(shipped_site: Path) -> None:
    text = text_of(shipped_site, f"plans/{SHOP}/log")
    assert "Steps done 20 of 24" in text
    assert "Issues by severity sev1: 0 · sev2: 1 · sev3: 2 · sev4: 0" in text
    assert "Schedule slip at the end +9 min" in text
    assert "Rollback not started" in text
    # step 7 was planned 22:40-22:50 and logged done at 22:58
    assert (
        "7 Zero-value authorisation against the production provider Sat 22:40 — Sat 22:50 Sat 22:58 +8 min late" in text
    )
    # the sev3 webhook issue was logged at 22:36 and resolved at 22:47
    assert re.search(r"Sat 22:36 sev3 Provider test webhooks rejected .*? Sat 22:47 11 min", text)
    assert "First issue to last resolution 2 h 53 min" in text


def test_postmortem_page_of_the_completed_plan(shipped_site: Path) -> None:
    text = text_of(shipped_site, f"plans/{SHOP}/postmortem")
    plan = yaml.safe_load((shipped_site / "plans" / SHOP / "postmortem.yaml").read_text())
    assert "Not written yet" not in text
    assert "Status final" in text
    headings = ["Summary", "Impact", "Root causes", "Trigger", "Detection", "Resolution", "What went well"]
    headings += ["What went wrong", "Where we got lucky", "Action items", "Timeline"]
    for heading in headings:
        assert f" {heading} " in text, heading
    for item in plan["action_items"]:
        assert item["id"] in text and item["ticket"] in text
    open_items = sum(1 for item in plan["action_items"] if item["status"] in ("open", "in-progress"))
    assert f"{open_items} open." in text
    assert "First issue to last resolution 2 h 53 min" in text
    assert text.count("†") == len(plan["timeline_extra"]) + 1  # each extra entry, and the legend


def test_postmortem_page_before_one_is_written_is_the_prefilled_template(shipped_site: Path) -> None:
    text = text_of(shipped_site, "plans/mobile-banking-4-2/postmortem")
    assert "Not written yet" in text
    assert "golive postmortem mobile-banking-4-2" in text
    assert "1 issue was logged (1 sev2), 1 left unresolved. No rollback was started." in text


def test_dashboard_shows_postmortem_status_and_open_actions(shipped_site: Path) -> None:
    text = text_of(shipped_site, "")
    assert "final 3 open actions" in text
    assert text.count("none yet") == 8  # every shipped plan but the shop relaunch, whose post-mortem is final


def test_blank_postmortem_template_page(shipped_site: Path) -> None:
    text = text_of(shipped_site, "postmortem-template")
    assert "Post-mortem template" in text and "Action items" in text and "Root causes" in text


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_shipped_project(tmp_path / "project")


def test_postmortem_command_prefills_a_valid_file_and_never_overwrites(root: Path) -> None:
    plan = "mobile-banking-4-2"
    result = golive("postmortem", plan, "--root", root)
    assert result.code == 0, result.err
    assert result.out.startswith(f"created plans/{plan}/postmortem.yaml: pre-filled")
    path = root / "plans" / plan / "postmortem.yaml"
    written = path.read_text()
    data = yaml.safe_load(written)
    assert data["status"] == "draft" and data["authors"] == ["wei-ling-tan"]
    assert [r["objective"] for r in data["results"]] == [
        o["id"] for o in yaml.safe_load((root / "plans" / plan / "plan.yaml").read_text())["objectives"]
    ]
    assert "9 of 23 steps were logged done" in data["summary"]
    assert "# Who was affected" in written  # hints stay as comments
    assert validate_project(root).ok
    again = golive("postmortem", plan, "--root", root)
    assert again.code == 1
    assert again.err == f"golive postmortem: plans/{plan}/postmortem.yaml already exists; golive never overwrites it\n"
    assert path.read_text() == written


def test_postmortem_command_for_an_unknown_plan(root: Path) -> None:
    result = golive("postmortem", "nope", "--root", root)
    assert (result.code, result.err) == (1, "golive postmortem: no plan 'nope' in plans/\n")
