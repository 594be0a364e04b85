"""Find every source under plans/, read it and check it against its model."""

from __future__ import annotations

import gc
import os
import re
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

from generator.diagnostics import (
    Diagnostic,
    for_plan,
    printable,
)
from generator.read.document import Document, SourceError
from generator.read.layout import (
    CHECKLISTS_DIR,
    LOG_FILE,
    PEOPLE_FILE,
    PLAN_FILE,
    PLANS_DIR,
    POSTMORTEM_FILE,
    REHEARSALS_DIR,
    checklists_dir,
    people_file,
    plans_dir,
)
from generator.read.load import SYMLINK_HINT, SYMLINK_MESSAGE, load_document, not_regular_message, parse_document
from generator.read.model_errors import model_document
from generator.read.models import Checklist, Log, PeopleFile, Plan, Postmortem, Rehearsal
from generator.read.models.common import SLUG_PATTERN, SLUG_RULE
from generator.read.models.people import Person

ModelT = TypeVar("ModelT", bound=BaseModel)

_SLUG = re.compile(SLUG_PATTERN)


@dataclass
class Source(Generic[ModelT]):
    """A source file: where it is, what was written, and the checked model."""

    path: Path
    document: Document
    model: ModelT


@dataclass
class PlanSources:
    """The files of one go-live folder."""

    id: str
    plan: Source[Plan]
    log: Source[Log] | None = None
    postmortem: Source[Postmortem] | None = None
    rehearsals: dict[str, Source[Rehearsal]] = field(default_factory=dict)  # by name, in name order

    def files(self) -> tuple[Source[Any], ...]:
        """Every file of the folder that was read: plan, log, post-mortem, rehearsals."""
        found = (self.plan, self.log, self.postmortem, *self.rehearsals.values())
        return tuple(s for s in found if s is not None)


class FileSignature(NamedTuple):
    """What stat() says of a file: when any of it changes, the file is read again."""

    mtime_ns: int
    size: int
    inode: int


class CachedSource(NamedTuple):
    """One file as read last time."""

    signature: FileSignature
    source: Source[Any] | None  # None when the file could not be read or modelled
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class SourceCache:
    """Sources read before, by path, with the file's size and modification time then.

    `golive serve` keeps one (see incremental.py): an unchanged file is not read again,
    and comes back as the very same Source object, which lets later stages skip it too.
    """

    entries: dict[Path, CachedSource] = field(default_factory=dict)


@dataclass
class Project:
    """Every source of a project folder that could be read."""

    root: Path
    people: Source[PeopleFile] | None = None
    checklists: dict[str, Source[Checklist]] = field(default_factory=dict)
    plans: dict[str, PlanSources] = field(default_factory=dict)
    # False when a checklist failed to read: "unknown checklist" errors would only add noise.
    checklists_complete: bool = True
    # Contents to check instead of what is on disk (a log entry about to be appended).
    overrides: dict[Path, bytes] = field(default_factory=dict)
    cache: SourceCache | None = None

    @cached_property
    def people_by_id(self) -> dict[str, Person]:
        """Everyone in people.yaml by id (empty when it could not be read)."""
        return {p.id: p for p in (self.people.model.people if self.people else [])}

    def sources(self) -> Iterator[Source[Any]]:
        """Every source that was read: people, checklists, then each plan's files."""
        if self.people is not None:
            yield self.people
        yield from self.checklists.values()
        for plan in self.plans.values():
            yield from plan.files()

    def plan_inputs(self, plan: PlanSources) -> tuple[object, ...]:
        """Every source a plan's checks and pages read. With a SourceCache, unchanged files are
        the same objects from one run to the next: compare these with `same_objects`."""
        return (plan.plan, plan.log, plan.postmortem, *plan.rehearsals.values(), self.people, *self.checklists.values())

    def display(self, path: Path) -> str:
        """The path shown in messages: relative to the project folder."""
        try:
            return printable(path.relative_to(self.root).as_posix())
        except ValueError:
            return printable(path.as_posix())


def same_objects(before: Sequence[object], now: Sequence[object]) -> bool:
    return len(before) == len(now) and all(a is b for a, b in zip(before, now, strict=True))


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector.

    Reading, checking and rendering make many small acyclic objects next to a large heap;
    the collector would rescan that heap again and again, making a large project superlinear.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def load_project(
    root: Path, overrides: dict[Path, bytes] | None = None, cache: SourceCache | None = None
) -> tuple[Project, list[Diagnostic]]:
    """Read and model every source under root/plans; return what was read and every problem.

    `overrides` gives the contents of files as they are about to be written; `cache` keeps
    what was read for the next call.
    """
    with paused_gc():
        return _load_project(root, overrides or {}, cache)


def _load_project(
    root: Path, overrides: dict[Path, bytes], cache: SourceCache | None
) -> tuple[Project, list[Diagnostic]]:
    project = Project(root, overrides=overrides, cache=cache)
    # Links could lead out of the repository, FIFOs and devices would block or never end:
    # each is an error, and the walk below reads regular files and enters real folders only.
    diagnostics: list[Diagnostic] = refused_entries(root, PLANS_DIR)
    plans = plans_dir(root)
    mode = _mode(plans)
    if mode is not None and not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
        return project, diagnostics  # a link or a special file: refused above
    if not _is_dir(plans):
        diagnostics.append(
            Diagnostic(
                PLANS_DIR,
                1,
                1,
                "error",
                "",
                "no plans/ folder here",
                "run golive in a project folder, pass --root, or start one with `golive init`",
            )
        )
        return project, diagnostics

    people_path = people_file(root)
    if _present(people_path):
        project.people = _read(project, people_path, PeopleFile, diagnostics)
    elif _mode(people_path) is None:
        diagnostics.append(
            Diagnostic(
                project.display(people_path),
                1,
                1,
                "error",
                "",
                "plans/people.yaml is missing",
                "list the people of your plans in it",
            )
        )

    checklist_dir = checklists_dir(root)
    for path in _yaml_files(checklist_dir, project, diagnostics):
        if not _check_slug_name(project, path, path.stem, diagnostics):
            continue
        checklist = _read(project, path, Checklist, diagnostics)
        if checklist is None:
            project.checklists_complete = False
        else:
            project.checklists[path.stem] = checklist

    # A plan about to be written into a folder not made yet (golive new --from, golive import) is read too.
    overrides = project.overrides
    to_come = {
        p.parent for p in overrides if p.name == PLAN_FILE and p.parent.parent == plans and _mode(p.parent) is None
    }
    for entry in sorted(set(plans.iterdir()) | to_come):
        if entry in to_come or (_is_dir(entry) and entry.name != CHECKLISTS_DIR and not entry.name.startswith(".")):
            _read_plan_folder(project, entry, diagnostics)
        elif _is_file(entry) and entry.suffix in (".yaml", ".yml") and entry.name != PEOPLE_FILE:
            diagnostics.append(_stray(project, entry))
    return project, diagnostics


def _read_plan_folder(project: Project, folder: Path, diagnostics: list[Diagnostic]) -> None:
    """Read a plan's files; what is found about them carries the plan id (the folder's name as shown)."""
    found: list[Diagnostic] = []
    _read_plan_files(project, folder, found, diagnostics)
    diagnostics.extend(for_plan(printable(folder.name), found))


def _read_plan_files(project: Project, folder: Path, found: list[Diagnostic], diagnostics: list[Diagnostic]) -> None:
    """What is found about the files goes to `found`; about the folder itself, to `diagnostics`."""
    plan_path = folder / PLAN_FILE
    known = {PLAN_FILE, LOG_FILE, POSTMORTEM_FILE}
    for path in sorted(folder.iterdir()) if _is_dir(folder) else []:
        if _is_file(path) and path.suffix in (".yaml", ".yml") and path.name not in known:
            found.append(_stray(project, path))
    if not _readable(project, plan_path):  # a plan.yaml about to be written counts
        if _mode(plan_path) is not None:
            return  # a link or a special file: reported by refused_entries
        diagnostics.append(
            Diagnostic(
                project.display(folder),
                1,
                1,
                "error",
                "",
                "folder has no plan.yaml",
                "every folder under plans/ is one go-live",
            )
        )
        return
    if not _check_slug_name(project, plan_path, folder.name, found):
        return
    plan = _read(project, plan_path, Plan, found)
    log_path, postmortem_path = folder / LOG_FILE, folder / POSTMORTEM_FILE
    log = _read(project, log_path, Log, found) if _readable(project, log_path) else None
    postmortem = _read(project, postmortem_path, Postmortem, found) if _readable(project, postmortem_path) else None
    rehearsals = _read_rehearsals(project, folder / REHEARSALS_DIR, found)
    if plan is not None:
        project.plans[folder.name] = PlanSources(folder.name, plan, log, postmortem, rehearsals)


def _read_rehearsals(project: Project, folder: Path, found: list[Diagnostic]) -> dict[str, Source[Rehearsal]]:
    """The rehearsals/<name>.yaml files of a plan folder that could be read, by name."""
    rehearsals: dict[str, Source[Rehearsal]] = {}
    for path in _yaml_files(folder, project, found):
        if _check_slug_name(project, path, path.stem, found):
            rehearsal = _read(project, path, Rehearsal, found)
            if rehearsal is not None:
                rehearsals[path.stem] = rehearsal
    # A rehearsal about to be written (golive log --rehearsal on a new name) is read too.
    for path in sorted(p for p in project.overrides if p.parent == folder and p.suffix == ".yaml"):
        if path.stem not in rehearsals and not _present(path) and _check_slug_name(project, path, path.stem, found):
            rehearsal = _read(project, path, Rehearsal, found)
            if rehearsal is not None:
                rehearsals[path.stem] = rehearsal
    return dict(sorted(rehearsals.items()))


def _readable(project: Project, path: Path) -> bool:
    """There are contents to check: an override (a file about to be written) or a regular file."""
    return path in project.overrides or _present(path)


def _present(path: Path) -> bool:
    """Something is there to read: neither a link nor a special file (a folder fails to read, with an error)."""
    mode = _mode(path)
    return mode is not None and (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _mode(path: Path) -> int | None:
    """The path's own st_mode, not its link target's; None when nothing is there."""
    try:
        return os.lstat(path).st_mode
    except OSError:
        return None


def _is_file(path: Path) -> bool:
    return stat.S_ISREG(_mode(path) or 0)


def _is_dir(path: Path) -> bool:
    return stat.S_ISDIR(_mode(path) or 0)


def refused_entries(root: Path, name: str) -> list[Diagnostic]:
    """An error for root/name and each entry under it that is a symbolic link or not a regular
    file or folder (FIFO, socket, device). Links are never followed, so nothing outside is looked at.
    An entry right inside a plan's folder (plans/<plan>/...) carries the plan id."""
    diagnostics: list[Diagnostic] = []

    def refuse(relative: str, mode: int, plan: str | None = None) -> None:
        if stat.S_ISLNK(mode):
            diagnostics.append(Diagnostic(relative, 1, 1, "error", "", SYMLINK_MESSAGE, SYMLINK_HINT, plan=plan))
        else:
            message = not_regular_message(mode)
            diagnostics.append(Diagnostic(relative, 1, 1, "error", "", message, "remove it", plan=plan))

    top = _mode(root / name)
    if top is None or stat.S_ISREG(top):
        return diagnostics  # missing, or a plain file: the caller says what that means
    if not stat.S_ISDIR(top):
        refuse(name, top)
        return diagnostics
    # each folder to look into, as shown, and the plan it is the folder of
    folders: list[tuple[Path, str, str | None]] = [(root / name, name, None)]
    while folders:
        folder, shown, plan = folders.pop()
        is_plans_dir = name == PLANS_DIR and shown == name
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            continue  # unreadable: whoever reads it reports that
        for entry in entries:
            relative = f"{shown}/{printable(entry.name)}"
            if entry.is_dir(follow_symlinks=False):
                plan_folder = is_plans_dir and entry.name != CHECKLISTS_DIR
                folders.append((Path(entry.path), relative, printable(entry.name) if plan_folder else None))
            elif not entry.is_file(follow_symlinks=False):
                try:
                    refuse(relative, entry.stat(follow_symlinks=False).st_mode, plan)
                except OSError:
                    continue  # gone since the scan
    return diagnostics


def _yaml_files(folder: Path, project: Project, diagnostics: list[Diagnostic]) -> Iterator[Path]:
    if not _is_dir(folder):
        return
    for path in sorted(folder.iterdir()):
        if not _is_file(path):
            continue  # links and special files: reported by refused_entries
        if path.suffix == ".yaml":
            yield path
        elif path.suffix == ".yml":
            diagnostics.append(_stray(project, path))


def _stray(project: Project, path: Path) -> Diagnostic:
    hint = f"rename it to {path.stem}.yaml" if path.suffix == ".yml" else "move it, or remove it"
    return Diagnostic(project.display(path), 1, 1, "error", "", "not a golive source file in this place", hint)


def _check_slug_name(project: Project, path: Path, name: str, diagnostics: list[Diagnostic]) -> bool:
    if _SLUG.fullmatch(name):
        return True
    diagnostics.append(
        Diagnostic(
            project.display(path),
            1,
            1,
            "error",
            "",
            f"'{name}' is not a valid id for a file or folder name",
            f"ids are {SLUG_RULE}",
        )
    )
    return False


def _read(project: Project, path: Path, model: type[ModelT], diagnostics: list[Diagnostic]) -> Source[ModelT] | None:
    cache = project.cache
    if cache is None or path in project.overrides:
        return _read_file(project, path, model, diagnostics)
    try:
        status = path.stat()
        signature = FileSignature(status.st_mtime_ns, status.st_size, status.st_ino)
    except OSError:
        return _read_file(project, path, model, diagnostics)
    cached = cache.entries.get(path)
    if cached is not None and cached.signature == signature:
        diagnostics.extend(cached.diagnostics)
        return cached.source
    found: list[Diagnostic] = []
    source = _read_file(project, path, model, found)
    cache.entries[path] = CachedSource(signature, source, tuple(found))
    diagnostics.extend(found)
    return source


def source_from_bytes(
    root: Path, path: Path, raw: bytes, model: type[ModelT]
) -> tuple[Source[ModelT] | None, list[Diagnostic]]:
    """A source given by its contents (a file as a git commit holds it), read and checked as
    load_project reads a file at `path` in the project at `root`; with what was found about it."""
    found: list[Diagnostic] = []
    return _read_file(Project(root, overrides={path: raw}), path, model, found), found


def _read_file(
    project: Project, path: Path, model: type[ModelT], diagnostics: list[Diagnostic]
) -> Source[ModelT] | None:
    file = project.display(path)
    try:
        override = project.overrides.get(path)
        document = parse_document(override, file) if override is not None else load_document(path, file)
    except SourceError as error:
        diagnostics.extend(error.diagnostics)
        return None
    checked = model_document(document, model, diagnostics)
    return Source(path, document, checked) if checked is not None else None
