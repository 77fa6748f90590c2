"""HEAD answered as GET without the body (RFC 9110 9.3.2), for every page and API call: link
checkers and monitors ask ``HEAD /login`` and must not be told 405."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send


def head_as_get(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def without_body(message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await app({**scope, "method": "GET"}, receive, without_body)

    return middleware
