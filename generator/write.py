"""Write site_src/: only what changed, whole files only, and nothing left of deleted plans."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

SITE_SRC = "site_src"  # under the project folder
# Staged copies are dot-files, which MkDocs ignores, and are cleaned up on the next run.
STAGING_SUFFIX = ".golive-tmp"


@dataclass
class Changes:
    """How site_src/ differs from what should be there."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def existing_files(site_src: Path) -> dict[str, Path]:
    """Every file under site_src (not staged leftovers), by posix path relative to it."""
    if not site_src.is_dir():
        return {}
    found = {}
    for path in site_src.rglob("*"):
        if path.is_file() and not path.name.endswith(STAGING_SUFFIX):
            found[path.relative_to(site_src).as_posix()] = path
    return found


def compare(site_src: Path, files: dict[str, bytes], previous: dict[str, bytes] | None = None) -> Changes:
    """What writing `files` would do to site_src, without touching it.

    `previous` is what this process last wrote there: files equal to it are taken as
    unchanged without reading them back (`golive serve` regenerates a large site often).
    """
    if previous is not None:
        return _compare_in_memory(files, previous)
    current = existing_files(site_src)
    changes = Changes()
    for relative, data in sorted(files.items()):
        path = current.get(relative)
        if path is None:
            changes.added.append(relative)
        elif path.stat().st_size != len(data) or path.read_bytes() != data:
            changes.changed.append(relative)
        else:
            changes.unchanged += 1
    changes.removed = sorted(set(current) - set(files))
    return changes


def _compare_in_memory(files: dict[str, bytes], previous: dict[str, bytes]) -> Changes:
    changes = Changes()
    for relative, data in sorted(files.items()):
        before = previous.get(relative)
        if before is None:
            changes.added.append(relative)
        elif before is not data and before != data:
            changes.changed.append(relative)
        else:
            changes.unchanged += 1
    changes.removed = sorted(previous.keys() - files.keys())
    return changes


def write_site_src(site_src: Path, files: dict[str, bytes], previous: dict[str, bytes] | None = None) -> Changes:
    """Make site_src hold exactly `files`, rewriting only files whose bytes differ.

    Every new or changed file is first written in full beside its target; only
    then are they moved into place and stale files deleted, so an interruption
    while writing leaves the previous site_src as it was. (No fsync: site_src/ is
    made again from plans/ by any build, and syncing thousands of pages one by one
    costs seconds.)
    """
    _remove_staged_leftovers(site_src)
    changes = compare(site_src, files, previous)
    staged: list[tuple[Path, Path]] = []
    try:
        for relative in (*changes.added, *changes.changed):
            target = site_src / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}{STAGING_SUFFIX}")
            staged.append((temporary, target))
            with open(temporary, "wb") as handle:
                handle.write(files[relative])
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        os.replace(temporary, target)
    for relative in changes.removed:
        (site_src / relative).unlink(missing_ok=True)
    if changes.removed:
        _remove_empty_folders(site_src)
    return changes


def _remove_staged_leftovers(site_src: Path) -> None:
    if site_src.is_dir():
        for path in site_src.rglob(f"*{STAGING_SUFFIX}"):
            path.unlink()


def _remove_empty_folders(site_src: Path) -> None:
    if not site_src.is_dir():
        return
    for folder in sorted((p for p in site_src.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
