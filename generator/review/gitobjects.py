"""Read git's history and objects in a constant number of git processes, whatever the number of commits.

One `git log` lists every commit that changed plans/ with the files it changed; one
`git cat-file --batch`, kept open, answers every request for a tree or a file's bytes. The
history pages read many commits: a process per commit would make them cost far more than
the rest of the build.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from generator.read.load import MAX_FILE_BYTES
from generator.review.git import GitError

_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_OBJECT_ID = re.compile(rb"[0-9a-f]{40}|[0-9a-f]{64}")
_HEADER_FIELDS = 5  # commit, parents, date, author, subject

TREE_MODE = "40000"
SYMLINK_MODE = "120000"
FILE_MODES = frozenset({"100644", "100755", "100664"})  # regular files (100664: written by very old gits)
MAX_TREE_BYTES = 64 * 1024 * 1024  # a plans/ folder of a million entries is not a project: stop there


@dataclass(frozen=True)
class LoggedCommit:
    """A commit as `git log` lists it: who, when, why, and the files it changed (relative to the repository)."""

    commit: str
    parents: tuple[str, ...]
    date: str
    author: str
    subject: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class TreeEntry:
    mode: str  # as git writes it: 40000 a folder, 100644 a file, 120000 a symbolic link
    object_id: str

    @property
    def is_tree(self) -> bool:
        return self.mode == TREE_MODE

    @property
    def is_file(self) -> bool:
        return self.mode in FILE_MODES


@dataclass(frozen=True)
class RepositoryFacts:
    shallow: bool  # a shallow clone: the older commits are not here
    prefix: str  # root's folder relative to the repository's top: '' or ending in '/'
    git_dir: Path  # the repository's own folder (shared by its worktrees)


def repository_facts(root: Path) -> RepositoryFacts:
    """What reading root's history needs to know about its repository, in one `git rev-parse`."""
    args = ["git", "rev-parse", "--is-shallow-repository", "--show-prefix", "--git-common-dir"]
    try:
        result = subprocess.run(args, cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if result.returncode != 0:
        raise GitError(result.stderr.decode("utf-8", errors="replace").strip() or "git rev-parse failed")
    shallow, prefix, git_dir = result.stdout.decode("utf-8", errors="surrogateescape").split("\n")[:3]
    return RepositoryFacts(shallow.strip() == "true", prefix, root / git_dir)  # git_dir is relative to root or absolute


def log_changes(root: Path, path: str) -> list[LoggedCommit]:
    """Every commit that changed something under root/path, newest first, in one `git log`.

    A merge lists the files that differ from every one of its parents (`-c`), as git's history
    of a single folder would show it only when the folder differs from each parent. Every field
    ends with a NUL, the one byte no subject, name or file name can hold.
    """
    fields = "%x00".join(("%H", "%P", "%ad", "%an", "%s"))
    args = ["git", "--literal-pathspecs", "log", "-z", "-c", "--name-only", "--no-renames", "--date=short"]
    try:
        result = subprocess.run(
            [*args, f"--format=%x00{fields}", "--", path], cwd=root, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if result.returncode != 0:
        raise GitError(result.stderr.decode("utf-8", errors="replace").strip() or "git log failed")
    return parse_log(result.stdout.decode("utf-8", errors="surrogateescape"))


def parse_log(output: str) -> list[LoggedCommit]:
    """The commits of `git log -z --name-only --format=%x00<five fields>`.

    Each record is one or more empty fields (a commit with no file listed, a merge, leaves one
    more), the five fields, then the file names, the first one after a newline. A file name is
    never empty: an empty field ends the record.
    """
    tokens = output.split("\0")
    commits: list[LoggedCommit] = []
    at = 0
    while True:
        while at < len(tokens) and tokens[at] == "":
            at += 1
        if at + _HEADER_FIELDS > len(tokens):
            break
        commit, parents, date, author, subject = tokens[at : at + _HEADER_FIELDS]
        if not _COMMIT.fullmatch(commit):  # not what was asked for: read no further
            break
        at += _HEADER_FIELDS
        files: list[str] = []
        while at < len(tokens) and tokens[at] != "":
            name = tokens[at].removeprefix("\n") if not files else tokens[at]
            if name:
                files.append(name)
            at += 1
        commits.append(LoggedCommit(commit, tuple(parents.split()), date, author, subject, tuple(files)))
    return commits


class GitObjects:
    """Trees and files of any commit, read through one `git cat-file --batch` kept open.

    Use as a context manager; the process ends with it.
    """

    def __init__(self, root: Path) -> None:
        try:
            self._process = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise GitError("git is not installed") from None
        self._id_bytes = 20  # 32 in a SHA-256 repository: learnt from the first answer

    def __enter__(self) -> GitObjects:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        process = self._process
        if process.stdin is not None and not process.stdin.closed:
            process.stdin.close()
        if process.stdout is not None:
            process.stdout.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def read(self, name: str, kind: str, limit: int = MAX_FILE_BYTES) -> bytes | None:
        """The bytes of the object `name` (an id, or `<commit>^{tree}`) when it is a `kind`
        ('tree', 'blob', 'commit') of at most `limit` bytes; None when it is not."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        if "\n" in name:
            return None
        try:
            stdin.write(name.encode("utf-8", errors="surrogateescape") + b"\n")
            stdin.flush()
            header = stdout.readline()
        except OSError as error:
            raise GitError(f"git cat-file stopped: {error.strerror}") from None
        parts = header.split()
        if len(parts) != 3 or not _OBJECT_ID.fullmatch(parts[0]):
            if not header:
                raise GitError("git cat-file stopped")
            return None  # "<name> missing" or "<name> ambiguous": nothing follows
        self._id_bytes = len(parts[0]) // 2
        size = int(parts[2])
        content = _read_exactly(stdout, size + 1)[:size]  # the content, then a newline
        if parts[1].decode() != kind or size > limit:
            return None
        return content

    def tree(self, name: str) -> dict[str, TreeEntry] | None:
        """The entries of a tree (by id, or `<commit>^{tree}`) by name; None when it is not a tree."""
        content = self.read(name, "tree", MAX_TREE_BYTES)
        return None if content is None else parse_tree(content, self._id_bytes)

    def subtree(self, commit: str, path: str) -> dict[str, TreeEntry] | None:
        """The tree at `path` ('a/b/', '' for the top) in commit; None when there is no such folder.
        Walked from the commit's top folder down, by id: no path is ever given to git to resolve."""
        tree = self.tree(f"{commit}^{{tree}}")
        for part in (p for p in path.split("/") if p):
            entry = tree.get(part) if tree is not None else None
            if entry is None or not entry.is_tree:
                return None
            tree = self.tree(entry.object_id)
        return tree


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            raise GitError("git cat-file stopped")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def parse_tree(content: bytes, id_bytes: int = 20) -> dict[str, TreeEntry]:
    """A git tree object's entries by name: each is `<mode> <name>\\0` then the id's raw bytes."""
    if id_bytes not in (20, 32):
        id_bytes = 20
    entries: dict[str, TreeEntry] = {}
    at = 0
    while at < len(content):
        space = content.index(b" ", at)
        end = content.index(b"\0", space)
        mode = content[at:space].decode("ascii")
        name = content[space + 1 : end].decode("utf-8", errors="surrogateescape")
        entries[name] = TreeEntry(mode, content[end + 1 : end + 1 + id_bytes].hex())
        at = end + 1 + id_bytes
    return entries
