"""Everyone with a job is on the contact sheet (on screen and on paper), with their own step
times where their clock differs from the plan's; shared checklists may name a role."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from conftest import copy_shipped_project, make_project
from generator.check.validate import validate_project
from generator.report import format_text
from generator.site.render import render_site


def edit_yaml(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def render(root: Path) -> dict[str, str]:
    validation = validate_project(root)
    assert validation.ok, format_text(validation.diagnostics)
    return {path: data.decode() for path, data in render_site(validation).files.items()}


def rows(markdown: str, table_class: str) -> list[str]:
    """The body rows of the contact-sheet table inside the element of that class, as plain text."""
    section = re.split(f'class="{re.escape(table_class)}[ "]', markdown, maxsplit=1)[1].split("</tbody>", 1)[0]
    found = re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>", 1)[1])
    return [" | ".join(text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)) for row in found]


def text(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def sheets(pages: dict[str, str], plan: str) -> dict[str, list[str]]:
    """The contact sheet of a plan on screen and on the print page (the PDF is made from it)."""
    return {
        "screen": rows(pages[f"plans/{plan}/contacts.md"], "golive-contacts"),
        "print": rows(pages[f"plans/{plan}/print.md"], "golive-section golive-contact-sheet"),
    }


# Where the columns are: on screen the jobs follow the name; the print page puts them last.
JOBS = {"screen": 3, "print": 6}
BACKUP = {"screen": 8, "print": 4}


def cell(sheet: list[str], name: str, column: int) -> str:
    return row_of(sheet, name).split(" | ")[column]


def row_of(sheet: list[str], name: str) -> str:
    matches = [row for row in sheet if f"| {name} |" in row]
    assert len(matches) == 1, (name, sheet)
    return matches[0]


def test_people_with_jobs_who_are_not_stakeholders_are_on_the_contact_sheet(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")

    def change(plan: dict[str, Any]) -> None:
        plan["steps"][3]["owner"] = "rob"  # #4 smoke tests: Rob is no stakeholder
        plan["gates"][0]["decider"] = "eli"  # nor is Eli
        plan["rollback"]["steps"][0]["owner"] = "rob"

    edit_yaml(root / "plans/shop/plan.yaml", change)
    pages = render(root)
    for where, sheet in sheets(pages, "shop").items():
        names = [row.split(" | ")[2] for row in sheet]
        # Stakeholders first in escalation order, numbered; then everyone else, unnumbered.
        assert names == ["Ana Souza", "Devi Raman", "Raj Patel", "Rob Lee", "Eli Brooks", "Mia Chen", "Ben Okafor"]
        assert [row.split(" | ")[0] for row in sheet] == ["1", "2", "3", "", "", "", ""], where
        jobs = JOBS[where]
        assert cell(sheet, "Rob Lee", jobs) == "owns #4; rollback #1", where
        assert cell(sheet, "Eli Brooks", jobs) == "decides gate go-no-go", where
        assert cell(sheet, "Mia Chen", jobs) == "checklist items: 1 pre-launch", where
        assert cell(sheet, "Ben Okafor", jobs) == "checklist items: 1 post-launch", where
        assert cell(sheet, "Ana Souza", jobs) == "owns #1; owns the rollback", where
        assert cell(sheet, "Raj Patel", jobs) == "owns #3; checklist items: 1 post-launch", where
        # a non-stakeholder's role is the one in people.yaml, their phone and backup are there
        assert row_of(sheet, "Rob Lee").startswith(" | Backend engineer | Rob Lee |"), where
        assert "+44 20 7946 0021" in row_of(sheet, "Rob Lee"), where
        assert cell(sheet, "Rob Lee", BACKUP[where]).startswith("Raj Patel"), where


def test_a_person_in_another_zone_sees_their_steps_in_both_clocks(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    people = root / "plans/people.yaml"
    # Rob in Chicago owns the smoke tests; Raj in Lisbon reads the same wall clock as London.
    edit_yaml(
        people,
        lambda data: [
            p.update(timezone={"rob": "America/Chicago", "raj": "Europe/Lisbon"}[p["id"]])
            for p in data["people"]
            if p["id"] in ("rob", "raj")
        ],
    )
    edit_yaml(root / "plans/shop/plan.yaml", lambda plan: plan["steps"][3].update(owner="rob"))
    pages = render(root)
    for where, sheet in sheets(pages, "shop").items():
        # #4 runs 23:30-23:45 London, 17:30 in Chicago the same day; the window spans two
        # dates, so both clocks carry the weekday
        rob = cell(sheet, "Rob Lee", JOBS[where])
        assert rob == "owns #4 #4 Sat 23:30 London = Sat 17:30 Chicago", where
        # Devi in Kolkata: #2 at 22:10 London is already Sunday there
        devi = cell(sheet, "Devi Raman", JOBS[where])
        assert devi == "owns #2; rollback #2 #2 Sat 22:10 London = Sun 03:40 Kolkata", where
        assert "=" not in row_of(sheet, "Raj Patel"), where
        assert "=" not in row_of(sheet, "Ana Souza"), where
    runbook = pages["plans/shop/runbook.md"]
    assert "· owner's time Sat 17:30\u201317:45 Chicago ·" in runbook
    assert "· owner's time Sun 03:40\u201304:05 Kolkata ·" in runbook
    assert runbook.count("owner's time") == 2


def test_owner_role_resolves_to_each_plans_own_stakeholder(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    edit_yaml(
        root / "plans/checklists/standard-pre-launch.yaml",
        lambda checklist: checklist["items"][1].update(owner_role="go-live LEAD"),
    )
    shutil.copytree(root / "plans/shop", root / "plans/shop-two")

    def other_lead(plan: dict[str, Any]) -> None:
        plan["stakeholders"][0]["role"] = "Database administrator"
        plan["stakeholders"][2]["role"] = "Go-live lead"  # Raj leads this one

    edit_yaml(root / "plans/shop-two/plan.yaml", other_lead)
    pages = render(root)
    item = "Runbook reviewed by every step owner · "
    assert f"{item}Ana Souza</li>" in pages["plans/shop/checklists.md"]
    assert f"{item}Raj Patel</li>" in pages["plans/shop-two/checklists.md"]
    assert f"{item}Raj Patel</li>" in pages["plans/shop-two/print.md"]
    for where, sheet in sheets(pages, "shop-two").items():
        assert "checklist items: 1 pre-launch" in cell(sheet, "Raj Patel", JOBS[where]), where
        assert "checklist" not in cell(sheet, "Ana Souza", JOBS[where]), where


def test_shipped_multi_day_plan_is_clean_and_names_everyone(tmp_path: Path) -> None:
    """The weekend ERP move: two days, parallel tracks, three time zones, owner roles."""
    root = copy_shipped_project(tmp_path / "project")
    validation = validate_project(root)
    plan_diagnostics = [d for d in validation.diagnostics if "erp-datacentre-migration" in d.file]
    # Only the two steps its rehearsals took longer on (rehearsals/mock-1.yaml and mock-2.yaml).
    rehearsed = [d for d in plan_diagnostics if d.severity == "warning" and "; rehearsal mock-" in d.message]
    assert [d.subject.split(",")[0] for d in rehearsed] == ["final-backup", "technical-checks"]
    assert [d for d in plan_diagnostics if d not in rehearsed] == [], format_text(plan_diagnostics)
    plan = validation.project.plans["erp-datacentre-migration"].plan.model
    schedule = validation.schedules["erp-datacentre-migration"]
    assert plan.status == "approved" and len(plan.steps) >= 30 and len(plan.gates) == 2
    zone = schedule.zone
    assert schedule.window_start.astimezone(zone).date() != schedule.window_end.astimezone(zone).date()
    starts = {s.id: s.start for s in schedule.steps}
    # parallel tracks: three steps after the application servers stop run at the same time
    assert starts["final-backup"] == starts["replication-check"] == starts["file-sync"]
    pages = render(root)
    for where, sheet in sheets(pages, "erp-datacentre-migration").items():
        daniel = cell(sheet, "Daniel Ortiz", JOBS[where])  # owns steps, is no stakeholder, works from Chicago
        assert row_of(sheet, "Daniel Ortiz").startswith(" | Integration engineer | Daniel Ortiz |"), where
        assert re.search(r"#3 Sat 18:15 Berlin = Sat 11:15 Chicago", daniel), where
        assert re.search(r"#20 Sun 01:30 Berlin = Sat 18:30 Chicago", daniel), where
        kavya = cell(sheet, "Kavya Reddy", JOBS[where])
        assert re.search(r"#23 Sun 08:15 Berlin = Sun 12:45 Kolkata", kavya), where
    # the shared checklist names roles; this plan's stakeholders with them own the items
    checklists = pages["plans/erp-datacentre-migration/checklists.md"]
    assert "in sync for 7 days, lag under 5 seconds · Sanjay Kulkarni</li>" in checklists
    assert "tested in the target data centre · Jonas Hartmann</li>" in checklists


def test_revision_changes_when_someone_only_the_contact_sheet_shows_changes(tmp_path: Path) -> None:
    """A shared checklist's item owner and their backup are on the contact sheet with their
    phones: a new number is a new revision, so that the call can tell the sheets apart."""
    root = make_project(tmp_path / "project")

    def add_people(data: dict[str, Any]) -> None:
        data["people"] += [
            {"id": "zoe", "name": "Zoe Park", "phone": "+44 20 7946 0101", "backup": "yan"},
            {"id": "yan", "name": "Yan Li", "phone": "+44 20 7946 0102", "backup": "zoe"},
        ]

    edit_yaml(root / "plans/people.yaml", add_people)
    edit_yaml(
        root / "plans/checklists/standard-post-launch.yaml",
        lambda checklist: checklist["items"][0].update(owner="zoe"),
    )

    def revision() -> str:
        return re.findall(r"Revision <code>([0-9a-f]{12})</code>", render(root)["plans/shop/contacts.md"])[0]

    first = revision()
    assert "Zoe Park" in render(root)["plans/shop/contacts.md"]
    for person, phone in (("zoe", "+44 20 7946 0199"), ("yan", "+44 20 7946 0198")):
        edit_yaml(
            root / "plans/people.yaml",
            lambda data, person=person, phone=phone: [
                p.update(phone=phone) for p in data["people"] if p["id"] == person
            ],
        )
        changed = revision()
        assert changed != first, person
        first = changed
