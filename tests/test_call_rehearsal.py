"""`golive call --rehearsal NAME`: the shared runbook writes and follows rehearsals/NAME.yaml, over real HTTP."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, build_project, golive, make_project
from generator.call.channel import CallPerson, Roster
from generator.call.server import CallServer

PLAN = "shop"  # window 2026-12-05 22:00 in London; freeze 10m, backup-db 25m, deploy-app 30m, smoke 15m
ROSTER = Roster("test-revision", (CallPerson("ana", "Ana Souza", "AS", "+44 20 7946 0018"),))
# The rehearsal runs three weeks before the night; the clock runs fifteen times fast.
REHEARSAL_START = dt.datetime(2026, 11, 14, 9, 0, tzinfo=dt.UTC)


def fast_clock() -> Any:
    started = time.monotonic()
    return lambda: REHEARSAL_START + dt.timedelta(seconds=15 * (time.monotonic() - started))


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("rehearsal-call") / "project")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    build_project(root)
    return root


@pytest.fixture
def root(built_project: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built_project, tmp_path / "project", symlinks=True))


@pytest.fixture
def server(root: Path) -> Iterator[CallServer]:
    served = CallServer(root, PLAN, root / "site", ROSTER, "127.0.0.1", 0, clock=fast_clock(), rehearsal="mock-1")
    served.start()
    yield served
    served.close()


def request(server: CallServer, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Cookie": f"golive-call={server.token}"}
    if body is not None:
        headers |= {"X-Golive-Call": "1", "Content-Type": "application/json"}
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def state(server: CallServer) -> dict[str, Any]:
    status, body = request(server, "GET", "/_golive/state")
    assert status == 200, body
    return json.loads(body)


def post(server: CallServer, **entry: str) -> tuple[int, Any]:
    status, body = request(server, "POST", "/_golive/log", json.dumps({"plan": PLAN, "by": "ana", **entry}).encode())
    return status, json.loads(body)


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_post_lands_in_the_rehearsal_and_times_count_from_its_start(server: CallServer, root: Path) -> None:
    log = root / "plans" / PLAN / "log.yaml"
    log_before = log.read_bytes()
    before = state(server)
    assert before["rehearsal"] == {"name": "mock-1", "started": None, "file": f"plans/{PLAN}/rehearsals/mock-1.yaml"}
    assert before["entries"] == [] and before["status"]["forecast"] is None and before["status"]["origin"] is None

    status, answer = post(server, kind="step-started", step="freeze", at="2026-11-14 09:00")
    assert status == 201, answer
    rehearsal = root / "plans" / PLAN / "rehearsals" / "mock-1.yaml"
    assert rehearsal.read_text().splitlines()[1:4] == [
        "started: 2026-11-14 09:00",
        "entries:",
        "  - at: 2026-11-14 09:00",
    ]
    assert log.read_bytes() == log_before

    after = state(server)
    origin = iso(REHEARSAL_START)
    assert after["rehearsal"]["started"] == origin and after["status"]["origin"] == origin
    assert after["window_start"] == origin
    # Every planned time moved with the rehearsal: freeze 09:00-09:10, backup-db after it.
    steps = {s["id"]: s for s in after["steps"]}
    assert (steps["freeze"]["planned_start"], steps["freeze"]["planned_end"]) == (origin, "2026-11-14T09:10:00Z")
    assert steps["backup-db"]["planned_start"] == "2026-11-14T09:10:00Z"
    assert [e["step"] for e in after["entries"]] == ["freeze"]
    forecast = after["status"]["forecast"]
    assert forecast is not None and forecast["steps"]["freeze"]["start"] == origin
    assert forecast["end"].startswith("2026-11-14T")  # the rehearsal's afternoon, not the night of the 5th


def test_golive_log_in_a_terminal_reaches_the_rehearsal_call(server: CallServer, root: Path) -> None:
    result = golive("log", PLAN, "Dry run begins", "--rehearsal", "mock-1", "--at", "2026-11-14 09:00",
                    "--by", "ana", "--root", str(root))  # fmt: skip
    assert result.code == 0, result.err
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and not state(server)["entries"]:
        time.sleep(0.05)
    assert [e["text"] for e in state(server)["entries"]] == ["Dry run begins"]
    # A log.yaml entry is not the rehearsal's.
    result = golive("log", PLAN, "Real night note", "--at", "2026-12-05 22:30", "--by", "ana", "--root", str(root))
    assert result.code == 0, result.err
    time.sleep(0.5)
    assert [e["text"] for e in state(server)["entries"]] == ["Dry run begins"]


def test_the_pages_are_marked_as_the_rehearsal(server: CallServer) -> None:
    status, page = request(server, "GET", f"/plans/{PLAN}/runbook.html")
    assert status == 200
    assert b'<body data-golive-call="shop" data-golive-rehearsal="mock-1"' in page


def test_a_refused_entry_leaves_no_rehearsal(server: CallServer, root: Path) -> None:
    status, answer = post(server, kind="step-done", step="no-such-step")
    assert status == 422
    assert "unknown step 'no-such-step'" in " ".join(answer["details"])
    assert answer["error"] == "the entry was not logged"
    assert not (root / "plans" / PLAN / "rehearsals").exists()


def test_the_command_line_names_a_rehearsal_a_slug(root: Path) -> None:
    result = golive("call", PLAN, "--rehearsal", "Mock 1", "--root", str(root))
    assert result.code == 2
    assert "argument --rehearsal: 'Mock 1' is not a rehearsal name" in result.err
