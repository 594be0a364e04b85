"""`golive log`: appends that keep earlier bytes, refuse bad entries, and survive concurrency."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import BinaryIO

import pytest
import yaml

from conftest import Run, copy_shipped_project, golive
from generator.check.validate import validate_project

GOLIVE = str(Path(sys.executable).with_name("golive"))
PLAN = "mobile-banking-4-2"  # in progress, with a partial log
# A time in its window: "now" is refused when more than a day from the window (see test_log_times.py).
AT = ("--at", "2026-11-27 00:30")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_shipped_project(tmp_path / "project")


def log_file(root: Path) -> Path:
    return root / "plans" / PLAN / "log.yaml"


def entries(root: Path) -> list[dict[str, object]]:
    return yaml.safe_load(log_file(root).read_text())["entries"]


def test_append_keeps_every_earlier_byte_and_comment(root: Path) -> None:
    before = log_file(root).read_bytes()
    assert b"#" in before  # the shipped log has comments
    result = golive(
        "log", PLAN, "Pool size fixed: | pipes & <tags> \"quotes\"", "--kind", "resolution",
        "--by", "arjun-menon", "--at", "2026-11-26 22:45", "--root", str(root),
    )  # fmt: skip
    assert result.code == 0, result.err
    logged, forecast = result.out.splitlines()  # the forecast line is tested in test_forecast.py
    assert logged == f"golive: logged 2026-11-26 22:45 resolution by arjun-menon in plans/{PLAN}/log.yaml"
    assert forecast.startswith("golive: ") and "forecast end" in forecast
    after = log_file(root).read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode() == (
        "  - at: 2026-11-26 22:45\n"
        "    by: arjun-menon\n"
        "    kind: resolution\n"
        '    text: "Pool size fixed: | pipes & <tags> \\"quotes\\""\n'
    )
    assert entries(root)[-1]["text"] == 'Pool size fixed: | pipes & <tags> "quotes"'
    assert validate_project(root).ok


def test_time_of_day_is_read_in_the_window_and_by_comes_from_the_environment(root: Path) -> None:
    env = {**os.environ, "GOLIVE_BY": "kai-lim"}
    result = golive(
        "log",
        PLAN,
        "--kind",
        "step-started",
        "--step",
        "release-apps",
        "--at",
        "23:30",
        "--root",
        str(root),
        env=env,
    )
    assert result.code == 0, result.err
    assert entries(root)[-1] == {
        "at": "2026-11-26 23:30",
        "by": "kai-lim",
        "kind": "step-started",
        "step": "release-apps",
    }


def test_log_is_created_when_missing(root: Path) -> None:
    plan = "social-stories-launch"
    assert not (root / "plans" / plan / "log.yaml").exists()
    result = golive("log", plan, "Bridge open", "--by", "jordan-blake", "--at", "07:00", "--root", str(root))
    assert result.code == 0, result.err
    text = (root / "plans" / plan / "log.yaml").read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=../../schemas/log.schema.json\nentries:\n  - at: 2027-02-23 07:00\n"
    )
    assert validate_project(root).ok


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--kind", "step-done", "--step", "release-appz"),
            "golive log: error: --step: unknown step 'release-appz'",
        ),
        (("--kind", "issue", "--severity", "sev2"), "golive log: error: entry: an issue entry needs 'text'"),
        (("--at", "21:00"), "golive log: --at 21:00: every 21:00 of the window is before the log's last entry"),
        (("--by", "nobody"), "golive log: error: --by: unknown person 'nobody'"),
        (("--at", "25:99"), "golive log: --at: '25:99' is not a time"),
    ],
)
def test_invalid_entry_leaves_the_file_untouched(root: Path, args: tuple[str, ...], message: str) -> None:
    before = log_file(root).read_bytes()
    full = ("log", PLAN, *(() if "issue" in args else ("Some text",)), *args, "--root", str(root))
    if "--at" not in args:
        full = (*full, *AT)
    if "--by" not in args:
        full = (*full, "--by", "ana-souza")
    result = golive(*full)
    assert result.code == 1
    assert result.err.startswith(message), result.err
    assert result.err.rstrip().endswith(f"{PLAN}'s log is unchanged")
    assert log_file(root).read_bytes() == before


def test_by_is_required(root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GOLIVE_BY"}
    result = golive("log", PLAN, "hello", "--root", str(root), env=env)
    assert result.code == 1
    assert result.err.startswith("golive log: who is logging? pass --by or set GOLIVE_BY; this plan's people: ")


FORGED = "\n  - at: 2026-11-27 00:40\n    by: kai-lim\n    kind: step-done\n    step: release-apps"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--step", "release-apps" + FORGED), {}, "golive log: --step: 'release-apps\\n  - at: "),
        (("--by", "ana-souza" + FORGED), {}, "golive log: --by: 'ana-souza\\n"),
        ((), {"GOLIVE_BY": "ana-souza" + FORGED}, "golive log: $GOLIVE_BY: 'ana-souza\\n"),
        (("--step", "release-apps", "--id", "x\n    by: kai-lim"), {}, "golive log: --id: 'x\\n"),
        (("--step", "release-apps", "--resolves", "x: y"), {}, "golive log: --resolves: 'x: y' is not an id"),
        (("--step", "Release_Apps"), {}, "golive log: --step: 'Release_Apps' is not an id"),
    ],
)
def test_no_option_can_add_an_entry_or_a_key(
    root: Path, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    before = log_file(root).read_bytes()
    if "--step" not in args:
        args = (*args, "--step", "release-apps")
    if "--by" not in args and not env:
        args = (*args, "--by", "ana-souza")
    result = golive(
        "log", PLAN, "--kind", "step-started", "--at", "2026-11-27 00:30", *args, "--root", str(root),
        env={**os.environ, **env},
    )  # fmt: skip
    assert result.code == 1, result.out
    assert result.err.startswith(message), result.err
    assert result.err.endswith(f"; {PLAN}'s log is unchanged\n")
    assert log_file(root).read_bytes() == before


@pytest.mark.parametrize("issue_id", ["2024", "true", "null", "no", "1e3", "0x1f"])
def test_ids_that_yaml_would_read_as_numbers_or_words_are_quoted(root: Path, issue_id: str) -> None:
    at = ("--at", "2026-11-27 00:30")
    issue = golive("log", PLAN, "Slow", "--kind", "issue", "--id", issue_id, "--severity", "sev3", *at,
                   "--by", "ana-souza", "--root", str(root))  # fmt: skip
    assert issue.code == 0, issue.err
    fixed = golive("log", PLAN, "Fixed", "--kind", "resolution", "--resolves", issue_id, *at,
                   "--by", "ana-souza", "--root", str(root))  # fmt: skip
    assert fixed.code == 0, fixed.err
    assert [(e.get("id"), e.get("resolves")) for e in entries(root)[-2:]] == [(issue_id, None), (None, issue_id)]
    assert validate_project(root).ok


def test_text_reads_back_exactly_as_given(root: Path) -> None:
    # Line and paragraph separators are line breaks to YAML: unescaped, they would fold into spaces.
    text = 'two\nlines\u2028and\u2029more tab\there "q" \\ back: slash # not a comment é 😀'
    result = golive("log", PLAN, text, "--by", "ana-souza", "--at", "2026-11-27 00:30", "--root", str(root))
    assert result.code == 0, result.err
    assert entries(root)[-1] == {"at": "2026-11-27 00:30", "by": "ana-souza", "kind": "note", "text": text}
    # No raw line or paragraph separator reaches the file: every line break in it is a "\n".
    assert len(log_file(root).read_text().splitlines()) == len(log_file(root).read_text().split("\n")) - 1


@pytest.mark.parametrize("character", ["\x1b", "\x85", "\u202e"])
def test_control_characters_in_text_are_refused_and_the_log_is_unchanged(root: Path, character: str) -> None:
    before = log_file(root).read_bytes()
    text = f"fine{character}[2J then not"
    result = golive("log", PLAN, text, "--by", "ana-souza", "--at", "2026-11-27 00:30", "--root", str(root))
    assert result.code == 1
    assert character not in result.err  # echoed as an escape, never raw to the terminal
    assert f"{PLAN}'s log is unchanged" in result.err
    assert log_file(root).read_bytes() == before


def test_no_lock_or_temporary_file_is_left_in_plans(root: Path) -> None:
    result = golive("log", PLAN, "note", "--by", "ana-souza", *AT, "--root", str(root))
    assert result.code == 0, result.err
    assert sorted(p.name for p in (root / "plans" / PLAN).iterdir()) == ["log.yaml", "plan.yaml"]
    new_plan = root / "plans" / "social-stories-launch"
    result = golive("log", new_plan.name, "note", "--by", "jordan-blake", "--at", "07:00", "--root", str(root))
    assert result.code == 0, result.err
    assert sorted(p.name for p in new_plan.iterdir()) == ["log.yaml", "plan.yaml"]


def test_a_symlinked_log_is_refused_and_left_a_link(root: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    kept = log_file(root).read_bytes()
    elsewhere.write_bytes(kept)
    log_file(root).unlink()
    log_file(root).symlink_to(elsewhere)
    result = golive("log", PLAN, "note", "--by", "ana-souza", *AT, "--root", str(root))
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"golive log: plans/{PLAN}/log.yaml:1:1: symbolic links are not read "
        f"(replace the link with the file itself); {PLAN}'s log is unchanged\n"
    )
    assert log_file(root).is_symlink() and elsewhere.read_bytes() == kept


def one_line_failure(result: Run) -> str:
    assert (result.code, result.out) == (1, ""), result.err
    assert len(result.err.splitlines()) == 1, result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    return result.err


def test_text_that_is_not_utf8_is_a_message(root: Path) -> None:
    before = log_file(root).read_bytes()
    # A Latin-1 "café" on the command line reaches Python as a lone surrogate.
    command = [
        GOLIVE.encode(),
        b"log",
        PLAN.encode(),
        b"caf\xe9",
        b"--by",
        b"ana-souza",
        b"--at",
        b"2026-11-27 00:30",
        b"--root",
        bytes(root),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert one_line_failure(Run(done.returncode, done.stdout, done.stderr)) == (
        "golive log: TEXT is not valid UTF-8 (the terminal or script passed other bytes); give it as UTF-8; "
        f"{PLAN}'s log is unchanged\n"
    )
    assert log_file(root).read_bytes() == before


def test_a_latin1_log_is_a_message(root: Path) -> None:
    log_file(root).write_bytes(log_file(root).read_bytes() + "  # café\n".encode("latin-1"))
    before = log_file(root).read_bytes()
    result = golive("log", PLAN, "note", "--by", "ana-souza", *AT, "--root", str(root))
    line = before.count(b"\n")
    assert one_line_failure(result) == (
        f"golive log: plans/{PLAN}/log.yaml:{line}:8: byte 0xe9 is not valid UTF-8 (save the file as UTF-8); "
        f"{PLAN}'s log is unchanged\n"
    )
    assert log_file(root).read_bytes() == before


def test_a_dangling_postmortem_symlink_is_a_message(root: Path) -> None:
    (root / "plans" / PLAN / "postmortem.yaml").symlink_to("nowhere.yaml")
    result = golive("postmortem", PLAN, "--root", str(root))
    assert one_line_failure(result) == (
        f"golive postmortem: plans/{PLAN}/postmortem.yaml is a symlink; remove it, "
        "golive writes only a regular file there\n"
    )
    assert not (root / "plans" / PLAN / "nowhere.yaml").exists()


def full_disk_open(path: Path, mode: str) -> BinaryIO:
    """The temporary file is created, but what is written to it goes to /dev/full (ENOSPC)."""
    open(path, mode).close()
    return open("/dev/full", "wb")


def refuse_replace(source: object, target: object) -> None:
    raise PermissionError(errno.EACCES, "Permission denied")  # what a read-only folder says, even to root


@pytest.mark.parametrize(
    ("name", "replacement", "message"),
    [
        ("open", full_disk_open, "No space left on device (free some disk space, then log again)"),
        ("replace", refuse_replace, f"Permission denied (check that you may write to plans/{PLAN}/)"),
    ],
    ids=["full-disk", "read-only-folder"],
)
def test_a_full_disk_or_a_read_only_folder_is_a_message(
    root: Path, name: str, replacement: object, message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from generator.call import logbook

    before = log_file(root).read_bytes()
    if name == "open":
        monkeypatch.setattr(logbook, "open", replacement, raising=False)  # the open in logbook's _replace
    else:
        monkeypatch.setattr(logbook.os, name, replacement)
    result = golive("log", PLAN, "note", "--by", "ana-souza", *AT, "--root", root)
    monkeypatch.undo()
    assert (result.code, result.out) == (1, "")
    assert result.err == f"golive log: cannot write plans/{PLAN}/log.yaml: {message}; {PLAN}'s log is unchanged\n"
    assert log_file(root).read_bytes() == before
    assert sorted(p.name for p in (root / "plans" / PLAN).iterdir()) == ["log.yaml", "plan.yaml"]


# Writers are processes forked from one interpreter that has imported golive (a fresh `golive`
# for each writer spends most of its time importing; forked, they also start closer together).
# Each runs the console script's main() with its arguments; a writer given a marker file writes
# it once its temporary file is complete, then waits inside the write (logbook._inside_write) to
# be killed there. The server runs no thread, so forking is safe. It reads one batch of writers
# a line, answers with their process ids, then, once all have ended, with each one's exit code
# as subprocess gives it (-9: killed) and what it wrote to stderr.
WRITERS = """
import json, os, signal, sys, time
from pathlib import Path
from generator.cli import main as cli
from generator.call import logbook

def writer(arguments, marker, stderr):
    signal.alarm(120)  # a writer that hangs dies instead of hanging the test
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.dup2(os.open(stderr, os.O_WRONLY | os.O_CREAT, 0o600), 2)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    if marker is not None:
        def inside_write(temporary):
            Path(marker).write_text(str(temporary))
            time.sleep(60)
        logbook._inside_write = inside_write
    code = cli.main(arguments)
    sys.stdout.flush()
    sys.stderr.flush()
    return code

for line in sys.stdin:
    folder, batch = json.loads(line)
    pids = []
    for n, (arguments, marker) in enumerate(batch):
        pid = os.fork()
        if pid == 0:
            try:
                code = writer(arguments, marker, f"{folder}/stderr-{n}")
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else 1
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            os._exit(code)
        pids.append(pid)
    print(json.dumps(pids), flush=True)
    ended = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    print(json.dumps([[code, Path(f"{folder}/stderr-{n}").read_text()] for n, code in enumerate(ended)]), flush=True)
"""


def writer_arguments(root: Path, text: str) -> list[str]:
    """A scribe appending one note at the same minute as everyone else."""
    return ["log", PLAN, text, "--by", "ben-okafor", "--at", "2026-11-27 00:30", "--root", str(root)]


class Writers:
    """A batch of writers started at once, forked by the WRITERS server."""

    def __init__(self, folder: Path, batch: list[tuple[list[str], Path | None]]) -> None:
        # a session of its own: close() can kill the server and every writer it forked at once
        self.server = subprocess.Popen(
            [sys.executable, "-c", WRITERS],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self.server.stdin is not None and self.server.stdout is not None
        folder.mkdir()
        request = [str(folder), [[arguments, None if marker is None else str(marker)] for arguments, marker in batch]]
        self.server.stdin.write(json.dumps(request) + "\n")
        self.server.stdin.close()
        self.pids: list[int] = json.loads(self.server.stdout.readline())
        assert len(self.pids) == len(batch)

    def kill(self, n: int) -> None:
        """SIGKILL writer n (alive: it waits to be killed, so the server has not reaped it) and wait
        for it to be dead: a zombie, or reaped by the server."""
        os.kill(self.pids[n], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            try:
                state = Path(f"/proc/{self.pids[n]}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except FileNotFoundError:
                return
            if state == "Z":
                return
            assert time.monotonic() < deadline, f"writer {n} outlived SIGKILL"
            time.sleep(0.01)

    def close(self) -> None:
        """After a failure: kill the server and its writers (all ended already when ended() returned)."""
        if self.server.poll() is None:  # not reaped yet: its process group is still the server's
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait(timeout=60)
        for pipe in (self.server.stdin, self.server.stdout):
            if pipe is not None:
                pipe.close()

    def ended(self) -> list[tuple[int, str]]:
        """Once every writer has ended: each one's exit code and stderr."""
        assert self.server.stdout is not None
        answer = self.server.stdout.readline()
        self.server.stdout.close()
        assert self.server.wait(timeout=60) == 0 and answer
        return [(code, err) for code, err in json.loads(answer)]


@pytest.mark.slow
def test_twenty_concurrent_appends_give_twenty_entries(
    root: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    count_before = len(entries(root))
    writers = Writers(tmp_path / "writers", [(writer_arguments(root, f"concurrent note {n}"), None) for n in range(20)])
    request.addfinalizer(writers.close)
    ended = writers.ended()
    errors = [err for _, err in ended]
    assert [code for code, _ in ended] == [0] * 20, errors
    logged = entries(root)
    assert len(logged) == count_before + 20
    assert sorted(str(e["text"]) for e in logged[count_before:]) == sorted(f"concurrent note {n}" for n in range(20))
    assert validate_project(root).ok


@pytest.mark.slow
def test_killed_writers_never_corrupt_the_log(root: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    before = log_file(root).read_bytes()
    count_before = len(entries(root))
    markers = {n: tmp_path / f"inside-write-{n}" for n in range(0, 12, 2)}  # every other writer is killed
    writers = Writers(tmp_path / "writers", [(writer_arguments(root, f"note {n}"), markers.get(n)) for n in range(12)])
    request.addfinalizer(writers.close)
    killed_mid_write = set()
    deadline = time.monotonic() + 120
    while len(killed_mid_write) < len(markers):
        assert time.monotonic() < deadline, "a paused writer never reached its write"
        for n, marker in markers.items():
            if n not in killed_mid_write and marker.exists():
                # The writer holds the lock and its temporary file is complete, the log not yet replaced.
                assert Path(marker.read_text()).exists()
                writers.kill(n)
                killed_mid_write.add(n)
        time.sleep(0.05)
    codes = [code for code, _ in writers.ended()]
    assert [codes[n] for n in killed_mid_write] == [-signal.SIGKILL] * len(markers)
    assert [code for n, code in enumerate(codes) if n not in markers] == [0] * 6
    after = log_file(root).read_bytes()
    assert after.startswith(before)
    # Only the writers left alone logged, each once; a writer killed mid-write left no trace in the log.
    added = sorted(str(e["text"]) for e in entries(root)[count_before:])
    assert added == sorted(f"note {n}" for n in range(12) if n not in markers)
    assert validate_project(root).ok
    # The next writer clears any temporary file a killed one left behind.
    assert golive("log", PLAN, "after", "--by", "ben-okafor", *AT, "--root", str(root)).code == 0
    assert sorted(p.name for p in (root / "plans" / PLAN).iterdir()) == ["log.yaml", "plan.yaml"]


def test_times_in_the_repeated_hour_keep_their_offset(tmp_path: Path) -> None:
    from conftest import make_project

    root = make_project(tmp_path / "dst")
    (root / "plans/shop/log.yaml").unlink()
    (root / "plans/shop/postmortem.yaml").unlink()
    plan = root / "plans/shop/plan.yaml"
    text = (
        plan.read_text().replace("2026-12-05 22:00", "2026-10-25 00:00").replace("2026-12-06 02:00", "2026-10-25 04:00")
    )
    plan.write_text(text.replace('start: "23:00"', 'start: "02:30"'))
    # 01:40 BST, then 01:10 GMT half an hour later: the same wall-clock hour twice.
    for moment in ("2026-10-25T00:40:00+00:00", "2026-10-25T01:10:00+00:00"):
        result = golive("log", "shop", "note", "--by", "ana", "--at", moment, "--root", str(root))
        assert result.code == 0, result.err
    logged = yaml.safe_load((root / "plans/shop/log.yaml").read_text())["entries"]
    assert [e["at"] for e in logged] == ["2026-10-25 01:40+01:00", "2026-10-25 01:10+00:00"]
    assert validate_project(root).ok


def test_an_entry_that_would_not_read_back_as_asked_is_refused(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.call import logtext

    # A writer bug that the plan's checks cannot see: the entry written twice.
    written_once = logtext.entry_yaml
    monkeypatch.setattr(logtext, "entry_yaml", lambda fields, indent="  ": written_once(fields, indent) * 2)
    before = log_file(root).read_bytes()
    result = golive("log", PLAN, "note", "--by", "ana-souza", "--at", "2026-11-27 00:30", "--root", root)
    assert result.code == 1
    assert result.err == (
        "golive log: the entry would not read back as given (a bug in golive: please report it); "
        f"{PLAN}'s log is unchanged\n"
    )
    assert log_file(root).read_bytes() == before


@pytest.mark.parametrize("kind", ["folder", "fifo", "huge"])
def test_a_log_that_is_not_a_plain_file_is_refused_unread(root: Path, kind: str) -> None:
    log_file(root).unlink()
    if kind == "folder":
        log_file(root).mkdir()
    elif kind == "fifo":
        os.mkfifo(log_file(root))  # reading it would wait for a writer forever
    else:
        with open(log_file(root), "wb") as huge:
            huge.truncate(17 * 2**20)  # sparse: no disk space used
    result = golive("log", PLAN, "note", "--by", "ana-souza", *AT, "--root", str(root))
    # The same messages as validate gives for any source (load.read_source).
    message = {
        "folder": "a folder, not a regular file: golive reads only regular files (remove it)",
        "fifo": "a FIFO (named pipe), not a regular file: golive reads only regular files (remove it)",
        "huge": "file is 17.0 MiB; sources are limited to 16 MiB",
    }[kind]
    assert one_line_failure(result) == f"golive log: plans/{PLAN}/log.yaml:1:1: {message}; {PLAN}'s log is unchanged\n"
