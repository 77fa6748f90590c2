"""The signed-in member: who they are, their roles, their points, their statement (a line per
transfer) and their activity (a line per economic event)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromQuery

from ledger.accounts import balance
from ledger.statements import statement
from market.activity import activity
from projects.members import member_account
from web.api.deps import CurrentActor
from web.api.schemas import ActivityOut, BalanceOut, Limit, Me, RoleOut, StatementOut


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]

    @get(name="api:me", summary="The signed-in member, with their points balance")
    async def me(self, actor: CurrentActor) -> Me:
        return Me(
            id=actor.member_id,
            phone=actor.phone,
            name=actor.name,
            roles=actor.roles,
            balance=BalanceOut.model_validate(await balance(member_account(actor.member_id))),
            home_area_id=actor.home_area,
            areas=[RoleOut(role=g.role, area_id=g.area_id, level=g.level) for g in actor.grants],
            organisations={str(key): value for key, value in actor.organisations.items()},
        )

    @get("/statement", name="api:statement", summary="My points statement, newest first (cursor paged)")
    async def statement(
        self, actor: CurrentActor, cursor: FromQuery[str | None] = None, limit: Limit = 50
    ) -> StatementOut:
        page = await statement(member_account(actor.member_id), cursor=cursor, limit=limit)
        return StatementOut.model_validate(page)

    @get(
        "/activity",
        name="api:activity",
        summary="My points, one line per economic event (a hold and what resolved it are one), "
        "newest first (cursor paged)",
    )
    async def activity(
        self, actor: CurrentActor, cursor: FromQuery[str | None] = None, limit: Limit = 50
    ) -> ActivityOut:
        return ActivityOut.model_validate(await activity(actor.member_id, cursor=cursor, limit=limit))
