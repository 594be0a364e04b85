"""Whether a request is addressed to this server: the Host header against the address it listens on.

A page on any web site can have the browser ask 127.0.0.1 for it under the site's own
name, by DNS rebinding (evil.example made to resolve to 127.0.0.1), and then read the
answers as its own. Such requests name the other site in their Host header, so golive's
servers (`golive serve`, `golive call`) answer only requests for the address they listen on.
"""

from __future__ import annotations

import ipaddress
import socket

_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
_WILDCARDS = {"", "0.0.0.0", "::"}


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


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine's loopback (localhost, 127.0.0.0/8, ::1)."""
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
    if is_loopback(bound):
        return name in _LOOPBACK_NAMES or name == bound
    if bound in _WILDCARDS:
        this_machine = {socket.gethostname().lower(), socket.getfqdn().lower()}
        return _is_ip(name) or name in _LOOPBACK_NAMES or name in this_machine
    return name == bound
