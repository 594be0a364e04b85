"""`golive call`: the server on a real socket, asked over real HTTP (http.client) as pages and hostile pages would."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from conftest import REPO, build_project, golive, make_project
from generator import api
from generator.call.channel import CallPerson, Roster
from generator.call.logbook import NewEntry, append_entry
from generator.call.server import CallServer
from generator.call.sitefiles import CALL_TAGS
from generator.check.validate import validate_project

PLAN = "shop"
LOG = Path("plans") / PLAN / "log.yaml"
ROSTER = Roster("test-revision", (CallPerson("ana", "Ana Souza", "AS", "+44 20 7946 0018"),))
# The base plan's window opens 2026-12-05 22:00 in London (UTC in December); its log's last entry is
# at 22:52. The call's clock starts after it and runs fifteen times fast, so that entries logged "now"
# during a long test do not all share one minute.
CALL_START = dt.datetime(2026, 12, 5, 22, 55, tzinfo=dt.UTC)
WITHIN = 2.0  # seconds: every open page shows an entry within this


def fast_clock() -> Any:
    started = time.monotonic()
    return lambda: CALL_START + dt.timedelta(seconds=15 * (time.monotonic() - started))


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base project with its site built, once: each test works on a copy."""
    root = make_project(tmp_path_factory.mktemp("call") / "project")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    build_project(root)
    return root


@pytest.fixture
def root(built_project: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built_project, tmp_path / "project", symlinks=True))


def start_server(root: Path) -> CallServer:
    server = CallServer(root, PLAN, root / "site", ROSTER, "127.0.0.1", 0, clock=fast_clock())
    server.start()
    return server


@pytest.fixture
def server(root: Path) -> Iterator[CallServer]:
    served = start_server(root)
    yield served
    served.close()


def request(
    server: CallServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    cookie: bool = True,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a connection of its own: status, headers (lower-case names), body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    sent = {"Cookie": f"golive-call={server.token}"} if cookie else {}
    try:
        connection.request(method, path, body=body, headers=sent | (headers or {}))
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


WRITE_HEADERS = {"X-Golive-Call": "1", "Content-Type": "application/json"}


def post(server: CallServer, entry: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    status, _, body = request(
        server, "POST", "/_golive/log", json.dumps(entry).encode(), WRITE_HEADERS | (headers or {})
    )
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode()


def note(text: str, **fields: str) -> dict[str, Any]:
    return {"plan": PLAN, "kind": "note", "by": "ana", "text": text} | fields


class Listener:
    """A page's event stream: reads updates from a thread and applies them as the contract says."""

    def __init__(self, server: CallServer, last_event_id: str | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {"Cookie": f"golive-call={server.token}"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.connection.request("GET", "/_golive/events", headers=headers)
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        self.entries: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.ids: list[str] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        try:
            for raw in iter(self.response.readline, b""):
                line = raw.decode().rstrip("\n")
                if line:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                    continue
                if fields.get("event") == "update":
                    self._apply(fields["id"], json.loads(fields["data"]))
                fields = {}
        except (OSError, ValueError):
            pass  # closed by the test

    def _apply(self, event_id: str, update: dict[str, Any]) -> None:
        with self.changed:
            del self.entries[update["from"] :]
            self.entries.extend(update["entries"])
            self.updates.append(update)
            self.ids.append(event_id)
            self.changed.notify_all()

    def texts(self) -> list[str | None]:
        with self.changed:
            return [e["text"] for e in self.entries]

    def wait_for(self, test: Any, timeout: float = WITHIN) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: test(self), timeout)

    def close(self) -> None:
        self.connection.close()


def has_text(text: str) -> Any:
    return lambda listener: text in [e["text"] for e in listener.entries]


def log_texts(root: Path) -> list[str | None]:
    """The texts of the log's entries, read as golive reads it."""
    validation = validate_project(root)
    assert not validation.errors, validation.errors
    log = validation.project.plans[PLAN].log
    return [e.text for e in log.model.entries] if log is not None else []


# -- joining ------------------------------------------------------------------------------------


def test_the_join_link_sets_the_cookie_and_redirects_to_the_runbook(server: CallServer) -> None:
    status, headers, _ = request(server, "GET", f"/?token={server.token}", cookie=False)
    assert status == 303
    assert headers["location"] == f"/plans/{PLAN}/runbook.html"
    assert headers["set-cookie"] == f"golive-call={server.token}; HttpOnly; SameSite=Strict; Path=/"
    status, headers, _ = request(server, "GET", f"/plans/{PLAN}/log.html?token={server.token}", cookie=False)
    assert (status, headers["location"]) == (303, f"/plans/{PLAN}/log.html")
    status, headers, page = request(server, "GET", f"/plans/{PLAN}/runbook.html")
    assert status == 200 and headers["cache-control"] == "no-store" and b"Shop relaunch" in page


@pytest.mark.parametrize(
    "path", ["/", f"/plans/{PLAN}/runbook.html", "/_golive/state", "/_golive/events", "/_golive/call.js", "/nowhere"]
)
def test_without_the_cookie_nothing_is_served(server: CallServer, path: str) -> None:
    for cookie in ({}, {"Cookie": "golive-call=wrong"}, {"Cookie": 'golive-call="\\x"; other'}):
        status, headers, body = request(server, "GET", path, headers=cookie, cookie=False)
        assert status == 403, (path, cookie)
        assert headers["content-type"].startswith("text/plain") and b"join link" in body
    status, _, _ = request(server, "GET", f"{path}?token=not-{server.token}", cookie=False)
    assert status == 403


def test_a_request_for_another_host_is_refused(server: CallServer) -> None:
    for host in ("evil.example", f"evil.example:{server.port}", f"127.0.0.1:{server.port + 1}", ""):
        status, _, body = request(server, "GET", f"/?token={server.token}", headers={"Host": host}, cookie=False)
        assert status == 421 and b"its own address" in body, host
    for host in (f"localhost:{server.port}", f"127.0.0.1:{server.port}", f"[::1]:{server.port}"):
        status, _, _ = request(server, "GET", "/_golive/state", headers={"Host": host})
        assert status == 200, host


# -- the pages ----------------------------------------------------------------------------------


def test_the_plans_pages_are_marked_for_the_call_and_the_static_live_mode_stands_down(server: CallServer) -> None:
    _, _, runbook = request(server, "GET", f"/plans/{PLAN}/runbook.html")
    assert f'<body data-golive-call="{PLAN}"'.encode() in runbook
    assert b'id="golive-live"' not in runbook and b'id="golive-call-live"' in runbook
    assert runbook.count(CALL_TAGS) == 1 and runbook.index(CALL_TAGS) < runbook.rindex(b"</body>")
    _, _, log_page = request(server, "GET", f"/plans/{PLAN}/log.html")
    assert CALL_TAGS in log_page and b"data-golive-call" in log_page
    _, _, other = request(server, "GET", f"/plans/{PLAN}/contacts.html")
    assert CALL_TAGS not in other and b"data-golive-call" not in other
    on_disk = (server.site_dir / "plans" / PLAN / "contacts.html").read_bytes()
    assert other == on_disk


def test_files_folders_and_the_calls_assets(server: CallServer) -> None:
    status, headers, body = request(server, "GET", "/_golive/call.js")
    assert status == 200 and headers["content-type"] == "text/javascript; charset=utf-8"
    status, headers, _ = request(server, "GET", "/_golive/call.css")
    assert status == 200 and headers["content-type"] == "text/css; charset=utf-8"
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and body == (server.site_dir / "index.html").read_bytes()
    assert request(server, "GET", "/plans")[:2] == (301, request(server, "GET", "/plans")[1])
    assert request(server, "GET", "/plans")[1]["location"] == "/plans/"
    assert request(server, "GET", "/no/such.html")[0] == 404
    status, headers, _ = request(server, "HEAD", f"/plans/{PLAN}/runbook.html")
    assert status == 200 and int(headers["content-length"]) > 0


def test_no_path_leads_out_of_the_site_or_through_a_link(server: CallServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "phones.html").write_text("secret", encoding="utf-8")
    (server.site_dir / "linked.html").symlink_to(secret / "phones.html")
    (server.site_dir / "linked-folder").symlink_to(secret)
    for path in (
        "/linked.html",
        "/linked-folder/phones.html",
        "/linked-folder/",
        "/../secret/phones.html",
        "/%2e%2e/secret/phones.html",
        "/plans/..%2f..%2fsecret/phones.html",
        "/index.html%00.js",
    ):
        status, _, body = request(server, "GET", path)
        assert status == 404 and b"secret" not in body, path


# -- the state and the events -------------------------------------------------------------------


def test_the_state_holds_the_plan_the_entries_and_the_status(server: CallServer) -> None:
    status, headers, body = request(server, "GET", "/_golive/state")
    assert status == 200 and headers["content-type"] == "application/json"
    state = json.loads(body)
    assert state["plan"] == PLAN and state["timezone"] == "Europe/London" and state["revision"] == "test-revision"
    assert (state["window_start"], state["window_end"]) == ("2026-12-05T22:00:00Z", "2026-12-06T02:00:00Z")
    assert state["people"] == [{"id": "ana", "name": "Ana Souza", "initials": "AS", "phone": "+44 20 7946 0018"}]
    deploy = next(s for s in state["steps"] if s["id"] == "deploy-app")
    assert deploy == {
        "id": "deploy-app",
        "title": "Deploy checkout 2.0",
        "owner": "raj",
        "duration_minutes": 30,
        "planned_start": "2026-12-05T23:00:00Z",
        "planned_end": "2026-12-05T23:30:00Z",
        "depends_on": ["backup-db"],
        "critical": True,
    }
    first = state["entries"][0]
    assert first == {
        "index": 0,
        "at": "2026-12-05 22:01",
        "at_utc": "2026-12-05T22:01:00Z",
        "by": "ana",
        "kind": "step-started",
        "step": "freeze",
        "severity": None,
        "id": None,
        "resolves": None,
        "text": None,
    }
    assert state["status"]["steps"]["freeze"] == {"started": "2026-12-05T22:01:00Z", "done": None}
    forecast = state["status"]["forecast"]  # Forecast.as_json, at the call's clock
    assert forecast["in_progress"] == [
        {"step": "freeze", "owner": "ana", "started": "2026-12-05T22:01:00Z", "planned_minutes": 10, "late": True}
    ]
    assert forecast["end"] > "2026-12-05T23:45" and forecast["slip_minutes"] > 0  # freeze still runs at 22:55


def test_a_post_is_appended_once_and_reaches_every_page(server: CallServer, root: Path) -> None:
    pages = [Listener(server), Listener(server)]
    try:
        assert all(page.wait_for(lambda p: len(p.entries) == 3) for page in pages)
        sent = time.monotonic()
        status, answer = post(server, note("Bridge is open <script>alert(1)</script>"))
        assert status == 201
        assert answer["entry"] == {
            "at": answer["entry"]["at"],
            "by": "ana",
            "kind": "note",
            "text": "Bridge is open <script>alert(1)</script>",
        }
        assert answer["entry"]["at"].startswith("2026-12-05 22:")
        assert log_texts(root).count("Bridge is open <script>alert(1)</script>") == 1  # on disk when answered
        for page in pages:
            assert page.wait_for(has_text("Bridge is open <script>alert(1)</script>"))
            assert page.updates[-1]["from"] == 3 and page.ids[-1] == "4"
        assert time.monotonic() - sent < WITHIN
    finally:
        for page in pages:
            page.close()


def test_an_entry_logged_in_a_terminal_reaches_every_page(server: CallServer, root: Path) -> None:
    page = Listener(server)
    try:
        assert page.wait_for(lambda p: len(p.entries) == 3)
        append_entry(root, PLAN, NewEntry("Logged from a terminal", by="raj"), CALL_START)
        assert page.wait_for(has_text("Logged from a terminal"))
        assert page.entries[-1]["by"] == "raj" and page.entries[-1]["at"] == "2026-12-05 22:55"
    finally:
        page.close()


def test_an_entry_logged_earlier_than_the_last_one_takes_its_place_on_every_page(
    server: CallServer, root: Path
) -> None:
    page = Listener(server)
    try:
        assert post(server, note("late one", at="2026-12-05 22:50"))[0] == 201
        assert page.wait_for(has_text("late one"))
        assert post(server, note("back-logged", at="2026-12-05 22:10"))[0] == 201
        assert page.wait_for(has_text("back-logged"))
        assert page.updates[-1]["from"] == 1  # after 22:01, before 22:40
        state = json.loads(request(server, "GET", "/_golive/state")[2])
        assert page.entries == state["entries"]
        assert [e["index"] for e in page.entries] == list(range(5))
    finally:
        page.close()


def test_a_page_that_reconnects_is_sent_only_what_it_lacks(server: CallServer) -> None:
    assert post(server, note("while away"))[0] == 201
    page = Listener(server, last_event_id="3")
    try:
        assert page.wait_for(lambda p: len(p.updates) == 1)
        assert page.updates[0]["from"] == 3 and [e["text"] for e in page.updates[0]["entries"]] == ["while away"]
        assert post(server, note("after the reconnect"))[0] == 201
        assert page.wait_for(has_text("after the reconnect"))
        assert page.updates[1]["from"] == 4 and len(page.updates[1]["entries"]) == 1
    finally:
        page.close()
    current = Listener(server, last_event_id="5")  # nothing lacking: the status at once, no entry
    try:
        assert current.wait_for(lambda p: len(p.updates) == 1)
        assert current.updates[0]["from"] == 5 and current.updates[0]["entries"] == [] and current.ids == ["5"]
        assert current.updates[0]["status"]["forecast"] is not None
    finally:
        current.close()
    stranger = Listener(server, last_event_id="999")  # a count this server never had: everything
    try:
        assert stranger.wait_for(lambda p: len(p.entries) == 5) and stranger.updates[0]["from"] == 0
    finally:
        stranger.close()


def test_a_restarted_server_serves_the_same_entries(root: Path) -> None:
    first = start_server(root)
    try:
        assert post(first, note("before the restart"))[0] == 201
        before = json.loads(request(first, "GET", "/_golive/state")[2])["entries"]
    finally:
        first.close()
    second = start_server(root)
    try:
        assert json.loads(request(second, "GET", "/_golive/state")[2])["entries"] == before
        assert before[-1]["text"] == "before the restart"
    finally:
        second.close()


def test_open_streams_are_bounded(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.call.server.MAX_LISTENERS", 1)
    served = start_server(root)
    page = Listener(served)
    try:
        assert request(served, "GET", "/_golive/events")[0] == 503
    finally:
        page.close()
        served.close()


def test_other_methods_are_refused_and_a_connection_serves_several_requests(server: CallServer) -> None:
    for method in ("PUT", "DELETE", "OPTIONS", "PATCH"):
        assert request(server, method, "/_golive/log")[0] == 405, method
    assert request(server, "POST", "/plans/shop/runbook.html", b"{}", WRITE_HEADERS)[0] == 405
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path in ("/_golive/state", f"/plans/{PLAN}/runbook.html", "/_golive/call.js"):
            connection.request("GET", path, headers={"Cookie": f"golive-call={server.token}"})
            response = connection.getresponse()
            assert response.status == 200 and response.read()
    finally:
        connection.close()


# -- refused writes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"X-Golive-Call": ""}, None, 403),
        ({"Origin": "http://evil.example"}, None, 403),
        ({"Origin": "null"}, None, 403),
        ({"Origin": "https://127.0.0.1"}, None, 403),
        ({"Content-Type": "text/plain"}, None, 403),
        ({}, note("x", plan="other-plan"), 403),
        ({}, b"{not json", 400),
        ({}, b"[1, 2]", 400),
        ({}, note("x", colour="red"), 400),
        ({}, {"plan": PLAN, "kind": "note", "by": "ana", "text": 7}, 400),
        ({}, {"plan": PLAN, "kind": "note", "text": "who?"}, 422),
    ],
)
def test_a_write_breaking_a_rule_is_refused_and_the_log_unchanged(
    server: CallServer, root: Path, headers: dict[str, str], body: Any, expected: int
) -> None:
    before = (root / LOG).read_bytes()
    data = body if isinstance(body, bytes) else json.dumps(body or note("refused")).encode()
    status, _, _ = request(server, "POST", "/_golive/log", data, WRITE_HEADERS | headers)
    assert status == expected
    assert (root / LOG).read_bytes() == before


def test_a_write_from_the_servers_own_origin_under_any_of_its_names_is_taken(server: CallServer) -> None:
    for host in ("127.0.0.1", "localhost"):
        status, answer = post(server, note(f"from {host}"), {"Origin": f"http://{host}:{server.port}"})
        assert status == 201, answer
    status, _ = post(server, note("other port"), {"Origin": f"http://127.0.0.1:{server.port + 1}"})
    assert status == 403


def test_a_write_without_the_cookie_is_refused(server: CallServer, root: Path) -> None:
    before = (root / LOG).read_bytes()
    status, _, _ = request(server, "POST", "/_golive/log", json.dumps(note("x")).encode(), WRITE_HEADERS, cookie=False)
    assert status == 403 and (root / LOG).read_bytes() == before


def test_a_body_over_64_kib_is_refused_unread(server: CallServer, root: Path) -> None:
    before = (root / LOG).read_bytes()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.putrequest("POST", "/_golive/log")
        for name, value in (WRITE_HEADERS | {"Cookie": f"golive-call={server.token}"}).items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(65 * 1024))
        connection.endheaders()  # no body sent: the answer must come without it
        response = connection.getresponse()
        assert response.status == 413
    finally:
        connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.putrequest("POST", "/_golive/log")
        for name, value in (WRITE_HEADERS | {"Cookie": f"golive-call={server.token}"}).items():
            connection.putheader(name, value)
        connection.endheaders()  # no Content-Length
        assert connection.getresponse().status == 411
    finally:
        connection.close()
    assert (root / LOG).read_bytes() == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"kind": "step-done", "step": "no-such-step"}, "no-such-step"), ({"by": "nobody"}, "nobody")],
)
def test_an_entry_golive_log_refuses_is_422_with_its_reasons(
    server: CallServer, root: Path, fields: dict[str, str], message: str
) -> None:
    before = (root / LOG).read_bytes()
    status, answer = post(server, note("refused") | fields)
    assert status == 422
    assert answer["error"] == "the entry was not logged"
    assert any(message in line for line in answer["details"]), answer
    assert (root / LOG).read_bytes() == before


# -- the command --------------------------------------------------------------------------------


def test_golive_call_names_an_unknown_plan(root: Path) -> None:
    run = golive("call", "no-such-plan", "--root", root)
    assert run.code == 1
    assert run.err.strip() == "golive call: no plan 'no-such-plan' in plans/ (plans: shop)"
    assert run.out == ""


def test_golive_call_prints_one_join_link_and_warns_off_loopback(root: Path) -> None:
    class Bound:
        join_link = "http://192.0.2.7:8000/?token=T"

    with (
        mock.patch("generator.api.call", return_value=Bound()) as started,
        mock.patch("generator.cli.commands.serve_call", side_effect=KeyboardInterrupt),
    ):
        run = golive("call", PLAN, "--root", root, "--host", "192.0.2.7")
    assert started.call_args.args == (root, PLAN, "192.0.2.7", 8000)
    assert (run.code, run.out) == (0, "http://192.0.2.7:8000/?token=T\n")
    assert "anyone who has the link below can read the plan and write to its log" in run.err
    assert "golive call: stopped; the log is in plans/shop/log.yaml" in run.err
    with (
        mock.patch("generator.api.call", return_value=Bound()),
        mock.patch("generator.cli.commands.serve_call", side_effect=KeyboardInterrupt),
    ):
        run = golive("call", PLAN, "--root", root)
    assert "warning" not in run.err


def test_golive_call_builds_a_site_older_than_its_sources(root: Path) -> None:
    runbook = root / "site" / "plans" / PLAN / "runbook.html"
    os.utime(runbook, ns=(0, 0))
    server = api.call(root, PLAN, "127.0.0.1", 0)
    try:
        assert runbook.stat().st_mtime_ns > 0 and server.port > 0
        assert server.join_link == f"http://127.0.0.1:{server.port}/?token={server.token}"
    finally:
        server.close()


# -- under load, and killed ---------------------------------------------------------------------


@pytest.mark.slow
def test_fifty_pages_and_five_writers_200_entries(server: CallServer, root: Path) -> None:
    pages = [Listener(server) for _ in range(50)]
    try:
        assert all(page.wait_for(lambda p: len(p.entries) == 3, timeout=10) for page in pages)
        texts = [f"entry {writer}-{n}" for writer in range(5) for n in range(40)]
        acknowledged: list[str] = []
        lock = threading.Lock()

        def write(writer: int) -> None:
            for n in range(40):
                status, answer = post(server, note(f"entry {writer}-{n}"))
                assert status == 201, answer
                with lock:
                    acknowledged.append(answer["entry"]["text"])

        writers = [threading.Thread(target=write, args=(w,)) for w in range(5)]
        started = time.monotonic()
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
        elapsed = time.monotonic() - started
        assert sorted(acknowledged) == sorted(texts)
        on_disk = log_texts(root)
        assert sorted(t for t in on_disk if t and t.startswith("entry ")) == sorted(texts)  # each exactly once
        times = [e["at_utc"] for e in json.loads(request(server, "GET", "/_golive/state")[2])["entries"]]
        assert times == sorted(times)
        for page in pages:
            assert page.wait_for(lambda p: len(p.entries) == 203, timeout=10)
            assert page.texts() == on_disk
        print(f"\n200 entries by 5 writers with 50 pages open: {elapsed:.1f}s")
    finally:
        for page in pages:
            page.close()


@pytest.mark.slow
def test_a_server_killed_while_writing_has_every_acknowledged_entry(root: Path, tmp_path: Path) -> None:
    def start(name: str) -> tuple[subprocess.Popen[str], str]:
        """`golive call` in a process of its own; its stderr (a line per entry) goes to a file."""
        with open(tmp_path / name, "w", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "generator", "call", PLAN, "--root", str(root), "--port", "0"],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
        assert process.stdout is not None
        link = process.stdout.readline().strip()
        assert link.startswith("http://127.0.0.1:"), (tmp_path / name).read_text(encoding="utf-8")
        return process, link

    process, link = start("first.err")
    port, token = int(link.split(":")[2].split("/")[0]), link.split("token=")[1]
    acknowledged: list[str] = []
    lock = threading.Lock()

    def write(writer: int) -> None:
        for n in range(1000):
            entry = note(f"kill {writer}-{n}", at=f"2026-12-06 00:{n % 60:02d}")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            headers = WRITE_HEADERS | {"Cookie": f"golive-call={token}"}
            try:
                connection.request("POST", "/_golive/log", json.dumps(entry).encode(), headers)
                response = connection.getresponse()
                if response.status == 201:
                    with lock:
                        acknowledged.append(json.loads(response.read())["entry"]["text"])
            except (OSError, http.client.HTTPException):
                return  # the server is gone (before or while it answered: not acknowledged)
            finally:
                connection.close()

    writers = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    try:
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 15 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        for thread in writers:
            thread.join(timeout=20)
    finally:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
    assert len(acknowledged) >= 15
    assert "golive call: logged 2026-12-06 00:" in (tmp_path / "first.err").read_text(encoding="utf-8")
    on_disk = log_texts(root)
    assert set(acknowledged) <= set(on_disk)
    assert len(set(on_disk)) == len(on_disk)
    again, link = start("again.err")
    try:
        port, token = int(link.split(":")[2].split("/")[0]), link.split("token=")[1]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/_golive/state", headers={"Cookie": f"golive-call={token}"})
        served = [e["text"] for e in json.loads(connection.getresponse().read())["entries"]]
        connection.close()
        assert served == on_disk
        again.send_signal(signal.SIGINT)  # Ctrl-C
        assert again.wait(timeout=10) == 0
        assert "golive call: stopped" in (tmp_path / "again.err").read_text(encoding="utf-8")
    finally:
        again.kill()
        again.wait()
        if again.stdout is not None:
            again.stdout.close()
