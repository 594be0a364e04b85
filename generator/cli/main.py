"""The golive command line: a thin shell that turns library results into messages and exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import re
import sys
import textwrap
import time
import traceback
import typing
from collections.abc import Callable, Sequence
from pathlib import Path

from generator import __version__
from generator.api import SITE_SRC, check, generate, publish, refused_outputs, write
from generator.authoring.postmortem import PostmortemError, create_postmortem
from generator.authoring.scaffold import ScaffoldError, new_plan
from generator.authoring.schemas import write_schemas
from generator.call.logbook import BY_VARIABLE, LogError, NewEntry, append_entry
from generator.check.validate import Validation, stale_status_warnings, validate_project
from generator.diagnostics import sort_diagnostics
from generator.mkdocs.build import MKDOCS_CONFIG, SITE_DIR, BuildError, build_html
from generator.paper.pdf import (
    PAPER_SIZES,
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
from generator.read.models.common import SLUG_PATTERN, parse_date, parse_datetime
from generator.read.models.log import EntryKind, Severity
from generator.report import REPORTERS
from generator.review.diff import diff_against
from generator.review.git import GitError
from generator.review.publish import PublishError
from generator.site.render import diff_markdown
from generator.site.write import recover_site_src

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
ENTRY_KINDS = list(typing.get_args(EntryKind))
SEVERITIES = list(typing.get_args(Severity))


def plan_id_argument(value: str) -> str:
    """An argparse type: a plan id is a slug, so it can never name a path outside plans/<id>/."""
    if not re.fullmatch(SLUG_PATTERN, value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a plan id: use lowercase letters, digits and hyphens, "
            "starting with a letter or digit, at most 63 characters"
        )
    return value


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(validation: Validation) -> str:
    """One line: what was checked and what was found."""
    project = validation.project
    files = (
        sum(1 + (p.log is not None) + (p.postmortem is not None) for p in project.plans.values())
        + len(project.checklists)
        + (project.people is not None)
    )
    errors, warnings = len(validation.errors), len(validation.warnings)
    checked = f"{_plural(len(project.plans), 'plan')}, {_plural(files, 'file')} read"
    if not errors and not warnings:
        return f"golive: {checked}: all valid"
    return f"golive: {checked}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _validate_with_outputs(root: Path) -> Validation:
    """The sources' diagnostics, and an error for each link or special file under site_src/."""
    validation = validate_project(root)
    refused = refused_outputs(root)
    if refused:
        validation.diagnostics = sort_diagnostics([*validation.diagnostics, *refused])
    return validation


def now_argument(value: str) -> dt.datetime:
    """An argparse type: a date or a date and time, in UTC unless an offset is given."""
    try:
        moment = parse_datetime(value) if len(value.strip()) > 10 else dt.datetime.combine(parse_date(value), dt.time())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def cmd_validate(args: argparse.Namespace) -> int:
    validation = _validate_with_outputs(args.root)
    # Only here, never in the pages: the one warning that depends on the clock.
    stale = stale_status_warnings(validation, args.now)
    if stale:
        validation.diagnostics = sort_diagnostics([*validation.diagnostics, *stale])
    output = REPORTERS[args.format](validation.diagnostics)
    if args.format == "json":
        print(output)
    else:
        if output:
            print(output)
        print(summary_line(validation), file=sys.stderr if args.format == "github" else sys.stdout)
    failed = not validation.ok or (args.strict and validation.warnings)
    return EXIT_INVALID if failed else EXIT_OK


def _report(validation: Validation) -> bool:
    """Print diagnostics as text; True when there is no error."""
    output = REPORTERS["text"](validation.diagnostics)
    if output:
        print(output)
    return validation.ok


def _write_pdfs(root: Path, papers: dict[str, str], output: Path | None = None) -> int:
    """Write each plan's PDF on its paper (plan id -> paper); note those in site/pdf/ in its manifest."""
    site_dir = root / SITE_DIR
    for plan_id, paper in sorted(papers.items()):
        started = time.perf_counter()
        target = output or pdf_path(site_dir, plan_id)
        try:
            write_pdf(print_page(site_dir, plan_id), target, paper)
            if output is None:
                record_pdf(site_dir / PDF_DIR, root / SITE_SRC, plan_id, paper)
        except PdfError as error:
            print(f"golive pdf: {error}", file=sys.stderr)
            return EXIT_INVALID
        except OSError as error:
            print(f"golive pdf: cannot write {target.as_posix()}: {error.strerror}", file=sys.stderr)
            return EXIT_INVALID
        shown = target.relative_to(root) if target.is_relative_to(root) else target
        print(f"golive: wrote {shown} ({paper}, {time.perf_counter() - started:.1f}s)")
    return EXIT_OK


def cmd_pdf(args: argparse.Namespace) -> int:
    if args.output is not None:
        try:
            check_output(args.output, args.root / SITE_DIR, args.root / SITE_SRC)
        except PdfError as error:
            print(f"golive pdf: {error}", file=sys.stderr)
            return EXIT_INVALID
    generated = generate(args.root, (SITE_SRC, SITE_DIR))
    if not _report(generated.validation) or generated.site is None:
        print("golive pdf: fix the errors above first", file=sys.stderr)
        return EXIT_INVALID
    if args.plan_id not in generated.validation.project.plans:
        known = ", ".join(sorted(generated.validation.project.plans))
        print(f"golive pdf: no plan '{args.plan_id}' (plans: {known})", file=sys.stderr)
        return EXIT_INVALID
    changes = write(args.root, generated.site)
    # Build the HTML only when it is missing or site_src/ just changed.
    if changes.any or not print_page(args.root / SITE_DIR, args.plan_id).exists():
        linked = set(current_pdfs(args.root / SITE_DIR / PDF_DIR, args.root / SITE_SRC))
        try:
            build_html(
                args.root, views=generated.site.plans, pdf_plans=linked | ({args.plan_id} if not args.output else set())
            )
        except BuildError as error:
            for message in error.messages:
                print(f"mkdocs: {message}", file=sys.stderr)
            return EXIT_INVALID
    return _write_pdfs(args.root, {args.plan_id: args.paper}, args.output)


def _pdfs_to_keep(root: Path, plan_ids: Sequence[str], paper: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """The PDFs site/pdf/ holds after this build (plan id -> paper), and those to write for it.

    With --pdf (`paper`), every plan's; else those an earlier build wrote, kept current.
    """
    pdf_dir = root / SITE_DIR / PDF_DIR
    if paper is not None:
        wanted = dict.fromkeys(plan_ids, paper)
    else:
        wanted = {plan_id: entry["paper"] for plan_id, entry in read_manifest(pdf_dir).items() if plan_id in plan_ids}
    current = current_pdfs(pdf_dir, root / SITE_SRC)
    return wanted, {plan_id: p for plan_id, p in wanted.items() if current.get(plan_id) != p}


def cmd_build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    generated = generate(args.root, (SITE_SRC, SITE_DIR))
    if not _report(generated.validation) or generated.site is None:
        print(summary_line(generated.validation))
        print("golive build: nothing written: fix the errors above first", file=sys.stderr)
        return EXIT_INVALID
    changes = write(args.root, generated.site)
    print(
        f"golive: site_src/: {len(changes.added)} added, {len(changes.changed)} changed, "
        f"{len(changes.removed)} removed, {changes.unchanged} unchanged"
    )
    # MkDocs needs only each plan's summary (for the history pages): let the sources, the
    # page contexts and the rendered files go before MkDocs holds the whole site.
    views = list(generated.site.plans)
    plan_ids = sorted(view.id for view in views)
    del generated
    # PDFs are linked from the pages only when site/pdf/ will hold them: decide before MkDocs runs.
    wanted, to_write = _pdfs_to_keep(args.root, plan_ids, args.paper if args.pdf else None)
    problem = weasyprint_problem() if to_write else None
    if problem is not None:  # those PDFs cannot be written: their pages link to the print page
        wanted = {plan_id: paper for plan_id, paper in wanted.items() if plan_id not in to_write}
        to_write = {}
    pdf_dir = args.root / SITE_DIR / PDF_DIR
    try:
        site = build_html(args.root, views=views, pdf_plans=set(wanted))
    except BuildError as error:
        for message in error.messages:
            print(f"mkdocs: {message}", file=sys.stderr)
        return EXIT_INVALID
    forget_pdfs(pdf_dir, set(read_manifest(pdf_dir)) - set(wanted))
    shown = site.relative_to(args.root) if site.is_relative_to(args.root) else site
    print(f"golive: built {shown}/ in {time.perf_counter() - started:.1f}s")
    if problem is not None:
        print(f"golive pdf: {problem}; the pages link to the print page instead", file=sys.stderr)
        return EXIT_INVALID if args.pdf else EXIT_OK
    if len(wanted) > len(to_write):
        print(f"golive: {_plural(len(wanted) - len(to_write), 'PDF')} in {SITE_DIR}/{PDF_DIR}/ still current, kept")
    return _write_pdfs(args.root, to_write)


def cmd_check(args: argparse.Namespace) -> int:
    generated = generate(args.root)
    if not _report(generated.validation) or generated.site is None:
        print(summary_line(generated.validation))
        return EXIT_INVALID
    changes = check(args.root, generated.site)
    if not changes.any:
        print(f"golive: {SITE_SRC}/ is up to date ({changes.unchanged} files)")
        return EXIT_OK
    for relative in changes.added:
        print(f"{SITE_SRC}/{relative}: missing")
    for relative in changes.changed:
        print(f"{SITE_SRC}/{relative}: differs")
    for relative in changes.removed:
        print(f"{SITE_SRC}/{relative}: would be deleted")
    print(f"golive check: {SITE_SRC}/ is stale; run `golive build` and commit {SITE_SRC}/", file=sys.stderr)
    return EXIT_INVALID


def cmd_serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve

    from generator.mkdocs.serve import host_checked_serving

    # Show MkDocs' own progress ("Serving on ...", rebuilds) as its CLI would.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    # golive knows what it rebuilds (see the golive plugin): MkDocs' caution about dirty builds is noise.
    logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
    if not _report(_validate_with_outputs(args.root)):
        print("golive serve: fix the errors above first", file=sys.stderr)
        return EXIT_INVALID
    # The golive plugin regenerates site_src/ before each build, writing only what changed; a
    # "dirty" build then renders only those pages, so an edit shows in a second or two.
    recover_site_src(args.root / SITE_SRC)  # finish or discard a write that was interrupted
    (args.root / SITE_SRC).mkdir(exist_ok=True)  # MkDocs checks that docs_dir exists before any plugin runs
    # Only requests addressed to dev_addr are answered: no web page can read the site by DNS rebinding.
    with host_checked_serving():
        serve(
            config_file=str(args.root / MKDOCS_CONFIG),
            livereload=True,
            build_type="dirty",
            dev_addr=args.dev_addr,
        )
    return EXIT_OK


def cmd_log(args: argparse.Namespace) -> int:
    entry = NewEntry(
        text=args.text,
        kind=args.kind,
        by=args.by,
        step=args.step,
        severity=args.severity,
        id=args.id,
        resolves=args.resolves,
        at=args.at,
    )
    try:
        appended = append_entry(args.root, args.plan_id, entry, dt.datetime.now(dt.UTC))
    except LogError as error:
        output = REPORTERS["text"](error.diagnostics)
        if output:
            print(output, file=sys.stderr)
        print(f"golive log: {error}; {args.plan_id}'s log is unchanged", file=sys.stderr)
        return EXIT_INVALID
    fields = appended.fields
    what = " ".join(fields[k] for k in ("kind", "step", "severity") if k in fields)
    shown = appended.path.relative_to(args.root) if appended.path.is_relative_to(args.root) else appended.path
    print(f"golive: logged {fields['at']} {what} by {fields['by']} in {shown}")
    return EXIT_OK


def cmd_postmortem(args: argparse.Namespace) -> int:
    try:
        path = create_postmortem(args.root, args.plan_id, dt.date.today())
    except PostmortemError as error:
        print(f"golive postmortem: {error}", file=sys.stderr)
        return EXIT_INVALID
    shown = path.relative_to(args.root) if path.is_relative_to(args.root) else path
    print(f"created {shown}: pre-filled from the plan and the log; fill it in and open a pull request")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    try:
        diff = diff_against(args.root, args.revision)
    except GitError as error:
        print(f"golive diff: {error}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "json":
        print(json.dumps(diff.as_json(), indent=2, ensure_ascii=False))
    else:
        print(diff_markdown(diff), end="")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    for path in write_schemas(args.root):
        print(f"wrote {path.relative_to(args.root).as_posix()}" if path.is_relative_to(args.root) else f"wrote {path}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    try:
        path = new_plan(args.root, args.plan_id, dt.date.today())
    except ScaffoldError as error:
        print(f"golive new: {error}", file=sys.stderr)
        return EXIT_INVALID
    shown = path.relative_to(args.root).as_posix() if path.is_relative_to(args.root) else str(path)
    print(f"created {shown}: a draft to edit; check it with `golive validate`")
    return EXIT_OK


def cmd_publish(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        result = publish(args.root, args.version, args.alias or [], push=args.push, branch=args.branch)
    except PublishError as error:
        output = REPORTERS["text"](error.diagnostics)
        for line in [*([output] if output else []), *error.details]:
            print(line, file=sys.stderr)
        print(f"golive publish: {error}", file=sys.stderr)
        return EXIT_INVALID
    named = f"{result.version} [{', '.join(result.aliases)}]" if result.aliases else result.version
    if not result.changed:
        print(f"golive: {result.branch} already holds this build of {named}; nothing committed")
    else:
        pushed = ", pushed" if result.pushed else " (not pushed; --push to push)"
        print(
            f"golive: published {named} to {result.branch} at {result.commit[:12]}{pushed} "
            f"in {time.perf_counter() - started:.1f}s"
        )
    held = ", ".join(f"{v.version} [{', '.join(v.aliases)}]" if v.aliases else v.version for v in result.versions)
    print(f"golive: {result.branch} holds {held}")
    return EXIT_OK


def _example(text: str) -> str:
    return "example:\n" + textwrap.indent(textwrap.dedent(text).strip(), "  ")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="golive",
        description="Go-live plans kept as YAML in git, validated and rendered into a MkDocs site.",
        epilog=_example("golive validate\ngolive new shop-relaunch\ngolive build"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"golive {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on an internal error")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="project folder with plans/ and mkdocs.yml (default: the current folder)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str, handler: Callable[[argparse.Namespace], int], help_text: str, example: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            parents=[common],
            help=help_text,
            description=help_text,
            epilog=_example(example),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(handler=handler)
        return sub

    validate = add(
        "validate",
        cmd_validate,
        "read and check every source; exit 0 when valid, 1 when not",
        "golive validate --format github --strict",
    )
    validate.add_argument("--strict", action="store_true", help="fail on warnings too")
    validate.add_argument(
        "--now",
        type=now_argument,
        metavar="WHEN",
        help="check plans still in-progress or live against this date (and time, UTC) instead of now",
    )
    validate.add_argument("--format", choices=sorted(REPORTERS), default="text", help="output format (default: text)")

    build = add(
        "build",
        cmd_build,
        "validate, write site_src/ and build the HTML into site/ with MkDocs (strict)",
        "golive build --pdf && open site/index.html",
    )
    build.add_argument("--pdf", action="store_true", help="also write site/pdf/<plan-id>.pdf for every plan")
    build.add_argument("--paper", choices=sorted(PAPER_SIZES), default="a4", help="paper for --pdf (default: a4)")
    pdf = add(
        "pdf",
        cmd_pdf,
        "write a plan's printable runbook as PDF (default: site/pdf/<plan-id>.pdf)",
        "golive pdf shop-relaunch --paper letter --output runbook.pdf",
    )
    pdf.add_argument("plan_id", metavar="PLAN_ID", type=plan_id_argument, help="the plan to print")
    pdf.add_argument("--paper", choices=sorted(PAPER_SIZES), default="a4", help="paper size (default: a4)")
    pdf.add_argument("--output", type=Path, metavar="FILE", help="where to write the PDF")
    add(
        "check",
        cmd_check,
        "fail when site_src/ is not what build would write (for CI on pull requests)",
        "golive check || golive build",
    )
    serve = add(
        "serve",
        cmd_serve,
        "build and serve the site with live reload; editing plans/ regenerates the pages",
        "golive serve --dev-addr 127.0.0.1:8000",
    )
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT", help="address to serve on")
    log = add(
        "log",
        cmd_log,
        "append a checked, timestamped entry to a plan's log during the call",
        'golive log shop-relaunch "Snapshot done, 41 GB" --kind step-done --step backup-db --by dev',
    )
    log.add_argument("plan_id", metavar="PLAN_ID", type=plan_id_argument, help="the plan whose log.yaml gets the entry")
    log.add_argument("text", nargs="?", help="what happened (needed for notes, issues, decisions, metrics)")
    log.add_argument("--kind", choices=ENTRY_KINDS, default="note", help="kind of entry (default: note)")
    log.add_argument("--step", metavar="STEP", help="the step id the entry is about")
    log.add_argument("--by", metavar="PERSON", help=f"who logs it (default: ${BY_VARIABLE})")
    log.add_argument("--severity", choices=SEVERITIES, help="severity of an issue, sev1 (worst) to sev4")
    log.add_argument("--id", metavar="ID", help="an id for an issue, so a resolution can name it")
    log.add_argument("--resolves", metavar="ID", help="the issue a resolution resolves")
    log.add_argument("--at", metavar="TIME", help="23:05 (during the window) or 2026-12-05 23:05; default: now")
    postmortem = add(
        "postmortem",
        cmd_postmortem,
        "create postmortem.yaml pre-filled from the plan and the log (never overwrites)",
        "golive postmortem shop-relaunch",
    )
    postmortem.add_argument(
        "plan_id", metavar="PLAN_ID", type=plan_id_argument, help="the plan the post-mortem is about"
    )
    diff = add(
        "diff",
        cmd_diff,
        "summarise for a reviewer what changed in each plan since a git revision",
        'golive diff origin/main --format markdown >> "$GITHUB_STEP_SUMMARY"',
    )
    diff.add_argument(
        "revision",
        nargs="?",
        metavar="GIT-REV",
        help="compare with this revision (default: merge base with main)",
    )
    diff.add_argument("--format", choices=["markdown", "json"], default="markdown", help="output (default: markdown)")
    add(
        "schema",
        cmd_schema,
        "write JSON Schemas of every source kind into schemas/, for editors",
        "golive schema && head -3 plans/people.yaml",
    )
    new = add("new", cmd_new, "create a valid draft plan to start from", "golive new shop-relaunch")
    new.add_argument("plan_id", metavar="PLAN_ID", type=plan_id_argument, help="the new plan's id, e.g. shop-relaunch")
    publish = add(
        "publish",
        cmd_publish,
        "publish the built site as a version with mike (refused when invalid or site_src/ is stale)",
        "golive publish 2026.11.27 --alias latest --push",
    )
    publish.add_argument("version", metavar="VERSION", help="the version to publish, e.g. 2026.11.27 or 1.4")
    publish.add_argument(
        "--alias",
        action="append",
        metavar="A",
        help="also publish as this alias, moving it from the version that had it (repeatable)",
    )
    publish.add_argument("--push", action="store_true", help="push the branch to the remote afterwards")
    publish.add_argument(
        "--branch", default="gh-pages", metavar="B", help="branch holding the versions (default: gh-pages)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("golive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and friends
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # a bug in golive, not a problem with the sources
        if args.debug:
            traceback.print_exc()
        print(
            f"golive: internal error: {type(error).__name__}: {error} (rerun with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_INVALID
