"""`golive init`: a plans repository that validates and builds at once, written only where nothing is yet.

People, two shared checklists, an example plan (made as `golive new` makes one), mkdocs.yml, the JSON
Schemas, a CI workflow and a pre-commit configuration that install the golive that ran init, and a README.
An existing file is never touched: init adds what is missing and says what it skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.authoring.scaffold import ScaffoldError, new_plan
from generator.authoring.schemas import schema_files
from generator.authoring.templates import render_yaml
from generator.errors import GoliveError
from generator.read.layout import CHECKLISTS_DIR, PEOPLE_FILE, PLAN_FILE, PLANS_DIR

EXAMPLE_PLAN = "example-go-live"
# The shared checklists init writes, by the phase a plan lists them under: plans/checklists/<id>.yaml.
CHECKLISTS = {"pre-launch": "pre-launch", "post-launch": "post-launch"}


class InitError(GoliveError):
    """The repository cannot be initialised here; the message says why."""


@dataclass
class InitResult:
    """What init did: paths relative to the folder, in the order they were considered."""

    created: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)


def repository_files(site_name: str, version: str) -> dict[str, str]:
    """The text of every file init writes except the example plan, by its path relative to the folder."""
    files = {
        f"{PLANS_DIR}/{PEOPLE_FILE}": render_yaml("init/people.yaml.j2"),
        **{
            f"{PLANS_DIR}/{CHECKLISTS_DIR}/{name}.yaml": render_yaml(f"init/{name}.yaml.j2")
            for name in CHECKLISTS.values()
        },
        # JSON's quoting is valid YAML: any folder name is a safe site_name
        "mkdocs.yml": render_yaml("init/mkdocs.yml.j2", site_name=json.dumps(site_name, ensure_ascii=False)),
        ".gitignore": render_yaml("init/gitignore.j2"),
        ".github/workflows/golive.yml": render_yaml("init/golive.yml.j2", version=version),
        ".pre-commit-config.yaml": render_yaml("init/pre-commit-config.yaml.j2", version=version),
        "README.md": render_yaml("init/README.md.j2", site_name=site_name, version=version),
    }
    return {**files, **schema_files()}


def init_repository(root: Path, version: str, today: dt.date) -> InitResult:
    """Write the files of a new plans repository under root that are not there yet; never overwrite."""
    _check_root(root)
    site_name = root.resolve().name or "Go-lives"
    files = repository_files(site_name, version)
    example = f"{PLANS_DIR}/{EXAMPLE_PLAN}/{PLAN_FILE}"
    # Everything is checked before anything is written: a link anywhere refuses the whole init.
    for name in [*files, example]:
        _refuse_links(root, name)
    root.mkdir(parents=True, exist_ok=True)
    result = InitResult()
    for name, text in files.items():
        if os.path.lexists(root / name):
            result.skipped.append((name, "exists"))
            continue
        _create(root, name, text)
        result.created.append(name)
    _add_example_plan(root, example, today, result)
    return result


def _add_example_plan(root: Path, example: str, today: dt.date, result: InitResult) -> None:
    """The example plan, made as `golive new` makes one, unless plans/ already holds a plan."""
    plans = root / PLANS_DIR
    if os.path.lexists(root / example):
        result.skipped.append((example, "exists"))
        return
    if any(os.path.lexists(entry / PLAN_FILE) for entry in plans.iterdir() if not entry.is_symlink()):
        result.skipped.append((example, f"{PLANS_DIR}/ already has a plan"))
        return
    # Only the checklists written now: one kept from before may name roles the example plan lacks.
    created = set(result.created)
    checklists = {
        phase: [name] for phase, name in CHECKLISTS.items() if f"{PLANS_DIR}/{CHECKLISTS_DIR}/{name}.yaml" in created
    }
    try:
        new_plan(root, EXAMPLE_PLAN, today, checklists)
    except ScaffoldError as error:
        result.skipped.append((example, error.message))
        return
    result.created.append(example)


def _check_root(root: Path) -> None:
    try:
        mode = os.lstat(root).st_mode
    except FileNotFoundError:
        return  # created by init
    if stat.S_ISLNK(mode):
        raise InitError(f"{root} is a symbolic link: give the folder itself")
    if not stat.S_ISDIR(mode):
        raise InitError(f"{root} is a file, not a folder: give a folder (new or existing) to initialise")


def _refuse_links(root: Path, name: str) -> None:
    """Refuse a link or a non-folder on the way to root/name, and a link or a special file as root/name."""
    parts = PurePosixPath(name).parts
    for depth in range(1, len(parts) + 1):
        path = root.joinpath(*parts[:depth])
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return
        shown = "/".join(parts[:depth])
        if stat.S_ISLNK(mode):
            raise InitError(f"{shown} is a symbolic link: init never follows one; remove it or init elsewhere")
        if depth < len(parts) and not stat.S_ISDIR(mode):
            raise InitError(f"{shown} is a file where init needs a folder")
        if depth == len(parts) and not stat.S_ISREG(mode):
            raise InitError(f"{shown} is neither a file nor missing: init needs a file there")


def _create(root: Path, name: str, text: str) -> None:
    """Write a new file: its folders made one by one, never through a link, never over anything."""
    parts = PurePosixPath(name).parts
    folder = root
    for part in parts[:-1]:
        folder = folder / part
        if not os.path.lexists(folder):
            folder.mkdir()
        _refuse_links(root, name)  # made or checked just now, not swapped for a link since
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(root / name, flags, 0o644), "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
