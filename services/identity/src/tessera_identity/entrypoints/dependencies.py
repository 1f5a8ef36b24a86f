"""What identity's routes share: the unit of work, the caller, and the client a sign-in comes from.

Who may call a route is declared on the route (``tessera_kit.permissions``: ``requires``,
``personal``, ``public``); the caller it lets through is read with ``Caller`` below. What the
caller's role allows in an organisation is checked by the use cases, against identity's own
memberships.
"""

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Annotated, cast

from fastapi import Depends, Request

from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.config import IdentitySettings
from tessera_identity.service_layer.attempts import Throttle
from tessera_kit.auth import Caller as KitCaller
from tessera_kit.auth import authenticated_caller
from tessera_kit.service import runtime_of

Network = IPv4Network | IPv6Network


# async although nothing is awaited: FastAPI runs a plain ``def`` dependency in its thread pool, a
# thread hop on every request.
async def unit_of_work(request: Request) -> IdentityUnitOfWork:
    """A fresh unit of work on identity's database."""
    uow: IdentityUnitOfWork = runtime_of(request).unit_of_work()
    return uow


async def client_throttle(request: Request) -> Throttle:
    """The sign-in limits, and the client address they count this request against."""
    settings = cast(IdentitySettings, runtime_of(request).settings)
    return Throttle(settings.attempt_limits, client_address(request, settings.trusted_proxies))


def client_address(request: Request, trusted_proxies: list[Network]) -> str | None:
    """The client's address: the connection's peer, or, when the peer is a trusted proxy, the
    right-most address in X-Forwarded-For that is not one (the left ones the client may have forged)."""
    peer = request.client.host if request.client else None
    if peer is None or not _trusted(peer, trusted_proxies):
        return peer
    forwarded = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop, trusted_proxies):
            return hop if _address(hop) else peer
    return peer


def _trusted(host: str, trusted_proxies: list[Network]) -> bool:
    address = _address(host)
    return address is not None and any(address in network for network in trusted_proxies)


def _address(host: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(host)
    except ValueError:
        return None


UnitOfWork = Annotated[IdentityUnitOfWork, Depends(unit_of_work)]
# The caller a route's declaration let through (verified once per request, then cached).
Caller = Annotated[KitCaller, Depends(authenticated_caller)]
ClientThrottle = Annotated[Throttle, Depends(client_throttle)]

PROBLEMS: dict[int | str, dict[str, str]] = {
    401: {"description": "No valid access token, or a wrong password or code (problem+json)"},
    403: {
        "description": "Your role, or the token's permissions (missing_permission), do not allow this "
        "(problem+json)"
    },
    404: {"description": "No such organisation among yours, or no such thing in it (problem+json)"},
    409: {"description": "The change clashes with the current state (problem+json)"},
    422: {"description": "The content breaks a rule (problem+json)"},
}
SIGN_IN_PROBLEMS: dict[int | str, dict[str, str]] = {
    429: {"description": "Too many failed sign-ins for the account or from the address: see Retry-After"},
}
