"""The golive command line's arguments: one argparse sub-parser per command, each described with an example."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import textwrap
import typing
from collections.abc import Callable
from pathlib import Path

from generator import __version__
from generator.authoring.runsheet_read import FIELDS
from generator.call.logbook import BY_VARIABLE
from generator.paper.pdf import PAPER_SIZES
from generator.read.models.common import SLUG_MAX, SLUG_PATTERN, SLUG_RULE, parse_date, parse_datetime
from generator.read.models.log import EntryKind, Severity
from generator.report import REPORTERS

ENTRY_KINDS = list(typing.get_args(EntryKind))
SEVERITIES = list(typing.get_args(Severity))


def plan_id_argument(value: str) -> str:
    """An argparse type: a plan id is a slug, so it can never name a path outside plans/<id>/."""
    if not re.fullmatch(SLUG_PATTERN, value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a plan id: use {SLUG_RULE}, at most {SLUG_MAX} characters")
    return value


def rehearsal_argument(value: str) -> str:
    """An argparse type: a rehearsal's name is a slug (it names rehearsals/<name>.yaml)."""
    if not re.fullmatch(SLUG_PATTERN, value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a rehearsal name: use {SLUG_RULE}, at most {SLUG_MAX} characters (e.g. mock-3)"
        )
    return value


def now_argument(value: str) -> dt.datetime:
    """An argparse type: a date or a date and time, in UTC unless an offset is given."""
    try:
        moment = parse_datetime(value) if len(value.strip()) > 10 else dt.datetime.combine(parse_date(value), dt.time())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def local_datetime_argument(value: str) -> dt.datetime:
    """An argparse type: a date and time as plans write them, read in the plan's own zone."""
    try:
        moment = parse_datetime(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if moment.tzinfo is not None:
        raise argparse.ArgumentTypeError(f"'{value}': give the time as the plan writes it, without an offset")
    return moment


def _validate_arguments(validate: argparse.ArgumentParser) -> None:
    validate.add_argument("--strict", action="store_true", help="fail on warnings too")
    validate.add_argument(
        "--now",
        type=now_argument,
        metavar="WHEN",
        help="check plans still in-progress or live against this date (and time, UTC) instead of now",
    )
    validate.add_argument("--format", choices=sorted(REPORTERS), default="text", help="output format (default: text)")


def _build_arguments(build: argparse.ArgumentParser) -> None:
    build.add_argument("--pdf", action="store_true", help="also write site/pdf/<plan-id>.pdf for every plan")
    build.add_argument("--paper", choices=sorted(PAPER_SIZES), default="a4", help="paper for --pdf (default: a4)")


def _pdf_arguments(pdf: argparse.ArgumentParser) -> None:
    pdf.add_argument("plan_id", metavar="PLAN_ID", type=plan_id_argument, help="the plan to print")
    pdf.add_argument("--paper", choices=sorted(PAPER_SIZES), default="a4", help="paper size (default: a4)")
    pdf.add_argument("--output", type=Path, metavar="FILE", help="where to write the PDF")


def _serve_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT", help="address to serve on")


def port_argument(value: str) -> int:
    """An argparse type: a TCP port, 0 (any free one) to 65535."""
    if not (value.isascii() and value.isdigit()) or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port (0 to 65535)")
    return int(value)


def _call_arguments(call: argparse.ArgumentParser) -> None:
    call.add_argument("plan_id", metavar="PLAN_ID", type=plan_id_argument, help="the plan whose call this is")
    call.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1: this machine only)"
    )
    call.add_argument("--port", type=port_argument, default=8000, help="port to listen on (default: 8000)")
    call.add_argument(
        "--rehearsal",
        metavar="NAME",
        type=rehearsal_argument,
        help="a rehearsal, not the call: write to rehearsals/NAME.yaml, T+0:00 at its first entry",
    )


def _log_arguments(log: argparse.ArgumentParser) -> None:
    log.add_argument("plan_id", metavar="PLAN_ID", type=plan_id_argument, help="the plan whose log.yaml gets the entry")
    log.add_argument("text", nargs="?", help="what happened (needed for notes, issues, decisions, metrics)")
    log.add_argument("--kind", choices=ENTRY_KINDS, default="note", help="kind of entry (default: note)")
    log.add_argument("--step", metavar="STEP", help="the step id the entry is about")
    log.add_argument("--by", metavar="PERSON", help=f"who logs it (default: ${BY_VARIABLE})")
    log.add_argument("--severity", choices=SEVERITIES, help="severity of an issue, sev1 (worst) to sev4")
    log.add_argument("--id", metavar="ID", help="an id for an issue, so a resolution can name it")
    log.add_argument("--resolves", metavar="ID", help="the issue a resolution resolves")
    log.add_argument("--at", metavar="TIME", help="23:05 (during the window) or 2026-12-05 23:05; default: now")
    log.add_argument(
        "--rehearsal",
        metavar="NAME",
        type=rehearsal_argument,
        help="log in rehearsal NAME (rehearsals/NAME.yaml, started by its first entry) instead of log.yaml",
    )


def _postmortem_arguments(postmortem: argparse.ArgumentParser) -> None:
    postmortem.add_argument(
        "plan_id", metavar="PLAN_ID", type=plan_id_argument, help="the plan the post-mortem is about"
    )


def _diff_arguments(diff: argparse.ArgumentParser) -> None:
    diff.add_argument(
        "revision",
        nargs="?",
        metavar="GIT-REV",
        help="compare with this revision (default: merge base with main)",
    )
    diff.add_argument("--format", choices=["markdown", "json"], default="markdown", help="output (default: markdown)")


def _new_arguments(new: argparse.ArgumentParser) -> None:
    new.add_argument("plan_id", metavar="PLAN_ID", type=plan_id_argument, help="the new plan's id, e.g. shop-relaunch")
    new.add_argument(
        "--from",
        dest="source",
        metavar="OTHER",
        type=plan_id_argument,
        help="copy plan OTHER as a template: same steps, owners, gates and rollback; a draft, version 1, no approvals",
    )
    new.add_argument(
        "--window-start",
        metavar="WHEN",
        type=local_datetime_argument,
        help='with --from: the new window\'s start ("2027-03-06 22:00"); every date and time moves with it',
    )
    new.add_argument(
        "--adjust-durations",
        action="store_true",
        help="with --from: give each step planned below the median of its series' completed runs that median",
    )


def _export_arguments(export: argparse.ArgumentParser) -> None:
    export.add_argument("plan_id", metavar="PLAN", type=plan_id_argument, help="the plan's id")
    export.add_argument("--format", choices=["csv", "xlsx"], required=True, help="the spreadsheet format")
    export.add_argument(
        "--output", type=Path, metavar="FILE", help="where to write it (default: PLAN-runsheet.csv|xlsx here)"
    )


def column_mapping_argument(value: str) -> tuple[str, str]:
    """An argparse type: COLUMN=FIELD, COLUMN a header name or a column letter."""
    column, _, field = value.partition("=")
    if not column.strip() or field.strip() not in FIELDS:
        raise argparse.ArgumentTypeError(f"{value!r}: write COLUMN=FIELD, FIELD one of {', '.join(FIELDS)}")
    return column.strip(), field.strip()


def _import_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("runsheet", type=Path, metavar="RUNSHEET", help="the run sheet, a .csv or .xlsx file")
    command.add_argument("--plan", required=True, type=plan_id_argument, metavar="ID", help="the new plan's id")
    command.add_argument("--sheet", metavar="NAME", help="the sheet of an .xlsx file (default: the first)")
    command.add_argument(
        "--map",
        action="append",
        type=column_mapping_argument,
        metavar="COLUMN=FIELD",
        help="read a column (header text or letter) as a field, or ignore it (repeatable)",
    )
    command.add_argument("--title", metavar="T", help="the plan's title (default: the title row above the header)")
    command.add_argument("--timezone", metavar="ZONE", help="the plan's IANA time zone, e.g. Europe/London")
    command.add_argument(
        "--window-start", type=local_datetime_argument, metavar="WHEN", help='the window\'s start ("2027-03-06 22:00")'
    )
    command.add_argument(
        "--window-end",
        type=local_datetime_argument,
        metavar="WHEN",
        help="the window's end (default: the last planned end, rounded up to the hour)",
    )


def _init_arguments(init: argparse.ArgumentParser) -> None:
    init.add_argument(
        "directory", nargs="?", type=Path, metavar="DIR", help="the folder to initialise (default: --root, or here)"
    )


def _publish_arguments(publish: argparse.ArgumentParser) -> None:
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


def _no_arguments(command: argparse.ArgumentParser) -> None:
    pass


# Each command: its help (also its description), an example, and what adds its own arguments; in the help's order.
COMMANDS: dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None]]] = {
    "validate": (
        "read and check every source; exit 0 when valid, 1 when not",
        "golive validate --format github --strict",
        _validate_arguments,
    ),
    "build": (
        "validate, write site_src/ and build the HTML into site/ with MkDocs (strict)",
        "golive build --pdf && open site/index.html",
        _build_arguments,
    ),
    "pdf": (
        "write a plan's printable runbook as PDF (default: site/pdf/<plan-id>.pdf)",
        "golive pdf shop-relaunch --paper letter --output runbook.pdf",
        _pdf_arguments,
    ),
    "check": (
        "fail when site_src/ is not what build would write (for CI on pull requests)",
        "golive check || golive build",
        _no_arguments,
    ),
    "serve": (
        "build and serve the site with live reload; editing plans/ regenerates the pages",
        "golive serve --dev-addr 127.0.0.1:8000",
        _serve_arguments,
    ),
    "call": (
        "serve the site with a shared live runbook for one plan: every action goes into its log.yaml",
        """
        golive call shop-relaunch --port 8000
        golive call shop-relaunch --rehearsal mock-3
        """,
        _call_arguments,
    ),
    "log": (
        "append a checked, timestamped entry to a plan's log during the call",
        """
        golive log shop-relaunch "Snapshot done, 41 GB" --kind step-done --step backup-db --by dev
        golive log shop-relaunch --rehearsal mock-3 --kind step-started --step backup-db --by dev
        """,
        _log_arguments,
    ),
    "postmortem": (
        "create postmortem.yaml pre-filled from the plan and the log (never overwrites)",
        "golive postmortem shop-relaunch",
        _postmortem_arguments,
    ),
    "diff": (
        "summarise for a reviewer what changed in each plan since a git revision",
        'golive diff origin/main --format markdown >> "$GITHUB_STEP_SUMMARY"',
        _diff_arguments,
    ),
    "schema": (
        "write JSON Schemas of every source kind into schemas/, for editors",
        "golive schema && head -3 plans/people.yaml",
        _no_arguments,
    ),
    "init": (
        "start a plans repository: people, checklists, an example plan, mkdocs.yml, CI (never overwrites)",
        "golive init team-go-lives && cd team-go-lives && golive build",
        _init_arguments,
    ),
    "new": (
        "create a valid draft plan to start from, or one copied from another plan",
        """
        golive new shop-relaunch
        golive new shop-relaunch-2 --from shop-relaunch --window-start "2027-03-06 22:00"
        golive new payroll-2027-02 --from payroll-2027-01 --adjust-durations
        """,
        _new_arguments,
    ),
    "export": (
        "write a plan's computed run sheet as CSV or XLSX, with empty columns to tick off on the night",
        "golive export shop-relaunch --format xlsx",
        _export_arguments,
    ),
    "import": (
        "make a plan from a run sheet (.csv or .xlsx), every problem named by its cell (never overwrites)",
        'golive import runsheet.xlsx --plan shop-relaunch --timezone Europe/London --window-start "2027-03-06 22:00"',
        _import_arguments,
    ),
    "publish": (
        "publish the built site as a version with mike (refused when invalid or site_src/ is stale)",
        "golive publish 2026.11.27 --alias latest --push",
        _publish_arguments,
    ),
}


def _example(text: str) -> str:
    return "example:\n" + textwrap.indent(textwrap.dedent(text).strip(), "  ")


def build_parser() -> argparse.ArgumentParser:
    """The parser of `golive [--debug] COMMAND [--root DIR] ...`; args.command names the command."""
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
    for name, (help_text, example, add_arguments) in COMMANDS.items():
        add_arguments(
            commands.add_parser(
                name,
                parents=[common],
                help=help_text,
                description=help_text,
                epilog=_example(example),
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
        )
    return parser
