"""The PDF link never 404s: PDFs kept across builds, published with the site; `golive serve`
shows the sources' errors on every open page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from conftest import GIT_ENV, REPO, commit_all, git, golive, golive_serve, make_project

GOLIVE = str(Path(sys.executable).with_name("golive"))
PDF_LINK = re.compile(r'<a href="([^"]+)" data-golive-pdf="([a-z0-9-]+)">')


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def pdf_links(site: Path) -> dict[str, Path]:
    """Each "PDF" link of a plan's overview and runbook: page -> the file it leads to."""
    links = {}
    for page in sorted(site.glob("plans/*/*.html")):
        for href, plan_id in PDF_LINK.findall(page.read_text(encoding="utf-8")):
            assert plan_id == page.parent.name
            links[page.relative_to(site).as_posix()] = (page.parent / href).resolve()
    return links


def assert_no_404(site: Path, expected: str) -> None:
    links = pdf_links(site)
    assert set(links) == {"plans/shop/index.html", "plans/shop/runbook.html"}
    for page, target in links.items():
        assert target.is_file(), f"{page} links to {target}, which is not there"
        assert target == (site / expected).resolve(), page


def test_pdf_link_goes_to_the_print_page_until_a_pdf_is_built(project: Path) -> None:
    result = golive("build", "--root", str(project))
    assert result.code == 0, result.err
    assert not (project / "site/pdf").exists()
    assert_no_404(project / "site", "plans/shop/print.html")


@pytest.mark.pdf
def test_pdfs_survive_the_next_build_and_stay_current(project: Path) -> None:
    built = golive("build", "--pdf", "--root", str(project))
    assert built.code == 0, built.err
    assert "golive: wrote site/pdf/shop.pdf (a4, " in built.out
    assert_no_404(project / "site", "pdf/shop.pdf")

    # A second build (no --pdf): MkDocs empties site/, the PDF is kept, not written again.
    again = golive("build", "--root", str(project))
    assert again.code == 0, again.err
    assert "golive: 1 PDF in site/pdf/ still current, kept" in again.out
    assert "wrote site/pdf" not in again.out
    assert_no_404(project / "site", "pdf/shop.pdf")

    # The plan changes: the kept PDF is written again, from the new revision.
    plan = project / "plans/shop/plan.yaml"
    plan.write_text(plan.read_text().replace("version: 3", "version: 4"))
    changed = golive("build", "--root", str(project))
    assert changed.code == 0, changed.err
    assert "golive: wrote site/pdf/shop.pdf (a4, " in changed.out
    text = " ".join(page.extract_text() for page in PdfReader(project / "site/pdf/shop.pdf").pages)
    assert "version 4" in text
    assert_no_404(project / "site", "pdf/shop.pdf")


def test_pdf_link_falls_back_to_the_print_page_without_weasyprint(project: Path, tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "weasyprint.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    path = os.pathsep.join([str(fake), *filter(None, [os.environ.get("PYTHONPATH")])])
    # in a process of its own, so that the stand-in is the WeasyPrint it imports
    command = [GOLIVE, "build", "--pdf", "--root", str(project)]
    result = subprocess.run(command, capture_output=True, text=True, env={**GIT_ENV, "PYTHONPATH": path})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "golive pdf: cannot load WeasyPrint (cannot load library 'libpango-1.0-0')" in result.stderr
    assert "the pages link to the print page instead" in result.stderr
    assert not (project / "site/pdf/shop.pdf").exists()
    assert_no_404(project / "site", "plans/shop/print.html")


@pytest.mark.pdf
@pytest.mark.git
def test_publish_includes_the_pdfs(project: Path) -> None:
    (project / ".gitignore").write_text("site/\n")
    built = golive("build", "--pdf", "--root", str(project))
    assert built.code == 0, built.err
    commit_all(project, "plans and site_src")
    published = golive("publish", "1.0", "--root", str(project))
    assert published.code == 0, published.err
    files = set(git(project, "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    assert "1.0/pdf/shop.pdf" in files
    runbook = git(project, "show", "gh-pages:1.0/plans/shop/runbook.html")
    assert '<a href="../../pdf/shop.pdf" data-golive-pdf="shop">' in runbook
    # mike's own `mkdocs build` emptied site/ too: the PDF is still there for the next build.
    assert (project / "site/pdf/shop.pdf").is_file()


@pytest.mark.git
def test_publish_without_pdfs_links_the_print_page(project: Path) -> None:
    (project / ".gitignore").write_text("site/\n")
    assert golive("build", "--root", str(project)).code == 0
    commit_all(project, "plans and site_src")
    published = golive("publish", "1.0", "--root", str(project))
    assert published.code == 0, published.err
    files = set(git(project, "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    assert "1.0/plans/shop/print.html" in files and not any(f.startswith("1.0/pdf/") for f in files)
    runbook = git(project, "show", "gh-pages:1.0/plans/shop/runbook.html")
    assert '<a href="print.html" data-golive-pdf="shop">' in runbook


# -- golive serve: the sources' errors on every open page -------------------------------


@pytest.fixture
def serving(project: Path) -> Iterator[str]:
    """`golive serve` on the project; yields its address."""
    with golive_serve(project) as port:
        yield f"http://127.0.0.1:{port}"


def test_serve_shows_the_errors_on_every_open_page_until_fixed(project: Path, serving: str, page: Page) -> None:
    page.goto(f"{serving}/plans/shop/runbook.html", timeout=60_000)
    other = page.context.new_page()
    other.goto(f"{serving}/index.html", timeout=60_000)
    banner = page.locator(".golive-serve-errors")
    expect(page.locator("h1")).to_contain_text("Runbook: Shop relaunch")
    expect(banner).to_have_count(0)

    plan = project / "plans/shop/plan.yaml"
    good = plan.read_text()
    plan.write_text(good.replace("    owner: raj\n", "    owner: <b>nobody</b>\n", 1))
    for opened in (page, other):
        errors = opened.locator(".golive-serve-errors")
        expect(errors).to_contain_text("plans/shop/plan.yaml:", timeout=30_000)
        # file:line:col, message; shown as text, never as HTML
        expect(errors).to_contain_text(
            'plans/shop/plan.yaml:63:12: error: steps[2].owner (deploy-app, "Deploy checkout 2.0"): '
            "'<b>nobody</b>' is not a valid id"
        )
        assert opened.locator(".golive-serve-errors b").count() == 0
    expect(page.locator("h1")).to_contain_text("Runbook: Shop relaunch")  # the last good page underneath

    plan.write_text(good.replace("version: 3", "version: 4"))
    for opened in (page, other):
        expect(opened.locator(".golive-serve-errors")).to_have_count(0, timeout=30_000)
    expect(page.locator(".golive-revision")).to_contain_text("Version 4")


@pytest.mark.pdf
def test_a_pdf_written_by_golive_pdf_is_kept_and_linked_by_the_next_build(project: Path) -> None:
    assert golive("build", "--root", str(project)).code == 0
    written = golive("pdf", "shop", "--root", str(project))
    assert written.code == 0, written.err
    assert_no_404(project / "site", "plans/shop/print.html")  # the pages were built before the PDF
    again = golive("build", "--root", str(project))
    assert again.code == 0, again.err
    assert "golive: 1 PDF in site/pdf/ still current, kept" in again.out
    assert_no_404(project / "site", "pdf/shop.pdf")
