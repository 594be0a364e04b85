"""The plans' history read in a process of its own while `golive build` does everything else.

Reading the history (history.py) needs git and the plans' old contents only, not this build's
pages; on a large repository it takes as long as a good part of the build. `golive build`
starts it before it validates, and the history pages, added last, take it when MkDocs reads
them: by then it is mostly done, on the machine's other core.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from multiprocessing.connection import Connection
from pathlib import Path

from generator.read.layout import CHECKLISTS_DIR, plans_dir
from generator.read.models.common import SLUG_PATTERN
from generator.review.git import GitError
from generator.review.history import History, head_commit, histories

_SLUG = re.compile(SLUG_PATTERN)


def plan_ids_on_disk(root: Path) -> list[str]:
    """The plan folders under plans/ (real folders with a slug name): the plans the build will show."""
    try:
        with os.scandir(plans_dir(root)) as entries:
            names = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    return sorted(name for name in names if name != CHECKLISTS_DIR and _SLUG.fullmatch(name))


def _read(root: Path, plan_ids: list[str], send: Connection) -> None:
    """In the child: the history, or git's complaint, sent back whole."""
    try:
        send.send(histories(root, plan_ids))
    except GitError as error:
        send.send(str(error))
    finally:
        send.close()


def start_reading(root: Path) -> HistoryInBackground | None:
    """The history of root's plans being read in a child process; None when there is no git
    history to read or no process can be started (the build then reads it itself)."""
    if head_commit(root) is None:
        return None
    try:
        return HistoryInBackground(root)
    except OSError:
        return None


class HistoryInBackground:
    """The history of every plan under plans/ at HEAD, being read by a child process."""

    def __init__(self, root: Path) -> None:
        # forkserver: a clean child, whatever threads this process runs (a fork would copy them).
        context = multiprocessing.get_context("forkserver")
        self._receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_read, args=(root, plan_ids_on_disk(root), send), daemon=True)
        try:
            process.start()
        finally:
            send.close()
        self._process: multiprocessing.process.BaseProcess | None = process

    def result(self) -> History:
        """Wait for the history; GitError when git failed (or the child stopped)."""
        if self._process is None:
            raise GitError("the history reader was stopped")
        try:
            outcome = self._receive.recv()
        except EOFError:
            raise GitError("the history reader stopped before it was done") from None
        finally:
            self.close()
        if isinstance(outcome, str):
            raise GitError(outcome)
        assert isinstance(outcome, History)
        return outcome

    @property
    def running(self) -> bool:
        """The child is there (reading, or done and not yet joined)."""
        return self._process is not None

    def close(self) -> None:
        """Stop the child if it still runs (the build failed, or the result is in)."""
        if self._process is not None:
            self._process.join(timeout=1)  # a child that sent its result is on its way out
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
            self._receive.close()
            self._process = None
