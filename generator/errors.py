"""The errors golive reports to its user: one family, printed one way by the command line.

A GoliveError is a problem with the project or the request (a bad plan id, a log that cannot
be appended to, MkDocs refusing the site), never a bug in golive: the command line prints its
diagnostics, its details and its message, and exits 1, without a traceback.
"""

from __future__ import annotations

from generator.diagnostics import Diagnostic


class GoliveError(Exception):
    """A user-facing error: `message` says what went wrong; `diagnostics` and `details` show more.

    Printed as the diagnostics, then each line of `details`, then `<prefix>: <message>`.
    """

    # What the printed message starts with; None: `golive <command>`.
    prefix: str | None = None

    def __init__(
        self, message: str, diagnostics: list[Diagnostic] | None = None, details: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics = diagnostics or []
        self.details = details or []
