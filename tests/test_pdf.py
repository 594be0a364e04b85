"""Printable runbooks: WeasyPrint's PDF read back, and the browser's print of the same pages."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser
from pypdf import PdfReader

from conftest import REPO, SiteServer
from generator.pdf import print_page, write_pdf
from generator.render import render_site
from generator.validate import validate_project

GOLIVE = str(Path(sys.executable).with_name("golive"))
PLANS = sorted(p.name for p in (REPO / "plans").iterdir() if (p / "plan.yaml").exists())
A4 = (595, 842)
LETTER = (612, 792)


def squeeze(text: str) -> str:
    """Text without whitespace or ligatures: PDF extraction breaks lines, splits kerned words
    and keeps ligatures such as "ﬁ"."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pages_of(pdf: bytes | Path) -> list[str]:
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    return [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def page_size(pdf: Path) -> tuple[int, int]:
    box = PdfReader(pdf).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def load(path: Path) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdfs(shipped_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf")
    return {
        plan_id: write_pdf(print_page(shipped_site / "site", plan_id), folder / f"{plan_id}.pdf") for plan_id in PLANS
    }


@pytest.fixture(scope="module")
def fingerprints(shipped_site: Path) -> dict[str, str]:
    return {view.id: view.fingerprint for view in render_site(validate_project(shipped_site)).plans}


@pytest.mark.parametrize("plan_id", PLANS)
def test_pdf_holds_every_step_phone_trigger_and_the_revision(
    plan_id: str, pdfs: dict[str, Path], fingerprints: dict[str, str]
) -> None:
    plan = load(REPO / "plans" / plan_id / "plan.yaml")
    people = {p["id"]: p for p in load(REPO / "plans/people.yaml")["people"]}
    text = "".join(pages_of(pdfs[plan_id]))
    assert page_size(pdfs[plan_id]) == A4
    for step in plan["steps"] + plan.get("rollback", {}).get("steps", []):
        assert squeeze(step["title"]) in text, step["title"]
    for stakeholder in plan["stakeholders"]:
        assert squeeze(people[stakeholder["person"]]["phone"]) in text, stakeholder["person"]
    for trigger in plan.get("rollback", {}).get("triggers", []):
        assert squeeze(trigger) in text, trigger
    assert fingerprints[plan_id] in text


@pytest.mark.parametrize("plan_id", PLANS)
def test_cover_and_contact_sheet_each_fit_one_page(plan_id: str, pdfs: dict[str, Path]) -> None:
    plan = load(REPO / "plans" / plan_id / "plan.yaml")
    people = {p["id"]: p for p in load(REPO / "plans/people.yaml")["people"]}
    pages = pages_of(pdfs[plan_id])
    cover, contacts, gates = pages[0], pages[1], pages[2]
    assert squeeze(plan["title"]) in cover and "Latestrollbackstart" in cover
    assert contacts.startswith("Contactsheet")
    for stakeholder in plan["stakeholders"]:
        assert squeeze(people[stakeholder["person"]]["name"]) in contacts
    assert gates.startswith("Go/no-gogates")
    # the running footer: title, version, revision and page X of Y
    assert re.search(r"page1of\d+$", cover)


def test_pdf_command_writes_letter_paper(shipped_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "letter.pdf"
    result = subprocess.run(
        [
            GOLIVE,
            "pdf",
            "social-stories-launch",
            "--paper",
            "letter",
            "--output",
            str(output),
            "--root",
            str(shipped_site),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"golive: wrote {output} (letter, ")
    assert page_size(output) == LETTER


def test_pdf_command_refuses_an_unknown_plan(shipped_site: Path) -> None:
    result = subprocess.run([GOLIVE, "pdf", "shop", "--root", str(shipped_site)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("golive pdf: no plan 'shop' (plans: erp-datacentre-migration, learning-platform")


def test_missing_pango_gives_an_install_hint(shipped_site: Path, tmp_path: Path) -> None:
    # A stand-in for WeasyPrint that fails to load its C library, as it does without Pango.
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "weasyprint.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    result = subprocess.run(
        [
            GOLIVE,
            "pdf",
            "shop-checkout-relaunch",
            "--root",
            str(shipped_site),
            "--output",
            str(tmp_path / "x.pdf"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot load library 'libpango-1.0-0'" in result.stderr
    assert "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0" in result.stderr


@pytest.fixture(scope="module")
def server(shipped_site: Path) -> SiteServer:
    served = SiteServer(shipped_site / "site")
    yield served  # type: ignore[misc]
    served.close()


def test_browser_print_of_a_runbook_has_no_navigation(browser: Browser, server: SiteServer) -> None:
    page = browser.new_page()
    page.goto(server.url("plans/shop-checkout-relaunch/runbook.html"))
    text = " ".join(PdfReader(io.BytesIO(page.pdf(format="A4"))).pages[0].extract_text().split())
    page.close()
    assert "Runbook: Shop relaunch" in text
    for chrome in ("Dashboard", "Go-lives In progress", "Search", "Table of contents", "Made with"):
        assert chrome not in text


def test_browser_print_of_the_print_page_matches_weasyprint(
    browser: Browser, server: SiteServer, pdfs: dict[str, Path]
) -> None:
    plan_id = "shop-checkout-relaunch"
    titles = [squeeze(s["title"]) for s in load(REPO / "plans" / plan_id / "plan.yaml")["steps"]]
    page = browser.new_page()
    page.goto(server.url(f"plans/{plan_id}/print.html"))
    browser_text = "".join(pages_of(page.pdf(format="A4")))
    page.close()
    weasy_text = "".join(pages_of(pdfs[plan_id]))

    def run_sheet_order(text: str) -> list[str]:
        """Step titles in the order the run sheet shows them."""
        sheet = text[text.index("Runsheet") : text.index("Rollbackcard")]
        return sorted(titles, key=sheet.index)

    assert run_sheet_order(browser_text) == run_sheet_order(weasy_text) == titles
    assert "Dashboard" not in browser_text
