"""Printable runbooks: WeasyPrint's PDF read back, and the browser's print of the same pages."""

from __future__ import annotations

import functools
import html
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser
from pypdf import PdfReader

from conftest import REPO, SiteServer, build_project, golive, make_project
from generator.check.validate import validate_project
from generator.paper.pdf import print_page, write_pdf
from generator.site.markup import markdown_html
from generator.site.render import render_site
from generator.site.views.plan import build_plan_view
from generator.site.views.steps import StepRow

GOLIVE = str(Path(sys.executable).with_name("golive"))
# The runs of the payments-monthly series share one plan: the clock-change night and the upcoming
# run stand for the others (a PDF costs seconds).
SERIES_STAND_INS = ("pay-2026-10", "pay-2026-12")
PLANS = sorted(
    p.name
    for p in (REPO / "plans").iterdir()
    if (p / "plan.yaml").exists() and (p.name in SERIES_STAND_INS or not p.name.startswith("pay-2026-"))
)
A4 = (595, 842)
LETTER = (612, 792)


def squeeze(text: str) -> str:
    """Text without whitespace or ligatures: PDF extraction breaks lines, splits kerned words
    and keeps ligatures such as "ﬁ"."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pages_of(pdf: bytes | Path) -> list[str]:
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    return list(_pages_of(data))


@functools.lru_cache(maxsize=16)
def _pages_of(data: bytes) -> tuple[str, ...]:
    """The text of each page of a PDF (its bytes): several tests read each of the module's PDFs,
    and extracting the text costs about half a second a PDF."""
    return tuple(squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages)


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


@pytest.mark.pdf
def test_pdf_command_writes_letter_paper(shipped_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "letter.pdf"
    result = golive("pdf", "social-stories-launch", "--paper", "letter", "--output", output, "--root", shipped_site)
    assert result.code == 0, result.err
    # after the shipped plans' warnings (rehearsals and series)
    assert result.out.splitlines()[-1].startswith(f"golive: wrote {output} (letter, ")
    assert page_size(output) == LETTER


def test_pdf_command_refuses_an_unknown_plan(shipped_site: Path) -> None:
    result = golive("pdf", "shop", "--root", shipped_site)
    assert result.code == 1
    assert result.err.startswith("golive pdf: no plan 'shop' (plans: erp-datacentre-migration, learning-platform")


def test_missing_pango_gives_an_install_hint(shipped_site: Path, tmp_path: Path) -> None:
    # A stand-in for WeasyPrint that fails to load its C library, as it does without Pango.
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "weasyprint.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    # The fake first, then whatever golive itself is run from (a worktree on PYTHONPATH rebuilds with its own code).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(fake), os.environ.get("PYTHONPATH")]))}
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


@pytest.mark.pdf
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


# -- the appendix: every step in full, for a printed copy with the network down ----------


def in_order(text: str, parts: list[str]) -> list[str]:
    """The parts not found in `text` one after the other (empty: all are, in this order)."""
    missing, position = [], 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            missing.append(part)
        else:
            position = found + len(part)
    return missing


def markdown_chunks(text: str | None) -> list[str]:
    """A Markdown field as the runs of text a PDF shows (list markers and styling aside)."""
    shown = re.split(r"<[^>]+>", markdown_html(text))
    return [squeeze(html.unescape(chunk)) for chunk in shown if squeeze(html.unescape(chunk))]


def step_in_full(number: str, start: str, row: StepRow) -> list[str]:
    """What the appendix shows of a step, in order: number, time and title, then what to do and check."""
    parts = [squeeze(f"{number} {start} · {row.title}")]
    parts += markdown_chunks(row.instructions)
    parts += [squeeze(command) for command in row.commands]
    parts += [squeeze(f"Verify: {row.verify}")] if row.verify else []
    return parts


@pytest.mark.parametrize("plan_id", PLANS)
def test_pdf_appendix_has_every_step_in_full_in_order(plan_id: str, shipped_site: Path, pdfs: dict[str, Path]) -> None:
    view = build_plan_view(validate_project(shipped_site), plan_id)
    text = "".join(pages_of(pdfs[plan_id]))
    # After the run sheet (one row a step, as before), the rollback card and the checklists.
    assert in_order(text, ["Runsheet", "Rollbackcard", "Checklists", "Appendix:everystepinfull"]) == []
    appendix = text[text.index("Appendix:everystepinfull") :]
    expected = [part for row in view.steps for part in step_in_full(f"{row.number}.", row.start, row)]
    expected.append("Appendix:rollbackstepsinfull")
    for row in view.rollback_steps:
        expected += step_in_full(f"R{row.number}.", f"{row.start} ({row.t_offset})", row)
    assert any(row.commands for row in view.steps) and any(row.commands for row in view.rollback_steps)
    assert in_order(appendix, expected) == []


def test_print_page_appendix_escapes_and_keeps_commands(shipped_site: Path) -> None:
    page = (shipped_site / "site/plans/shop-checkout-relaunch/print.html").read_text(encoding="utf-8")
    view = build_plan_view(validate_project(shipped_site), "shop-checkout-relaunch")
    appendix = page[page.index('id="appendix"') :]
    for row in view.steps + view.rollback_steps:
        for command in row.commands:
            assert f'<pre class="golive-command"><code>{html.escape(command, quote=True)}</code></pre>' in appendix


# -- the document's title: the plan's, in the browser tab and the PDF's metadata -----------


def document_title(page: str) -> str:
    """The text of a page's <title>: one element, no tag inside."""
    titles = re.findall(r"<title>([^<]*)</title>", page)
    assert len(titles) == 1, titles
    return html.unescape(titles[0])


@pytest.mark.parametrize("plan_id", PLANS)
def test_print_page_and_pdf_are_titled_with_the_plan(plan_id: str, shipped_site: Path, pdfs: dict[str, Path]) -> None:
    title = load(REPO / "plans" / plan_id / "plan.yaml")["title"]
    page = print_page(shipped_site / "site", plan_id).read_text(encoding="utf-8")
    assert document_title(page) == title
    metadata = PdfReader(pdfs[plan_id]).metadata
    assert metadata is not None and metadata.title == title


@pytest.mark.pdf
def test_print_page_title_is_escaped(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    plan = root / "plans/shop/plan.yaml"
    hostile = 'Shop </title><script>alert(1)</script> & "co"'
    plan.write_text(plan.read_text().replace("title: Shop relaunch with the new checkout", f"title: '{hostile}'"))
    site = build_project(root)
    page = print_page(site, "shop").read_text(encoding="utf-8")
    assert document_title(page) == hostile
    assert "<script>" not in page
    assert PdfReader(write_pdf(print_page(site, "shop"), tmp_path / "shop.pdf")).metadata.title == hostile  # type: ignore[union-attr]


# -- nothing runs into the right margin, on A4 or Letter ---------------------------------

MARGIN_MM = 12  # golive-print.css: @page margin 14mm 12mm 16mm
DPI = 50


INK = re.compile(rb"[\x00-\x9f][\xa0-\xff]*\Z", re.DOTALL)


def darkest_right_edge(pdf: Path) -> list[float]:
    """Per page, the rightmost inked column's distance from the paper's right edge, in mm.

    The pages are rendered by poppler (pdftoppm): text, table borders and boxes alike.
    """
    with tempfile.TemporaryDirectory() as folder:
        # Not a skip: `make test` installs poppler-utils (.ci/system-packages).
        assert shutil.which("pdftoppm"), "pdftoppm is missing: apt-get install poppler-utils (make test does)"
        subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), str(pdf), f"{folder}/page"], check=True)
        edges = []
        for image in sorted(Path(folder).glob("page-*.pgm")):
            _, width_text, height_text, _, pixels = image.read_bytes().split(maxsplit=4)
            width, height = int(width_text), int(height_text)
            # per row, the last pixel darker than 160 (the regular expression scans in C, not pixel by pixel)
            inked = (INK.search(pixels, y * width, (y + 1) * width) for y in range(height))
            rightmost = max((found.start() % width for found in inked if found), default=0)
            edges.append((width - 1 - rightmost) * 25.4 / DPI)
        return edges


@pytest.mark.pdf
# Every plan on A4, and the longest on Letter: Letter is the wider paper with the same margins, so
# what fits across an A4 page fits across a Letter one (only the page breaks differ).
@pytest.mark.parametrize(
    ("plan_id", "paper"), [(plan_id, "a4") for plan_id in PLANS] + [("erp-datacentre-migration", "letter")]
)
def test_nothing_runs_into_the_right_margin(
    plan_id: str, paper: str, shipped_site: Path, tmp_path: Path, pdfs: dict[str, Path]
) -> None:
    # the module's PDFs are on A4 (write_pdf's default); Letter is written here
    pdf = (
        pdfs[plan_id]
        if paper == "a4"
        else write_pdf(print_page(shipped_site / "site", plan_id), tmp_path / "x.pdf", paper)
    )
    edges = darkest_right_edge(pdf)
    # Within one pixel (0.5 mm at 50 dpi) of the margin: a table's border lies on it.
    overrun = {page: round(MARGIN_MM - edge, 1) for page, edge in enumerate(edges, start=1) if edge < MARGIN_MM - 0.6}
    assert overrun == {}, f"mm into the right margin, by page: {overrun}"


@pytest.mark.pdf
def test_long_commands_titles_and_links_wrap_inside_the_margin(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    plan = root / "plans/shop/plan.yaml"
    command = "curl -fsS https://status.example.com/api/v1/" + "x" * 240 + "?token=$(cat /run/secrets/status-token)"
    link = "https://wiki.example.com/" + "very-long-page-name-" * 12
    step = (
        "  - id: deploy-app\n"
        f"    title: Deploy checkout 2.0 to {'every-region-' * 8}\n"
        f"    instructions: 'Read {link} first'\n"
        f"    commands: ['{command}']\n"
        f"    verify: 'The status page {link} says up'\n"
    )
    plan.write_text(plan.read_text().replace("  - id: deploy-app\n    title: Deploy checkout 2.0\n", step))
    site = build_project(root)
    for paper in ("a4", "letter"):
        pdf = write_pdf(print_page(site, "shop"), tmp_path / f"shop-{paper}.pdf", paper)
        assert min(darkest_right_edge(pdf)) >= MARGIN_MM - 0.6, paper
        assert squeeze(command) in "".join(pages_of(pdf))  # wrapped, not cut
