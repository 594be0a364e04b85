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
