"""One commit's revision of a plan, as its history page shows it (read in history.py, kept in history_store.py)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.review.diff import PlanDiff


@dataclass(frozen=True)
class Revision:
    commit: str
    date: str
    author: str
    subject: str
    version: int | None  # None: the plan did not read cleanly at this commit
    change: PlanDiff | None  # None: the first commit of the plan, or unreadable
    cut: bool = False  # a shallow clone holds none of the commits before this one: what it changed is unknown
    files: tuple[str, ...] = ()  # what the commit changed in the plan's folder, by name there ("log.yaml")
