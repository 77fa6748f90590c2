"""HEAD answered as GET without the body (RFC 9110 9.3.2), for every page and API call: link
checkers and monitors ask ``HEAD /login`` and must not be told 405."""

from __future__ import annotations

from litestar import Litestar
from litestar.types import Receive, Scope, Send


class AnsweringHead(Litestar):
    """The app, routing a HEAD request as the GET it asks about and sending no body back."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await super().__call__(scope, receive, send)
            return

        async def without_body(message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await super().__call__({**scope, "method": "GET"}, receive, without_body)
