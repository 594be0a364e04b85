"""The built site's files as `golive call` serves them: never outside site/, never through a link,
and the served plan's runbook and log pages marked for the call."""

from __future__ import annotations

import mimetypes
import os
import re
import stat
import urllib.parse
from pathlib import Path

CALL_TAGS = b'<link rel="stylesheet" href="/_golive/call.css"><script src="/_golive/call.js" defer></script>'
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
_BODY_TAG = re.compile(rb"<body\b")


def call_page(html: bytes, plan_id: str, rehearsal: str | None = None) -> bytes:
    """A plan page as the call serves it: marked on <body> (and as a rehearsal's, for one), the static
    live mode stood down, the call's assets in. The plan id and rehearsal name are slugs."""
    html = html.replace(b'id="golive-live"', b'id="golive-call-live"', 1)
    marks = f'data-golive-call="{plan_id}"' + (f' data-golive-rehearsal="{rehearsal}"' if rehearsal else "")
    html = _BODY_TAG.sub(f"<body {marks}".encode(), html, count=1)
    end = html.rfind(b"</body>")
    return html[:end] + CALL_TAGS + html[end:] if end >= 0 else html + CALL_TAGS


def site_file(site_dir: Path, url_path: str) -> Path | None:
    """The file or folder `url_path` names under site_dir, or None: never outside it, never through a link.

    A folder stands for its index.html when the path ends with '/'; one named without it is
    returned as the folder (to be redirected to the path with '/')."""
    path = urllib.parse.unquote(url_path)
    if "\0" in path or "\\" in path:
        return None
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        return None
    current = site_dir
    if _mode(current) is None or not stat.S_ISDIR(_mode(current) or 0):
        return None
    for part in parts:
        current = current / part
        mode = _mode(current)
        if mode is None or stat.S_ISLNK(mode):
            return None
    mode = _mode(current)
    if mode is not None and stat.S_ISDIR(mode):
        if not path.endswith("/") and parts:
            return current
        current = current / "index.html"
        mode = _mode(current)
    return current if mode is not None and stat.S_ISREG(mode) else None


def _mode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_mode
    except (OSError, ValueError):
        return None


def read_regular(path: Path) -> bytes | None:
    """The bytes of a regular file, opened without following a link; None otherwise."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        with os.fdopen(handle, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(handle)


def content_type(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
