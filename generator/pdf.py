"""Printable runbooks as PDF: the print page of the built site, laid out by WeasyPrint."""

from __future__ import annotations

import logging
from pathlib import Path

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
PANGO_HINT = (
    "WeasyPrint needs the Pango library: on Debian or Ubuntu run "
    "`sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0`, on macOS `brew install pango`"
)


class PdfError(Exception):
    """The PDF cannot be written; the message says what to do."""


def print_page(site_dir: Path, plan_id: str) -> Path:
    """The built print page of a plan."""
    return site_dir / "plans" / plan_id / "print.html"


def pdf_path(site_dir: Path, plan_id: str) -> Path:
    """Where `golive pdf` writes a plan's PDF by default."""
    return site_dir / "pdf" / f"{plan_id}.pdf"


def check_output(output: Path, site_dir: Path, site_src: Path) -> None:
    """Refuse an --output that is a folder or that would write into the generated site.

    site_src/ is committed and regenerated, site/ is what gets served: a PDF written over one
    of their files would be lost on the next build, or shown in place of a page. Only
    site/pdf/, where golive writes PDFs itself, may be written into.
    """
    shown = output.as_posix()
    if output.is_dir():
        raise PdfError(f"--output {shown} is a folder; name the PDF file to write, e.g. {shown}/runbook.pdf")
    target, site = output.resolve(), site_dir.resolve()
    if target.is_relative_to(site_src.resolve()):
        raise PdfError(f"--output {shown} is inside {site_src.name}/, which golive generates; write the PDF elsewhere")
    if target.is_relative_to(site) and not target.is_relative_to(site / "pdf"):
        raise PdfError(f"--output {shown} would write into the built site {site_dir.name}/; write the PDF elsewhere")


def write_pdf(html: Path, output: Path, paper: str = "a4") -> Path:
    """Lay out a built print page on `paper` and write it to `output`."""
    try:
        import weasyprint
    except OSError as error:  # the Python package is there, its C libraries are not
        raise PdfError(f"cannot load WeasyPrint ({error}). {PANGO_HINT}") from None
    if not html.exists():
        raise PdfError(f"{html} does not exist: build the site first")
    # Only local files: a printed runbook never depends on the network.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"})
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(filename=str(html), url_fetcher=fetcher)
    page_size = weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}")
    output.parent.mkdir(parents=True, exist_ok=True)
    document.write_pdf(str(output), stylesheets=[page_size])
    return output
