"""Write site_src/: the whole new set of pages or none of it, rewriting only what changed.

A write stages the complete new tree in a sibling folder, hard-linking the files that
did not change (same inode, same mtime: MkDocs' dirty builds in `golive serve` skip
them) and writing the others, then swaps the two folders in one step:
renameat2(RENAME_EXCHANGE) on Linux. Where that is missing, two renames are made with a
journal file beside them, which the next run reads to finish the swap. Every run (build,
check, serve) first completes or discards what an interrupted run left, so a kill at any
moment leaves site_src/ holding either the old or the new set of pages.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SITE_SRC = "site_src"  # under the project folder
# Beside site_src/, dot-named: outside MkDocs' docs_dir, and ignored by git (.gitignore).
STAGING = f".{SITE_SRC}.golive-new"  # the new tree being staged (after an exchange: the old one)
OLD = f".{SITE_SRC}.golive-old"  # the old tree, moved aside by the two-rename swap
JOURNAL = f".{SITE_SRC}.golive-swap"  # exists while a two-rename swap is under way: finish it


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

    def listing(self, folder: str) -> list[str]:
        """One line per file that differs, as `golive check` and `golive publish` show it."""
        return (
            [f"{folder}/{relative}: missing" for relative in self.added]
            + [f"{folder}/{relative}: differs" for relative in self.changed]
            + [f"{folder}/{relative}: would be deleted" for relative in self.removed]
        )


def _step() -> None:
    """Called before each filesystem change of a write; does nothing.

    Test hook: tests/test_write_atomic.py replaces it, in a child process, by one that
    kills that process at its N-th step, to check that no step leaves a half-written site_src/.
    """


def existing_files(site_src: Path) -> dict[str, os.stat_result]:
    """Every entry under site_src that is not a folder, by posix path relative to it.

    Symbolic links are never followed: one is listed as itself (never a regular file), so
    it is neither read nor kept by a write.
    """
    found: dict[str, os.stat_result] = {}
    if site_src.is_symlink():
        return found  # not followed: a write replaces the link itself
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(site_src / folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            relative = f"{folder}/{entry.name}" if folder else entry.name
            if entry.is_dir(follow_symlinks=False):
                folders.append(relative)
            else:
                found[relative] = entry.stat(follow_symlinks=False)
    return found


def _same_bytes(path: Path, info: os.stat_result, data: bytes) -> bool:
    if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
        return False
    try:
        with open(path, "rb", opener=_no_follow) as handle:
            return handle.read() == data
    except OSError:
        return False


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))


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
        info = current.get(relative)
        if info is None:
            changes.added.append(relative)
        elif not _same_bytes(site_src / relative, info, data):
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


def check_site_src(site_src: Path, files: dict[str, bytes]) -> Changes:
    """compare(), after completing any swap an interrupted write left (as `golive check` must)."""
    with _locked(site_src.parent):
        recover(site_src)
        return compare(site_src, files)


def recover_site_src(site_src: Path) -> None:
    """Complete or discard what an interrupted write left (`golive serve`, before MkDocs reads site_src/)."""
    with _locked(site_src.parent):
        recover(site_src)


def write_site_src(site_src: Path, files: dict[str, bytes], previous: dict[str, bytes] | None = None) -> Changes:
    """Make site_src hold exactly `files`, in one swap; with no change, touch nothing.

    (No fsync: site_src/ is made again from plans/ by any build, and syncing thousands of
    pages one by one costs seconds. A kill of the process is covered; a power cut is not.)
    """
    root = site_src.parent
    with _locked(root):
        recover(site_src)
        changes = compare(site_src, files, previous)
        if not changes.any and _is_folder(site_src):
            return changes
        staging = root / STAGING
        try:
            _stage(site_src, staging, files, set(changes.added) | set(changes.changed))
        except BaseException:
            _remove_tree(staging)
            raise
        _swap(site_src, staging)
        return changes


def _stage(site_src: Path, staging: Path, files: dict[str, bytes], new: set[str]) -> None:
    """Write the complete new tree into `staging`: unchanged files as hard links to the current ones."""
    _step()
    staging.mkdir()
    made = {""}
    for relative in sorted(files):
        folder = relative.rpartition("/")[0]
        if folder not in made:
            _step()
            (staging / folder).mkdir(parents=True, exist_ok=True)
            made.update(_ancestors(folder))
        target = staging / relative
        _step()
        if relative not in new and _link(site_src / relative, target):
            continue
        with open(target, "xb") as handle:  # "x": a fresh inode, never one linked from site_src/
            handle.write(files[relative])
        if relative not in new:
            _keep_mtime(site_src / relative, target)


def _ancestors(folder: str) -> Iterator[str]:
    while folder:
        yield folder
        folder = folder.rpartition("/")[0]


def _link(source: Path, target: Path) -> bool:
    """Hard-link an unchanged file into the staged tree; False where that is not possible."""
    try:
        if not stat.S_ISREG(os.lstat(source).st_mode):
            return False  # e.g. a link put there since the last run: the caller writes the page
        os.link(source, target, follow_symlinks=False)
        return True
    except OSError:
        return False  # no hard links on this filesystem (or the file went): the caller writes it


def _keep_mtime(source: Path, target: Path) -> None:
    """An unchanged file written again keeps its modification time (MkDocs' dirty builds read it)."""
    try:
        info = os.lstat(source)
        if stat.S_ISREG(info.st_mode):
            os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    except OSError:
        pass


def _swap(site_src: Path, staging: Path) -> None:
    root = site_src.parent
    if not os.path.lexists(site_src):
        _step()
        os.rename(staging, site_src)  # nothing to replace: one rename
    elif _exchange(staging, site_src):
        pass  # staging now holds the old tree
    else:
        _step()
        (root / JOURNAL).touch(exist_ok=False)  # from here on the new tree is complete: finish the swap
        _finish_swap(site_src)
    _remove_tree(staging)


def _finish_swap(site_src: Path) -> None:
    """Two renames, old tree aside then new tree in place, then the journal goes."""
    root = site_src.parent
    staging, old = root / STAGING, root / OLD
    if _is_folder(staging):
        if os.path.lexists(site_src):
            _step()
            if os.path.lexists(old):
                _remove_tree(site_src)  # the old tree is already aside: this one was made since
            else:
                os.rename(site_src, old)
        _step()
        os.rename(staging, site_src)
    _step()
    (root / JOURNAL).unlink()
    _remove_tree(old)


def recover(site_src: Path) -> None:
    """Complete or discard what an interrupted write left beside site_src/."""
    root = site_src.parent
    if os.path.lexists(root / JOURNAL):
        _finish_swap(site_src)  # the new tree was complete before the journal was made
    _remove_tree(root / STAGING)  # a tree half staged, or the old tree after an exchange
    _remove_tree(root / OLD)


def _is_folder(path: Path) -> bool:
    """A real folder, not a symbolic link to one."""
    return path.is_dir() and not path.is_symlink()


def _remove_tree(path: Path) -> None:
    """Delete a file, a link (never what it points to) or a folder tree."""
    if _is_folder(path):
        _step()
        shutil.rmtree(path)
    elif os.path.lexists(path):
        _step()
        path.unlink()


# renameat2(2): glibc >= 2.28 and Linux >= 3.15; None elsewhere.
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False when this system or filesystem cannot."""
    if _renameat2 is None:
        return False
    _step()
    if _renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the project folder itself (where fcntl exists), so that one
    write at a time stages and swaps (e.g. `golive build` while `golive serve` runs); no lock file."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    handle = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock
