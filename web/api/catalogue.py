"""The catalogue and redemptions (DESIGN.md, "Market"): the core calls ``GET /catalogue``,
``POST /redemptions`` and ``POST /redemptions/fulfil`` exactly as written there, and the rest in
their shape; and a community's points (issued, redeemed, outstanding)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, get, post, put
from litestar.params import FromQuery, JSONBody
from pydantic import Field, StringConstraints

from market import catalogue, limits, redemptions
from projects.errors import N_, Invalid
from web.api.deps import CurrentActor, Now
from web.api.schemas import (
    Id,
    IdIn,
    IdPath,
    IdQuery,
    In,
    Limit,
    OptionalId,
    Out,
    ReasonIn,
    TraceOut,
    When,
    WithActions,
    optional_id,
    ref,
)

ItemKind = Literal["goods", "service"]
Period = Literal["day", "week", "month", "year"]


class ItemIn(In):
    community_id: IdIn
    organisation_id: IdIn | None = None
    kind: ItemKind = "goods"
    name: Annotated[str, StringConstraints(max_length=limits.ITEM_NAME_MAX_CHARS)]
    name_en: Annotated[str, StringConstraints(max_length=limits.ITEM_NAME_MAX_CHARS)] = ""
    description: str = ""
    description_en: str = ""
    price: int = Field(ge=1, le=limits.PRICE_MAX_POINTS)
    stock: int | None = Field(default=None, ge=0, le=limits.STOCK_MAX_ITEMS)
    per_member_limit: int | None = Field(default=None, ge=1, le=limits.PER_MEMBER_MAX_REDEMPTIONS)
    limit_period: Period = "month"
    area_ids: list[IdIn] = Field(min_length=1, max_length=limits.ITEM_MAX_AREAS)
    active_from: When | None = None
    active_until: When | None = None
    active: bool = True

    def draft(self) -> catalogue.ItemDraft:
        fields = self.model_dump(exclude={"community_id", "organisation_id", "area_ids"})
        return catalogue.ItemDraft(**fields, area_ids=[int(area) for area in self.area_ids])


class ItemOut(WithActions):
    id: Id
    name: str
    price: int
    stock: int | None
    provider: str
    provider_id: OptionalId = ref("organisation")
    community_id: Id = ref("community")
    kind: str
    name_en: str
    description: str
    description_en: str
    per_member_limit: int | None
    limit_period: str
    area_ids: list[Id]
    active_from: datetime | None
    active_until: datetime | None
    active: bool
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime
    may_redeem: bool = False
    may_edit: bool = False
    may_restock: bool = Field(default=False, description="Add to a counted stock.")
    may_write_off: bool = Field(default=False, description="Take broken or expired goods out of the stock.")
    may_count_stock: bool = Field(default=False, description="Start counting an unlimited item's stock.")
    may_unlimit_stock: bool = Field(default=False, description="Stop counting the stock.")
    may_turn_off: bool = False
    may_turn_on: bool = False
    may_withdraw: bool = False


class CatalogueOut(Out):
    items: list[ItemOut]
    next_cursor: str | None


class RedemptionIn(In):
    item_id: IdIn
    quantity: int = Field(default=1, ge=1, le=limits.REDEMPTION_MAX_ITEMS)


class StockIn(In):
    """Exactly one: ``add`` to a counted stock, ``count`` an unlimited item's stock from now on,
    or make it ``unlimited``."""

    add: int | None = Field(default=None, ge=1, le=limits.STOCK_MAX_ITEMS)
    count: int | None = Field(default=None, ge=0, le=limits.STOCK_MAX_ITEMS)
    unlimited: bool = False


class WriteOffIn(In):
    quantity: int = Field(ge=1, le=limits.STOCK_MAX_ITEMS)
    reason: Annotated[str, StringConstraints(max_length=limits.REASON_MAX_CHARS)]


class CodeIn(In):
    code: Annotated[str, StringConstraints(max_length=limits.TYPED_CODE_MAX_CHARS)]


class RedemptionOut(WithActions):
    id: Id
    code: str = Field(description="Shown only to the member who redeemed: the provider asks for it")
    status: str
    item_id: Id = ref("item")
    item_name: str
    provider: str
    member_id: Id = ref("member")
    member_name: str
    quantity: int
    amount: int
    transfer_id: str
    expires_at: datetime
    decided_by: OptionalId
    reason: str
    fulfilled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    may_cancel: bool = False
    may_fulfil: bool = Field(default=False, description="With the code the member shows.")
    may_reject: bool = False


class RedemptionPageOut(Out):
    items: list[RedemptionOut]
    next_cursor: str | None


class TotalsOut(Out):
    count: dict[str, int]
    points: dict[str, int]


class CommunityPointsOut(Out):
    issued: int
    returned: int
    outstanding: int
    redeemed: int
    pending_redemptions: int


class CatalogueController(Controller):
    path = "/api/v1/catalogue"
    tags = ["market"]

    @get(name="api:catalogue", summary="Items offered to me now, newest first, cursor paged")
    async def list(
        self,
        actor: CurrentActor,
        now: Now,
        organisation_id: IdQuery = None,
        community_id: IdQuery = None,
        kind: FromQuery[ItemKind | None] = None,
        everything: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
        limit: Limit = catalogue.PAGE,
    ) -> CatalogueOut:
        page = await catalogue.list_catalogue(
            actor,
            now=now,
            organisation_id=organisation_id,
            community_id=community_id,
            kind=kind,
            everything=everything,
            cursor=cursor,
            limit=limit,
        )
        return CatalogueOut(
            items=[ItemOut.model_validate(item) for item in page.items], next_cursor=page.next_cursor
        )

    @post(name="api:item-create", summary="Offer an item (a provider's representative, or community staff)")
    async def create(self, actor: CurrentActor, data: JSONBody[ItemIn], now: Now) -> ItemOut:
        item = await catalogue.create_item(
            actor,
            data.draft(),
            community_id=int(data.community_id),
            organisation_id=optional_id(data.organisation_id),
            now=now,
        )
        return ItemOut.model_validate(item)

    @get("/{item_id:int}", name="api:item", summary="One item")
    async def read(self, actor: CurrentActor, item_id: IdPath, now: Now) -> ItemOut:
        return ItemOut.model_validate(await catalogue.view_item(actor, item_id, now=now))

    @put(
        "/{item_id:int}",
        name="api:item-update",
        summary="Change an item (price, limits, areas, window); its stock changes through /stock and "
        "/write-off, whether it is offered through /turn-off and /turn-on",
    )
    async def update(self, actor: CurrentActor, item_id: IdPath, data: JSONBody[ItemIn], now: Now) -> ItemOut:
        return ItemOut.model_validate(await catalogue.update_item(actor, item_id, data.draft(), now=now))

    @post(
        "/{item_id:int}/stock",
        name="api:item-restock",
        summary="Add to a counted stock (add), count an unlimited item's stock (count), or make it unlimited",
        status_code=200,
    )
    async def restock(
        self, actor: CurrentActor, item_id: IdPath, data: JSONBody[StockIn], now: Now
    ) -> ItemOut:
        if (data.add is not None) + (data.count is not None) + data.unlimited != 1:
            raise Invalid(
                N_("Say how much to add to the stock, from how many to count it, or make it unlimited."),
                field="add",
            )
        if data.add is not None:
            item = await catalogue.restock(actor, item_id, data.add, now=now)
        elif data.count is not None:
            item = await catalogue.count_stock(actor, item_id, data.count, now=now)
        else:
            item = await catalogue.unlimit_stock(actor, item_id, now=now)
        return ItemOut.model_validate(item)

    @post(
        "/{item_id:int}/write-off",
        name="api:item-write-off",
        summary="Take broken or expired goods out of the stock, saying why",
        status_code=200,
    )
    async def write_off(
        self, actor: CurrentActor, item_id: IdPath, data: JSONBody[WriteOffIn], now: Now
    ) -> ItemOut:
        item = await catalogue.write_off(actor, item_id, data.quantity, reason=data.reason, now=now)
        return ItemOut.model_validate(item)

    @post(
        "/{item_id:int}/turn-off",
        name="api:item-turn-off",
        summary="Take off offer for a while",
        status_code=200,
    )
    async def turn_off(self, actor: CurrentActor, item_id: IdPath, now: Now) -> ItemOut:
        return ItemOut.model_validate(await catalogue.turn_off(actor, item_id, now=now))

    @post("/{item_id:int}/turn-on", name="api:item-turn-on", summary="Offer it again", status_code=200)
    async def turn_on(self, actor: CurrentActor, item_id: IdPath, now: Now) -> ItemOut:
        return ItemOut.model_validate(await catalogue.turn_on(actor, item_id, now=now))

    @post(
        "/{item_id:int}/withdraw",
        name="api:item-withdraw",
        summary="Withdraw from the catalogue for good (pending redemptions are still served)",
        status_code=200,
    )
    async def withdraw(self, actor: CurrentActor, item_id: IdPath, now: Now) -> ItemOut:
        return ItemOut.model_validate(await catalogue.withdraw(actor, item_id, now=now))


class RedemptionController(Controller):
    path = "/api/v1/redemptions"
    tags = ["market"]

    @post(name="api:redeem", summary="Redeem an item: holds the points and the stock, gives a code")
    async def redeem(self, actor: CurrentActor, data: JSONBody[RedemptionIn], now: Now) -> RedemptionOut:
        record = await redemptions.redeem(actor, int(data.item_id), data.quantity, now=now)
        return RedemptionOut.model_validate(record)

    @post(
        "/fulfil",
        name="api:redemption-fulfil",
        summary="Fulfil by code (the provider); a code already fulfilled is a 409 already_fulfilled",
        status_code=200,
    )
    async def fulfil(self, actor: CurrentActor, data: JSONBody[CodeIn], now: Now) -> RedemptionOut:
        return RedemptionOut.model_validate(await redemptions.fulfil(actor, data.code, now=now))

    @get(
        name="api:redemptions",
        summary="Mine, a provider's (organisation_id), or a community's own items' (community_id)",
    )
    async def list(
        self,
        actor: CurrentActor,
        now: Now,
        organisation_id: IdQuery = None,
        community_id: IdQuery = None,
        status: FromQuery[Literal["pending", "fulfilled", "rejected", "cancelled", "expired"] | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = redemptions.PAGE,
    ) -> RedemptionPageOut:
        page = await redemptions.list_redemptions(
            actor,
            now=now,
            organisation_id=organisation_id,
            community_id=community_id,
            status=status,
            cursor=cursor,
            limit=limit,
        )
        return RedemptionPageOut(
            items=[RedemptionOut.model_validate(r) for r in page.items], next_cursor=page.next_cursor
        )

    @get("/totals", name="api:redemption-totals", summary="A provider's or community's redemptions by state")
    async def totals(
        self, actor: CurrentActor, organisation_id: IdQuery = None, community_id: IdQuery = None
    ) -> TotalsOut:
        if organisation_id is None and community_id is None:
            raise Invalid(N_("Say whose totals: an organisation or a community."))
        found = await redemptions.totals(actor, organisation_id=organisation_id, community_id=community_id)
        return TotalsOut.model_validate(found)

    @get("/{redemption_id:int}", name="api:redemption", summary="One redemption")
    async def read(self, actor: CurrentActor, redemption_id: IdPath, now: Now) -> RedemptionOut:
        return RedemptionOut.model_validate(await redemptions.view_redemption(actor, redemption_id, now=now))

    @get("/{redemption_id:int}/history", name="api:redemption-history", summary="The redemption's trace")
    async def history(self, actor: CurrentActor, redemption_id: IdPath, now: Now) -> list[TraceOut]:
        found = await redemptions.redemption_history(actor, redemption_id, now=now)
        return [TraceOut.model_validate(t) for t in found]

    @post("/{redemption_id:int}/cancel", name="api:redemption-cancel", summary="Cancel mine", status_code=200)
    async def cancel(self, actor: CurrentActor, redemption_id: IdPath, now: Now) -> RedemptionOut:
        return RedemptionOut.model_validate(await redemptions.cancel(actor, redemption_id, now=now))

    @post(
        "/{redemption_id:int}/reject",
        name="api:redemption-reject",
        summary="Reject (the provider)",
        status_code=200,
    )
    async def reject(
        self, actor: CurrentActor, redemption_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> RedemptionOut:
        record = await redemptions.reject(actor, redemption_id, reason=data.reason, now=now)
        return RedemptionOut.model_validate(record)


class CommunityPointsController(Controller):
    path = "/api/v1/communities"
    tags = ["market"]

    @get(
        "/{community_id:int}/points",
        name="api:community-points",
        summary="Points issued, returned, outstanding and redeemed in a community (its leaders and staff)",
    )
    async def points(self, actor: CurrentActor, community_id: IdPath) -> CommunityPointsOut:
        return CommunityPointsOut.model_validate(await redemptions.community_points(actor, community_id))
