"""Where an output download may go: public addresses only.

A provider's answer names the URL its output is fetched from. Were that URL a loopback,
link-local (cloud metadata lives at 169.254.169.254), private or otherwise non-public address,
fetching it would let an answer reach into the user's own machine or network. So the host is
checked, as an IP literal and by every address its name resolves to, before it is contacted.
"""

from __future__ import annotations

import ipaddress
import socket

from .errors import GenerationError

# In the order they are told: the first that fits names the refusal.
_NOT_PUBLIC = (("is_loopback", "a loopback address"), ("is_link_local", "a link-local address"),
               ("is_unspecified", "an unspecified address"), ("is_multicast", "a multicast address"),
               ("is_reserved", "a reserved address"), ("is_private", "a private address"))


def resolve(host: str) -> list[str]:
    """The addresses a host name resolves to. The tests replace this: their fake hosts do not
    resolve offline."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)})


def not_public(address: str) -> str | None:
    """Why an IP address is not a public one (`a link-local address`), or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # fe80::1%eth0: the zone is no part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    for test, what in _NOT_PUBLIC:
        if getattr(ip, test):
            return what
    return None if ip.is_global else "not a public address"


def check_public(host: str, provider: str) -> None:
    """Refuse (GenerationError) an output host that is, or resolves to, a non-public address,
    without contacting it."""
    try:
        addresses = [str(ipaddress.ip_address(host.split("%", 1)[0]))]
    except ValueError:
        try:
            addresses = resolve(host)
        except (OSError, UnicodeError) as error:
            raise GenerationError(f"{provider}: the output's host {host} cannot be found ({error}): check your "
                                  "connection and try again; nothing was downloaded") from None
    for address in addresses:
        why = not_public(address)
        if why is not None:
            shown = host if address == host else f"{host} ({address})"
            raise GenerationError(f"{provider} returned an output URL at {shown}, {why}: refused, nothing was "
                                  "downloaded; outputs are fetched only from public addresses")
