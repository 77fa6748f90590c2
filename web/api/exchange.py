"""Peer exchange (offers, requests and the exchanges agreed on them), gifts, and the community
fund's public totals, movements and donations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody
from pydantic import Field, StringConstraints

from market import exchange, fund
from web.api.deps import CurrentActor, Now, Viewer, provide_optional_actor
from web.api.schemas import (
    Id,
    IdIn,
    IdPath,
    In,
    Limit,
    OptionalId,
    Out,
    ReasonIn,
    StatementOut,
    TraceOut,
    WithActions,
    optional_id,
    ref,
)

Text500 = Annotated[str, StringConstraints(max_length=500)]


class ListingIn(In):
    kind: Literal["offer", "request"]
    category: Annotated[str, StringConstraints(max_length=32)]
    title: Annotated[str, StringConstraints(max_length=100)]
    description: str = ""
    points_per_hour: int | None = Field(default=None, ge=1, le=1000)


class ListingOut(WithActions):
    id: Id
    kind: str
    category: str
    title: str
    description: str
    points_per_hour: int
    status: str
    member_id: Id = ref("member")
    member_name: str
    community_id: Id = ref("community")
    created_at: datetime
    may_close: bool = False
    may_propose: bool = Field(default=False, description="Answer it with a proposal.")


class ListingPageOut(Out):
    items: list[ListingOut]
    next_cursor: str | None


class ProposalIn(In):
    minutes: int = Field(ge=1, le=exchange.MAX_MINUTES)
    note: Text500 = ""


class MinutesIn(In):
    minutes: int = Field(ge=1, le=exchange.MAX_MINUTES)
    note: Text500 = ""


class SettleIn(In):
    minutes: int = Field(ge=0, le=exchange.MAX_MINUTES)
    reason: Text500


class ExchangeOut(WithActions):
    id: Id
    listing_id: Id = ref("listing")
    requester_id: Id = ref("requester")
    performer_id: Id = ref("performer")
    proposed_by: Id
    minutes: int
    points_per_hour: int
    reserved: int
    worked_minutes: int | None
    points: int | None
    transfer_id: str | None
    status: str
    note: str
    reason: str
    created_at: datetime
    updated_at: datetime
    may_accept: bool = False
    may_decline: bool = False
    may_cancel: bool = False
    may_submit: bool = False
    may_confirm: bool = False
    may_dispute: bool = False
    may_settle: bool = False


class ExchangeListOut(Out):
    items: list[ExchangeOut]


class GiftIn(In):
    amount: int = Field(ge=1, le=exchange.MAX_GIFT)
    recipient_id: IdIn | None = None
    community_id: IdIn | None = None
    note: Text500 = ""


class GiftOut(Out):
    id: Id
    giver_id: Id = ref("giver")
    recipient_id: OptionalId = ref("recipient")
    community_id: OptionalId = ref("community")
    amount: int
    note: str
    transfer_id: str
    created_at: datetime


class GiftListOut(Out):
    items: list[GiftOut]


class DonationIn(In):
    amount: int = Field(ge=1, le=fund.MAX_DONATION, description="In fen (0.01 yuan)")
    donor_kind: Literal["member", "organisation", "outside"]
    member_id: IdIn | None = None
    organisation_id: IdIn | None = None
    donor_name: Annotated[str, StringConstraints(max_length=100)] = ""
    anonymous: bool = False
    note: Text500 = ""


class DonationOut(Out):
    """As the public sees it: an anonymous donor has no name here."""

    id: Id
    donor_kind: str
    donor: str = ref("public_name")
    anonymous: bool
    amount: int
    note: str
    created_at: datetime


class DonationPageOut(Out):
    items: list[DonationOut]
    next_cursor: str | None


class FundOut(WithActions):
    community_id: Id = ref("community")
    balance: int
    donated: int
    granted: int
    donations: int
    may_donate: bool = Field(default=False, description="Record a donation (its community's staff).")
    may_grant: bool = Field(default=False, description="Pay grants from it (its community's staff).")


class ListingController(Controller):
    path = "/api/v1/listings"
    tags = ["exchange"]

    @post(name="api:listing-create", summary="Publish an offer or a request")
    async def create(self, actor: CurrentActor, data: JSONBody[ListingIn], now: Now) -> ListingOut:
        listing = await exchange.create_listing(
            actor,
            data.kind,
            data.category,
            data.title,
            description=data.description,
            points_per_hour=data.points_per_hour,
            now=now,
        )
        return ListingOut.model_validate(listing)

    @get(name="api:listings", summary="Open offers and requests in my communities (or mine), newest first")
    async def list(
        self,
        actor: CurrentActor,
        kind: FromQuery[Literal["offer", "request"] | None] = None,
        category: FromQuery[str | None] = None,
        mine: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
        limit: Limit = exchange.PAGE,
    ) -> ListingPageOut:
        page = await exchange.list_listings(
            actor, kind=kind, category=category, mine=mine, cursor=cursor, limit=limit
        )
        return ListingPageOut(
            items=[ListingOut.model_validate(i) for i in page.items], next_cursor=page.next_cursor
        )

    @get("/{listing_id:int}", name="api:listing", summary="One listing")
    async def read(self, actor: CurrentActor, listing_id: IdPath) -> ListingOut:
        return ListingOut.model_validate(await exchange.view_listing(actor, listing_id))

    @post("/{listing_id:int}/close", name="api:listing-close", summary="Close my listing", status_code=200)
    async def close(self, actor: CurrentActor, listing_id: IdPath, now: Now) -> ListingOut:
        return ListingOut.model_validate(await exchange.close_listing(actor, listing_id, now=now))

    @post(
        "/{listing_id:int}/exchanges",
        name="api:exchange-propose",
        summary="Answer a listing: propose an exchange",
    )
    async def propose(
        self, actor: CurrentActor, listing_id: IdPath, data: JSONBody[ProposalIn], now: Now
    ) -> ExchangeOut:
        record = await exchange.propose(actor, listing_id, data.minutes, note=data.note, now=now)
        return ExchangeOut.model_validate(record)


class ExchangeController(Controller):
    path = "/api/v1/exchanges"
    tags = ["exchange"]

    @get(name="api:exchanges", summary="My exchanges, as requester or performer")
    async def list(self, actor: CurrentActor, status: FromQuery[str | None] = None) -> ExchangeListOut:
        found = await exchange.list_exchanges(actor, status=status)
        return ExchangeListOut(items=[ExchangeOut.model_validate(e) for e in found])

    @get("/{exchange_id:int}", name="api:exchange", summary="One exchange")
    async def read(self, actor: CurrentActor, exchange_id: IdPath) -> ExchangeOut:
        return ExchangeOut.model_validate(await exchange.view_exchange(actor, exchange_id))

    @get("/{exchange_id:int}/history", name="api:exchange-history", summary="The exchange's trace")
    async def history(self, actor: CurrentActor, exchange_id: IdPath) -> list[TraceOut]:
        return [TraceOut.model_validate(t) for t in await exchange.exchange_history(actor, exchange_id)]

    @post(
        "/{exchange_id:int}/accept",
        name="api:exchange-accept",
        summary="Agree (holds the requester's points)",
        status_code=200,
    )
    async def accept(self, actor: CurrentActor, exchange_id: IdPath, now: Now) -> ExchangeOut:
        return ExchangeOut.model_validate(await exchange.accept(actor, exchange_id, now=now))

    @post(
        "/{exchange_id:int}/decline",
        name="api:exchange-decline",
        summary="Decline a proposal",
        status_code=200,
    )
    async def decline(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> ExchangeOut:
        return ExchangeOut.model_validate(
            await exchange.decline(actor, exchange_id, reason=data.reason, now=now)
        )

    @post(
        "/{exchange_id:int}/cancel",
        name="api:exchange-cancel",
        summary="Cancel before the work is submitted",
        status_code=200,
    )
    async def cancel(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> ExchangeOut:
        return ExchangeOut.model_validate(
            await exchange.cancel(actor, exchange_id, reason=data.reason, now=now)
        )

    @post(
        "/{exchange_id:int}/submit",
        name="api:exchange-submit",
        summary="Report the minutes worked (the performer)",
        status_code=200,
    )
    async def submit(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[MinutesIn], now: Now
    ) -> ExchangeOut:
        record = await exchange.submit(actor, exchange_id, data.minutes, note=data.note, now=now)
        return ExchangeOut.model_validate(record)

    @post(
        "/{exchange_id:int}/confirm",
        name="api:exchange-confirm",
        summary="Confirm and pay (the requester)",
        status_code=200,
    )
    async def confirm(self, actor: CurrentActor, exchange_id: IdPath, now: Now) -> ExchangeOut:
        return ExchangeOut.model_validate(await exchange.confirm(actor, exchange_id, now=now))

    @post(
        "/{exchange_id:int}/dispute",
        name="api:exchange-dispute",
        summary="Dispute the work (the requester)",
        status_code=200,
    )
    async def dispute(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[ReasonIn], now: Now
    ) -> ExchangeOut:
        return ExchangeOut.model_validate(
            await exchange.dispute(actor, exchange_id, reason=data.reason, now=now)
        )

    @post(
        "/{exchange_id:int}/settle",
        name="api:exchange-settle",
        summary="Settle a dispute (a leader or staff)",
        status_code=200,
    )
    async def settle(
        self, actor: CurrentActor, exchange_id: IdPath, data: JSONBody[SettleIn], now: Now
    ) -> ExchangeOut:
        record = await exchange.settle(actor, exchange_id, data.minutes, reason=data.reason, now=now)
        return ExchangeOut.model_validate(record)


class GiftController(Controller):
    path = "/api/v1/gifts"
    tags = ["exchange"]

    @post(name="api:gift", summary="Give points to a member or to my community's pool")
    async def give(self, actor: CurrentActor, data: JSONBody[GiftIn], now: Now) -> GiftOut:
        record = await exchange.give(
            actor,
            data.amount,
            recipient_id=optional_id(data.recipient_id),
            community_id=optional_id(data.community_id),
            note=data.note,
            now=now,
        )
        return GiftOut.model_validate(record)

    @get(name="api:gifts", summary="Gifts I gave or received")
    async def list(self, actor: CurrentActor) -> GiftListOut:
        return GiftListOut(items=[GiftOut.model_validate(g) for g in await exchange.list_gifts(actor)])


class FundController(Controller):
    """Public: anyone may read a community fund's totals, movements and donations."""

    path = "/api/v1/funds"
    tags = ["fund"]
    dependencies = {"viewer": Provide(provide_optional_actor)}

    @get("/{community_id:int}", name="api:fund", summary="A community fund's totals (fen), public")
    async def read(self, community_id: IdPath, viewer: Viewer) -> FundOut:
        return FundOut.model_validate(await fund.fund_totals(community_id, viewer))

    @get("/{community_id:int}/movements", name="api:fund-movements", summary="The fund's movements, public")
    async def movements(
        self, community_id: IdPath, cursor: FromQuery[str | None] = None, limit: Limit = fund.PAGE
    ) -> StatementOut:
        return StatementOut.model_validate(
            await fund.fund_movements(community_id, cursor=cursor, limit=limit)
        )

    @get(
        "/{community_id:int}/donations", name="api:fund-donations", summary="Donations, newest first, public"
    )
    async def donations(
        self, community_id: IdPath, cursor: FromQuery[str | None] = None, limit: Limit = fund.PAGE
    ) -> DonationPageOut:
        page = await fund.list_donations(community_id, cursor=cursor, limit=limit)
        return DonationPageOut(
            items=[DonationOut.model_validate(d) for d in page.items], next_cursor=page.next_cursor
        )

    @post(
        "/{community_id:int}/donations", name="api:fund-donate", summary="Record a donation (community staff)"
    )
    async def donate(
        self, actor: CurrentActor, community_id: IdPath, data: JSONBody[DonationIn], now: Now
    ) -> DonationOut:
        record = await fund.donate(
            actor,
            community_id,
            data.amount,
            donor_kind=data.donor_kind,
            member_id=optional_id(data.member_id),
            organisation_id=optional_id(data.organisation_id),
            donor_name=data.donor_name,
            anonymous=data.anonymous,
            note=data.note,
            now=now,
        )
        return DonationOut.model_validate(record)
