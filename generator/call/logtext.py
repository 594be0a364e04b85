"""The text of a log.yaml as `golive log` extends it: each new entry as safely quoted YAML, put at
its place in time order, with every earlier byte (comments included) kept as written."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from generator.read.document import Document, Mark
from generator.read.models.common import parse_datetime
from generator.schedule.timetable import localize

LOG_HEADER = "# yaml-language-server: $schema=../../schemas/log.schema.json\nentries:\n"
# A new rehearsal's file: its start (the first entry's time), then its entries.
REHEARSAL_HEADER = (
    "# yaml-language-server: $schema=../../../schemas/rehearsal.schema.json\nstarted: {started}\nentries:\n"
)
FIELD_ORDER = ("at", "by", "kind", "step", "id", "severity", "resolves", "text")
_ITEM_INDENT = re.compile(r"^( *)- (?:at|by|kind):", re.MULTILINE)
# Values written without quotes: they read back as the same text in any YAML reader.
_PLAIN = re.compile(r"[a-z][a-z0-9-]*|[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2})?")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def extend(text: str, fields: dict[str, str]) -> str:
    """The log's text with one entry added at the end; earlier text is kept byte for byte."""
    text = _with_entries_key(text)
    match = _ITEM_INDENT.search(text)
    indent = match.group(1) if match else "  "
    return text + entry_yaml(fields, indent)


def _with_entries_key(text: str) -> str:
    """The log's text ready to take a block item at its end."""
    if not text.strip():
        text = LOG_HEADER
    elif re.search(r"^entries:\s*\[\]\s*$", text, re.MULTILINE):
        # An empty flow list cannot take a block item: the one line "entries: []" becomes "entries:".
        text = re.sub(r"^entries:\s*\[\]\s*$", "entries:", text, count=1, flags=re.MULTILINE)
    elif not re.search(r"^entries:", text, re.MULTILINE):
        text = text + ("" if text.endswith("\n") else "\n") + "entries:\n"
    if not text.endswith("\n"):
        text += "\n"
    return text


def insert(
    text: str,
    fields: dict[str, str],
    document: Document | None,
    times: Sequence[dt.datetime | None],
    zone: ZoneInfo,
) -> tuple[str, int]:
    """The log's text with the entry at its place in time order (after entries of the same time),
    and that place; earlier bytes are kept, and an entry's comment lines stay above it.

    The entry goes at the end when it is the latest, or when the entry it must precede is not
    a block item golive can find (then the log is still valid: it is read in time order).
    """
    at = localize(parse_datetime(fields["at"]), zone)
    # Before the first later entry: in a sorted log, after every entry up to its time.
    position = next((i for i, t in enumerate(times) if t is not None and t > at), len(times))
    if position == len(times) or document is None:
        return extend(text, fields), len(times)
    lines = text.splitlines(keepends=True)
    found = _item_line(lines, document.mark_of(("entries", position)))
    if found is None:
        return extend(text, fields), len(times)
    line, indent = found
    while line > 0 and lines[line - 1].strip().startswith("#"):
        line -= 1  # the entry's own comments stay with it
    return "".join(lines[:line]) + entry_yaml(fields, indent) + "".join(lines[line:]), position


def _item_line(lines: list[str], mark: Mark) -> tuple[int, str] | None:
    """The index of the line where the block item at `mark` (its first key) starts with "- ", and its indent."""
    index = mark.line - 1
    if index >= len(lines):
        return None
    head = lines[index][: mark.column - 1]
    match = re.fullmatch(r"( *)- +", head)
    if match:
        return index, match.group(1)
    if head.strip():
        return None
    index -= 1  # "-" alone on the line above, maybe with comments between
    while index >= 0 and lines[index].strip().startswith("#"):
        index -= 1
    match = re.fullmatch(r"( *)-\s*", lines[index]) if index >= 0 else None
    return (index, match.group(1)) if match else None


def rehearsal_header(started: str) -> str:
    """The text a new rehearsal's file starts with, `started` being its first entry's time as written."""
    return REHEARSAL_HEADER.format(started=yaml_scalar(started))


def entry_yaml(fields: dict[str, str], indent: str = "  ") -> str:
    """One log entry as a block mapping in a list, with every text safely quoted."""
    lines: list[str] = []
    for key in FIELD_ORDER:
        if key not in fields:
            continue
        shown = yaml_scalar(fields[key]) if key != "text" else quoted(fields[key])
        prefix = f"{indent}- " if not lines else f"{indent}  "
        lines.append(f"{prefix}{key}: {shown}")
    return "\n".join(lines) + "\n"


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as exactly this text: plain when that is safe, else quoted."""
    if _PLAIN.fullmatch(value) and value not in _YAML_WORDS:
        return value
    return quoted(value)


def quoted(value: str) -> str:
    """A double-quoted YAML scalar (JSON's escapes are YAML's too), with every character that is not
    printable escaped, so that no line break or control character reaches the file."""
    text = json.dumps(value, ensure_ascii=False)
    return "".join(
        c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}" for c in text
    )
