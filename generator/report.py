"""Reporters: one per output format, picked by name."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence

from generator.diagnostics import Diagnostic, printable

# The Diagnostic fields a JSON record carries, in the dataclass's order. The others are not
# exported: `subject` is for people (shown in text after the path), `plan` for golive itself (it
# groups warnings by plan). Tooling reads the JSON: every new Diagnostic field must be put in one
# tuple or the other, on purpose (checked below, at import).
JSON_FIELDS = ("file", "line", "column", "severity", "path", "message", "hint")
NOT_IN_JSON = ("subject", "plan")
if {field.name for field in dataclasses.fields(Diagnostic)} != {*JSON_FIELDS, *NOT_IN_JSON}:
    raise TypeError("report.py: put each Diagnostic field in JSON_FIELDS or NOT_IN_JSON")


def format_text(diagnostics: Sequence[Diagnostic]) -> str:
    """Compiler-style lines: file:line:col: severity: path (step): message (hint).

    Sources are written by anyone: a character that would drive the terminal (an escape
    sequence, a bidirectional override, a line break) is printed as an escape, e.g. \\x1b.
    """
    lines = []
    for d in diagnostics:
        subject = f" ({d.subject})" if d.subject else ""
        path = f"{d.path}{subject}: " if d.path else ""
        hint = f" ({d.hint})" if d.hint else ""
        place = f"{d.file}:{d.line}:{d.column}" if d.line else d.file
        lines.append(printable(f"{place}: {d.severity}: {path}{d.message}{hint}"))
    return "\n".join(lines)


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    """A JSON list of records, one per diagnostic, with its JSON_FIELDS."""
    records = [
        {name: value for name, value in dataclasses.asdict(d).items() if name in JSON_FIELDS} for d in diagnostics
    ]
    text = json.dumps(records, indent=2, ensure_ascii=False)
    # json escapes C0 controls itself; DEL, C1 and the bidirectional controls too, for a terminal
    return text if text.isprintable() else "".join(_json_escape(c) for c in text)


def _json_escape(character: str) -> str:
    if character.isprintable() or character == "\n":
        return character
    code = ord(character)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands that annotate the pull request's files."""
    lines = []
    for d in diagnostics:
        title = _escape_property(d.path or "golive")
        message = d.message + (f" ({d.hint})" if d.hint else "")
        lines.append(
            printable(
                f"::{d.severity} file={_escape_property(d.file)},line={d.line},col={d.column},"
                f"title={title}::{_escape_data(message)}"
            )
        )
    return "\n".join(lines)


REPORTERS: dict[str, Callable[[Sequence[Diagnostic]], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
}
