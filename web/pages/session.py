"""The session: the cookie carrying a sign-in token (of ``projects.members``), the CSRF cookie
renewed at sign-in and sign-out, the language cookie, and the signed-in member they name."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.middleware.csrf import generate_csrf_token

from projects import errors
from projects.access import Actor
from web.api.deps import actor_for_token, open_to

SESSION_COOKIE = "linli_session"
CSRF_COOKIE = "linli_csrf"
LANG_COOKIE = "lang"
LANG_MAX_AGE = 365 * 24 * 3600
SESSION_MAX_AGE = 30 * 24 * 3600  # as long as the token lives (projects.members.TOKEN_LIFETIME)

Viewer = NamedDependency[Actor | None]


def is_https(request: Request) -> bool:
    """Served over HTTPS: the request says so, or LINLI_HTTPS=1 (a proxy terminates TLS)."""
    return request.url.scheme == "https" or request.app.state.https


def session_cookie(request: Request, token: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def fresh_csrf_cookie(request: Request) -> Cookie:
    """A new CSRF token, given at sign-in and sign-out: a token planted before either, or seen by
    whoever used the browser before, no longer sends forms."""
    return Cookie(
        key=CSRF_COOKIE,
        value=generate_csrf_token(secret=request.app.csrf_config.secret),
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def cleared(request: Request, key: str) -> Cookie:
    return Cookie(
        key=key, value="", path="/", max_age=0, httponly=True, samesite="lax", secure=is_https(request)
    )


async def provide_viewer(request: Request) -> Actor | None:
    """The signed-in member, or None."""
    try:
        actor = await actor_for_token(request, request.cookies.get(SESSION_COOKIE), request.app.state.clock())
    except errors.Unauthenticated:
        return None
    request.scope["linli_actor"] = actor  # an error page shows the same menu without the database
    return actor


async def provide_page_actor(request: Request, viewer: Viewer) -> Actor:
    """The signed-in member; a page that needs one sends everyone else to /login (and a member
    who must change their password or wait for approval to the page that says so)."""
    if viewer is None:
        raise errors.Unauthenticated()
    return open_to(request, viewer)
