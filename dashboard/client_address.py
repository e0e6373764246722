"""The client's address, as far as we can trust it (security finding 4).

Behind our own reverse proxies, the address is the right-most entry of X-Forwarded-For that
no trusted proxy added: each proxy appends the address it received from, so everything to
the left of the first untrusted one may be made up by the client. A request that does not
come from a trusted proxy is taken at its word: its peer address. X-Real-Ip is never read (a
client could send its own).
"""
from __future__ import annotations

import ipaddress
import logging

from tornado.web import OutputTransform

log = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.0/8", "::1/128")  # --trust-proxy: a proxy on this machine


def networks(cidrs) -> tuple:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def _trusted(address: str, trusted: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple) -> str:
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    for entry in reversed([e.strip() for e in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(entry)
        except ValueError:
            return peer  # a malformed hop: nothing left of it can be trusted either
        if not _trusted(entry, trusted):
            return entry
    return peer


class ClientAddress(OutputTransform):
    """Sets ``request.remote_ip`` before any handler runs (a Tornado transform is made per
    request, ahead of ``prepare``). ``trusted`` is set once when the server starts."""

    trusted: tuple = ()
    warned = False

    def __init__(self, request) -> None:
        super().__init__(request)
        forwarded = request.headers.get("X-Forwarded-For")
        if forwarded and not self.trusted and not ClientAddress.warned:
            ClientAddress.warned = True
            log.warning("Requests arrive with X-Forwarded-For, but no proxy is trusted: every client "
                        "behind the proxy shares its address (serve --trusted-proxies CIDR,... or --trust-proxy)")
        request.remote_ip = client_address(request.remote_ip, forwarded, self.trusted)
