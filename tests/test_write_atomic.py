"""site_src/ is replaced as a whole or not at all: a write killed at any of its steps.

A child process (forked from one that has imported golive, see Children) runs the real write
(generator.site.write.write_site_src) with its test hook `_step` replaced by one that SIGKILLs
the process at its N-th filesystem step. After each kill, site_src/ must hold exactly the old
or exactly the new set of pages (names and bytes), `golive check` must see that completed
state, and the next write must finish with the new set and nothing left beside site_src/.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from generator.site import write as write_module
from generator.site.write import SITE_SRC, check_site_src, recover_site_src, write_site_src

# One interpreter imports golive once, then forks a child for each write (a fresh interpreter per
# kill point spends most of its time importing). A forked child is a copy of a process that has
# only imported the module: each write starts from the module's state as a new process has it.
# The server runs no thread, so forking is safe; it reads one request a line and answers with
# the child's exit code as subprocess gives it (-9: killed) and what it printed.
CHILD = """
import json, os, pickle, signal, sys, traceback
from pathlib import Path
import generator.site.write as write

def child(site_src, files, kill_at, mode, out):
    signal.alarm(60)  # a write that hangs dies (SIGALRM) instead of hanging the test
    if mode == "renames":
        write._renameat2 = None  # as on a system without renameat2(RENAME_EXCHANGE)
    steps = 0
    def step():
        nonlocal steps
        steps += 1
        if steps == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
    write._step = step
    write.write_site_src(site_src, pickle.loads(files.read_bytes()))
    os.write(out, str(steps).encode())

for line in sys.stdin:
    site_src, files, kill_at, mode = json.loads(line)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            child(Path(site_src), Path(files), kill_at, mode, write_end)
        except BaseException:
            os.write(2, traceback.format_exc().encode())
            os._exit(1)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as printed:
        out = printed.read().decode()
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    print(json.dumps([code, out]), flush=True)
"""


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder with its bytes, never following a symbolic link."""
    found = {}
    for relative, info in write_module.existing_files(folder).items():
        assert stat.S_ISREG(info.st_mode), relative
        found[relative] = (folder / relative).read_bytes()
    return found


def old_and_new() -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The shipped site_src/ with 60 more plans' pages, and a next version: pages added (in a new
    folder), changed and removed."""
    old = tree(REPO / SITE_SRC)
    for number in range(60):
        for page in ("index", "runbook", "rollback", "contacts"):
            old[f"plans/p-{number:03}/{page}.md"] = f"# {page} of plan {number}\n".encode() * 40
    new = {k: v for k, v in old.items() if not k.startswith(("plans/learning-platform-launch/", "plans/p-007/"))}
    for relative in new:
        if relative.startswith(("plans/social-stories-launch/", "plans/p-03")) or relative == "index.md":
            new[relative] = old[relative] + b"\n<!-- version 13 -->\n"
    new["plans/zz-new-plan/runbook.md"] = b"# new\n"
    new["plans/zz-new-plan/index.md"] = b"# new plan\n"
    assert len(new) > 200 and new.keys() != old.keys()
    return old, new


class Children:
    """The forking server of CHILD: run_child() runs one write in a new child process."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.server = subprocess.Popen(
            [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def run_child(self, site_src: Path, files: Path, kill_at: int, mode: str) -> subprocess.CompletedProcess[str]:
        assert self.server.stdin is not None and self.server.stdout is not None
        self.server.stdin.write(json.dumps([str(site_src), str(files), kill_at, mode]) + "\n")
        self.server.stdin.flush()
        answer = self.server.stdout.readline()
        assert answer, f"the forking server ended: {self.server.wait(timeout=60)}"
        code, out = json.loads(answer)
        # a child's traceback goes to the server's stderr, which is the test's
        return subprocess.CompletedProcess(CHILD, code, out, "")

    def close(self) -> None:
        assert self.server.stdin is not None and self.server.stdout is not None
        self.server.stdin.close()
        self.server.stdout.close()
        assert self.server.wait(timeout=60) == 0


def beside(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name not in (SITE_SRC, "files.pickle"))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["exchange", "renames"])
def test_a_write_killed_at_any_step_leaves_the_old_or_the_new_pages(
    tmp_path: Path, mode: str, request: pytest.FixtureRequest
) -> None:
    if mode == "exchange" and write_module._renameat2 is None:
        pytest.skip("no renameat2 on this system")
    root = tmp_path / "project"
    root.mkdir()
    site_src = root / SITE_SRC
    old, new = old_and_new()
    files = root / "files.pickle"
    files.write_bytes(pickle.dumps(new))

    def reset() -> None:
        write_site_src(site_src, old)
        assert tree(site_src) == old and beside(root) == []

    children = Children()
    request.addfinalizer(children.close)
    run_child = children.run_child
    reset()
    full = run_child(site_src, files, 0, mode)
    assert full.returncode == 0, full.stderr
    total = int(full.stdout)
    assert tree(site_src) == new and beside(root) == []
    assert total > len(new)  # one step per file at least, then the swap

    # 40 kill points spread over the whole write, and every one of its last steps (the swap).
    points = sorted({1 + i * (total - 1) // 39 for i in range(40)} | set(range(total - 6, total + 1)))
    killed: list[int] = []
    killed_while_finishing = 0
    outcomes = {"old": 0, "new": 0, "finished by the next run": 0}
    for kill_at in points:
        reset()
        result = run_child(site_src, files, kill_at, mode)
        assert result.returncode == -signal.SIGKILL, (kill_at, result.returncode, result.stderr)
        killed.append(kill_at)
        journal = (root / write_module.JOURNAL).exists()
        if mode == "exchange":
            assert not journal
            assert tree(site_src) in (old, new), kill_at  # as left, before any recovery
        elif journal:
            outcomes["finished by the next run"] += 1
            # The next runs are killed too, at each step of finishing the swap, until one completes.
            again = 1
            while (rerun := run_child(site_src, files, again, mode)).returncode != 0:
                assert rerun.returncode == -signal.SIGKILL, rerun.stderr
                killed_while_finishing += 1
                again += 1
        # What any golive command sees: check completes the swap first, then compares.
        changes = check_site_src(site_src, new)
        state = tree(site_src)
        assert state in (old, new), kill_at
        outcomes["new" if state == new else "old"] += 1
        assert changes.any == (state == old)
        write_site_src(site_src, new)
        assert tree(site_src) == new and beside(root) == [], kill_at

    assert len(set(killed)) >= 40  # the kills landed at that many different steps
    assert outcomes["old"] >= 30 and outcomes["new"] >= 1, outcomes
    if mode == "renames":
        assert outcomes["finished by the next run"] >= 2 and killed_while_finishing >= 2, outcomes


def test_serve_finishes_an_interrupted_swap_before_making_site_src(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    site_src = root / SITE_SRC
    old, new = old_and_new()
    write_site_src(site_src, old)
    # A two-rename swap killed between its renames: site_src/ is aside, the new tree staged.
    (root / write_module.STAGING).mkdir()
    for relative, data in new.items():
        (root / write_module.STAGING / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / write_module.STAGING / relative).write_bytes(data)
    (root / write_module.JOURNAL).touch()
    site_src.rename(root / write_module.OLD)
    recover_site_src(site_src)
    assert tree(site_src) == new and beside(root) == []


def test_unchanged_pages_keep_their_inode_and_mtime_and_no_change_touches_nothing(tmp_path: Path) -> None:
    site_src = tmp_path / SITE_SRC
    old, new = old_and_new()
    write_site_src(site_src, old)

    def inodes() -> dict[str, tuple[int, int]]:
        return {k: (v.st_ino, v.st_mtime_ns) for k, v in write_module.existing_files(site_src).items()}

    before = inodes()
    folder = os.stat(site_src).st_ino
    assert not write_site_src(site_src, old).any
    assert inodes() == before and os.stat(site_src).st_ino == folder  # not even swapped
    changes = write_site_src(site_src, new)
    after = inodes()
    kept = {k for k in after if k in before and after[k] == before[k]}
    assert kept == set(new) - set(changes.added) - set(changes.changed)
    assert len(kept) == changes.unchanged > 200


def test_a_symlink_in_site_src_is_never_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me\n")
    site_src = tmp_path / "project" / SITE_SRC
    old, _ = old_and_new()
    write_site_src(site_src, old)
    (site_src / "index.md").unlink()
    (site_src / "index.md").symlink_to(secret)
    (site_src / "linked").symlink_to(tmp_path)
    changes = write_site_src(site_src, old)
    assert changes.changed == ["index.md"] and changes.removed == ["linked"]
    assert tree(site_src) == old  # the links are replaced by the pages themselves
    assert secret.read_text() == "do not read me\n"


def test_links_planted_beside_site_src_are_never_followed(tmp_path: Path) -> None:
    # A repository could commit the staging, journal and old-tree names as links.
    outside = tmp_path / "outside"
    (outside / "tree").mkdir(parents=True)
    (outside / "tree/keep.md").write_text("mine\n")
    root = tmp_path / "project"
    root.mkdir()
    site_src = root / SITE_SRC
    old, new = old_and_new()
    write_site_src(site_src, old)
    (root / write_module.STAGING).symlink_to(outside / "tree")
    (root / write_module.OLD).symlink_to(outside / "tree")
    (root / write_module.JOURNAL).symlink_to(outside / "tree/keep.md")
    assert check_site_src(site_src, old).any is False
    write_site_src(site_src, new)
    assert tree(site_src) == new
    assert [p.name for p in root.iterdir()] == [SITE_SRC]
    assert (outside / "tree/keep.md").read_text() == "mine\n" and sorted(os.listdir(outside)) == ["tree"]
    assert sorted(os.listdir(outside / "tree")) == ["keep.md"]


@pytest.mark.parametrize("kind", ["link to a folder", "file"])
def test_site_src_that_is_not_a_folder_is_replaced_and_never_followed(tmp_path: Path, kind: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "index.md").write_text("mine\n")
    site_src = tmp_path / "project" / SITE_SRC
    site_src.parent.mkdir()
    if kind == "file":
        site_src.write_text("not a folder\n")
    else:
        site_src.symlink_to(outside)
    old, _ = old_and_new()
    assert check_site_src(site_src, old).added == sorted(old)
    write_site_src(site_src, old)
    assert not site_src.is_symlink() and tree(site_src) == old
    assert sorted(os.listdir(outside)) == ["index.md"] and (outside / "index.md").read_text() == "mine\n"


def test_serve_never_hard_links_a_link_put_in_site_src_since_its_last_run(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me\n")
    site_src = tmp_path / "project" / SITE_SRC
    old, new = old_and_new()
    write_site_src(site_src, old)
    (site_src / "golive.ics").unlink()
    (site_src / "golive.ics").symlink_to(secret)
    write_site_src(site_src, new, old)  # serve: what it wrote last time is taken as unchanged
    assert tree(site_src) == new


def test_writes_wait_for_each_other(tmp_path: Path) -> None:
    # `golive build` while `golive serve` writes: the second waits instead of deleting the first's staging.
    import threading

    site_src = tmp_path / SITE_SRC
    old, new = old_and_new()
    write_site_src(site_src, old)
    entered = threading.Event()
    release = threading.Event()
    real_stage = write_module._stage

    def slow_stage(*args: object) -> None:
        entered.set()
        release.wait(10)
        real_stage(*args)  # type: ignore[arg-type]

    write_module._stage = slow_stage  # type: ignore[assignment]
    try:
        first = threading.Thread(target=write_site_src, args=(site_src, new))
        first.start()
        assert entered.wait(10)
        write_module._stage = real_stage
        done = threading.Event()
        second = threading.Thread(target=lambda: (write_site_src(site_src, old), done.set()))
        second.start()
        assert not done.wait(0.5)  # held by the first write's lock
        release.set()
        first.join(10)
        second.join(10)
        assert done.is_set()
    finally:
        write_module._stage = real_stage
        release.set()
    assert tree(site_src) == old and [p.name for p in tmp_path.iterdir()] == [SITE_SRC]
