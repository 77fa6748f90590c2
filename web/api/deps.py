"""What handlers receive: the time (the app's clock, which tests can move) and the signed-in actor."""

from __future__ import annotations

from datetime import datetime

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from projects import errors
from projects.access import Actor
from projects.profile import require_settled
from projects.signed_in import actor_for_token as signed_in_actor
from web.client import address_of
from web.i18n import negotiate

# Handlers name what they receive explicitly (Litestar 3 drops inferred dependencies).
Now = NamedDependency[datetime]
CurrentActor = NamedDependency[Actor]
Viewer = NamedDependency[Actor | None]  # the signed-in member, or None where signing in is optional


async def provide_now(state: State) -> datetime:
    return state.clock()


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def actor_for_token(request: Request, token: str | None, now: datetime) -> Actor:
    """The member a sign-in token stands for (a bearer token, or the pages' session cookie),
    unless it has been idle longer than the app allows (LINLI_SESSION_IDLE_MINUTES)."""
    if not token:
        raise errors.Unauthenticated()
    return await signed_in_actor(token, now=now, idle=request.app.state.session_idle)


def open_to(request: Request, actor: Actor) -> Actor:
    """The actor, unless they must first change their password or be approved and this route is
    not one of the few open to them (``opt={"open_to_pending": True}``)."""
    if not request.route_handler.opt.get("open_to_pending"):
        require_settled(actor)
    return actor


async def provide_actor(request: Request, now: Now) -> Actor:
    return open_to(request, await actor_for_token(request, bearer_token(request), now))


async def provide_optional_actor(request: Request, now: Now) -> Actor | None:
    """The bearer token's member, or None without one (public calls that say more to some)."""
    if bearer_token(request) is None:
        return None
    return await actor_for_token(request, bearer_token(request), now)


def client_address(request: Request) -> str:
    """Who is asking, as far as sign-in limits go (``web.client``: X-Forwarded-For counts only
    from the proxies LINLI_TRUSTED_PROXIES names)."""
    return address_of(request.scope)


def language(request: Request) -> str:
    return negotiate(request.headers.get("accept-language"), request.cookies.get("lang"))


DEPENDENCIES = {"now": Provide(provide_now), "actor": Provide(provide_actor)}
