"""`golive diff`: what changed in each plan since a git revision, as a reviewer needs it.

Old versions are read through git (`git archive` into a scratch folder), never
by touching the working tree; both sides go through the same validation and
schedule, so a changed duration shows up as the planned end it moves.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator.check.validate import Validation, validate_project
from generator.errors import GoliveError
from generator.read.models.people import Person
from generator.read.models.plan import Plan, Step
from generator.read.sources import CHECKLISTS_DIR, PEOPLE_FILE, PLANS_DIR
from generator.schedule.timetable import Schedule, format_duration

DEFAULT_BRANCHES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")

_CHANGES = {"type": "array", "items": {"$ref": "#/$defs/change"}}
_TEXTS = {"type": "array", "items": {"type": "string"}}
# The documented shape of `golive diff --format json`.
JSON_SCHEMA: dict[str, object] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "golive diff",
    "type": "object",
    "required": ["revision", "plans"],
    "additionalProperties": False,
    "properties": {
        "revision": {"type": "string", "description": "the git commit compared with"},
        "plans": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["plan_id", "title", "change"],
                "properties": {
                    "plan_id": {"type": "string"},
                    "title": {"type": "string"},
                    "change": {"enum": ["added", "removed", "changed", "invalid"]},
                    "version": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/change"}]},
                    "status": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/change"}]},
                    "steps_added": _TEXTS,
                    "steps_removed": _TEXTS,
                    "steps_changed": _CHANGES,
                    "schedule": _CHANGES,
                    "gates": _CHANGES,
                    "rollback": _CHANGES,
                    "contacts": _CHANGES,
                    "approvals": _CHANGES,
                    "other": _TEXTS,
                    "warnings": _TEXTS,
                },
            },
        },
    },
    "$defs": {
        "change": {
            "type": "object",
            "additionalProperties": False,
            "required": ["what", "old", "new"],
            "properties": {"what": {"type": "string"}, "old": {"type": "string"}, "new": {"type": "string"}},
        }
    },
}


class DiffError(GoliveError):
    """git could not give the old version; the message says why."""


@dataclass
class Change:
    """One line of a reviewer's summary: what, and from what to what."""

    what: str
    old: str = ""
    new: str = ""


@dataclass
class PlanDiff:
    plan_id: str
    title: str
    change: str  # added | removed | changed | invalid
    version: Change | None = None
    status: Change | None = None
    steps_added: list[str] = field(default_factory=list)
    steps_removed: list[str] = field(default_factory=list)
    steps_changed: list[Change] = field(default_factory=list)  # renamed, re-owned, retimed
    schedule: list[Change] = field(default_factory=list)
    gates: list[Change] = field(default_factory=list)
    rollback: list[Change] = field(default_factory=list)
    contacts: list[Change] = field(default_factory=list)
    approvals: list[Change] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        lists: list[list[str] | list[Change]] = [self.steps_added, self.steps_removed, self.steps_changed]
        lists += [self.schedule, self.gates, self.rollback, self.contacts, self.approvals, self.other, self.warnings]
        return self.change == "changed" and not any(lists) and not self.version and not self.status


@dataclass
class ProjectDiff:
    revision: str
    plans: list[PlanDiff]

    def as_json(self) -> dict[str, object]:
        return {"revision": self.revision, "plans": [asdict(p) for p in self.plans]}


# -- git ---------------------------------------------------------------------------------


def _git(root: Path, *args: str) -> str:
    """git's output, stripped; bytes that are not UTF-8 (a file name) come back as they were when passed on."""
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise DiffError("git is not installed") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", errors="replace").strip()
        raise DiffError(message or f"git {' '.join(args)} failed")
    return result.stdout.decode("utf-8", errors="surrogateescape").strip()


def default_revision(root: Path) -> str:
    """The merge base with the default branch, else HEAD."""
    for branch in DEFAULT_BRANCHES:
        try:
            _git(root, "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}")
            return _git(root, "merge-base", "HEAD", branch)
        except DiffError:
            continue
    return _git(root, "rev-parse", "HEAD")


@contextmanager
def checkout_of(root: Path, revision: str, plan_ids: Sequence[str] | None = None) -> Iterator[Path]:
    """A scratch copy of the project's plans/ at `revision`, read through git archive.

    With `plan_ids`, only those plans (and the people and checklists they use) are copied:
    a plan's history reads one plan per commit, not the whole project.
    """
    prefix = _git(root, "rev-parse", "--show-prefix")
    commit = _git(root, "rev-parse", "--verify", f"{revision}^{{commit}}")
    paths = [f"{prefix}{PLANS_DIR}"]
    if plan_ids is not None:
        wanted = [f"{prefix}{PLANS_DIR}/{name}" for name in (PEOPLE_FILE, CHECKLISTS_DIR, *plan_ids)]
        # git archive refuses a path that does not exist at that commit: ask which do. The names
        # are NUL-separated and taken literally: a file name may hold a newline or a '*'.
        listed = _git(
            root, "--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", "--name-only", commit, "--", *wanted
        )
        paths = [name for name in listed.split("\0") if name]
    with tempfile.TemporaryDirectory(prefix="golive-diff-") as scratch:
        archive = subprocess.run(
            ["git", "--literal-pathspecs", "archive", "--format=tar", commit, "--", *paths],
            cwd=root,
            capture_output=True,
            check=False,
        )
        if paths and archive.returncode == 0:
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                tar.extractall(scratch, filter="data")
        # A revision without plans/ (archive fails) is an empty project: every plan is new.
        old_root = Path(scratch) / prefix
        (old_root / PLANS_DIR).mkdir(parents=True, exist_ok=True)
        yield old_root


def diff_against(root: Path, revision: str | None = None) -> ProjectDiff:
    """Compare the working tree's plans with those at `revision` (default: see default_revision)."""
    revision = revision or default_revision(root)
    with checkout_of(root, revision) as old_root:
        old = validate_project(old_root)
    new = validate_project(root)
    return ProjectDiff(revision, diff_projects(old, new))


# -- comparing ---------------------------------------------------------------------------


def diff_projects(old: Validation, new: Validation) -> list[PlanDiff]:
    """Every plan that was added, removed or changed between two validated projects."""
    result = []
    for plan_id in sorted(set(old.project.plans) | set(new.project.plans)):
        before = old.project.plans.get(plan_id)
        after = new.project.plans.get(plan_id)
        if before is None and after is not None:
            result.append(PlanDiff(plan_id, after.plan.model.title, "added"))
        elif after is None and before is not None:
            result.append(PlanDiff(plan_id, before.plan.model.title, "removed"))
        elif before is not None and after is not None:
            plan_diff = diff_plan(plan_id, old, new)
            if not plan_diff.empty:
                result.append(plan_diff)
    # Plans that no longer read cleanly are reported rather than silently skipped.
    for plan_id in sorted(_invalid_plans(new) - set(new.project.plans)):
        result.append(PlanDiff(plan_id, plan_id, "invalid", warnings=["the plan has errors: run golive validate"]))
    return result


def _invalid_plans(validation: Validation) -> set[str]:
    """The folders of plans with errors in their own files (plans/<id>/...), not in a checklist."""
    found = set()
    for error in validation.errors:
        parts = error.file.split("/")
        if len(parts) == 3 and parts[0] == PLANS_DIR and parts[1] != CHECKLISTS_DIR:
            found.add(parts[1])
    return found


def _people(validation: Validation) -> dict[str, Person]:
    people = validation.project.people
    return {p.id: p for p in people.model.people} if people else {}


def diff_plan(plan_id: str, old: Validation, new: Validation) -> PlanDiff:
    """What changed in one plan, including what its schedule now says."""
    before = old.project.plans[plan_id].plan.model
    after = new.project.plans[plan_id].plan.model
    result = PlanDiff(plan_id, after.title, "changed")
    if before.version != after.version:
        result.version = Change("version", str(before.version), str(after.version))
    if before.status != after.status:
        result.status = Change("status", before.status, after.status)
    _diff_steps(result.steps_added, result.steps_removed, result.steps_changed, before.steps, after.steps)
    old_schedule, new_schedule = old.schedules.get(plan_id), new.schedules.get(plan_id)
    if old_schedule is not None and new_schedule is not None:
        result.schedule = _diff_schedule(old_schedule, new_schedule)
    result.gates = _diff_gates(before, after)
    result.rollback = _diff_rollback(before, after)
    result.contacts = _diff_contacts(before, after, _people(old), _people(new))
    result.approvals = _diff_keyed(
        {a.person: a.decision for a in before.approvals},
        {a.person: a.decision for a in after.approvals},
        "approval of",
    )
    for name in (
        "title",
        "summary",
        "window",
        "timezone",
        "objectives",
        "channels",
        "checklists",
        "communications",
    ):
        if getattr(before, name) != getattr(after, name):
            result.other.append(name)
    content_before = before.model_dump(exclude={"version"})
    content_after = after.model_dump(exclude={"version"})
    if content_before != content_after and before.version == after.version:
        result.warnings.append(f"the plan changed but its version is still {after.version}: bump it")
    return result


def _step_text(step: Step) -> str:
    return f"{step.id}: {step.title}"


def _diff_steps(
    added: list[str], removed: list[str], changed: list[Change], before: list[Step], after: list[Step]
) -> None:
    old = {s.id: s for s in before}
    new = {s.id: s for s in after}
    added.extend(_step_text(new[i]) for i in new if i not in old)
    removed.extend(_step_text(old[i]) for i in old if i not in new)
    for step_id in (i for i in new if i in old):
        a, b = old[step_id], new[step_id]
        if a.title != b.title:
            changed.append(Change(f"{step_id} renamed", a.title, b.title))
        if a.owner != b.owner:
            changed.append(Change(f"{step_id} re-owned", a.owner, b.owner))
        if a.duration != b.duration:
            changed.append(Change(f"{step_id} duration", format_duration(a.duration), format_duration(b.duration)))
        if a.start != b.start:
            changed.append(Change(f"{step_id} fixed start", _start(a), _start(b)))
        if a.depends_on != b.depends_on:
            changed.append(Change(f"{step_id} depends on", _deps(a), _deps(b)))
        if a.point_of_no_return != b.point_of_no_return:
            changed.append(
                Change(f"{step_id} point of no return", str(a.point_of_no_return), str(b.point_of_no_return))
            )
        if (a.instructions, a.commands, a.verify) != (b.instructions, b.commands, b.verify):
            changed.append(Change(f"{step_id} instructions, commands or verification changed"))


def _start(step: Step) -> str:
    if step.start is None:
        return "none"
    if isinstance(step.start, dt.datetime):
        return f"{step.start:%Y-%m-%d %H:%M}"
    return f"{step.start:%H:%M}" if isinstance(step.start, dt.time) else str(step.start)


def _deps(step: Step) -> str:
    if step.depends_on is None:
        return "(the step before)"
    return ", ".join(step.depends_on) or "nothing"


def _diff_schedule(old: Schedule, new: Schedule) -> list[Change]:
    # Both sides carry their day when either covers several dates, so that they compare.
    with_day = True if old.multi_date or new.multi_date or old.dates != new.dates else None

    def facts(s: Schedule) -> dict[str, str]:
        point = s.point_of_no_return
        return {
            "planned end": s.clock(s.end, with_day),
            "fits the window": "yes" if s.fits_window else f"no ({round(s.overrun.total_seconds() / 60)} min late)",
            "critical path": ", ".join(s.critical_path),
            "point of no return": f"{s.clock(point.start, with_day)} ({point.id})" if point else "none",
            "latest rollback start": s.clock(s.latest_rollback_start, with_day),
        }

    before, after = facts(old), facts(new)
    return [Change(name, before[name], after[name]) for name in before if before[name] != after[name]]


def _diff_keyed(before: dict[str, str], after: dict[str, str], label: str) -> list[Change]:
    changes = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes.append(Change(f"{label} {key}", before.get(key, "none"), after.get(key, "none")))
    return changes


def _diff_gates(before: Plan, after: Plan) -> list[Change]:
    def describe(plan: Plan) -> dict[str, str]:
        return {g.id: f"before {g.before}, {g.decider} decides; " + "; ".join(g.criteria) for g in plan.gates}

    return _diff_keyed(describe(before), describe(after), "gate")


def _diff_rollback(before: Plan, after: Plan) -> list[Change]:
    changes: list[Change] = []
    old, new = before.rollback, after.rollback
    if (old is None) != (new is None):
        return [Change("rollback section", "present" if old else "none", "present" if new else "none")]
    if old is None or new is None:
        return changes
    if old.owner != new.owner:
        changes.append(Change("rollback owner", old.owner, new.owner))
    changes.extend(Change("trigger removed", t) for t in old.triggers if t not in new.triggers)
    changes.extend(Change("trigger added", "", t) for t in new.triggers if t not in old.triggers)
    added: list[str] = []
    removed: list[str] = []
    changed: list[Change] = []
    _diff_steps(added, removed, changed, old.steps, new.steps)
    changes.extend(Change("rollback step added", "", s) for s in added)
    changes.extend(Change("rollback step removed", s) for s in removed)
    changes.extend(Change(f"rollback step {c.what}", c.old, c.new) for c in changed)
    return changes


def _diff_contacts(
    before: Plan, after: Plan, old_people: dict[str, Person], new_people: dict[str, Person]
) -> list[Change]:
    changes = _diff_keyed(
        {s.person: s.role for s in before.stakeholders},
        {s.person: s.role for s in after.stakeholders},
        "stakeholder",
    )
    changes += _diff_keyed(
        {s.person: s.backup or "" for s in before.stakeholders if s.backup},
        {s.person: s.backup or "" for s in after.stakeholders if s.backup},
        "backup of",
    )
    involved = {s.person for s in after.stakeholders} | {s.owner for s in after.steps}
    for person_id in sorted(involved):
        a, b = old_people.get(person_id), new_people.get(person_id)
        if a is None or b is None:
            continue
        # Contact details are only said to have changed: a review comment is no place for them.
        for detail in ("phone", "email", "chat"):
            if getattr(a, detail) != getattr(b, detail):
                changes.append(Change(f"{detail} of {b.name} changed"))
        if a.backup != b.backup:
            changes.append(Change(f"default backup of {b.name}", a.backup or "none", b.backup or "none"))
    return changes


def render_markdown(diff: ProjectDiff) -> str:
    """The summary as Markdown, for a pull-request comment or a CI job summary."""
    from generator.site.render import render_template

    text = render_template("diff.md.j2", diff=diff)
    # The template's optional sections leave runs of blank lines; one is enough.
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"
