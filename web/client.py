"""Who is asking, as far as sign-in limits go: the peer's own address, or, when the peer is one of
the trusted proxies (``LINLI_TRUSTED_PROXIES``), the address those proxies say they served.

Nothing is trusted by default, loopback included: a proxy is trusted because it is configured,
never because of where it is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from litestar.types import Scope

from settings import TRUSTED_PROXIES, Network

MAX_FORWARDED_HOPS = 20  # a longer X-Forwarded-For is read from its right end only
UNKNOWN = "unknown"


def trusted_proxies(raw: str) -> tuple[Network, ...]:
    """``LINLI_TRUSTED_PROXIES``: addresses or CIDR networks separated by commas (empty: none)."""
    return TRUSTED_PROXIES.parse(raw)


def _trusted(address: str, proxies: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip  # ::ffff:10.0.0.1 is 10.0.0.1
    return any(ip.version == network.version and ip in network for network in proxies)


def client_address(peer: str | None, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str:
    """The client's address: ``peer`` itself unless it is a trusted proxy; then, reading
    X-Forwarded-For from the right (each proxy appends the address it was called from), the
    first address that is not a trusted proxy."""
    if not peer:
        return UNKNOWN
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops[-MAX_FORWARDED_HOPS:]):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def address_of(scope: Scope) -> str:
    """The client's address for a request of the app (its settings say which proxies to trust)."""
    client = scope.get("client")
    proxies = scope["litestar_app"].state.trusted_proxies
    forwarded = [value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"]
    return client_address(client[0] if client else None, forwarded, proxies)
