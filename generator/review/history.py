"""A plan's history from git, for the history page that `golive build` adds to the HTML.

The page is made at build time, not written to site_src/: site_src/ must not
depend on git state, and a reviewer already sees the history in git itself.

The history costs a constant number of git processes, however long it is (gitobjects.py):
one `git rev-parse`, one `git log` over plans/ listing the files each commit changed, and one
`git cat-file --batch` for the trees and files of the commits shown. Files are read from git's
objects, never extracted, and a plan is checked once for each distinct content: its plan.yaml,
people.yaml and the checklists, by their git ids (a commit that changed only a log reads nothing new).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from generator.check.context import CheckContext
from generator.check.rules.schedule import check_plan_schedule
from generator.check.validate import Validation
from generator.diagnostics import Diagnostic
from generator.read.layout import CHECKLISTS_DIR, PEOPLE_FILE, PLAN_FILE, PLANS_DIR, checklists_dir, people_file
from generator.read.layout import plan_file as plan_file_path
from generator.read.models import Checklist, PeopleFile, Plan
from generator.read.models.common import SLUG_PATTERN
from generator.read.sources import PlanSources, Project, Source, source_from_bytes
from generator.review.diff import diff_plan
from generator.review.git import GitError, git_output_or_none
from generator.review.gitobjects import GitObjects, LoggedCommit, TreeEntry, log_changes, repository_facts
from generator.review.history_store import store_revisions, stored_revisions
from generator.review.revision import Revision

MAX_COMMITS = 20
_SOURCES_KEPT = 64  # parsed people.yaml and checklist folders kept for reuse (they seldom change)
_SLUG = re.compile(SLUG_PATTERN)


@dataclass(frozen=True)
class History:
    """The latest commits that changed each plan, newest first."""

    revisions: dict[str, list[Revision]]
    partial: bool  # a shallow clone: the older commits are not here


@dataclass
class HistoryCache:
    """What reading the history found, for the next build to reuse (`golive serve` keeps one).

    A commit never changes, so neither does what it did to a plan: after a new commit, only
    the plans it changed are read again.
    """

    revisions: dict[tuple[str, str, bool], Revision] = field(default_factory=dict)  # (commit, plan, shallow)
    people: dict[str, Source[PeopleFile] | None] = field(default_factory=dict)  # by git id
    checklists: dict[str, tuple[dict[str, Source[Checklist]], bool]] = field(default_factory=dict)  # by tree id
    store_read: bool = False  # the revisions stored in the git folder are in `revisions`


class _Snapshot(NamedTuple):
    """What a plan's history reads at a commit, by git id: equal snapshots check the same."""

    plan: TreeEntry | None  # plans/<id>/plan.yaml
    people: TreeEntry | None
    checklists: TreeEntry | None


_NOTHING = _Snapshot(None, None, None)


def head_commit(root: Path) -> str | None:
    """The commit checked out at root, or None outside git (or before the first commit)."""
    try:
        return git_output_or_none(root, "rev-parse", "--verify", "HEAD")
    except GitError:  # git is not installed
        return None


def histories(root: Path, plan_ids: list[str], cache: HistoryCache | None = None) -> History:
    """The latest MAX_COMMITS commits that changed each plan (root has a commit: see head_commit).

    GitError when git fails.
    """
    cache = cache if cache is not None else HistoryCache()
    facts = repository_facts(root)
    shallow = facts.shallow
    if not shallow and not cache.store_read:  # an earlier build's, kept in the git folder
        for (commit, plan_id), revision in stored_revisions(facts.git_dir, facts.prefix).items():
            cache.revisions.setdefault((commit, plan_id, False), revision)
        cache.store_read = True
    commits = _commits_by_plan(log_changes(root, PLANS_DIR), f"{facts.prefix}{PLANS_DIR}/", plan_ids)
    to_read = {
        plan_id: [c for c in found if (c.commit, plan_id, shallow) not in cache.revisions]
        for plan_id, found in commits.items()
    }
    if any(to_read.values()):
        with GitObjects(root) as objects:
            reader = _Reader(root, objects, facts.prefix, cache)
            snapshots = reader.snapshots(to_read)
            for plan_id, logged in to_read.items():
                for revision in reader.revisions(plan_id, logged, snapshots, shallow):
                    cache.revisions[revision.commit, plan_id, shallow] = revision
    shown = {
        plan_id: [cache.revisions[c.commit, plan_id, shallow] for c in found] for plan_id, found in commits.items()
    }
    # The store holds what this call shows: a call for some plans only (serve, when a plan is
    # added) leaves the other plans to be read from git again by the next build.
    if any(to_read.values()) and not shallow:
        store_revisions(
            facts.git_dir, facts.prefix, ((plan_id, r) for plan_id, revisions in shown.items() for r in revisions)
        )
    return History(shown, shallow)


def _commits_by_plan(log: list[LoggedCommit], plans_path: str, plan_ids: list[str]) -> dict[str, list[LoggedCommit]]:
    """The latest MAX_COMMITS commits of the log that changed a file in each plan's folder."""
    found: dict[str, list[LoggedCommit]] = {plan_id: [] for plan_id in plan_ids}
    for logged in log:
        # plans/<folder>/<file>: a file right in plans/ (people.yaml) is in no plan's folder
        changed = {name[len(plans_path) :].partition("/")[:2] for name in logged.files if name.startswith(plans_path)}
        for folder, slash in changed:
            commits = found.get(folder)
            if slash and commits is not None and len(commits) < MAX_COMMITS:
                commits.append(logged)
    return found


class _Reader:
    """Reads plans at commits from git's objects and checks each distinct content once."""

    def __init__(self, root: Path, objects: GitObjects, prefix: str, cache: HistoryCache) -> None:
        self.root = root
        self.objects = objects
        self.prefix = prefix
        self.cache = cache
        self.plan_files: dict[str, TreeEntry | None] = {}  # plan folder's tree id -> its plan.yaml
        self.plan_sources: dict[TreeEntry | None, Source[Plan] | None] = {}

    def snapshots(self, to_read: dict[str, list[LoggedCommit]]) -> dict[tuple[str, str], _Snapshot]:
        """What each plan was at each commit to read and at its first parent; each commit's plans/ read once."""
        wanted: dict[str, set[str]] = {}
        for plan_id, logged in to_read.items():
            for logged_commit in logged:
                wanted.setdefault(logged_commit.commit, set()).add(plan_id)
                if logged_commit.parents:
                    wanted.setdefault(logged_commit.parents[0], set()).add(plan_id)
        found: dict[tuple[str, str], _Snapshot] = {}
        for commit, plan_ids in wanted.items():
            plans = self.objects.subtree(commit, f"{self.prefix}{PLANS_DIR}")
            for plan_id in plan_ids:
                found[commit, plan_id] = _NOTHING if plans is None else self._snapshot(plans, plan_id)
        return found

    def _snapshot(self, plans: dict[str, TreeEntry], plan_id: str) -> _Snapshot:
        folder = plans.get(plan_id)
        plan = None
        if folder is not None and folder.is_tree:
            if folder.object_id not in self.plan_files:
                entries = self.objects.tree(folder.object_id) or {}
                self.plan_files[folder.object_id] = entries.get(PLAN_FILE)
            plan = self.plan_files[folder.object_id]
        return _Snapshot(plan, plans.get(PEOPLE_FILE), plans.get(CHECKLISTS_DIR))

    def revisions(
        self, plan_id: str, logged: list[LoggedCommit], snapshots: dict[tuple[str, str], _Snapshot], shallow: bool
    ) -> list[Revision]:
        """Each commit's revision of the plan: its version then, and what it changed from its first parent."""
        validations: dict[_Snapshot, Validation] = {}  # this plan's only: dropped when it is done
        self.plan_sources = {}  # its plan.yaml by git id: read once when people.yaml or a checklist changed

        def at(commit: str) -> Validation:
            snapshot = snapshots[commit, plan_id]
            if snapshot not in validations:
                validations[snapshot] = self._validation(plan_id, snapshot)
            return validations[snapshot]

        folder = f"{self.prefix}{PLANS_DIR}/{plan_id}/"
        result = []
        for commit in logged:
            after = at(commit.commit)
            before = at(commit.parents[0]) if commit.parents else None
            plan = after.project.plans.get(plan_id)
            change = None
            if plan is not None and before is not None and plan_id in before.project.plans:
                change = diff_plan(plan_id, before, after)
            version = plan.plan.model.version if plan else None
            cut = shallow and not commit.parents and self._has_parent(commit.commit)
            files = tuple(sorted(name[len(folder) :] for name in commit.files if name.startswith(folder)))
            result.append(
                Revision(commit.commit, commit.date, commit.author, commit.subject, version, change, cut, files)
            )
        return result

    def _has_parent(self, commit: str) -> bool:
        """The commit names a parent (that a shallow clone leaves out)."""
        content = self.objects.read(commit, "commit") or b""
        headers = content.partition(b"\n\n")[0]
        return any(line.startswith(b"parent ") for line in headers.split(b"\n"))

    def _validation(self, plan_id: str, snapshot: _Snapshot) -> Validation:
        """The plan read as validate_project reads it, with people.yaml and the checklists of the snapshot,
        and its schedule made as check_plan makes it.

        Its log, its post-mortem and the checks that only report are left out: nothing the
        history shows depends on them.
        """
        project = Project(self.root)
        diagnostics: list[Diagnostic] = []
        if snapshot.people is not None and snapshot.people.is_file:
            project.people = self._people(snapshot.people.object_id)
        if snapshot.checklists is not None and snapshot.checklists.is_tree:
            project.checklists, project.checklists_complete = self._checklists(snapshot.checklists.object_id)
        schedules = {}
        if snapshot.plan not in self.plan_sources:
            self.plan_sources[snapshot.plan] = self._source(snapshot.plan, plan_file_path(self.root, plan_id), Plan)
        plan = self.plan_sources[snapshot.plan]
        if plan is not None:
            project.plans[plan_id] = PlanSources(plan_id, plan)
            zone = ZoneInfo(plan.model.timezone)
            schedule = check_plan_schedule(CheckContext(project, diagnostics), plan.model, plan.document, zone)
            if schedule is not None:
                schedules[plan_id] = schedule
        return Validation(project, diagnostics, schedules)

    def _people(self, object_id: str) -> Source[PeopleFile] | None:
        people = self.cache.people
        if object_id not in people:
            _forget_oldest(people)
            people[object_id] = self._source(TreeEntry("100644", object_id), people_file(self.root), PeopleFile)
        return people[object_id]

    def _checklists(self, tree_id: str) -> tuple[dict[str, Source[Checklist]], bool]:
        """The checklists of a plans/checklists/ folder, read as load_project reads them; and whether all read."""
        known = self.cache.checklists
        if tree_id not in known:
            checklists: dict[str, Source[Checklist]] = {}
            complete = True
            entries = self.objects.tree(tree_id) or {}
            for name in sorted(entries):
                path = PurePosixPath(name)
                if not entries[name].is_file or path.suffix != ".yaml" or not _SLUG.fullmatch(path.stem):
                    continue  # links, folders, other files: not read (load_project reports them)
                checklist = self._source(entries[name], checklists_dir(self.root) / name, Checklist)
                if checklist is None:
                    complete = False
                else:
                    checklists[path.stem] = checklist
            _forget_oldest(known)
            known[tree_id] = (checklists, complete)
        return known[tree_id]

    def _source(self, entry: TreeEntry | None, path: Path, model: type[Any]) -> Source[Any] | None:
        """A regular file of the commit read as a source; None for a symbolic link, too large or with errors."""
        if entry is None or not entry.is_file:
            return None
        raw = self.objects.read(entry.object_id, "blob")
        return None if raw is None else source_from_bytes(self.root, path, raw, model)[0]


def _forget_oldest(kept: dict[str, Any]) -> None:
    """Make room for one more (dicts keep their order: the first is the oldest)."""
    while len(kept) >= _SOURCES_KEPT:
        del kept[next(iter(kept))]
