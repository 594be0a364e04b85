"""Hostile sources for the bounded-cost tests (tests/test_bounds.py) and bench/bench_hostile.py.

Each writer lays one file over a copy of tests/data/base (see conftest.make_project)
and returns the diagnostics `golive validate` must print for it, one per line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from generator.read.load import parse_document
from generator.read.yaml_reader import MAX_ENTRIES

PLAN = "plans/shop/plan.yaml"
PEOPLE = "plans/people.yaml"


def _plan(root: Path) -> Path:
    return root / PLAN


def _events_before(text: str, value: str) -> int:
    """How many keys and values (parser events but ends) the file gives before the scalar `value`."""
    count = -2  # the stream and the document start
    for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(event, yaml.ScalarEvent) and event.value == value:
            return count
        count += not isinstance(event, yaml.CollectionEndEvent)
    raise AssertionError(value)


def alias_fanout(root: Path) -> str:
    """The issue's case: one anchored 2M-item list (3.8 MiB) referenced 9 times, 20M values once
    expanded. Read in one pass, it is refused for its size before any alias."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    before = _events_before(text.replace(COMMANDS, "commands: &a [MARK]"), "MARK")
    text = text.replace(COMMANDS, "commands: &a [" + ",".join(["0"] * 2_000_000) + "]")
    plan.write_text(text + "".join(f"x{i}: *a\n" for i in range(9)), encoding="utf-8")
    column = len("    commands: &a [") + 1 + 2 * (MAX_ENTRIES - before)
    return (
        f"{PLAN}:59:{column}: error: file holds more than {MAX_ENTRIES:,} keys and values"
        " (golive reads at most that many from one file)"
    )


def alias_fanout_within_limit(root: Path) -> str:
    """One anchored 100,000-item list referenced 9 times: the third alias goes over."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    bulk = "[" + ",".join(["0"] * 100_000) + "]"
    text = text.replace(COMMANDS, "commands: &a " + bulk)
    line = text.count("\n") + 1
    plan.write_text(text + "".join(f"x{i}: *a\n" for i in range(9)), encoding="utf-8")
    # Written before the third alias: the plan with an empty list (each key and value, and each
    # collection's mark and size), the 100,000 items and the keys x0, x1 and x2. Each alias
    # repeats the list's 100,002 entries; three times is more than written plus 100,000.
    written = len(parse_document(text.replace(bulk, "[]").encode(), "f")._packed) + 100_000 + 3
    return (
        f"{PLAN}:{line + 2}:5: error: x2: aliases expand to more than {100_000 + written:,} keys and values"
        " (aliases may repeat at most as many keys and values as the file writes out, plus 100,000)"
    )


def self_merge(root: Path) -> str:
    """A mapping that merges itself."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    plan.write_text(text + "a: &a {<<: *a}\n", encoding="utf-8")
    return f"{PLAN}:{line}:12: error: a.<<: an alias refers to a value that contains it"


def huge_title(root: Path) -> str:
    """A 15 MiB title."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace(TITLE, "title: " + "x" * 15 * 2**20, 1), encoding="utf-8")
    return f"{PLAN}:1:8: error: title: text is 15,728,640 characters long; at most 500 are allowed"


def huge_name(root: Path) -> str:
    """An 8 MiB person name."""
    people = root / PEOPLE
    text = people.read_text(encoding="utf-8")
    people.write_text(text.replace("name: Ana Souza", "name: " + "A" * 8 * 2**20, 1), encoding="utf-8")
    return f"{PEOPLE}:3:11: error: people[0].name: text is 8,388,608 characters long; at most 200 are allowed"


def million_keys(root: Path) -> str:
    """A million unknown keys at the top of plan.yaml: 2M keys and values, refused for that."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    before = _events_before(text + "MARK: 1\n", "MARK")
    plan.write_text(text + "".join(f"k{i}: 1\n" for i in range(1_000_000)), encoding="utf-8")
    key, is_value = divmod(MAX_ENTRIES - before, 2)
    column = len(f"k{key}: ") + 1 if is_value else 1
    return (
        f"{PLAN}:{line + key}:{column}: error: file holds more than {MAX_ENTRIES:,} keys and values"
        " (golive reads at most that many from one file)"
    )


def many_unknown_keys(root: Path) -> str:
    """100,000 unknown keys: 100 errors, then how many more."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    plan.write_text(text + "".join(f"k{i}: 1\n" for i in range(100_000)), encoding="utf-8")
    shown = [f"{PLAN}:{line + i}:1: error: k{i}: unknown key 'k{i}'" for i in range(100)]
    return "\n".join([*shown, f"{PLAN}:{line + 100}:1: error: … and 99,900 more errors in this file"])


def big_list_one_alias(root: Path) -> str:
    """A 15.3 MiB file: an 8M-item list, and one small alias (the old reader built a node tree
    for any file with an alias)."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    text = text.replace("verify: Snapshot size within 5% of yesterday's", "verify: &v Snapshot size within 5%")
    text = text.replace("title: Deploy checkout 2.0", "title: *v")
    before = _events_before(text.replace(COMMANDS, "commands: [MARK]"), "MARK")
    plan.write_text(text.replace(COMMANDS, "commands: [" + ",".join(["0"] * 8_000_000) + "]"), encoding="utf-8")
    column = len("    commands: [") + 1 + 2 * (MAX_ENTRIES - before)
    return (
        f"{PLAN}:59:{column}: error: file holds more than {MAX_ENTRIES:,} keys and values"
        " (golive reads at most that many from one file)"
    )


def many_escapes(root: Path) -> str:
    """200,000 ESC characters written as YAML escapes, each in its own value."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    text = text.replace(COMMANDS, "commands: [" + ",".join(['"\\e"'] * 200_000) + "]")
    plan.write_text(text, encoding="utf-8")
    shown = [
        f"{PLAN}:59:{16 + 5 * i}: error: steps[1].commands[{i}]: control character U+001B is not allowed"
        " (text may hold tabs and line breaks, but no other control character)"
        for i in range(100)
    ]
    return "\n".join([*shown, f"{PLAN}:59:{16 + 5 * 100}: error: … and 199,900 more errors in this file"])


COMMANDS = 'commands: ["pg_dump -Fc orders > /backups/orders-$(date +%F).dump"]'
TITLE = "title: Shop relaunch with the new checkout"

CASES: dict[str, Callable[[Path], str]] = {
    "alias-fanout": alias_fanout,
    "alias-fanout-within-limit": alias_fanout_within_limit,
    "self-merge": self_merge,
    "huge-title": huge_title,
    "huge-name": huge_name,
    "million-keys": million_keys,
    "many-unknown-keys": many_unknown_keys,
    "big-list-one-alias": big_list_one_alias,
    "many-escapes": many_escapes,
}
