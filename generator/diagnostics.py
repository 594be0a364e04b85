"""The one record type for everything golive reports about the sources."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
# A value's place inside a document, e.g. ("steps", 2, "owner").
ValuePath = tuple[str | int, ...]
# One file's errors past this many are only counted: a hostile file cannot flood the report.
MAX_ERRORS_PER_FILE = 100


@dataclass(frozen=True, order=True)
class Diagnostic:
    """An error or warning about one value of one source file."""

    file: str
    line: int
    column: int
    severity: Severity
    path: str
    message: str
    hint: str = ""
    # The step a steps[i] or rollback.steps[i] path points into, as 'id, "title"'; shown in text
    # after the path (which stays first, unchanged, for tooling), never in the JSON `path`.
    subject: str = ""
    # The plan whose folder holds the file (plans/<plan>/plan.yaml, log.yaml, postmortem.yaml...);
    # None for people.yaml, checklists and the rest. Not shown, and no part of order or equality:
    # it follows from `file`.
    plan: str | None = field(default=None, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def error_at(file: str, line: int, column: int, message: str, hint: str = "") -> Diagnostic:
    """An error about a place in a file rather than a value: unreadable bytes, a syntax error."""
    return Diagnostic(file, line, column, "error", "", message, hint)


def more_errors(file: str, line: int, column: int, count: int) -> Diagnostic:
    """The last line for a file with more than MAX_ERRORS_PER_FILE errors, at the first one left out."""
    return Diagnostic(file, line, column, "error", "", f"… and {count:,} more errors in this file")


def quote(text: str, limit: int = 60) -> str:
    """Text in quotes for a message, cut short when long: a message stays one readable line."""
    return f"'{shorten(text, limit)}'"


def printable(text: str) -> str:
    """Text safe to print on a terminal: every non-printable character (control characters,
    bidirectional controls, line breaks) written as a Python escape, e.g. \\x1b or \\u202e."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def format_path(path: ValuePath) -> str:
    """Render ("steps", 2, "owner") as steps[2].owner."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def did_you_mean(value: object, choices: Iterable[str]) -> str:
    """Return a "did you mean 'x'?" hint when a choice is close to the value."""
    if not isinstance(value, str) or len(value) > 100:  # nothing long is a typo of a name
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


# The start of a path inside one step: steps[2]... or rollback.steps[0]...
_STEP_PATH = re.compile(r"(steps|rollback\.steps)\[(\d+)\]")


def step_subject(data: object, path: str) -> str:
    """'id, "title"' of the step a steps[i] or rollback.steps[i] path points into, read from the
    document's values (so it works on a plan whose model could not be built); else ""."""
    match = _STEP_PATH.match(path)
    if match is None:
        return ""
    steps = data
    for key in match[1].split("."):
        steps = steps.get(key) if isinstance(steps, dict) else None
    index = int(match[2])
    step = steps[index] if isinstance(steps, list) and index < len(steps) else None
    if not isinstance(step, dict) or not isinstance(step.get("id"), str):
        return ""
    title = step.get("title")
    if not isinstance(title, str) or not title.strip():
        return shorten(step["id"], 63)
    return f'{shorten(step["id"], 63)}, "{shorten(title, 50)}"'


def name_steps(data: object, diagnostics: Iterable[Diagnostic], file: str) -> list[Diagnostic]:
    """The diagnostics, each of `file` about a step carrying that step's id and title."""
    named = []
    for d in diagnostics:
        if d.file == file and not d.subject:
            subject = step_subject(data, d.path)
            if subject:
                d = dataclasses.replace(d, subject=subject)
        named.append(d)
    return named


def for_plan(plan: str, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics, each carrying the id of the plan whose files it is about."""
    return [d if d.plan == plan else dataclasses.replace(d, plan=plan) for d in diagnostics]


def plural(count: int, word: str) -> str:
    """'1 error', '3 errors': a count and its noun."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def shorten(text: str, limit: int) -> str:
    """Text cut to at most `limit` characters, with "..." when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Order by file, then line and column; drop exact repeats."""
    return sorted(set(diagnostics))
