"""The golive command line: parse the arguments, run the command, and print any error one way."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence

from generator.cli.commands import COMMANDS, EXIT_INVALID, EXIT_OK
from generator.cli.parser import build_parser
from generator.errors import GoliveError
from generator.report import format_text


def print_error(error: GoliveError, command: str) -> None:
    """The error's diagnostics, its details, then `golive <command>: <message>` (or its own prefix)."""
    report = format_text(error.diagnostics)
    prefix = error.prefix or f"golive {command}"
    for line in [*([report] if report else []), *error.details, f"{prefix}: {error.message}"]:
        print(line, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except GoliveError as error:  # a problem with the project or the request: no traceback
        print_error(error, args.command)
        return EXIT_INVALID
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
