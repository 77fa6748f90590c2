"""The security headers of every response, pages, API, errors, static files, /schema and /admin
alike: a Content-Security-Policy, no framing, no sniffing, a referrer policy, and HSTS when
Linli is served over HTTPS (where every cookie it sets, its own or the admin's, is Secure).
Built with the ``secure`` package and set in one hook, the app's ``before_send``, which sees
every response the app sends, including its mounted apps' and its errors'.

The pages load nothing but their own stylesheet: no script, no inline style. Two parts of the
site are other people's applications and get a policy of their own: /schema is Scalar, loaded
from jsDelivr, which injects its styles; /admin is Piccolo Admin, a Vue app served from here,
which sets styles inline too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import secure
from litestar.types import Message, Scope

HSTS_MAX_AGE_S = 365 * 24 * 3600

_NOTHING_ELSE = {"default-src": ("'self'",), "object-src": ("'none'",), "frame-ancestors": ("'none'",)}

POLICIES = {
    "pages": {
        **_NOTHING_ELSE,
        "script-src": ("'self'",),
        "style-src": ("'self'",),
        "img-src": ("'self'", "data:"),
        "form-action": ("'self'",),
        "base-uri": ("'none'",),
    },
    # Scalar (litestar.openapi.plugins.ScalarRenderPlugin): its script, stylesheet and icon come from
    # jsDelivr, its fonts from Scalar's font server; it reads /schema/openapi.json from here.
    "schema": {
        **_NOTHING_ELSE,
        "script-src": ("'self'", "https://cdn.jsdelivr.net"),
        "style-src": ("'self'", "'unsafe-inline'", "https://cdn.jsdelivr.net", "https://fonts.scalar.com"),
        "font-src": ("'self'", "data:", "https://cdn.jsdelivr.net", "https://fonts.scalar.com"),
        "img-src": ("'self'", "data:", "https://cdn.jsdelivr.net"),
        "connect-src": ("'self'",),
        "form-action": ("'self'",),
        "base-uri": ("'none'",),
    },
    # Piccolo Admin: every file from here (piccolo_admin/dist); Vue and its editors set inline styles.
    "admin": {
        **_NOTHING_ELSE,
        "script-src": ("'self'",),
        "style-src": ("'self'", "'unsafe-inline'"),
        "img-src": ("'self'", "data:", "blob:"),
        "font-src": ("'self'", "data:"),
        "connect-src": ("'self'",),
        "form-action": ("'self'",),
        "base-uri": ("'self'",),
    },
}


def policy_for(path: str) -> str:
    """Which policy a path gets."""
    if path == "/admin" or path.startswith("/admin/"):
        return "admin"
    if path == "/schema" or path.startswith("/schema/"):
        return "schema"
    return "pages"


def requested_path(scope: Scope) -> str:
    """The path as the client asked for it: routing rewrites ``scope["path"]`` to what is left
    after a mount (``/admin/`` becomes ``/``), but not ``raw_path``, which servers send."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else scope.get("path", "")
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def secure_cookie(set_cookie: bytes) -> bytes:
    """A Set-Cookie value that the browser sends back over HTTPS only."""
    attributes = {part.strip().lower() for part in set_cookie.split(b";")[1:]}
    return set_cookie if b"secure" in attributes else set_cookie + b"; Secure"


def _secured(name: bytes, value: bytes) -> bytes:
    return secure_cookie(value) if name.lower() == b"set-cookie" else value


def _headers(directives: dict[str, tuple[str, ...]], *, https: bool) -> list[tuple[bytes, bytes]]:
    csp = secure.ContentSecurityPolicy()
    for directive, sources in directives.items():
        csp.custom_directive(directive, *sources)
    configured = secure.Secure(
        csp=csp,
        xfo=secure.XFrameOptions().deny(),
        xcto=secure.XContentTypeOptions().nosniff(),
        referrer=secure.ReferrerPolicy().same_origin(),
        coop=secure.CrossOriginOpenerPolicy().same_origin(),
        hsts=secure.StrictTransportSecurity().max_age(HSTS_MAX_AGE_S) if https else None,
    )
    items = configured.headers.items()
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in items]


def security_headers(*, https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """The app's ``before_send`` hook: each response's headers, replacing any of the same name."""
    by_policy = {name: _headers(directives, https=https) for name, directives in POLICIES.items()}
    names = {name for name, _ in by_policy["pages"]}

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        kept = [(name, value) for name, value in message.get("headers", []) if name.lower() not in names]
        if https or scope.get("scheme") == "https":
            kept = [(name, _secured(name, value)) for name, value in kept]
        message["headers"] = kept + by_policy[policy_for(requested_path(scope))]

    return add_headers
