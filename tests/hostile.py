"""Hostile sources for the bounded-cost tests (tests/test_bounds.py) and bench/bench_hostile.py.

Each writer lays one file over a copy of tests/data/base (see conftest.make_project)
and returns the diagnostics `golive validate` must print for it, one per line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

PLAN = "plans/shop/plan.yaml"
PEOPLE = "plans/people.yaml"


def _plan(root: Path) -> Path:
    return root / PLAN


def alias_fanout(root: Path) -> str:
    """One anchored 2M-item list (3.8 MiB) referenced 9 times: 20M values once expanded."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    bulk = "[" + ",".join(["0"] * 2_000_000) + "]"
    text = text.replace('commands: ["pg_dump -Fc orders > /backups/orders-$(date +%F).dump"]', "commands: &a " + bulk)
    line = text.count("\n") + 1
    text += "".join(f"x{i}: *a\n" for i in range(9))
    plan.write_text(text, encoding="utf-8")
    return (
        f"{PLAN}:{line + 1}:5: error: aliases expand to more than 4,100,207 values"
        " (aliases may repeat at most as many values as the file writes out, plus 100,000; write the values out)"
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
    plan.write_text(text.replace("title: Shop relaunch with the new checkout", "title: " + "x" * 15 * 2**20, 1))
    return f"{PLAN}:1:8: error: title: text is 15,728,640 characters long; at most 500 are allowed"


def huge_name(root: Path) -> str:
    """An 8 MiB person name."""
    people = root / PEOPLE
    text = people.read_text(encoding="utf-8")
    people.write_text(text.replace("name: Ana Souza", "name: " + "A" * 8 * 2**20, 1), encoding="utf-8")
    return f"{PEOPLE}:3:11: error: people[0].name: text is 8,388,608 characters long; at most 200 are allowed"


def million_keys(root: Path) -> str:
    """A million unknown keys at the top of plan.yaml."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    plan.write_text(text + "".join(f"k{i}: 1\n" for i in range(1_000_000)), encoding="utf-8")
    shown = [f"{PLAN}:{line + i}:1: error: k{i}: unknown key 'k{i}'" for i in range(100)]
    return "\n".join([*shown, f"{PLAN}:{line + 100}:1: error: … and 999,900 more errors in this file"])


def big_list_one_alias(root: Path) -> str:
    """A 15.3 MiB file: an 8M-item list and one small alias, which the fast reader leaves to the full one."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    bulk = "[" + ",".join(["0"] * 8_000_000) + "]"
    text = text.replace('commands: ["pg_dump -Fc orders > /backups/orders-$(date +%F).dump"]', "commands: " + bulk)
    text = text.replace("verify: Snapshot size within 5% of yesterday's", "verify: &v Snapshot size within 5%")
    text = text.replace("title: Deploy checkout 2.0", "title: *v")
    plan.write_text(text, encoding="utf-8")
    return ""


def million_escapes(root: Path) -> str:
    """A million ESC characters written as YAML escapes, each in its own value."""
    plan = _plan(root)
    text = plan.read_text(encoding="utf-8")
    line = text.count("\n") + 1
    text = text.replace(
        'commands: ["pg_dump -Fc orders > /backups/orders-$(date +%F).dump"]',
        "commands: [" + ",".join(['"\\e"'] * 1_000_000) + "]",
    )
    plan.write_text(text, encoding="utf-8")
    return str(line)


CASES: dict[str, Callable[[Path], str]] = {
    "alias-fanout": alias_fanout,
    "self-merge": self_merge,
    "huge-title": huge_title,
    "huge-name": huge_name,
    "million-keys": million_keys,
    "big-list-one-alias": big_list_one_alias,
    "million-escapes": million_escapes,
}
