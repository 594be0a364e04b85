"""What the commands do, end to end: validate, render, write site_src/, build with MkDocs, make PDFs, publish.

Library code: every function returns its result or raises a GoliveError; none prints. The
command line (generator/cli/commands.py) turns the results into messages and exit codes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.authoring.from_plan import CopiedPlan, copy_plan
from generator.authoring.init import InitResult, init_repository
from generator.authoring.postmortem import create_postmortem
from generator.authoring.runsheet_export import default_output, run_sheet, write_run_sheet
from generator.authoring.runsheet_import import ImportedPlan, ImportOptions, import_run_sheet
from generator.authoring.scaffold import new_plan
from generator.authoring.schemas import write_schemas
from generator.call.channel import CallPerson, Roster
from generator.call.logbook import Appended, LogError, NewEntry, append_entry
from generator.call.server import CallServer
from generator.check.validate import Validation, stale_status_warnings, validate_project
from generator.diagnostics import Diagnostic, plural, sort_diagnostics
from generator.errors import GoliveError
from generator.mkdocs.build import MKDOCS_CONFIG, SITE_DIR, build_html
from generator.mkdocs.serve import serve_site
from generator.paper.pdf import (
    PDF_DIR,
    PdfError,
    check_output,
    current_pdfs,
    forget_pdfs,
    pdf_path,
    print_page,
    read_manifest,
    record_pdf,
    weasyprint_problem,
    write_pdf,
)
from generator.read.layout import PLANS_DIR
from generator.read.sources import refused_entries
from generator.review.background import HistoryInBackground, start_reading
from generator.review.diff import ProjectDiff, diff_against
from generator.review.publish import DEFAULT_BRANCH, PublishError, PublishResult, check_names, deploy
from generator.site.render import RenderedSite, render_site
from generator.site.views.people import short_names
from generator.site.views.plan import build_plan_view
from generator.site.views.site import PlanSummary
from generator.site.write import SITE_SRC, Changes, check_site_src, recover_site_src, write_site_src

# ---------------------------------------------------------------------------------------------
# Validate, render and write site_src/: the steps every command that writes shares.


@dataclass
class Generated:
    """The outcome of validating and rendering a project."""

    validation: Validation
    site: RenderedSite | None  # None when the sources have errors


def refused_outputs(root: Path, folders: Sequence[str] = (SITE_SRC,)) -> list[Diagnostic]:
    """An error for each symbolic link, FIFO, socket or device at or under root/<folder>.

    site_src/ comes from the repository: a link there would let MkDocs copy what it points at
    (`.git/config`, a home folder) into the site that `publish` pushes, and let writing
    site_src/ land outside it. A link as site/ would have MkDocs empty the folder it points at.
    """
    return [d for folder in folders for d in refused_entries(root, folder)]


def generate(root: Path, outputs: Sequence[str] = (SITE_SRC,)) -> Generated:
    """Validate and, when valid, render every file of site_src/ in memory.

    A link or special file under any of the `outputs` folders is an error too: nothing is rendered.
    """
    validation = _with(validate_project(root), refused_outputs(root, outputs))
    if not validation.ok:
        return Generated(validation, None)
    # Rendering reads the models only: the raw values and their line and column can go.
    for source in validation.project.sources():
        source.document.release()
    return Generated(validation, render_site(validation))


def write(root: Path, site: RenderedSite) -> Changes:
    """Bring root/site_src in line with the rendered site."""
    return write_site_src(root / SITE_SRC, site.files)


def check(root: Path, site: RenderedSite) -> Changes:
    """How root/site_src differs from what build would write (once an interrupted write is completed)."""
    return check_site_src(root / SITE_SRC, site.files)


# -- review: golive diff and golive publish ---------------------------------------------------


def publish(
    root: Path,
    version: str,
    aliases: list[str] | None = None,
    *,
    push: bool = False,
    branch: str = DEFAULT_BRANCH,
) -> PublishResult:
    """Publish the site with mike as `version` on `branch`, moving the aliases to it; refuse (PublishError)
    bad names, invalid plans or a stale site_src/ before the repository is looked at."""
    aliases = list(dict.fromkeys(aliases or []))
    check_names(version, aliases)
    _check_publishable(root)
    return deploy(root, version, aliases, push=push, branch=branch, config_file=MKDOCS_CONFIG)


def _check_publishable(root: Path) -> None:
    """Refuse unless the plans are valid and site_src/ is exactly what `golive build` writes."""
    generated = generate(root)
    if generated.site is None:
        errors = generated.validation.errors
        raise PublishError(
            f"the plans have {plural(len(errors), 'error')}; fix them, run `golive build` and commit {SITE_SRC}/",
            diagnostics=generated.validation.diagnostics,
        )
    changes = check(root, generated.site)
    if changes.any:
        raise PublishError(
            f"{SITE_SRC}/ is stale; run `golive build` and commit {SITE_SRC}/ before publishing",
            details=changes.listing(SITE_SRC),
        )


# ---------------------------------------------------------------------------------------------
# The commands' orchestration: validate, build, pdf, serve, log, postmortem, diff, new, schema.


def validate(root: Path, now: dt.datetime | None = None) -> Validation:
    """The sources' diagnostics and an error for each link or special file under site_src/.

    Given `now`, also the one warning that depends on the clock (plans still in progress or live
    long after their window): only here, never in the pages, which stay the same whenever built.
    """
    validation = validate_project(root)
    return _with(validation, [*refused_outputs(root), *(stale_status_warnings(validation, now) if now else [])])


def _with(validation: Validation, found: list[Diagnostic]) -> Validation:
    """The validation with what was found outside the sources (links under the outputs, the clock) in order."""
    if found:
        validation.diagnostics = sort_diagnostics([*validation.diagnostics, *found])
    return validation


@dataclass(frozen=True)
class Built:
    """What `build` left in site/: the HTML, and which PDFs site/pdf/ holds or is to get."""

    site: Path
    kept: dict[str, str]  # plan id -> paper: the PDFs site/pdf/ holds after this build, linked from the pages
    to_write: dict[str, str]  # those of `kept` to write now (write_pdfs); the others are still current
    pdf_problem: str | None  # why no PDF can be written (WeasyPrint missing); their pages link to the print page


def _pdfs_to_keep(root: Path, plan_ids: Sequence[str], paper: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """The PDFs site/pdf/ holds after this build (plan id -> paper), and those to write for it.

    With a `paper` (--pdf), every plan's; else those an earlier build wrote, kept current.
    """
    pdf_dir = root / SITE_DIR / PDF_DIR
    if paper is not None:
        wanted = dict.fromkeys(plan_ids, paper)
    else:
        wanted = {plan_id: entry["paper"] for plan_id, entry in read_manifest(pdf_dir).items() if plan_id in plan_ids}
    current = current_pdfs(pdf_dir, root / SITE_SRC)
    return wanted, {plan_id: p for plan_id, p in wanted.items() if current.get(plan_id) != p}


def build(
    root: Path, views: Sequence[PlanSummary], paper: str | None, history: HistoryInBackground | None = None
) -> Built:
    """Build site/ from site_src/ with MkDocs (strict); decide which PDFs site/pdf/ keeps and gets.

    `views`: the plans just written into site_src/; `paper`: every plan's PDF is wanted on it
    (--pdf), else only those an earlier build wrote; `history`: see start_history. Raises
    BuildError when MkDocs fails.
    """
    # PDFs are linked from the pages only when site/pdf/ will hold them: decide before MkDocs runs.
    wanted, to_write = _pdfs_to_keep(root, sorted(view.id for view in views), paper)
    problem = weasyprint_problem() if to_write else None
    if problem is not None:  # those PDFs cannot be written: their pages link to the print page
        wanted = {plan_id: paper for plan_id, paper in wanted.items() if plan_id not in to_write}
        to_write = {}
    site = build_html(root, views=views, pdf_plans=set(wanted), history=history)
    pdf_dir = root / SITE_DIR / PDF_DIR
    forget_pdfs(pdf_dir, set(read_manifest(pdf_dir)) - set(wanted))
    return Built(site, wanted, to_write, problem)


def start_history(root: Path) -> HistoryInBackground | None:
    """Start reading the plans' history from git in a process of its own, for `build` to take:
    the history is read while the sources are validated and the pages made. close() stops it.
    None: no git history here, or no process could be started (the build reads it itself)."""
    return start_reading(root)


def check_pdf_output(root: Path, output: Path) -> None:
    """Refuse a PDF --output that is a folder or inside site_src/ or site/ (PdfError)."""
    check_output(output, root / SITE_DIR, root / SITE_SRC)


def build_print_page(root: Path, validation: Validation, site: RenderedSite, plan_id: str, for_site: bool) -> None:
    """Make sure site/ holds the plan's print page as it is now: write site_src/, build when needed.

    `site`: the valid project rendered. `for_site`: the PDF goes into site/pdf/, so the plan's
    pages link to it. Raises PdfError for an unknown plan, BuildError when MkDocs fails.
    """
    plans = validation.project.plans
    if plan_id not in plans:
        raise PdfError(f"no plan '{plan_id}' (plans: {', '.join(sorted(plans))})")
    changes = write(root, site)
    # Build the HTML only when it is missing or site_src/ just changed.
    if changes.any or not print_page(root / SITE_DIR, plan_id).exists():
        linked = set(current_pdfs(root / SITE_DIR / PDF_DIR, root / SITE_SRC))
        build_html(root, views=site.plans, pdf_plans=linked | ({plan_id} if for_site else set()))


@dataclass(frozen=True)
class WrittenPdf:
    path: Path
    paper: str
    seconds: float


def write_pdfs(root: Path, papers: dict[str, str], output: Path | None = None) -> Iterator[WrittenPdf]:
    """Write each plan's PDF on its paper (plan id -> paper), yielding each once written.

    Into site/pdf/, noted in its manifest, unless `output` names the file. Raises PdfError.
    """
    site_dir = root / SITE_DIR
    for plan_id, paper in sorted(papers.items()):
        started = time.perf_counter()
        target = output or pdf_path(site_dir, plan_id)
        try:
            write_pdf(print_page(site_dir, plan_id), target, paper)
            if output is None:
                record_pdf(site_dir / PDF_DIR, root / SITE_SRC, plan_id, paper)
        except OSError as error:
            raise PdfError(f"cannot write {target.as_posix()}: {error.strerror}") from None
        yield WrittenPdf(target, paper, time.perf_counter() - started)


def serve(root: Path, dev_addr: str) -> None:
    """Serve the site with live reload until interrupted; the golive plugin regenerates site_src/."""
    # The golive plugin regenerates site_src/ before each build, writing only what changed; a
    # "dirty" build then renders only those pages, so an edit shows in a second or two.
    recover_site_src(root / SITE_SRC)  # finish or discard a write that was interrupted
    (root / SITE_SRC).mkdir(exist_ok=True)  # MkDocs checks that docs_dir exists before any plugin runs
    # Only requests addressed to dev_addr are answered: no web page can read the site by DNS rebinding.
    serve_site(root / MKDOCS_CONFIG, dev_addr)


def log(root: Path, plan_id: str, entry: NewEntry, rehearsal: str | None = None) -> Appended:
    """Append a checked, timestamped entry to the plan's log, or to its rehearsal `rehearsal`'s;
    LogError says why not."""
    try:
        return append_entry(root, plan_id, entry, dt.datetime.now(dt.UTC), rehearsal)
    except LogError as error:
        which = f"rehearsal {rehearsal} of {plan_id}" if rehearsal is not None else f"{plan_id}'s log"
        raise LogError(f"{error.message}; {which} is unchanged", error.diagnostics) from None


class CallError(GoliveError):
    """The call cannot start: an unknown plan, or plans with errors."""


def call(
    root: Path, plan_id: str, host: str = "127.0.0.1", port: int = 8000, rehearsal: str | None = None
) -> CallServer:
    """Validate, write site_src/ and build site/ when it is older than the sources, then make the
    call's server for `plan_id` (bound, not yet serving: serve_call runs it), writing to its
    rehearsal `rehearsal`'s file instead of log.yaml when named. Raises CallError."""
    generated = generate(root, (SITE_SRC, SITE_DIR))
    validation = generated.validation
    plans = validation.project.plans
    if plan_id not in plans:
        known = ", ".join(sorted(plans)) or "none"
        raise CallError(f"no plan '{plan_id}' in {PLANS_DIR}/ (plans: {known})")
    if generated.site is None:
        raise CallError("fix the errors above first", diagnostics=validation.diagnostics)
    view = build_plan_view(validation, plan_id)
    contacts = [row.person for row in view.contact_rows]
    short = short_names(contacts)
    roster = Roster(view.fingerprint, tuple(CallPerson(c.id, c.name, short[c.id], c.phone) for c in contacts))
    changes = write(root, generated.site)
    if changes.any or _site_older_than_sources(root, plan_id):
        build(root, generated.site.plans, None)
    try:
        return CallServer(root, plan_id, root / SITE_DIR, roster, host, port, rehearsal=rehearsal)
    except OSError as error:
        raise CallError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def _site_older_than_sources(root: Path, plan_id: str) -> bool:
    """Whether the plan's built runbook is missing or older than a file under plans/ or mkdocs.yml."""
    try:
        built = (root / SITE_DIR / PLANS_DIR / plan_id / "runbook.html").stat().st_mtime_ns
    except OSError:
        return True
    sources = [root / MKDOCS_CONFIG, *(root / PLANS_DIR).rglob("*")]
    return any(path.lstat().st_mtime_ns > built for path in sources if path.exists())


def postmortem(root: Path, plan_id: str) -> Path:
    """Create plans/<plan_id>/postmortem.yaml, pre-filled; PostmortemError says why not."""
    return create_postmortem(root, plan_id, dt.date.today())


def diff(root: Path, revision: str | None) -> ProjectDiff:
    """What changed in each plan since `revision` (default: the merge base with main); GitError."""
    return diff_against(root, revision)


def new(root: Path, plan_id: str) -> Path:
    """Create a valid draft plan; ScaffoldError says why not."""
    return new_plan(root, plan_id, dt.date.today())


def new_from(
    root: Path, plan_id: str, source_id: str, window_start: dt.datetime | None, adjust_durations: bool = False
) -> CopiedPlan:
    """Create a draft plan from another plan, its window moved to `window_start`, its durations
    raised to the medians of its series' completed runs when `adjust_durations`; ScaffoldError
    (NoSeriesError: the plan has no series)."""
    return copy_plan(root, plan_id, source_id, window_start, adjust_durations)


def export(root: Path, plan_id: str, file_format: str, output: Path | None) -> Path:
    """Write the run sheet of a valid plan as CSV or XLSX (never over a file); return where; ExportError."""
    sheet = run_sheet(root, plan_id)
    path = output if output is not None else default_output(plan_id, file_format)
    write_run_sheet(sheet, path, file_format)
    return path


def import_sheet(root: Path, plan_id: str, sheet_path: Path, options: ImportOptions) -> ImportedPlan:
    """Write plans/<plan_id>/plan.yaml from a CSV or XLSX run sheet; RunSheetError names each problem's cell."""
    return import_run_sheet(root, plan_id, sheet_path, options)


def init(root: Path) -> InitResult:
    """Add what is missing of a plans repository under root (never overwriting); InitError says why not."""
    return init_repository(root, __version__, dt.date.today())


def schemas(root: Path) -> list[Path]:
    """Write the JSON Schemas of every source kind into schemas/; return the files written."""
    return write_schemas(root)
