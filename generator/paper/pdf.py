"""Printable runbooks as PDF: the print page of the built site, laid out by WeasyPrint."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Collection
from importlib import resources
from pathlib import Path

from generator import __version__
from generator.errors import GoliveError
from generator.read.models.common import SLUG_PATTERN

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
PANGO_HINT = (
    "WeasyPrint needs the Pango library: on Debian or Ubuntu run "
    "`sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0`, on macOS `brew install pango`"
)


# site/pdf/ keeps, beside the PDFs, what each was made from, so a later build can tell a
# current PDF (kept and linked) from a stale one (written again, or dropped).
MANIFEST = ".golive-pdf.json"
PDF_DIR = "pdf"  # site/pdf/<plan-id>.pdf, written by `golive build --pdf` and `golive pdf`


class PdfError(GoliveError):
    """The PDF cannot be written; the message says what to do."""

    prefix = "golive pdf"  # also when `golive build --pdf` writes it


def print_page(site_dir: Path, plan_id: str) -> Path:
    """The built print page of a plan."""
    return site_dir / "plans" / plan_id / "print.html"


def pdf_path(site_dir: Path, plan_id: str) -> Path:
    """Where `golive pdf` writes a plan's PDF by default."""
    return site_dir / PDF_DIR / f"{plan_id}.pdf"


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
        import weasyprint  # here, not at the top: it is slow to load, and only PDFs need it
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


def pdf_source_key(docs_dir: Path, plan_id: str, paper: str) -> str | None:
    """What a plan's PDF is made from: its print page's Markdown, the print style and template,
    golive's version and the paper; None when the print page is not in site_src/."""
    page = docs_dir / "plans" / plan_id / "print.md"
    if not page.is_file():
        return None
    digest = hashlib.sha256(f"{__version__}\0{paper}\0".encode())
    theme = resources.files("generator.site").joinpath("theme", "golive-print.html")
    for part in (page, docs_dir / "assets" / "golive-print.css"):
        digest.update(part.read_bytes() if part.is_file() else b"")
        digest.update(b"\0")
    digest.update(theme.read_bytes())
    return digest.hexdigest()


def read_manifest(pdf_dir: Path) -> dict[str, dict[str, str]]:
    """Plan id -> {"key", "paper"} of the PDFs in pdf_dir (empty when none was written there)."""
    try:
        loaded = json.loads((pdf_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {
        plan_id: {"key": str(entry.get("key")), "paper": str(entry.get("paper"))}
        for plan_id, entry in loaded.items()
        if isinstance(entry, dict)
        and entry.get("paper") in PAPER_SIZES
        and re.fullmatch(SLUG_PATTERN, plan_id)
        and (pdf_dir / f"{plan_id}.pdf").is_file()
    }


def write_manifest(pdf_dir: Path, manifest: dict[str, dict[str, str]]) -> None:
    pdf_dir.mkdir(parents=True, exist_ok=True)
    (pdf_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def current_pdfs(pdf_dir: Path, docs_dir: Path) -> dict[str, str]:
    """Plan id -> paper of the PDFs in pdf_dir made from what site_src/ holds now."""
    return {
        plan_id: entry["paper"]
        for plan_id, entry in read_manifest(pdf_dir).items()
        if entry["key"] == pdf_source_key(docs_dir, plan_id, entry["paper"])
    }


def record_pdf(pdf_dir: Path, docs_dir: Path, plan_id: str, paper: str) -> None:
    """Note in the manifest what the PDF just written to pdf_dir/<plan_id>.pdf was made from."""
    manifest = read_manifest(pdf_dir)
    key = pdf_source_key(docs_dir, plan_id, paper)
    if key is not None:
        manifest[plan_id] = {"key": key, "paper": paper}
        write_manifest(pdf_dir, manifest)


def forget_pdfs(pdf_dir: Path, plan_ids: Collection[str]) -> None:
    """Delete these plans' PDFs from pdf_dir and from its manifest."""
    manifest = read_manifest(pdf_dir)
    for plan_id in plan_ids:
        (pdf_dir / f"{plan_id}.pdf").unlink(missing_ok=True)
        manifest.pop(plan_id, None)
    if plan_ids:
        write_manifest(pdf_dir, manifest)


def weasyprint_problem() -> str | None:
    """Why WeasyPrint cannot run here (with what to do), or None when it can."""
    try:
        import weasyprint  # noqa: F401  (here, not at the top: it is slow to load, and only PDFs need it)
    except OSError as error:
        return f"cannot load WeasyPrint ({error}). {PANGO_HINT}"
    return None
