"""`golive new ID --from OTHER`: the next go-live made from the last one's plan.

The plan's text is copied, so its comments and layout stay: same steps, ids, owners, gates,
rollback and checklists. What belongs to the old go-live goes: the status becomes draft, the
version 1, the approvals are dropped, and with `--window-start` every full date and time in it
moves by as much as the window's start (wall-clock time: 22:00 stays 22:00 across a clock
change). The log and the post-mortem stay with the old plan; a comment names the source.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from generator.authoring.scaffold import ScaffoldError, check_new_plan_folder
from generator.check.validate import validate_project
from generator.read.document import SourceError
from generator.read.layout import PLAN_FILE, PLANS_DIR
from generator.read.load import read_source
from generator.read.sources import load_project

# A full date and time as plans write them (seconds and a UTC offset are kept as they are).
_DATE_TIME = re.compile(r"(?<![\d-])(\d{4}-\d{2}-\d{2})([ T])(\d{2}:\d{2})(?!\d)")
_TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
_SCHEMA_LINE = re.compile(r"\A(# yaml-language-server:[^\n]*\n)")


@dataclass(frozen=True)
class CopiedPlan:
    path: Path
    window_start: dt.datetime
    shifted: dt.timedelta
    approvals_dropped: int


def copy_plan(root: Path, plan_id: str, source_id: str, window_start: dt.datetime | None) -> CopiedPlan:
    """Write plans/<plan_id>/plan.yaml from plans/<source_id>/plan.yaml; nothing when it would not validate."""
    check_new_plan_folder(root, plan_id)
    shown = f"{PLANS_DIR}/{source_id}/{PLAN_FILE}"
    try:
        text = read_source(root / PLANS_DIR / source_id / PLAN_FILE, shown).decode("utf-8")
    except FileNotFoundError:
        raise ScaffoldError(f"no plan '{source_id}': {shown} does not exist") from None
    except (SourceError, UnicodeDecodeError) as error:
        raise ScaffoldError(f"{shown}: {error}") from None
    project, _ = load_project(root)
    sources = project.plans.get(source_id)
    if sources is None:
        raise ScaffoldError(f"{shown} does not read as a plan; fix it first (`golive validate`)")
    source = sources.plan.model
    shift = window_start - source.window.start.replace(tzinfo=None) if window_start else dt.timedelta(0)
    body, dropped = _without_top_level_key(text, "approvals")
    body = _DATE_TIME.sub(lambda m: _shifted(m, shift), body)
    body = re.sub(r"(?m)^status:.*$", "status: draft", body, count=1)
    body = re.sub(r"(?m)^version:.*$", "version: 1", body, count=1)
    note = f"# Made from {shown} (version {source.version}) by `golive new --from`: check every step.\n"
    schema = _SCHEMA_LINE.match(body)
    body = schema.group(1) + note + body[schema.end() :] if schema else note + body
    path = root / PLANS_DIR / plan_id / PLAN_FILE
    written = body.encode("utf-8")
    _check_copy(root, path, written, f"{PLANS_DIR}/{plan_id}/{PLAN_FILE}")
    os.makedirs(path.parent)
    path.write_bytes(written)
    return CopiedPlan(path, source.window.start.replace(tzinfo=None) + shift, shift, dropped)


def _check_copy(root: Path, path: Path, written: bytes, shown: str) -> None:
    errors = [d for d in validate_project(root, {path: written}).errors if d.file == shown]
    if errors:
        first = errors[0]
        where = f"{first.file}:{first.line}:{first.column}: {first.path}"
        raise ScaffoldError(f"the copy would not validate, nothing written: {where}: {first.message}")


def _shifted(match: re.Match[str], shift: dt.timedelta) -> str:
    date, separator, time = match.groups()
    moved = dt.datetime.fromisoformat(f"{date} {time}") + shift
    return f"{moved:%Y-%m-%d}{separator}{moved:%H:%M}"


def _without_top_level_key(text: str, key: str) -> tuple[str, int]:
    """The text without `key:` and the lines under it; and how many list items it held."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    inside = False
    items = 0
    for line in lines:
        if _TOP_LEVEL_KEY.match(line):
            inside = line.split(":", 1)[0].strip() == key
            if inside:
                items += len(re.findall(r"\{", line))  # approvals: [{...}, {...}] on one line
                continue
        if inside:
            items += 1 if re.match(r"^\s*-\s", line) else 0
            continue
        kept.append(line)
    return "".join(kept), items
