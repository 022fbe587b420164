"""Where webhooks may post: public addresses only, unless the operator allows private ones.

A webhook URL is typed by a project manager; without this check Tandem could be made to post into
the server's own network (its database, its cloud metadata service). Loopback, private, link-local
and reserved addresses are refused, both when the URL is saved (for addresses written as IPs or
``localhost``) and when each delivery is sent (after resolving the host name).
``TANDEM_WEBHOOKS_ALLOW_PRIVATE=1`` allows them, for an intranet chat server.
"""

from __future__ import annotations

import ipaddress
import socket

from django.conf import settings


def private_allowed() -> bool:
    """Whether the operator lets webhooks post to private and local addresses."""
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def _is_public(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_global
    except ValueError:
        return False


def literal_is_private(hostname: str) -> bool:
    """Whether a host written in a URL is plainly local or private (an IP literal or ``localhost``)."""
    host = hostname.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return not _is_public(host)


def refused_address(hostname: str, port: int | None) -> str | None:
    """The first address ``hostname`` resolves to that is not public, or None when all are public."""
    try:
        infos = socket.getaddrinfo(hostname, port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return None  # the post itself reports the name that does not resolve
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            return address
    return None
