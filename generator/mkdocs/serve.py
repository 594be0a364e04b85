"""`golive serve`: MkDocs' live-reload server, answering only requests addressed to it.

A page on any web site can have the browser ask 127.0.0.1 for it under the site's own
name, by DNS rebinding (evil.example made to resolve to 127.0.0.1), and then read the
answers as its own. Such requests name the other site in their Host header, so the
server answers only requests for the address it listens on (403 otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from generator.hosts import host_allowed

StartResponse = Callable[..., Any]
App = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


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
