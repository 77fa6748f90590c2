"""Signing in for API clients: a bearer token from a mobile number and password."""

from __future__ import annotations

from litestar import Controller, Request, delete, post
from litestar.params import JSONBody

from projects import members
from web.api.deps import Now, bearer_token
from web.api.schemas import TokenIn, TokenOut


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/token",
        name="api:token",
        summary="Sign in: a bearer token for a phone and password",
        status_code=200,
    )
    async def token(self, data: JSONBody[TokenIn], now: Now) -> TokenOut:
        member = await members.authenticate(data.phone, data.password)
        return TokenOut(token=await members.issue_token(member.id, now=now))

    @delete("/token", name="api:sign-out", summary="Sign out: the token stops working", status_code=204)
    async def sign_out(self, request: Request) -> None:
        token = bearer_token(request)
        if token:
            await members.revoke_token(token)
