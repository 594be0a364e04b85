"""The golive commands: each turns its arguments into a call to the api and its result into messages.

A command returns its exit code; a GoliveError it raises is printed by main(), one way for all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

from generator import api
from generator.authoring.from_plan import Adjustments, NoSeriesError
from generator.authoring.runsheet_import import ImportOptions
from generator.call.logbook import NewEntry, log_display
from generator.call.server import serve_call
from generator.check.validate import Validation
from generator.diagnostics import plural
from generator.errors import GoliveError
from generator.hosts import is_loopback
from generator.mkdocs.build import SITE_DIR, check_config
from generator.paper.pdf import PDF_DIR, PdfError
from generator.report import REPORTERS, format_text
from generator.review.background import HistoryInBackground
from generator.schedule.timefmt import format_span
from generator.site.render import diff_markdown
from generator.site.write import SITE_SRC

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2  # 2 as argparse exits on a wrong command line


def _shown(path: Path, root: Path) -> Path:
    """A path as the user gave the project: relative to the root when it is inside it."""
    return path.relative_to(root) if path.is_relative_to(root) else path


def summary_line(validation: Validation) -> str:
    """One line: what was checked and what was found."""
    project = validation.project
    files = sum(1 for _ in project.sources())
    errors, warnings = len(validation.errors), len(validation.warnings)
    checked = f"{plural(len(project.plans), 'plan')}, {plural(files, 'file')} read"
    if not errors and not warnings:
        return f"golive: {checked}: all valid"
    return f"golive: {checked}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"


def _report(validation: Validation) -> bool:
    """Print diagnostics as text; True when there is no error."""
    output = format_text(validation.diagnostics)
    if output:
        print(output)
    return validation.ok


def validate(args: argparse.Namespace) -> int:
    validation = api.validate(args.root, now=args.now or dt.datetime.now(dt.UTC))
    output = REPORTERS[args.format](validation.diagnostics)
    if args.format == "json":
        print(output)
    else:
        if output:
            print(output)
        print(summary_line(validation), file=sys.stderr if args.format == "github" else sys.stdout)
    failed = not validation.ok or (args.strict and validation.warnings)
    return EXIT_INVALID if failed else EXIT_OK


def build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    history = api.start_history(args.root)
    try:
        return _build(args, started, history)
    finally:
        if history is not None:
            history.close()


def _build(args: argparse.Namespace, started: float, history: HistoryInBackground | None) -> int:
    generated = api.generate(args.root, (SITE_SRC, SITE_DIR))
    if not _report(generated.validation) or generated.site is None:
        print(summary_line(generated.validation))
        raise GoliveError("nothing written: fix the errors above first")
    check_config(args.root)
    changes = api.write(args.root, generated.site)
    print(
        f"golive: site_src/: {len(changes.added)} added, {len(changes.changed)} changed, "
        f"{len(changes.removed)} removed, {changes.unchanged} unchanged"
    )
    # MkDocs needs only each plan's heading (for the history pages): let the sources, the
    # page contexts and the rendered files go before MkDocs holds the whole site.
    views = list(generated.site.plans)
    del generated
    built = api.build(args.root, views, args.paper if args.pdf else None, history)
    print(f"golive: built {_shown(built.site, args.root)}/ in {time.perf_counter() - started:.1f}s")
    if built.pdf_problem is not None:
        print(f"golive pdf: {built.pdf_problem}; the pages link to the print page instead", file=sys.stderr)
        return EXIT_INVALID if args.pdf else EXIT_OK
    if len(built.kept) > len(built.to_write):
        still_current = len(built.kept) - len(built.to_write)
        print(f"golive: {plural(still_current, 'PDF')} in {SITE_DIR}/{PDF_DIR}/ still current, kept")
    _write_pdfs(args.root, built.to_write)
    return EXIT_OK


def _write_pdfs(root: Path, papers: dict[str, str], output: Path | None = None) -> None:
    for written in api.write_pdfs(root, papers, output):
        print(f"golive: wrote {_shown(written.path, root)} ({written.paper}, {written.seconds:.1f}s)")


def pdf(args: argparse.Namespace) -> int:
    if args.output is not None:
        api.check_pdf_output(args.root, args.output)
    generated = api.generate(args.root, (SITE_SRC, SITE_DIR))
    if not _report(generated.validation) or generated.site is None:
        raise PdfError("fix the errors above first")
    api.build_print_page(args.root, generated.validation, generated.site, args.plan_id, for_site=args.output is None)
    _write_pdfs(args.root, {args.plan_id: args.paper}, args.output)
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    generated = api.generate(args.root)
    if not _report(generated.validation) or generated.site is None:
        print(summary_line(generated.validation))
        return EXIT_INVALID
    changes = api.check(args.root, generated.site)
    if not changes.any:
        print(f"golive: {SITE_SRC}/ is up to date ({changes.unchanged} files)")
        return EXIT_OK
    for line in changes.listing(SITE_SRC):
        print(line)
    print(f"golive check: {SITE_SRC}/ is stale; run `golive build` and commit {SITE_SRC}/", file=sys.stderr)
    return EXIT_INVALID


def serve(args: argparse.Namespace) -> int:
    # Show MkDocs' own progress ("Serving on ...", rebuilds) as its CLI would.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    # golive knows what it rebuilds (see the golive plugin): MkDocs' caution about dirty builds is noise.
    logging.getLogger("mkdocs.commands.build").addFilter(lambda record: "'dirty' build" not in record.getMessage())
    if not _report(api.validate(args.root)):
        raise GoliveError("fix the errors above first")
    api.serve(args.root, args.dev_addr)
    return EXIT_OK


def call(args: argparse.Namespace) -> int:
    server = api.call(args.root, args.plan_id, args.host, args.port, rehearsal=args.rehearsal)
    written = log_display(args.plan_id, args.rehearsal)
    if not is_loopback(args.host):
        print(
            f"golive call: warning: listening on {args.host}: anyone who has the link below "
            f"can read the plan and write to {'its log' if args.rehearsal is None else written}",
            file=sys.stderr,
        )
        if args.host in ("0.0.0.0", "::"):
            print("golive call: others join with this machine's address in the link's place", file=sys.stderr)
    if args.rehearsal is not None:
        print(f"golive call: rehearsal {args.rehearsal}: every entry goes to {written}", file=sys.stderr)
    print(f"golive call: {args.plan_id}: join link (share it only with the people on the call):", file=sys.stderr)
    print(server.join_link, flush=True)
    # What the server does (each entry logged, a problem reading the log) goes to stderr, a line each.
    logger, handler = logging.getLogger("golive.call"), logging.StreamHandler()
    handler.setFormatter(logging.Formatter("golive call: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        serve_call(server)
    except KeyboardInterrupt:
        print(f"golive call: stopped; the log is in {written}", file=sys.stderr)
    finally:
        logger.removeHandler(handler)
    return EXIT_OK


def log(args: argparse.Namespace) -> int:
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
    appended = api.log(args.root, args.plan_id, entry, args.rehearsal)
    fields = appended.fields
    if appended.started is not None:
        print(f"golive: started rehearsal {appended.rehearsal} at {appended.started}")
    what = " ".join(fields[k] for k in ("kind", "step", "severity") if k in fields)
    print(f"golive: logged {fields['at']} {what} by {fields['by']} in {_shown(appended.path, args.root)}")
    if appended.forecast is not None:
        whose = f"rehearsal {appended.rehearsal}: " if appended.rehearsal is not None else ""
        print(f"golive: {whose}{appended.forecast.line()}")
    return EXIT_OK


def postmortem(args: argparse.Namespace) -> int:
    path = api.postmortem(args.root, args.plan_id)
    print(
        f"created {_shown(path, args.root)}: pre-filled from the plan and the log; fill it in and open a pull request"
    )
    return EXIT_OK


def diff(args: argparse.Namespace) -> int:
    found = api.diff(args.root, args.revision)
    if args.format == "json":
        print(json.dumps(found.as_json(), indent=2, ensure_ascii=False))
    else:
        print(diff_markdown(found), end="")
    return EXIT_OK


def schema(args: argparse.Namespace) -> int:
    for path in api.schemas(args.root):
        print(f"wrote {_shown(path, args.root).as_posix()}")
    return EXIT_OK


def init(args: argparse.Namespace) -> int:
    root = args.directory if args.directory is not None else args.root
    result = api.init(root)
    for name in result.created:
        print(f"created {name}")
    for name, why in result.skipped:
        print(f"skipped {name} ({why})")
    shown = root.as_posix()
    where = "" if shown == "." else f"cd {shlex.quote(shown)} && "
    print(f"golive: {plural(len(result.created), 'file')} created; next: {where}golive validate && golive build")
    return EXIT_OK


def new(args: argparse.Namespace) -> int:
    if args.source is None:
        for given, option in (
            (args.window_start is not None, "--window-start"),
            (args.adjust_durations, "--adjust-durations"),
        ):
            if given:
                print(f"golive new: {option} goes with --from OTHER", file=sys.stderr)
                return EXIT_USAGE
        path = api.new(args.root, args.plan_id)
        print(f"created {_shown(path, args.root).as_posix()}: a draft to edit; check it with `golive validate`")
        return EXIT_OK
    try:
        copied = api.new_from(args.root, args.plan_id, args.source, args.window_start, args.adjust_durations)
    except NoSeriesError as error:
        print(f"golive new: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    moved = f", every date and time {_moved(copied.shifted)}" if copied.shifted else ""
    dropped = f"; {plural(copied.approvals_dropped, 'approval')} dropped" if copied.approvals_dropped else ""
    print(
        f"created {_shown(copied.path, args.root).as_posix()} from {args.source}: a draft, version 1, window from"
        f" {copied.window_start:%Y-%m-%d %H:%M}{moved}{dropped}; no log, no post-mortem"
    )
    if copied.adjustments is not None:
        _print_adjustments(copied.adjustments)
    return EXIT_OK


def _print_adjustments(adjustments: Adjustments) -> None:
    runs = f"{plural(adjustments.completed_runs, 'completed run')} of series {adjustments.series}"
    if not adjustments.changed:
        print(f"durations: none changed: no step is planned below the median of the {runs}")
        return
    print(f"durations: {plural(len(adjustments.changed), 'step')} raised to the median of the {runs}:")
    for change in adjustments.changed:
        print(f"  {change.line()}")


def export(args: argparse.Namespace) -> int:
    path = api.export(args.root, args.plan_id, args.format, args.output)
    print(f"golive: wrote {path.as_posix()}: the run sheet of {args.plan_id}, one row per step")
    return EXIT_OK


def import_sheet(args: argparse.Namespace) -> int:
    options = ImportOptions(
        title=args.title,
        timezone=args.timezone,
        window_start=args.window_start,
        window_end=args.window_end,
        sheet=args.sheet,
        mapping=dict(args.map or []),
    )
    imported = api.import_sheet(args.root, args.plan, args.runsheet, options)
    print(
        f"created {_shown(imported.path, args.root).as_posix()} from {args.runsheet}: a draft with"
        f" {plural(imported.steps, 'step')}, window to {imported.window_end:%Y-%m-%d %H:%M}; add gates and a rollback"
    )
    return EXIT_OK


def _moved(shift: dt.timedelta) -> str:
    later = "later" if shift > dt.timedelta(0) else "earlier"
    days, rest = divmod(abs(shift), dt.timedelta(days=1))
    span = " and ".join(
        part for part in (plural(days, "day") if days else "", format_span(rest) if rest else "") if part
    )
    return f"{span} {later}"


def publish(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = api.publish(args.root, args.version, args.alias or [], push=args.push, branch=args.branch)
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


# The command named on the command line -> what runs it (the parser's COMMANDS describe their arguments).
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": validate,
    "build": build,
    "pdf": pdf,
    "check": check,
    "serve": serve,
    "call": call,
    "log": log,
    "postmortem": postmortem,
    "diff": diff,
    "schema": schema,
    "init": init,
    "new": new,
    "export": export,
    "import": import_sheet,
    "publish": publish,
}
