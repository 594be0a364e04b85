"""Every git command golive runs goes through here: one way to start git, read its output and fail.

git runs in the project folder with its output captured (so never through a pager or onto the
terminal). Paths given to it come after `--`; callers that pass file names add
`--literal-pathspecs`, so that a name holding '*' or ':' is only ever that name.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.errors import GoliveError


class GitError(GoliveError):
    """git is not installed, or a git command failed; the message says why, in git's words when it gave any."""


def run_git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run `git args` in root with its output captured as bytes; whether its exit status is a failure is
    the caller's to say. GitError only when git is not installed."""
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None


def _text(output: bytes) -> str:
    """git's output, stripped; bytes that are not UTF-8 (a file name) come back as they were when passed on."""
    return output.decode("utf-8", errors="surrogateescape").strip()


def git_output(root: Path, *args: str) -> str:
    """The output of `git args`; GitError, with git's message, when it fails."""
    result = run_git(root, *args)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", errors="replace").strip()
        raise GitError(message or f"git {' '.join(args)} failed")
    return _text(result.stdout)


def git_output_or_none(root: Path, *args: str) -> str | None:
    """The output of `git args`, or None when it exits with an error (a question git answers "no" to)."""
    result = run_git(root, *args)
    return _text(result.stdout) if result.returncode == 0 else None
