"""Latency of `golive call`: from an entry posted to the last of 50 open pages having it; run by hand.

    PYTHONPATH=. .venv/bin/python bench/bench_call.py [--clients 50] [--entries 100] [--writers 1 5]

The server runs as `golive call` does, in a process of its own, on a scratch copy of tests/data/base.
50 listeners (threads of this process) hold the event stream open; the writers post N entries in all,
each writer one after the other; a last row appends them as `golive log` in a terminal does, which
the server sees by watching log.yaml. For each entry: the time from sending its POST to the moment the
last listener read it. The table gives the median and the 99th percentile of that latency, the
POST's own round trip (the append is on disk when it is answered), and the server's peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from conftest import make_project  # noqa: E402
from generator.call.logbook import NewEntry, append_entry  # noqa: E402

PLAN = "shop"
AFTER_LAST_ENTRY = dt.datetime(2026, 12, 5, 22, 53)  # the base log ends at 22:52; the window at 02:00


class Page:
    """One open page: the time this process read each entry's text on the event stream."""

    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.connection.request("GET", "/_golive/events", headers={"Cookie": f"golive-call={token}"})
        self.response = self.connection.getresponse()
        self.seen: dict[str, float] = {}
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in iter(self.response.readline, b""):
                if raw.startswith(b"data: "):
                    now = time.perf_counter()
                    for entry in json.loads(raw[6:])["entries"]:
                        self.seen.setdefault(entry["text"] or "", now)
                    self.ready.set()
        except OSError:
            pass


def post(port: int, token: str, text: str, at: str) -> float:
    """Post a note; return when it was sent (perf_counter), after its 201."""
    body = json.dumps({"plan": PLAN, "kind": "note", "by": "ana", "text": text, "at": at}).encode()
    headers = {"Cookie": f"golive-call={token}", "X-Golive-Call": "1", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = time.perf_counter()
    connection.request("POST", "/_golive/log", body, headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 201:
        raise SystemExit(f"POST answered {response.status}")
    return sent


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def append_in_terminal(root: Path, text: str, at: str) -> float:
    """Append a note as `golive log` does, from this process; return when it started."""
    started = time.perf_counter()
    append_entry(root, PLAN, NewEntry(text, by="ana", at=at), dt.datetime.now(dt.UTC))
    return started


def run(clients: int, entries: int, writers: int, terminal: bool = False) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        root = make_project(Path(scratch) / "project")
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        server = subprocess.Popen(
            [sys.executable, "-m", "generator", "call", PLAN, "--root", str(root), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        try:
            assert server.stdout is not None
            link = server.stdout.readline().strip()
            port, token = int(link.split(":")[2].split("/")[0]), link.split("token=")[1]
            pages = [Page(port, token) for _ in range(clients)]
            for page in pages:
                page.ready.wait(30)
            rss_idle = peak_rss_mib(server.pid)
            sent: dict[str, float] = {}
            answered: list[float] = []
            lock = threading.Lock()

            def write(writer: int) -> None:
                for n in range(writer, entries, writers):
                    text = f"bench {n}"
                    at = AFTER_LAST_ENTRY + dt.timedelta(minutes=n // 4)  # in time order, inside the window
                    at_text = f"{at:%Y-%m-%d %H:%M}"
                    started = append_in_terminal(root, text, at_text) if terminal else post(port, token, text, at_text)
                    with lock:
                        sent[text] = started
                        answered.append(time.perf_counter() - started)

            threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            deadline = time.perf_counter() + 30
            while time.perf_counter() < deadline and not all(len(p.seen) >= entries + 3 for p in pages):
                time.sleep(0.05)
            latencies = sorted(max(p.seen.get(text, float("inf")) for p in pages) - at for text, at in sent.items())
            rss = peak_rss_mib(server.pid)
        finally:
            server.kill()
            server.wait()
    return {
        "median": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "post": statistics.median(answered) * 1000,
        "post_p99": sorted(answered)[min(len(answered) - 1, int(len(answered) * 0.99))] * 1000,
        "rss_idle": rss_idle,
        "rss": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 5])
    args = parser.parse_args()
    header = ("clients", "entries", "writers", "median ms", "p99 ms", "POST ms", "p99", "RSS MiB")
    print(" ".join(f"{name:>{width}}" for name, width in zip(header, (7, 7, 7, 9, 8, 8, 5, 14), strict=True)))
    for writers in [*args.writers, "log"]:
        found = (
            run(args.clients, args.entries, 1, terminal=True)
            if writers == "log"
            else run(args.clients, args.entries, writers)
        )
        rss = f"{found['rss_idle']:.0f} -> {found['rss']:.0f}"
        print(
            f"{args.clients:>7} {args.entries:>7} {writers:>7} {found['median']:>9.0f} {found['p99']:>8.0f} "
            f"{found['post']:>8.0f} {found['post_p99']:>5.0f} {rss:>14}"
        )
    print('writers "log": one scribe appending as `golive log` does (no POST); its POST columns are the append')


if __name__ == "__main__":
    main()
