"""The plans' history kept between builds, in the repository's own git folder.

A commit never changes, so neither does what it did to a plan: with this store, a clone reads
each commit's plans from git once, not once per build. On a large repository that is most of the
history's cost (history.py checks every distinct plan content it shows).

The store is `<git folder>/golive/history-<digest>.json` (the digest of the project's folder in
the repository), never in the work tree: nothing a commit or a pull request brings can put a
file in the git folder, so the store only holds what golive read on this machine. It is still
read as untrusted: a link, a file that is too large, JSON of another shape or written by other
golive code is ignored, and replaced after the build. The pages made from it are the pages made
without it (tested).

Shallow clones are not stored: a commit's parents come and go as the clone deepens.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from generator.review.revision import Revision

STORE_FOLDER = "golive"
# 200 plans of 20 commits each took 2.4 MB, so 1,000 about 12 MB; a file far larger is not golive's.
MAX_STORE_BYTES = 256 * 1024 * 1024


@dataclass
class _Stored:
    code: str  # the golive code that wrote it (code_version)
    plans: dict[str, dict[str, Revision]]  # plan id -> commit -> revision


_STORED = TypeAdapter(_Stored)


@cache
def code_version() -> str:
    """A digest of golive's own code: a revision stored by other code may differ, so it is read again."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def store_path(git_dir: Path, prefix: str) -> Path:
    """The store of the project at `prefix` in the repository: one repository may hold several projects."""
    return git_dir / STORE_FOLDER / f"history-{hashlib.sha256(prefix.encode()).hexdigest()[:16]}.json"


def stored_revisions(git_dir: Path, prefix: str) -> dict[tuple[str, str], Revision]:
    """What an earlier build stored, by (commit, plan id); nothing when there is no usable store."""
    path = store_path(git_dir, prefix)
    raw = None if path.parent.is_symlink() else _read_regular_file(path)
    if raw is None:
        return {}
    try:
        stored = _STORED.validate_json(raw)
    except ValidationError:
        return {}
    if stored.code != code_version():
        return {}
    return {(commit, plan_id): r for plan_id, by_commit in stored.plans.items() for commit, r in by_commit.items()}


def store_revisions(git_dir: Path, prefix: str, shown: Iterable[tuple[str, Revision]]) -> None:
    """Keep the revisions this build shows, (plan id, revision), for the next build; quietly
    nothing when the git folder cannot take them (read-only, full, a link where the folder goes)."""
    plans: dict[str, dict[str, Revision]] = {}
    for plan_id, revision in shown:
        plans.setdefault(plan_id, {})[revision.commit] = revision
    path = store_path(git_dir, prefix)
    folder = path.parent
    try:
        folder.mkdir(exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            return
        content = _STORED.dump_json(_Stored(code_version(), plans))
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".history-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, path)  # replaces a link itself, never what it points to
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return


def _read_regular_file(path: Path) -> bytes | None:
    """The file's bytes when it is a regular file of at most MAX_STORE_BYTES; a link is not followed."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_STORE_BYTES:
            return None
        content = file.read(MAX_STORE_BYTES + 1)
    return content if len(content) <= MAX_STORE_BYTES else None  # it grew while being read
