"""Signing in for API clients: a bearer token from a mobile number and password."""

from __future__ import annotations

from litestar import Controller, Request, delete, post
from litestar.exceptions import TooManyRequestsException
from litestar.params import JSONBody

from projects import members
from projects.signin import TooManyAttempts, sign_in
from web.api.deps import CurrentActor, Now, bearer_token, client_address
from web.api.schemas import TokenIn, TokenOut


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/token",
        name="api:token",
        summary="Sign in: a bearer token for a phone and password (429 after repeated failures)",
        status_code=200,
    )
    async def token(self, request: Request, data: JSONBody[TokenIn], now: Now) -> TokenOut:
        try:
            member = await sign_in(data.phone, data.password, address=client_address(request), now=now)
        except TooManyAttempts as error:
            raise TooManyRequestsException(headers={"Retry-After": str(error.retry_after)}) from None
        return TokenOut(token=await members.issue_token(member.id, now=now))

    @delete("/token", name="api:sign-out", summary="Sign out: the token stops working", status_code=204)
    async def sign_out(self, request: Request) -> None:
        token = bearer_token(request)
        if token:
            await members.revoke_token(token)

    @delete(
        "/tokens",
        name="api:sign-out-everywhere",
        summary="Sign out everywhere: every token of mine stops working, the pages' sessions too",
        status_code=204,
    )
    async def sign_out_everywhere(self, actor: CurrentActor) -> None:
        await members.sign_out_everywhere(actor.member_id)
