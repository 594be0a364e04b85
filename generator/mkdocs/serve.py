"""`golive serve`: MkDocs' live-reload server, answering only requests addressed to it.

A page on any web site can have the browser ask 127.0.0.1 for it under the site's own
name, by DNS rebinding (evil.example made to resolve to 127.0.0.1), and then read the
answers as its own. Such requests name the other site in their Host header, so the
server answers only requests for the address it listens on (403 otherwise).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
_WILDCARDS = {"", "0.0.0.0", "::"}

StartResponse = Callable[..., Any]
App = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _split_host(header: str) -> tuple[str, int | None] | None:
    """The name and port of a Host header ('[::1]:8000' included); None when it is not one."""
    name, _, port = header.rpartition(":") if not header.endswith("]") else (header, "", "")
    if not name:
        name, port = header, ""
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if port and not (port.isascii() and port.isdigit()):
        return None
    return name.lower().rstrip("."), int(port) if port else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    return host.lower() == "localhost" or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)


def host_allowed(header: str, host: str, port: int) -> bool:
    """Whether a request whose Host header is `header` is addressed to a server bound to host:port.

    Bound to loopback: its address, localhost, 127.0.0.1 or [::1]. Bound to every address
    (0.0.0.0): any IP address, localhost or this machine's name, as a DNS rebinding comes
    by another name. Bound to one address or name: that one.
    """
    split = _split_host(header.strip())
    if split is None or not split[0]:
        return False
    name, asked_port = split
    if (asked_port or 80) != port:
        return False
    bound = host.lower().strip("[]")
    if _is_loopback(bound):
        return name in _LOOPBACK_NAMES or name == bound
    if bound in _WILDCARDS:
        this_machine = {socket.gethostname().lower(), socket.getfqdn().lower()}
        return _is_ip(name) or name in _LOOPBACK_NAMES or name in this_machine
    return name == bound


def host_checked(app: App, host: str, port: int) -> App:
    """`app`, refusing requests addressed to another host."""

    def checked(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if host_allowed(environ.get("HTTP_HOST", ""), host, port):
            return app(environ, start_response)
        start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"golive serve answers only requests for the address it listens on (see the Host header)\n"]

    return checked


def serve_site(config_file: Path, dev_addr: str) -> None:
    """Run MkDocs' live-reload server with dirty rebuilds, answering only requests addressed to dev_addr."""
    # deferred: MkDocs stays unimported, which keeps validate and log start-up fast
    import mkdocs.commands.serve as mkdocs_serve
    from mkdocs.livereload import LiveReloadServer

    class HostCheckedServer(LiveReloadServer):
        """MkDocs' server, with every request's Host header checked before it is answered."""

        def __init__(self, builder: Callable[[], None], host: str, port: int, root: str, **kwargs: Any) -> None:
            super().__init__(builder, host, port, root, **kwargs)
            self.set_app(host_checked(self.serve_request, host, port))

    # serve() makes its server itself and offers no hook for it but the `on_serve` plugin event,
    # which comes only with live reload and would change plain `mkdocs serve` too.
    original = mkdocs_serve.LiveReloadServer
    mkdocs_serve.LiveReloadServer = HostCheckedServer  # type: ignore[misc, assignment]
    try:
        mkdocs_serve.serve(config_file=str(config_file), livereload=True, build_type="dirty", dev_addr=dev_addr)
    finally:
        mkdocs_serve.LiveReloadServer = original  # type: ignore[misc, unused-ignore]
