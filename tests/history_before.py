"""The history reader as it was before issue 17 (several git processes and a checkout per commit and
plan), kept to compare the new one with: same commits, same versions, same changes."""

from __future__ import annotations

import re
from pathlib import Path

from generator.check.validate import Validation, validate_project
from generator.read.layout import PLANS_DIR
from generator.review.diff import checkout_of, diff_plan
from generator.review.git import GitError, run_git
from generator.review.revision import Revision

MAX_COMMITS = 20
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


class _Validations:
    """A plan as it was at a commit, read once: only that plan and the people and checklists.

    Validating the whole project at every commit of every plan would grow with the
    number of plans times the number of commits.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[tuple[str, str], Validation] = {}

    def at(self, commit: str, plan_id: str) -> Validation:
        if (commit, plan_id) not in self.cache:
            with checkout_of(self.root, commit, [plan_id]) as old_root:
                self.cache[commit, plan_id] = validate_project(old_root)
        return self.cache[commit, plan_id]


def histories(root: Path, plan_ids: list[str]) -> dict[str, list[Revision]]:
    """The latest commits that changed each plan, newest first (root has a commit: see head_commit)."""
    validations = _Validations(root)
    return {plan_id: _plan_history(root, plan_id, validations) for plan_id in plan_ids}


def _plan_history(root: Path, plan_id: str, validations: _Validations) -> list[Revision]:
    revisions = []
    for commit, parents, date, author, subject in _log(root, plan_id):
        try:
            after = validations.at(commit, plan_id)
            parent = parents.split()[0] if parents else None
            before = validations.at(parent, plan_id) if parent else None
        except GitError:
            continue
        plan = after.project.plans.get(plan_id)
        change = None
        if plan is not None and before is not None and plan_id in before.project.plans:
            change = diff_plan(plan_id, before, after)
        version = plan.plan.model.version if plan else None
        revisions.append(Revision(commit, date, author, subject, version, change))
    return revisions


def _log(root: Path, plan_id: str) -> list[tuple[str, str, str, str, str]]:
    """(commit, parents, date, author, subject) of the latest commits that changed the plan.

    Every field ends with a NUL, the one byte no subject, name or file name can hold
    (a subject may hold any other control character, a name a line separator).
    """
    log = run_git(
        root,
        "log",
        "-z",
        f"-n{MAX_COMMITS}",
        "--format=%H%x00%P%x00%ad%x00%an%x00%s",
        "--date=short",
        "--",
        f"{PLANS_DIR}/{plan_id}",
    )
    fields = log.stdout.decode("utf-8", errors="replace").split("\0")
    records = []
    for start in range(0, len(fields) - 4, 5):
        commit, parents, date, author, subject = fields[start : start + 5]
        if not _COMMIT.fullmatch(commit):  # not what was asked for: read no further
            break
        records.append((commit, parents, date, author, subject))
    return records
