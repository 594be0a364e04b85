"""`golive call`: the built site and one plan's live channel, served to the people on the call.

The contract with the pages' script (generator/call/static/golive-call.js; docs/call-protocol.md says it in full):
- The plan's runbook.html and log.html get `data-golive-call="<plan-id>"` on <body>, and
  `<link rel="stylesheet" href="/_golive/call.css"><script src="/_golive/call.js" defer></script>`
  before </body>. The static live mode stands down: the runbook's `id="golive-live"` becomes
  `id="golive-call-live"` (its data-* attributes kept), and golive-live.js finds nothing to start.
- GET /_golive/state: the plan, its steps and people, every entry and the status, as JSON.
- GET /_golive/events: server-sent events, each `id: <entries>`, `event: update`, data
  `{"from": n, "entries": [...], "status": {...}}`: the page drops what it holds from index n
  on and appends `entries` (n is below the page's count when an entry was logged with an
  earlier time). The first event carries everything; `: keep-alive` every 15 s.
- POST /_golive/log with `X-Golive-Call: 1` and a JSON entry; 201 {"entry": ...} once it is in
  log.yaml, 422 {"error", "details"} when golive log's checks refuse it.
- A rehearsal (`golive call --rehearsal NAME`): rehearsals/NAME.yaml is written and watched instead
  of log.yaml, <body> also gets `data-golive-rehearsal="NAME"`, the state names the rehearsal and
  every time counts from its start (see docs/call-protocol.md).

Who may ask: whoever holds the join link's token. `/?token=T` sets an HttpOnly, SameSite=Strict
cookie and redirects; without the cookie everything is 403 (the pages hold phone numbers). The
Host header must name this server (no DNS rebinding); a POST also needs the custom header (no
cross-site form can send it) and, when the browser says where it comes from, this origin.

One thread per connection (the standard library's ThreadingHTTPServer): a call has tens of
pages open, each holding one event stream, which threads carry without an event loop.
"""

from __future__ import annotations

import datetime as dt
import hmac
import http.cookies
import json
import secrets
import socket
import sys
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from generator.call.channel import LOGGER, Channel, Clock, LogReader, Roster, Update
from generator.call.logbook import LogError, NewEntry, append_entry
from generator.call.sitefiles import call_page, content_type, read_regular, site_file
from generator.hosts import host_allowed
from generator.report import format_text

COOKIE = "golive-call"
CALL_HEADER = "X-Golive-Call"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {"/_golive/call.js": "golive-call.js", "/_golive/call.css": "golive-call.css"}
MAX_BODY = 64 * 1024
KEEP_ALIVE_SECONDS = 15.0
MAX_LISTENERS = 256  # open event streams: each holds a thread
ENTRY_KEYS = ("plan", "kind", "text", "step", "by", "severity", "resolves", "id", "at")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CallServer(ThreadingHTTPServer):
    """The site under `site_dir` and plan `plan_id`'s channel on host:port (port 0: any free one)."""

    daemon_threads = True
    # Stopping never waits for open pages: an idle kept-alive connection would hold Ctrl-C for
    # up to the handler's timeout (the standard server joins every request thread on close).
    block_on_close = False

    def __init__(
        self,
        root: Path,
        plan_id: str,
        site_dir: Path,
        roster: Roster,
        host: str = "127.0.0.1",
        port: int = 8000,
        token: str | None = None,
        clock: Clock | None = None,
        rehearsal: str | None = None,
    ) -> None:
        self.root, self.plan_id, self.site_dir, self.host = root, plan_id, site_dir, host
        self.rehearsal = rehearsal  # a rehearsal's name: its file is written and watched instead of log.yaml
        self.token = token or new_token()
        self.clock: Clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.channel = Channel(LogReader(root, plan_id, roster, rehearsal), self.clock)
        self.listeners = threading.BoundedSemaphore(MAX_LISTENERS)
        self._background: list[threading.Thread] = []
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), CallHandler)
        self.port = self.server_address[1]

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def join_link(self) -> str:
        return f"{self.origin}/?token={self.token}"

    def start_channel(self) -> None:
        """Read the log once, then watch it from a thread."""
        self.channel.refresh()
        watcher = threading.Thread(target=self.channel.watch, name="golive-call-watch", daemon=True)
        watcher.start()
        self._background.append(watcher)

    def start(self) -> None:
        """Serve from background threads (tests, the benchmark); stop with close()."""
        self.start_channel()
        serving = threading.Thread(target=self.serve_forever, args=(0.05,), name="golive-call", daemon=True)
        serving.start()
        self._background.append(serving)

    def close(self) -> None:
        """Stop serving: listeners are let go, the watcher ends, the socket closes."""
        self.channel.close()
        if any(t.name == "golive-call" for t in self._background):
            self.shutdown()
        self.server_close()
        for thread in self._background:
            thread.join(timeout=5)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A page that closes or reloads drops its connection: no error worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class CallHandler(BaseHTTPRequestHandler):
    """One request: checked for its host and its cookie, then a page, the state, the events or an entry."""

    server: CallServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may take to send a request (and to take a write)

    def version_string(self) -> str:
        return "golive-call"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows the join link and problems, not every request

    # -- answering ----------------------------------------------------------------------------------

    def _common_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # the pages hold phone numbers
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._common_headers()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._send(status, f"{message}\n".encode(), "text/plain; charset=utf-8")

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")

    def _refuse(self, status: int, message: str) -> None:
        """Answer with an error and close: what the client sends next is not read as a request."""
        self.close_connection = True
        self._send(status, f"{message}\n".encode(), "text/plain; charset=utf-8", {"Connection": "close"})

    # -- the checks every request passes ------------------------------------------------------------

    def _admitted(self) -> bool:
        """Host and cookie checked; a join link is answered here (cookie and redirect). False: answered."""
        server = self.server
        if not host_allowed(self.headers.get("Host", ""), server.host, server.port):
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "golive call answers only requests for its own address")
            return False
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if "token" in query and self.command in ("GET", "HEAD"):
            if not _same(query["token"][-1], server.token):
                self._refuse(HTTPStatus.FORBIDDEN, "this join link is not valid for this call")
                return False
            target = url.path if url.path not in ("", "/") else f"/plans/{server.plan_id}/runbook.html"
            cookie = f"{COOKIE}={server.token}; HttpOnly; SameSite=Strict; Path=/"
            self._send(HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": target, "Set-Cookie": cookie})
            return False
        if not _same(_cookie(self.headers.get_all("Cookie") or []), server.token):
            self._refuse(HTTPStatus.FORBIDDEN, "golive call: open the join link first (ask the call's lead for it)")
            return False
        return True

    # -- methods ------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        if not self._admitted():
            return
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_golive/state":
            state = self.server.channel.state_json()
            if state is None:
                self._text(HTTPStatus.SERVICE_UNAVAILABLE, "the log could not be read yet")
            else:
                self._json(HTTPStatus.OK, state)
        elif path == "/_golive/events":
            self._events()
        elif path in STATIC_FILES:
            self._file(STATIC_DIR / STATIC_FILES[path])
        else:
            self._site_file(path)

    def do_HEAD(self) -> None:
        if self._admitted():
            path = urllib.parse.urlsplit(self.path).path
            if path in ("/_golive/state", "/_golive/events"):
                self._text(HTTPStatus.METHOD_NOT_ALLOWED, "GET only")
            elif path in STATIC_FILES:
                self._file(STATIC_DIR / STATIC_FILES[path])
            else:
                self._site_file(path)

    def do_POST(self) -> None:
        if not self._admitted():
            return
        if urllib.parse.urlsplit(self.path).path != "/_golive/log":
            self._refuse(HTTPStatus.METHOD_NOT_ALLOWED, "only /_golive/log takes a POST")
            return
        body = self._body()
        if body is not None:
            self._append(body)

    def _other(self) -> None:
        if self._admitted():
            self._refuse(HTTPStatus.METHOD_NOT_ALLOWED, "golive call answers GET, HEAD and POST")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _other

    # -- writing an entry ---------------------------------------------------------------------------

    def _body(self) -> Any | None:
        """The POST's JSON, once every rule for a write holds; None when refused (answered)."""
        origin = self.headers.get("Origin")
        if self.headers.get(CALL_HEADER) != "1" or (origin is not None and not self._own_origin(origin)):
            self._refuse(HTTPStatus.FORBIDDEN, f"a write needs the {CALL_HEADER} header and this server's origin")
            return None
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            self._refuse(HTTPStatus.FORBIDDEN, "a write is sent as application/json")
            return None
        length_text = self.headers.get("Content-Length")
        if length_text is None or self.headers.get("Transfer-Encoding"):
            self._refuse(HTTPStatus.LENGTH_REQUIRED, "a write needs a Content-Length")
            return None
        if not (length_text.isascii() and length_text.isdigit()):
            self._refuse(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
            return None
        length = int(length_text)
        if length > MAX_BODY:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"an entry is at most {MAX_BODY // 1024} KiB")
            return None
        raw = self.rfile.read(length)
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            self._refuse(HTTPStatus.BAD_REQUEST, "the body is not JSON")
            return None

    def _own_origin(self, origin: str) -> bool:
        """Whether an Origin header is this server under one of the names its Host check takes."""
        scheme, _, host = origin.partition("://")
        server = self.server
        return scheme == "http" and "/" not in host and host_allowed(host, server.host, server.port)

    def _append(self, body: Any) -> None:
        server = self.server
        problem = _entry_problem(body)
        if problem is not None:
            self._json(HTTPStatus.BAD_REQUEST, {"error": problem, "details": []})
            return
        if body.get("plan") != server.plan_id:
            self._json(HTTPStatus.FORBIDDEN, {"error": f"this call writes only {server.plan_id}'s log", "details": []})
            return
        if not body.get("by"):
            self._json(HTTPStatus.UNPROCESSABLE_ENTITY, {"error": "who is logging? pick yourself first", "details": []})
            return
        entry = NewEntry(**{key: body.get(key) for key in ENTRY_KEYS if key != "plan"})
        try:
            appended = append_entry(server.root, server.plan_id, entry, server.clock(), server.rehearsal)
        except LogError as error:
            details = format_text(error.diagnostics).splitlines() + error.details
            self._json(HTTPStatus.UNPROCESSABLE_ENTITY, {"error": error.message, "details": details})
            return
        except Exception as error:  # a bug in golive: said on the terminal, never shown to the page
            LOGGER.exception("internal error while appending: %s: %s", type(error).__name__, error)
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error, see the server", "details": []})
            return
        fields = appended.fields
        what = " ".join(fields[k] for k in ("kind", "step", "severity") if k in fields)
        where = f" in rehearsal {server.rehearsal}" if server.rehearsal is not None else ""
        LOGGER.info("logged %s %s by %s%s", fields["at"], what, fields["by"], where)
        # Read back before answering: once the page has its 201, the state and every stream have the entry.
        server.channel.refresh()
        self._json(HTTPStatus.CREATED, {"entry": appended.fields})

    # -- the event stream ---------------------------------------------------------------------------

    def _events(self) -> None:
        server = self.server
        if not server.listeners.acquire(blocking=False):
            self._refuse(HTTPStatus.SERVICE_UNAVAILABLE, "too many pages listening; close some")
            return
        try:
            self.close_connection = True
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Connection", "close")
            self._common_headers()
            self.end_headers()
            self.wfile.write(b"retry: 2000\n\n")
            self.wfile.flush()
            self._stream(_last_event(self.headers.get("Last-Event-ID")))
        except (ConnectionError, TimeoutError):
            pass  # the page went away
        finally:
            server.listeners.release()

    def _stream(self, last_count: int | None) -> None:
        channel = self.server.channel
        seen = None
        if last_count is not None:  # a page reconnecting: what it lacks, and the status now, at once
            update = channel.catch_up(last_count)
            if update is not None:
                self._send_update(update)
                seen = update.generation
        while not channel.closed:
            update = channel.next_update(seen, KEEP_ALIVE_SECONDS)
            if update is not None:
                self._send_update(update)
                seen = update.generation
            elif not channel.closed:
                self.wfile.write(b": keep-alive\n\n")

    def _send_update(self, update: Update) -> None:
        data = json.dumps(update.event_data(), ensure_ascii=False, separators=(",", ":"))
        self.wfile.write(f"id: {update.count}\nevent: update\ndata: {data}\n\n".encode())

    # -- files --------------------------------------------------------------------------------------

    def _site_file(self, url_path: str) -> None:
        server = self.server
        found = site_file(server.site_dir, url_path)
        if found is None:
            self._text(HTTPStatus.NOT_FOUND, "not found")
        elif found.is_dir():  # _inside checked it is a real folder: its pages link relative to it
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", {"Location": url_path + "/"})
        elif url_path.lstrip("/") in (f"plans/{server.plan_id}/runbook.html", f"plans/{server.plan_id}/log.html"):
            self._call_page(found)
        else:
            self._file(found)

    def _file(self, path: Path) -> None:
        data = read_regular(path)
        if data is None:
            self._text(HTTPStatus.NOT_FOUND, "not found")
            return
        self._send(HTTPStatus.OK, data, content_type(path))

    def _call_page(self, path: Path) -> None:
        data = read_regular(path)
        if data is None:
            self._text(HTTPStatus.NOT_FOUND, "not found")
            return
        page = call_page(data, self.server.plan_id, self.server.rehearsal)
        self._send(HTTPStatus.OK, page, "text/html; charset=utf-8")


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode())


def _cookie(headers: list[str]) -> str | None:
    for header in headers:
        try:
            jar = http.cookies.SimpleCookie(header)
        except http.cookies.CookieError:
            continue
        if COOKIE in jar:
            return jar[COOKIE].value
    return None


def _last_event(header: str | None) -> int | None:
    text = (header or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _entry_problem(body: Any) -> str | None:
    """Why a POST's JSON is not an entry (a JSON object of known keys, each a string or null)."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    unknown = sorted(set(body) - set(ENTRY_KEYS))
    if unknown:
        return f"unknown field: {unknown[0][:40]!r}"
    for key, value in body.items():
        if value is not None and not isinstance(value, str):
            return f"{key} is not text"
    if not isinstance(body.get("kind"), str):
        return "kind is missing"
    return None


def serve_call(server: CallServer) -> None:
    """Serve until interrupted (Ctrl-C stops it cleanly)."""
    server.start_channel()
    try:
        server.serve_forever()
    finally:
        server.close()
